// Rootless adjustments to a generated spec (pure). Inside Pier's user namespace the kernel
// refuses a fresh sysfs or cgroup mount over the host's (locked sub-mounts), and a devpts
// gid=5 that is not mapped; podman makes the same substitutions.
import type { OciSpec } from './spec';

export interface RootlessSpecOptions {
  /** gid 5 (tty) exists in the namespace (false with a single-id mapping) */
  ttyGidMapped: boolean;
}

export function adaptForRootless(spec: OciSpec, o: RootlessSpecOptions): OciSpec {
  const mounts: OciSpec['mounts'] = [];
  for (const m of spec.mounts) {
    if (m.destination === '/sys/fs/cgroup' && m.type === 'cgroup') continue; // comes with the /sys bind
    if (m.destination === '/sys' && m.type === 'sysfs') {
      mounts.push({ destination: '/sys', type: 'bind', source: '/sys', options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro'] });
      continue;
    }
    if (m.type === 'devpts' && !o.ttyGidMapped) {
      mounts.push({ ...m, options: (m.options ?? []).filter((x) => x !== 'gid=5') });
      continue;
    }
    mounts.push(m);
  }
  return { ...spec, mounts };
}
