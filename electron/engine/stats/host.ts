// What this host enforces: cgroup version, controllers the engine may use, rootless
// restrictions, and the engine's own hard rlimits. Read once per engine (cheap: a few stats).
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { cgroupPolicy } from '../runtime/rootless';
import type { LimitSupport, UlimitName } from '../spec/resources';

const ROOT = '/sys/fs/cgroup';
const read = (p: string) => { try { return readFileSync(p, 'utf8').trim(); } catch { return undefined; } };

export function cgroupVersion(): 1 | 2 {
  return existsSync(`${ROOT}/cgroup.controllers`) ? 2 : 1;
}

function hardLimits(): LimitSupport['hardLimits'] {
  const out: LimitSupport['hardLimits'] = {};
  const names: Record<string, UlimitName> = {
    'Max cpu time': 'cpu', 'Max file size': 'fsize', 'Max data size': 'data', 'Max stack size': 'stack',
    'Max core file size': 'core', 'Max resident set': 'rss', 'Max processes': 'nproc', 'Max open files': 'nofile',
    'Max locked memory': 'memlock', 'Max address space': 'as', 'Max file locks': 'locks', 'Max pending signals': 'sigpending',
    'Max msgqueue size': 'msgqueue', 'Max nice priority': 'nice', 'Max realtime priority': 'rtprio', 'Max realtime timeout': 'rttime',
  };
  for (const line of (read('/proc/self/limits') ?? '').split('\n')) {
    const key = Object.keys(names).find((k) => line.startsWith(k));
    if (!key) continue;
    const hard = line.slice(key.length).trim().split(/\s+/)[1];
    if (hard && /^\d+$/.test(hard)) out[names[key]] = Number(hard);
  }
  return out;
}

/** The engine's own cgroup directory for a v1 controller (containers are created below it). */
function ownV1Dir(ctrl: string): string | undefined {
  for (const line of (read('/proc/self/cgroup') ?? '').split('\n')) {
    const [, ctrls, p] = line.split(':');
    if (p !== undefined && ctrls.split(',').includes(ctrl)) return `${ROOT}/${ctrls}${p}`;
  }
  return undefined;
}

function v1Support(): Omit<LimitSupport, 'cpus' | 'mems' | 'ncpu' | 'hardLimits'> {
  const mem = ownV1Dir('memory'), cpu = ownV1Dir('cpu'), blkio = ownV1Dir('blkio');
  const has = (dir: string | undefined, f: string) => !!dir && existsSync(`${dir}/${f}`);
  return {
    memory: has(mem, 'memory.limit_in_bytes'),
    swap: has(mem, 'memory.memsw.limit_in_bytes'),
    memoryReservation: has(mem, 'memory.soft_limit_in_bytes'),
    oomKillDisable: has(mem, 'memory.oom_control'),
    cpuCfs: has(cpu, 'cpu.cfs_quota_us'),
    cpuShares: has(cpu, 'cpu.shares'),
    cpuset: !!ownV1Dir('cpuset'),
    pids: !!ownV1Dir('pids'),
    blkioWeight: has(blkio, 'blkio.weight') || has(blkio, 'blkio.bfq.weight'),
  };
}

function v2Support(): Omit<LimitSupport, 'cpus' | 'mems' | 'ncpu' | 'hardLimits'> {
  const own = (read('/proc/self/cgroup') ?? '').split('\n').find((l) => l.startsWith('0::'))?.slice(3) ?? '/';
  // controllers the engine's cgroup can hand to children
  const ctrls = new Set((read(`${ROOT}${own === '/' ? '' : own}/cgroup.controllers`) ?? '').split(/\s+/));
  const anyChild = (f: string) => existsSync(`${ROOT}${own === '/' ? '' : own}/${f}`) || existsSync(`${ROOT}/init.scope/${f}`);
  return {
    memory: ctrls.has('memory'), swap: ctrls.has('memory') && anyChild('memory.swap.max'), memoryReservation: ctrls.has('memory'),
    oomKillDisable: false, cpuCfs: ctrls.has('cpu'), cpuShares: ctrls.has('cpu'), cpuset: ctrls.has('cpuset'), pids: ctrls.has('pids'),
    blkioWeight: ctrls.has('io') && (anyChild('io.weight') || anyChild('io.bfq.weight')),
  };
}

const NONE = { memory: false, swap: false, memoryReservation: false, oomKillDisable: false, cpuCfs: false, cpuShares: false, cpuset: false, pids: false, blkioWeight: false };

export function detectLimitSupport(): LimitSupport {
  const version = cgroupVersion();
  const base = {
    cpus: read(`${ROOT}/cpuset/cpuset.effective_cpus`) ?? read(`${ROOT}/cpuset.cpus.effective`) ?? `0-${os.cpus().length - 1}`,
    mems: read(`${ROOT}/cpuset/cpuset.effective_mems`) ?? read(`${ROOT}/cpuset.mems.effective`) ?? '0',
    ncpu: os.cpus().length,
    hardLimits: hardLimits(),
  };
  // rootless containers run without a cgroup of their own (runtime/rootless.ts): nothing is enforceable
  const policy = cgroupPolicy();
  if (!policy.available) return { ...NONE, ...base, reason: policy.reason };
  return { ...(version === 2 ? v2Support() : v1Support()), ...base };
}

/** Docker's /info flags for this host. */
export function dockerInfoFlags(s: LimitSupport): Record<string, boolean> {
  return {
    MemoryLimit: s.memory, SwapLimit: s.swap, KernelMemory: false, KernelMemoryTCP: false,
    CpuCfsPeriod: s.cpuCfs, CpuCfsQuota: s.cpuCfs, CPUShares: s.cpuShares, CPUSet: s.cpuset, PidsLimit: s.pids,
    OomKillDisable: s.oomKillDisable, IPv4Forwarding: true, BridgeNfIptables: false, BridgeNfIp6tables: false,
  };
}

let cached: LimitSupport | undefined;
/** detectLimitSupport(), once per process (the host does not change under a running engine). */
export function hostLimits(): LimitSupport {
  return (cached ??= detectLimitSupport());
}

/** /info Warnings for what this host cannot limit (dockerd prints the same kind of lines). */
export function limitWarnings(s: LimitSupport): string[] {
  if (s.reason && !s.memory && !s.cpuCfs && !s.pids) return [`WARNING: resource limits are unavailable: ${s.reason}`];
  const w: string[] = [];
  if (!s.memory) w.push('WARNING: No memory limit support');
  if (!s.swap) w.push('WARNING: No swap limit support');
  if (!s.cpuCfs) w.push('WARNING: No cpu cfs quota/period support');
  if (!s.cpuShares) w.push('WARNING: No cpu shares support');
  if (!s.cpuset) w.push('WARNING: No cpuset support');
  if (!s.pids) w.push('WARNING: No pids limit support');
  if (!s.blkioWeight) w.push('WARNING: No blkio weight support');
  return w;
}
