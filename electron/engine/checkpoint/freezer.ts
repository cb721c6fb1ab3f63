// Freezing a container's cgroup before a leave-running dump. CRIU freezes by itself but
// polls the freezer every 100 ms (criu/seize.c), so a dump of an idle container waits
// ~100 ms for nothing; a cgroup that is already frozen is used as is. We freeze through
// the cgroup file the runtime recorded (runc's state.json), polling every millisecond,
// and fall back to `runc pause`/`resume` whenever anything is unusual.
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

/** Freezes the container; resolves with the function that thaws it. */
export async function freeze(rt: ConmonRuntime, id: string): Promise<() => Promise<void>> {
  const cg = await cgroupOf(rt, id);
  if (cg) {
    try {
      if (cg.kind === 'v1') {
        const f = path.join(cg.dir, 'freezer.state');
        if ((await fsp.readFile(f, 'utf8')).trim() === 'THAWED') {
          await fsp.writeFile(f, 'FROZEN');
          if (await poll(async () => (await fsp.readFile(f, 'utf8')).trim() === 'FROZEN', 2000)) return async () => { await fsp.writeFile(f, 'THAWED').catch(() => undefined); };
          await fsp.writeFile(f, 'THAWED').catch(() => undefined);
        }
      } else {
        const f = path.join(cg.dir, 'cgroup.freeze'), ev = path.join(cg.dir, 'cgroup.events');
        if ((await fsp.readFile(f, 'utf8')).trim() === '0') {
          await fsp.writeFile(f, '1');
          if (await poll(async () => /^frozen 1$/m.test(await fsp.readFile(ev, 'utf8')), 2000)) return async () => { await fsp.writeFile(f, '0').catch(() => undefined); };
          await fsp.writeFile(f, '0').catch(() => undefined);
        }
      }
    } catch { /* fall back to the runtime */ }
  }
  await rt.pause(id);
  return async () => { await rt.resume(id).catch(() => undefined); };
}
