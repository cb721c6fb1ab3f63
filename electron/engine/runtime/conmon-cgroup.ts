// conmon leaves the engine's cgroup before it gets its start byte (the seed's moveConmonToCgroupAndSignal): killing
// the engine's cgroup (systemd's KillMode=control-group, a desktop session's logout) must not take conmon and the
// containers with it. runc creates a container's cgroup relative to its caller's, so the containers follow conmon
// out. Where: a `pier-conmon` cgroup at the root of every mounted hierarchy (cgroup v1 controllers, name=systemd,
// and the v2/hybrid unified one). Rootful engines only (a rootless engine owns no cgroup here). A systemd scope
// would be the right place where systemd is PID 1; Pier does not talk to systemd yet, so it uses the same
// cgroupfs move there too. Failures never fail a create: conmon then stays where it is, and the error is returned.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';

export const CONMON_CGROUP = 'pier-conmon';

interface Hierarchy { mount: string; v2: boolean; cpuset: boolean }

let cached: Hierarchy[] | undefined;
/** Mount points of the cgroup hierarchies whose root this process sees (mountinfo root field "/"). */
export function cgroupHierarchies(): Hierarchy[] {
  if (cached) return cached;
  const out: Hierarchy[] = [];
  const seen = new Set<string>();
  for (const line of fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const [pre, post] = line.split(' - ');
    if (!post) continue;
    const f = pre.split(' ');
    const [fstype, , opts = ''] = post.split(' ');
    if ((fstype !== 'cgroup' && fstype !== 'cgroup2') || f[3] !== '/') continue;
    const key = fstype === 'cgroup2' ? 'v2' : opts.split(',').filter((o) => o !== 'rw' && o !== 'ro' && o !== 'relatime').sort().join(',');
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ mount: f[4], v2: fstype === 'cgroup2', cpuset: fstype === 'cgroup' && opts.split(',').includes('cpuset') });
  }
  return (cached = out);
}

/** `pier-conmon` directories known to exist (with cpus and mems for a v1 cpuset). */
const prepared = new Set<string>();

async function prepare(h: Hierarchy, dir: string): Promise<void> {
  if (prepared.has(dir)) return;
  await fsp.mkdir(dir).catch((e: NodeJS.ErrnoException) => { if (e.code !== 'EEXIST') throw e; });
  if (h.cpuset) {
    // a new v1 cpuset cgroup has no CPUs or memory nodes until given its parent's
    for (const f of ['cpuset.cpus', 'cpuset.mems']) {
      if (!(await fsp.readFile(path.join(dir, f), 'utf8')).trim()) await fsp.writeFile(path.join(dir, f), await fsp.readFile(path.join(h.mount, f)));
    }
  }
  prepared.add(dir);
}

/**
 * Moves process `pid` into `pier-conmon` in every hierarchy, off the JS thread (a write to cgroup.procs can wait
 * for the kernel's cgroup lock; one hierarchy after the other: all at once would fill libuv's pool threads, and the
 * rootfs mount running meanwhile would queue behind them);
 * resolves with the errors (empty when all went well).
 */
export async function moveToConmonCgroup(pid: number): Promise<string[]> {
  const errors: string[] = [];
  for (const h of cgroupHierarchies()) {
    const dir = path.join(h.mount, CONMON_CGROUP);
    try {
      await prepare(h, dir);
      await fsp.writeFile(path.join(dir, 'cgroup.procs'), String(pid));
    } catch (e) {
      prepared.delete(dir); // prepared again next time (someone may have removed it)
      errors.push(`${dir}: ${(e as Error).message}`);
    }
  }
  return errors;
}
