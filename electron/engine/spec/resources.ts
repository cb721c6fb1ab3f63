// Container resource limits: validation against what the host enforces, and their OCI
// form (linux.resources, process.rlimits, /dev/shm size). Pure: unit-tested without a runtime.
import type { Resources, Ulimit } from '../../common/types';

export type { Resources, Ulimit };

/** What this host can enforce (see stats/host.ts); every flag false when cgroups are not ours. */
export interface LimitSupport {
  memory: boolean;
  swap: boolean;
  memoryReservation: boolean;
  oomKillDisable: boolean;
  cpuCfs: boolean;
  cpuShares: boolean;
  cpuset: boolean;
  pids: boolean;
  blkioWeight: boolean;
  /** why limits are unavailable, when they are */
  reason?: string;
  /** online CPUs, e.g. "0-1" */
  cpus: string;
  mems: string;
  ncpu: number;
  /** the engine's own hard rlimits (the most a container may get) */
  hardLimits: Partial<Record<UlimitName, number>>;
}

export class ResourceError extends Error {
  readonly code = 'EINVAL';
  constructor(message: string) { super(message); this.name = 'ResourceError'; }
}

export const MIN_MEMORY = 6 * 1024 * 1024;
export const DEFAULT_SHM = 64 * 1024 * 1024;
export const DEFAULT_CFS_PERIOD = 100_000;

export const ULIMITS = {
  core: 'RLIMIT_CORE', cpu: 'RLIMIT_CPU', data: 'RLIMIT_DATA', fsize: 'RLIMIT_FSIZE', locks: 'RLIMIT_LOCKS',
  memlock: 'RLIMIT_MEMLOCK', msgqueue: 'RLIMIT_MSGQUEUE', nice: 'RLIMIT_NICE', nofile: 'RLIMIT_NOFILE',
  nproc: 'RLIMIT_NPROC', rss: 'RLIMIT_RSS', rtprio: 'RLIMIT_RTPRIO', rttime: 'RLIMIT_RTTIME',
  sigpending: 'RLIMIT_SIGPENDING', stack: 'RLIMIT_STACK', as: 'RLIMIT_AS',
} as const;
export type UlimitName = keyof typeof ULIMITS;

/** "0-2,5" → [0,1,2,5]; throws on bad syntax. */
export function parseCpuList(s: string, what: string): number[] {
  const out = new Set<number>();
  for (const part of s.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) throw new ResourceError(`invalid ${what} "${s}": use a list like 0-2,4`);
    const a = Number(m[1]), b = m[2] === undefined ? a : Number(m[2]);
    if (b < a || b - a > 4096) throw new ResourceError(`invalid ${what} "${s}": range ${part} is backwards or too large`);
    for (let i = a; i <= b; i++) out.add(i);
  }
  return [...out].sort((x, y) => x - y);
}

/**
 * Checks limits against the host; returns the effective limits (Docker's defaults applied:
 * swap = 2 × memory when only memory is set) and warnings for limits this host cannot
 * enforce (discarded, as dockerd does). Bad values throw a ResourceError naming the flag.
 */
export function checkResources(r: Resources, host: LimitSupport): { resources: Resources; warnings: string[] } {
  const out: Resources = { ...r };
  const warnings: string[] = [];
  const drop = (k: keyof Resources, flag: string, why = host.reason ?? 'the kernel or cgroup setup does not support it') => {
    if (out[k] === undefined || out[k] === 0 || out[k] === false || out[k] === '') return;
    delete out[k];
    warnings.push(`${flag} discarded: ${why}`);
  };
  const m = out.memory ?? 0;
  if (m < 0) throw new ResourceError('--memory must not be negative');
  if (m > 0 && m < MIN_MEMORY) throw new ResourceError('--memory: the minimum memory limit allowed is 6MB');
  const swap = out.memorySwap ?? 0;
  if (swap < -1) throw new ResourceError('--memory-swap must be -1 (unlimited) or a size');
  if (swap > 0 && !m) throw new ResourceError('--memory-swap needs --memory: set the memory limit too');
  if (swap > 0 && swap < m) throw new ResourceError('--memory-swap must be at least --memory (it counts memory plus swap)');
  const res = out.memoryReservation ?? 0;
  if (res < 0) throw new ResourceError('--memory-reservation must not be negative');
  if (m > 0 && res > m) throw new ResourceError('--memory-reservation must not exceed --memory');
  if (out.nanoCpus !== undefined && out.nanoCpus !== 0) {
    if (out.cpuPeriod || out.cpuQuota) throw new ResourceError('--cpus conflicts with --cpu-period/--cpu-quota: use one or the other');
    if (out.nanoCpus < 0.01e9 || out.nanoCpus > host.ncpu * 1e9) {
      throw new ResourceError(`--cpus: the range is 0.01 to ${host.ncpu}.00, as there ${host.ncpu === 1 ? 'is only 1 CPU' : `are only ${host.ncpu} CPUs`} available`);
    }
  }
  if (out.cpuPeriod && (out.cpuPeriod < 1000 || out.cpuPeriod > 1_000_000)) throw new ResourceError('--cpu-period must be between 1000 and 1000000 (µs)');
  if (out.cpuQuota && out.cpuQuota > 0 && out.cpuQuota < 1000) throw new ResourceError('--cpu-quota must be at least 1000 (µs)');
  if (out.cpuShares !== undefined && out.cpuShares !== 0 && (out.cpuShares < 2 || out.cpuShares > 262144)) throw new ResourceError('--cpu-shares must be between 2 and 262144');
  if (out.blkioWeight && (out.blkioWeight < 10 || out.blkioWeight > 1000)) throw new ResourceError('--blkio-weight must be between 10 and 1000');
  if (out.shmSize !== undefined && out.shmSize < 0) throw new ResourceError('--shm-size must not be negative');
  for (const [k, avail, flag] of [['cpusetCpus', host.cpus, '--cpuset-cpus'], ['cpusetMems', host.mems, '--cpuset-mems']] as const) {
    const v = out[k];
    if (!v) continue;
    const want = parseCpuList(v, flag), have = new Set(parseCpuList(avail || '0', 'host list'));
    const missing = want.filter((c) => !have.has(c));
    if (missing.length) throw new ResourceError(`${flag} ${v}: not available on this host (available: ${avail})`);
  }
  for (const u of out.ulimits ?? []) checkUlimit(u, host);

  if (!host.memory) { drop('memory', '--memory'); drop('memorySwap', '--memory-swap'); }
  if (!host.swap) drop('memorySwap', '--memory-swap', host.reason ?? 'swap accounting is off in this kernel');
  if (!host.memoryReservation) drop('memoryReservation', '--memory-reservation');
  if (!host.oomKillDisable) drop('oomKillDisable', '--oom-kill-disable', host.reason ?? 'cgroup v2 has no OOM-killer switch');
  if (!host.cpuCfs) { drop('nanoCpus', '--cpus'); drop('cpuPeriod', '--cpu-period'); drop('cpuQuota', '--cpu-quota'); }
  if (!host.cpuShares) drop('cpuShares', '--cpu-shares');
  if (!host.cpuset) { drop('cpusetCpus', '--cpuset-cpus'); drop('cpusetMems', '--cpuset-mems'); }
  if (!host.pids) drop('pidsLimit', '--pids-limit');
  if (!host.blkioWeight) drop('blkioWeight', '--blkio-weight', host.reason ?? 'this kernel has no block I/O weight (no CFQ/BFQ weight file)');
  if (out.memory && !out.memorySwap && host.swap) out.memorySwap = out.memory * 2;
  if (out.oomKillDisable && !out.memory) warnings.push('disabling the OOM killer without a --memory limit may hang the host when memory runs out');
  return { resources: out, warnings };
}

function checkUlimit(u: Ulimit, host: LimitSupport): void {
  if (!(u.name in ULIMITS)) throw new ResourceError(`--ulimit ${u.name}: unknown limit (known: ${Object.keys(ULIMITS).join(', ')})`);
  if (u.soft > u.hard && u.hard !== -1) throw new ResourceError(`--ulimit ${u.name}=${u.soft}:${u.hard}: the soft limit exceeds the hard limit`);
  const max = host.hardLimits[u.name as UlimitName];
  const hard = u.hard === -1 ? Infinity : u.hard;
  if (max !== undefined && hard > max) {
    const note = u.name === 'nofile' ? '; raising RLIMIT_NOFILE for containers is not permitted on this host' : '';
    throw new ResourceError(`--ulimit ${u.name}: hard limit ${u.hard === -1 ? 'unlimited' : u.hard} is above this host's limit ${max}${note}`);
  }
}

/** linux.resources (without devices) for the OCI spec and for `runc update`. */
export function linuxResources(r: Resources): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const memory: Record<string, unknown> = {};
  if (r.memory) memory.limit = r.memory;
  if (r.memoryReservation) memory.reservation = r.memoryReservation;
  if (r.memorySwap) memory.swap = r.memorySwap;
  if (r.oomKillDisable) memory.disableOOMKiller = true;
  if (Object.keys(memory).length) out.memory = memory;
  const cpu: Record<string, unknown> = {};
  if (r.cpuShares) cpu.shares = r.cpuShares;
  if (r.nanoCpus) { cpu.period = DEFAULT_CFS_PERIOD; cpu.quota = Math.round((r.nanoCpus * DEFAULT_CFS_PERIOD) / 1e9); }
  if (r.cpuPeriod) cpu.period = r.cpuPeriod;
  if (r.cpuQuota) cpu.quota = r.cpuQuota;
  if (r.cpusetCpus) cpu.cpus = r.cpusetCpus;
  if (r.cpusetMems) cpu.mems = r.cpusetMems;
  if (Object.keys(cpu).length) out.cpu = cpu;
  if (r.pidsLimit !== undefined && r.pidsLimit !== 0) out.pids = { limit: r.pidsLimit > 0 ? r.pidsLimit : -1 };
  if (r.blkioWeight) out.blockIO = { weight: r.blkioWeight };
  return out;
}

/** process.rlimits entries for the requested ulimits (replacing defaults of the same type). */
export function rlimits(base: Array<{ type: string; soft: number; hard: number }>, ulimits: Ulimit[] = []): Array<{ type: string; soft: number; hard: number }> {
  const m = new Map(base.map((x) => [x.type, x]));
  const big = Number.MAX_SAFE_INTEGER; // effectively unlimited (JSON cannot carry 2^64-1 exactly)
  for (const u of ulimits) {
    const type = ULIMITS[u.name as UlimitName];
    m.set(type, { type, soft: u.soft === -1 ? big : u.soft, hard: u.hard === -1 ? big : u.hard });
  }
  return [...m.values()];
}

/** Applies limits to a generated spec in place: resources, rlimits and the /dev/shm size. */
export function applyResources(spec: { process: Record<string, unknown>; mounts: Array<{ destination: string; options?: string[] }>; linux: Record<string, unknown> }, r: Resources | undefined): void {
  if (!r) return;
  const lr = (spec.linux.resources ?? {}) as Record<string, unknown>;
  spec.linux.resources = { ...lr, ...linuxResources(r) };
  if (r.ulimits?.length) spec.process.rlimits = rlimits((spec.process.rlimits ?? []) as Array<{ type: string; soft: number; hard: number }>, r.ulimits);
  if (r.shmSize) {
    const shm = spec.mounts.find((x) => x.destination === '/dev/shm');
    if (shm) shm.options = [...(shm.options ?? []).filter((o) => !o.startsWith('size=')), `size=${Math.ceil(r.shmSize / 1024)}k`];
  }
}

/** Merges an update into stored limits; checks Docker's rule that memory never exceeds memory+swap. */
export function mergeUpdate(cur: Resources, upd: Resources): Resources {
  const next: Resources = { ...cur };
  for (const [k, v] of Object.entries(upd) as Array<[keyof Resources, unknown]>) if (v !== undefined) (next as Record<string, unknown>)[k] = v;
  if (upd.memory && upd.memorySwap === undefined && cur.memorySwap && cur.memorySwap > 0 && upd.memory > cur.memorySwap) {
    throw new ResourceError('--memory is above the current --memory-swap limit: update --memory-swap at the same time');
  }
  if (upd.nanoCpus) { delete next.cpuPeriod; delete next.cpuQuota; }
  if (upd.cpuPeriod || upd.cpuQuota) delete next.nanoCpus;
  return next;
}
