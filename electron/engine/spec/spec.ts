// OCI runtime spec (config.json) generation with podman's defaults: standard mounts,
// default capabilities, masked and read-only paths, private namespaces.
// Pure: unit-tested without a runtime.

import { adaptForRootless, type RootlessSpecOptions } from './rootless';

export interface BindMount { source: string; destination: string; readOnly?: boolean }
/** bridge: the container joins the namespace at netnsPath (set up by the network area) */
/** container: another container's namespace (netnsPath; none given = that container uses the host's) */
export type NetworkMode = 'none' | 'host' | 'bridge' | 'container';

export interface ProcessDesc {
  args: string[];
  env?: string[];
  cwd?: string;
  /** numeric "uid[:gid]"; names are resolved by the caller against the rootfs (see user.ts) */
  uid?: number;
  gid?: number;
  additionalGids?: number[];
  terminal?: boolean;
  consoleSize?: { rows: number; cols: number };
}

export interface SpecOptions {
  rootfs: string;
  process: ProcessDesc;
  hostname?: string;
  readOnlyRoot?: boolean;
  binds?: BindMount[];
  /** tmpfs mounts (volumes arrive as binds of their data directory) */
  tmpfs?: Array<{ destination: string; options: string[] }>;
  network?: NetworkMode;
  /** the network namespace to join (bridge mode) */
  netnsPath?: string;
  /** current RLIMIT_NOFILE hard limit (never raise above it) */
  nofileHard?: number;
  annotations?: Record<string, string>;
  /** cgroups path (cgroupfs), e.g. "/pier/<id>" */
  cgroupsPath?: string;
  /** set for a rootless engine (see spec/rootless.ts) */
  rootless?: RootlessSpecOptions;
}

export const DEFAULT_CAPS = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_NET_BIND_SERVICE',
  'CAP_SETFCAP', 'CAP_SETGID', 'CAP_SETPCAP', 'CAP_SETUID', 'CAP_SYS_CHROOT',
];

export const MASKED_PATHS = [
  '/proc/acpi', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list', '/proc/timer_stats',
  '/proc/sched_debug', '/proc/scsi', '/sys/firmware', '/sys/fs/selinux', '/sys/dev/block',
];
export const READONLY_PATHS = ['/proc/asound', '/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

export const DEFAULT_ENV_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface OciSpec {
  ociVersion: string;
  process: Record<string, unknown> & { args: string[]; env: string[]; terminal: boolean };
  root: { path: string; readonly: boolean };
  hostname: string;
  mounts: Array<{ destination: string; type: string; source: string; options?: string[] }>;
  annotations?: Record<string, string>;
  linux: Record<string, unknown>;
}

export function processSpec(p: ProcessDesc, nofileHard?: number): OciSpec['process'] {
  const env = [...(p.env ?? [])];
  if (!env.some((e) => e.startsWith('PATH='))) env.unshift(DEFAULT_ENV_PATH);
  if (p.terminal && !env.some((e) => e.startsWith('TERM='))) env.push('TERM=xterm');
  const uid = p.uid ?? 0;
  const caps = uid === 0 ? DEFAULT_CAPS : [];
  const rlimits = [];
  if (nofileHard && nofileHard > 0) {
    const n = Math.min(nofileHard, 1048576);
    rlimits.push({ type: 'RLIMIT_NOFILE', hard: n, soft: Math.min(n, 1024 * 1024) });
  }
  const proc: OciSpec['process'] = {
    terminal: !!p.terminal,
    user: { uid, gid: p.gid ?? 0, ...(p.additionalGids?.length ? { additionalGids: p.additionalGids } : {}) },
    args: p.args,
    env,
    cwd: p.cwd || '/',
    capabilities: { bounding: DEFAULT_CAPS, effective: caps, permitted: caps },
    noNewPrivileges: false,
    oomScoreAdj: 0,
  };
  if (rlimits.length) proc.rlimits = rlimits;
  if (p.terminal && p.consoleSize) proc.consoleSize = { height: p.consoleSize.rows, width: p.consoleSize.cols };
  return proc;
}

export function generateSpec(o: SpecOptions): OciSpec {
  const ro = (extra: string[] = []) => ['nosuid', 'noexec', 'nodev', ...extra];
  const mounts: OciSpec['mounts'] = [
    { destination: '/proc', type: 'proc', source: 'proc', options: ro() },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ro(['mode=1777', 'size=65536k']) },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ro() },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ro(['ro']) },
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ro(['relatime', 'ro']) },
  ];
  const user: OciSpec['mounts'] = [];
  for (const b of o.binds ?? []) {
    user.push({ destination: b.destination, type: 'bind', source: b.source, options: ['rbind', 'rprivate', b.readOnly ? 'ro' : 'rw'] });
  }
  for (const t of o.tmpfs ?? []) user.push({ destination: t.destination, type: 'tmpfs', source: 'tmpfs', options: t.options });
  // parents before children (a volume at /data and a bind at /data/sub), otherwise in the given order
  const depth = (d: string) => d.split('/').filter(Boolean).length;
  mounts.push(...user.map((m, i) => ({ m, i })).sort((a, b) => depth(a.m.destination) - depth(b.m.destination) || a.i - b.i).map((x) => x.m));
  const namespaces: Array<{ type: string }> = [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }];
  if ((o.network ?? 'none') === 'none') namespaces.push({ type: 'network' });
  else if ((o.network === 'bridge' || o.network === 'container') && o.netnsPath) namespaces.push({ type: 'network', path: o.netnsPath } as { type: string });
  const spec: OciSpec = {
    ociVersion: '1.0.2-dev',
    process: processSpec(o.process, o.nofileHard),
    root: { path: o.rootfs, readonly: !!o.readOnlyRoot },
    hostname: o.hostname ?? '',
    mounts,
    linux: {
      namespaces,
      maskedPaths: MASKED_PATHS,
      readonlyPaths: READONLY_PATHS,
      resources: { devices: [{ allow: false, access: 'rwm' }] },
      ...(o.cgroupsPath ? { cgroupsPath: o.cgroupsPath } : {}),
    },
  };
  if (o.annotations && Object.keys(o.annotations).length) spec.annotations = o.annotations;
  return o.rootless ? adaptForRootless(spec, o.rootless) : spec;
}
