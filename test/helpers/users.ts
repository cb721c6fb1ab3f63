// Throw-away unprivileged users for rootless tests (run as root): useradd gives each a home and
// a subordinate id range in /etc/subuid and /etc/subgid (or none, on request); remove() ends
// every process of the user (its uid or its subordinate range: pause process, conmon,
// containers) and deletes the user, its home and its ranges. Commands run as the user through
// setpriv (no intermediate process, so signals reach the program itself).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface TestUser {
  name: string; uid: number; gid: number; home: string;
  range?: { start: number; count: number };
  /** env for programs run as the user (HOME, PATH, USER, plus extra) */
  env(extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
  /** argv prefix that runs a command as the user */
  as(argv: string[]): [string, string[]];
  /** runs to completion as the user */
  run(argv: string[], o?: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number; cwd?: string }): Promise<{ code: number; stdout: string; stderr: string }>;
  spawn(argv: string[], o?: { env?: NodeJS.ProcessEnv; cwd?: string }): ChildProcess;
  remove(): void;
}

export function rootlessSkipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (creates users)';
  for (const bin of ['useradd', 'userdel', 'usermod', 'setpriv', 'newuidmap', 'nsenter', 'unshare']) {
    try { execFileSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }); } catch { return `${bin} not installed`; }
  }
  return undefined;
}

function subRange(name: string): { start: number; count: number } | undefined {
  const line = fs.readFileSync('/etc/subuid', 'utf8').split('\n').find((l) => l.startsWith(`${name}:`));
  if (!line) return undefined;
  const [, start, count] = line.split(':').map(Number);
  return { start, count };
}

/** Creates a user named pier-rl-<tag>-<random>, with a subordinate range unless subids is false. */
export function createUser(tag: string, opts: { subids?: boolean; groups?: string[] } = {}): TestUser {
  const name = `pierrl-${tag}-${Math.random().toString(36).slice(2, 6)}`.slice(0, 31);
  execFileSync('useradd', ['-m', '-s', '/bin/sh', ...(opts.groups?.length ? ['-G', opts.groups.join(',')] : []), name]);
  let range = subRange(name);
  if (opts.subids === false && range) {
    const r = `${range.start}-${range.start + range.count - 1}`;
    execFileSync('usermod', ['--del-subuids', r, '--del-subgids', r, name]);
    range = undefined;
  }
  const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
  const home = path.join('/home', name);
  const env = (extra: NodeJS.ProcessEnv = {}) => ({ HOME: home, USER: name, LOGNAME: name, PATH: '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin', LANG: 'C.UTF-8', ...extra });
  const as = (argv: string[]): [string, string[]] => ['setpriv', ['--reuid', String(uid), '--regid', String(gid), '--init-groups', '--', ...argv]];
  const user: TestUser = {
    name, uid, gid, home, range, env, as,
    run(argv, o = {}) {
      return new Promise((resolve) => {
        const [bin, args] = as(argv);
        const child = spawn(bin, args, { env: o.env ?? env(), cwd: o.cwd ?? home, stdio: ['pipe', 'pipe', 'pipe'] });
        let stdout = '', stderr = '';
        child.stdout!.on('data', (d) => { stdout += d; });
        child.stderr!.on('data', (d) => { stderr += d; });
        const t = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 60_000);
        child.on('close', (code) => { clearTimeout(t); resolve({ code: code ?? -1, stdout, stderr }); });
        child.stdin!.on('error', () => undefined); // a command that never reads its input
        child.stdin!.end(o.input ?? '');
      });
    },
    spawn(argv, o = {}) {
      const [bin, args] = as(argv);
      return spawn(bin, args, { env: o.env ?? env(), cwd: o.cwd ?? home, stdio: ['ignore', 'pipe', 'pipe'] });
    },
    remove() {
      killUserProcesses(uid, range);
      try { execFileSync('userdel', ['-r', '-f', name], { stdio: 'ignore' }); } catch { /* already gone */ }
      fs.rmSync(home, { recursive: true, force: true });
      fs.rmSync(`/tmp/pier-${uid}`, { recursive: true, force: true });
    },
  };
  return user;
}

/** SIGKILLs every process whose real uid is the user's or in its subordinate range. */
function killUserProcesses(uid: number, range?: { start: number; count: number }): void {
  const mine = (u: number) => u === uid || (!!range && u >= range.start && u < range.start + range.count);
  for (let round = 0; round < 5; round++) {
    let found = 0;
    for (const e of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(e)) continue;
      const m = /^Uid:\s+(\d+)/m.exec(readOr(`/proc/${e}/status`));
      if (m && mine(Number(m[1]))) { found++; try { process.kill(Number(e), 'SIGKILL'); } catch { /* gone */ } }
    }
    if (!found) return;
    execFileSync('sleep', ['0.2']);
  }
}

function readOr(p: string): string { try { return fs.readFileSync(p, 'utf8'); } catch { return ''; } }

/**
 * A copy of the repository the user can read, when the checkout itself is not readable by
 * others (a CI clone under /root). Hard links where possible (same file system), else a copy.
 */
export function readableRepo(user: TestUser, scratch: string): string {
  const probe = execFileSync('setpriv', ['--reuid', String(user.uid), '--regid', String(user.gid), '--init-groups', '--',
    'sh', '-c', `test -r '${REPO}/bin/pier.js' && test -r '${REPO}/node_modules/tsx/package.json' && echo ok || true`], { encoding: 'utf8' });
  if (probe.trim() === 'ok') return REPO;
  const dest = path.join(scratch, 'repo');
  fs.mkdirSync(scratch, { recursive: true, mode: 0o755 });
  // hard links keep the files' own modes (a clone's are world-readable; its ancestors are what is not)
  try { execFileSync('cp', ['-al', REPO, dest]); } catch { execFileSync('cp', ['-a', REPO, dest]); }
  for (let d = scratch; d !== path.dirname(d); d = path.dirname(d)) fs.chmodSync(d, fs.statSync(d).mode | 0o005);
  return dest;
}

export function tmpBase(): string { return os.tmpdir(); }
