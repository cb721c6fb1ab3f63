// The rootless user namespace, podman's model: one long-lived "pause" process holds a user
// namespace (and a mount namespace owned by it) built with newuidmap/newgidmap from the user's
// /etc/subuid and /etc/subgid ranges: uid 0 inside = the user, 1..N = the subordinate range.
// A non-root `pier serve` re-executes itself inside that namespace through nsenter(1), a
// single-threaded helper (a multi-threaded process such as Node cannot setns into a user
// namespace). Everything the engine then does — storage, mounts, conmon, runc — happens inside.
// With no subordinate range the namespace maps the user alone (uid 0 inside), and containers
// still run, with every file owned by root; `rangeAdvice` says what to add.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run } from './proc';

export interface IdRange { start: number; count: number }
export type Mapping = 'subordinate' | 'single';

/** What the re-executed engine learns about its namespace (env PIER_USERNS). */
export interface UsernsState {
  uid: number; gid: number; user: string;
  mapping: Mapping;
  /** the pause process holding the namespace */
  pause: number;
  /** set when the namespace maps the user alone: what is missing and how to add it */
  warning?: string;
}

export const USERNS_ENV = 'PIER_USERNS';

/** The first range of `user` (by name or uid) in an /etc/subuid-style text. */
export function parseSubIds(text: string, user: string, id: number): IdRange | undefined {
  for (const line of text.split('\n')) {
    const [who, start, count] = line.trim().split(':');
    if (who !== user && who !== String(id)) continue;
    const s = Number(start), c = Number(count);
    if (Number.isInteger(s) && Number.isInteger(c) && s >= 0 && c > 0) return { start: s, count: c };
  }
  return undefined;
}

/** The first id after every range in /etc/subuid-style texts (at least 100000, as useradd does). */
export function freeRangeStart(...texts: string[]): number {
  let next = 100000;
  for (const line of texts.join('\n').split('\n')) {
    const [, start, count] = line.trim().split(':').map(Number);
    if (Number.isInteger(start) && Number.isInteger(count)) next = Math.max(next, start + count);
  }
  return next;
}

/** The message shown when a user has no subordinate ids: names the files and the command. */
export function rangeAdvice(user: string, missing: string[], free = 100000): string {
  const range = `${free}-${free + 65535}`;
  return `no subordinate ${missing.join(' and ')} range for user ${user} in ${missing.map((m) => `/etc/sub${m}`).join(' and ')}: `
    + 'containers run with a single-id mapping (every file in them belongs to root, image owners are lost). '
    + `Add a range as root, then restart Pier: usermod --add-subuids ${range} --add-subgids ${range} ${user}`;
}

function readText(p: string): string { try { return fs.readFileSync(p, 'utf8'); } catch { return ''; } }

function nsOf(pid: number | 'self'): string | undefined {
  try { return fs.readlinkSync(`/proc/${pid}/ns/user`); } catch { return undefined; }
}

/** True when this process runs in a user namespace other than the initial one. */
export function inUserNamespace(): boolean {
  const map = readText('/proc/self/uid_map').trim().split(/\s+/);
  return map.length > 0 && !(map.length === 3 && map[0] === '0' && map[1] === '0' && map[2] === '4294967295');
}

/** The state handed over by the re-executing parent, when this engine runs inside its namespace. */
export function usernsState(env: NodeJS.ProcessEnv = process.env): UsernsState | undefined {
  const raw = env[USERNS_ENV];
  if (!raw || !inUserNamespace()) return undefined;
  try { return JSON.parse(raw) as UsernsState; } catch { return undefined; }
}

/** A live pause process of ours: same owner, a user namespace other than ours. */
function validPause(pid: number, uid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 1) return false;
  const status = readText(`/proc/${pid}/status`);
  const m = /^Uid:\s+(\d+)/m.exec(status);
  if (!m || Number(m[1]) !== uid || /^State:\s+Z/m.test(status)) return false;
  const ns = nsOf(pid);
  return !!ns && ns !== nsOf('self') && readText(`/proc/${pid}/cmdline`).startsWith('sleep\0');
}

/** Starts a pause process in a new user + mount namespace; resolves once it is inside them. */
function spawnPause(single: boolean): Promise<number> {
  const args = ['--user', '--mount', '--propagation', 'private', ...(single ? ['--map-root-user'] : []),
    '--', 'sh', '-c', 'echo ready; exec sleep infinity'];
  return new Promise((resolve, reject) => {
    const child = spawn('unshare', args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], cwd: '/' });
    const err: Buffer[] = [];
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => reject(new Error(`cannot start the user namespace holder (unshare): ${e.message}`)));
    child.on('exit', (code) => reject(new Error(`cannot create a user namespace (unshare exit ${code}): ${Buffer.concat(err).toString().trim()}`)));
    child.stdout!.once('data', () => {
      child.removeAllListeners('exit');
      child.stdout!.destroy();
      child.stderr!.destroy();
      child.unref();
      resolve(child.pid!);
    });
  });
}

async function mapIds(pid: number, uid: number, gid: number, r: { uid: IdRange; gid: IdRange }): Promise<void> {
  for (const [bin, own, range] of [['newuidmap', uid, r.uid], ['newgidmap', gid, r.gid]] as const) {
    const res = await run(bin, [String(pid), '0', String(own), '1', '1', String(range.start), String(range.count)], { timeoutMs: 10_000 });
    if (res.code !== 0) throw new Error(`${bin} failed: ${res.stderr.trim() || 'exit ' + res.code}`);
  }
}

export interface PauseInfo { pid: number; mapping: Mapping; warning?: string }

function mappingOf(pid: number): Mapping {
  return readText(`/proc/${pid}/uid_map`).trim().split('\n').length > 1 ? 'subordinate' : 'single';
}

/**
 * Joins the namespace whose pause PID is in `<runroot>/pause.pid`, or creates one. Two engines
 * starting at once settle on one holder: the PID file is published with link(), which fails
 * for the second; the loser kills its own pause process and uses the winner's.
 */
export async function ensurePause(runroot: string, who = currentUser()): Promise<PauseInfo> {
  fs.mkdirSync(runroot, { recursive: true, mode: 0o700 });
  const file = path.join(runroot, 'pause.pid');
  const uidRange = parseSubIds(readText('/etc/subuid'), who.user, who.uid);
  const gidRange = parseSubIds(readText('/etc/subgid'), who.user, who.uid);
  const missing = [...(uidRange ? [] : ['uid']), ...(gidRange ? [] : ['gid'])];
  const warning = missing.length
    ? rangeAdvice(who.user, missing, freeRangeStart(readText('/etc/subuid'), readText('/etc/subgid'))) : undefined;
  const existing = Number(readText(file).trim());
  if (validPause(existing, who.uid)) {
    const mapping = mappingOf(existing);
    return { pid: existing, mapping, warning: mapping === 'single' ? warning ?? `the user namespace (pause process ${existing}) maps only your own id: it was made before you had a `
      + 'subordinate range; stop Pier and its containers, then end that process to rebuild it' : undefined };
  }
  let pid: number, mapping: Mapping, why = warning;
  if (uidRange && gidRange) {
    pid = await spawnPause(false);
    try {
      await mapIds(pid, who.uid, who.gid, { uid: uidRange, gid: gidRange });
      mapping = 'subordinate';
    } catch (e) {
      try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
      why = `${(e as Error).message}: containers run with a single-id mapping (every file in them belongs to root)`;
      pid = await spawnPause(true);
      mapping = 'single';
    }
  } else {
    pid = await spawnPause(true);
    mapping = 'single';
  }
  const tmp = `${file}.${process.pid}`;
  fs.writeFileSync(tmp, `${pid}\n`, { mode: 0o600 });
  try {
    fs.rmSync(file, { force: true });
    fs.linkSync(tmp, file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    const winner = Number(readText(file).trim());
    if (!validPause(winner, who.uid)) throw new Error(`another Pier engine is creating the user namespace (${file}); try again`);
    return { pid: winner, mapping: mappingOf(winner), warning: mappingOf(winner) === 'single' ? warning : undefined };
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  return { pid, mapping, warning: mapping === 'single' ? why : undefined };
}

export function currentUser(): { uid: number; gid: number; user: string } {
  const info = os.userInfo();
  return { uid: info.uid, gid: info.gid, user: info.username };
}

/** nsenter arguments that run `argv` inside the pause process's user and mount namespaces. */
export function nsenterArgs(pause: number, cwd: string, argv: string[]): string[] {
  // --preserve-credentials: no setuid/setgroups; the user's own uid already is 0 inside.
  return ['--preserve-credentials', '--user', '--mount', '--target', String(pause), `--wd=${cwd}`, '--', ...argv];
}

/**
 * Runs this same program again inside the namespace and relays signals to it; resolves with
 * its exit code. The caller exits with it.
 */
export async function reexecInNamespace(runroot: string, log: (line: string) => void): Promise<number> {
  const who = currentUser();
  const pause = await ensurePause(runroot, who);
  if (pause.warning) log(`pier: warning: ${pause.warning}`);
  const state: UsernsState = { ...who, mapping: pause.mapping, pause: pause.pid, warning: pause.warning };
  const argv = [process.execPath, ...process.execArgv, ...process.argv.slice(1)];
  const child = spawn('nsenter', nsenterArgs(pause.pid, process.cwd(), argv), {
    stdio: 'inherit', env: { ...process.env, [USERNS_ENV]: JSON.stringify(state) },
  });
  const relay = (sig: NodeJS.Signals) => () => { try { child.kill(sig); } catch { /* gone */ } };
  const handlers = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((s) => [s, relay(s)] as const);
  for (const [s, h] of handlers) process.on(s, h);
  return new Promise((resolve) => {
    child.on('error', (e) => { log(`pier: cannot enter the user namespace (nsenter): ${e.message}`); resolve(1); });
    child.on('exit', (code, signal) => {
      for (const [s, h] of handlers) process.off(s, h);
      resolve(code ?? (signal ? 128 + (os.constants.signals[signal] ?? 0) : 1));
    });
  });
}
