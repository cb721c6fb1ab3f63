// Freezing a container's cgroup around a leave-running dump. The container must stay frozen
// from before CRIU saves its memory until Pier has copied its files (rootfs diff, log):
// CRIU leaves a cgroup it found frozen frozen after the dump (criu/seize.c restores the
// original freezer state), so the files copied before thaw() match the memory image. It
// is also faster: CRIU's own freeze loop polls every 100 ms. We freeze through the cgroup
// file the runtime recorded (runc's state.json), polling every millisecond, and fall back
// to `runc pause`/`resume` whenever anything is unusual.
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { ConmonRuntime } from '../runtime/conmon-runtime';

interface Cg { kind: 'v1' | 'v2'; dir: string }

async function cgroupOf(rt: ConmonRuntime, id: string): Promise<Cg | undefined> {
  if (rt.info.runtime.name !== 'runc') return undefined;
  try {
    const st = JSON.parse(await fsp.readFile(path.join(rt.opts.runtimeRoot, id, 'state.json'), 'utf8')) as { cgroup_paths?: Record<string, string> };
    const p = st.cgroup_paths ?? {};
    if (p.freezer) return { kind: 'v1', dir: p.freezer };
    if (p['']) return { kind: 'v2', dir: p[''] };
  } catch { /* fall back */ }
  return undefined;
}

async function poll(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 1));
  }
}

/** A frozen container: `frozen()` says whether it still is, `pids()` lists its processes, `thaw()` lets it run again. */
export interface Frozen { frozen(): Promise<boolean>; pids(): Promise<number[]>; thaw(): Promise<void> }

const procsOf = async (dir: string) => (await fsp.readFile(path.join(dir, 'cgroup.procs'), 'utf8')).split('\n').filter(Boolean).map(Number);

const readTrim = (f: string) => fsp.readFile(f, 'utf8').then((s) => s.trim(), () => '');

/** Freezes every process of the container; rejects when neither the cgroup nor the runtime can. */
export async function freeze(rt: ConmonRuntime, id: string): Promise<Frozen> {
  const cg = await cgroupOf(rt, id);
  if (cg) {
    try {
      if (cg.kind === 'v1') {
        const f = path.join(cg.dir, 'freezer.state');
        const frozen = async () => (await readTrim(f)) === 'FROZEN';
        if ((await readTrim(f)) === 'THAWED') {
          await fsp.writeFile(f, 'FROZEN');
          if (await poll(frozen, 2000)) return { frozen, pids: () => procsOf(cg.dir), thaw: async () => { await fsp.writeFile(f, 'THAWED').catch(() => undefined); } };
          await fsp.writeFile(f, 'THAWED').catch(() => undefined);
        }
      } else {
        const f = path.join(cg.dir, 'cgroup.freeze'), ev = path.join(cg.dir, 'cgroup.events');
        const frozen = async () => /^frozen 1$/m.test(await fsp.readFile(ev, 'utf8').catch(() => ''));
        if ((await readTrim(f)) === '0') {
          await fsp.writeFile(f, '1');
          if (await poll(frozen, 2000)) return { frozen, pids: () => procsOf(cg.dir), thaw: async () => { await fsp.writeFile(f, '0').catch(() => undefined); } };
          await fsp.writeFile(f, '0').catch(() => undefined);
        }
      }
    } catch { /* fall back to the runtime */ }
  }
  await rt.pause(id);
  return {
    frozen: async () => (await rt.state(id).catch(() => undefined))?.status === 'paused',
    pids: async () => (cg ? procsOf(cg.dir) : [(await rt.state(id))?.pid ?? 0].filter(Boolean)),
    thaw: async () => { await rt.resume(id).catch(() => undefined); },
  };
}
