// What a create cut short leaves behind (issue 11, item 15): an engine killed between spawning conmon and saving
// the record as initialized leaves a runtime container (`runc init` waiting for start), its conmon, the
// runtime's state dir and a cgroup, none of which the record knows about. These helpers find them from what is
// on disk (conmon.pid, the runtime's state dir) and the process table, never from the record.
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { checkConmonRunning, readPidFile } from './conmon-runtime';

/** How long a runtime `create` still running under a leftover conmon may take before it is left to fail. */
const CREATE_WAIT_MS = 30_000;

/** The conmon of container `id` named by `<runDir>/conmon.pid`, if that PID is a live conmon for `id`. */
export async function leftoverConmon(runDir: string, id: string): Promise<number | undefined> {
  const pid = await readPidFile(path.join(runDir, 'conmon.pid'));
  if (!pid || !(await checkConmonRunning(pid))) return undefined;
  const argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0');
  return argv.includes(id) ? pid : undefined;
}

/** True when the runtime may hold something for `id`: its state dir exists. */
export function runtimeHasState(runtimeRoot: string, id: string): boolean {
  return existsSync(path.join(runtimeRoot, id));
}

/** The PIDs of `pid`'s children (from /proc/<pid>/task/<tid>/children). */
async function children(pid: number): Promise<number[]> {
  const tasks = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
  const out: number[] = [];
  for (const t of tasks) {
    const text = await readFile(`/proc/${pid}/task/${t}/children`, 'utf8').catch(() => '');
    for (const c of text.split(' ')) if (/^\d+$/.test(c)) out.push(Number(c));
  }
  return out;
}

async function comm(pid: number): Promise<string> {
  return (await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '')).trim();
}

/**
 * Waits while conmon `pid` still runs the runtime's `create` (a child named like the runtime binary; `runc init`
 * is `runc:[2:INIT]`), so that deleting the container does not race its creation. Bounded by CREATE_WAIT_MS.
 */
export async function waitCreateDone(pid: number, runtimeName: string): Promise<void> {
  const end = Date.now() + CREATE_WAIT_MS;
  while (Date.now() < end) {
    let busy = false;
    for (const c of await children(pid)) if ((await comm(c)) === runtimeName) busy = true;
    if (!busy) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** SIGKILLs conmon `pid` and waits (bounded) until it is gone or a zombie. */
export async function killConmon(pid: number): Promise<void> {
  try { process.kill(pid, 'SIGKILL'); } catch { return; }
  const end = Date.now() + 5_000;
  while (Date.now() < end && (await checkConmonRunning(pid))) await new Promise((r) => setTimeout(r, 10));
}
