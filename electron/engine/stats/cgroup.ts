// Reads one container's resource counters from its cgroup (v1 or v2) and its network
// namespace (/proc/<pid>/net/dev). Read-only: the runtime owns the cgroups. Reads are
// synchronous on purpose: each file is a few hundred bytes of procfs/cgroupfs, and a
// sync read costs a fraction of a promise round trip through the thread pool.
import { readFileSync, readlinkSync } from 'node:fs';
import os from 'node:os';

const ROOT = '/sys/fs/cgroup';
const USER_HZ = 100;

export const read = (p: string): string | undefined => { try { return readFileSync(p, 'latin1'); } catch { return undefined; } };
const readOnce = read;
const int = (s: string | undefined): number | undefined => {
  const t = s?.trim();
  return t && /^\d+$/.test(t) ? Number(t) : undefined;
};

export function parseKV(s: string | undefined): Record<string, number> {
  const o: Record<string, number> = {};
  if (!s) return o;
  for (const l of s.split('\n')) {
    const i = l.indexOf(' ');
    if (i > 0) { const v = Number(l.slice(i + 1)); if (Number.isFinite(v)) o[l.slice(0, i)] = v; }
  }
  return o;
}

/** Where a container's counters live; resolved once per container PID. */
export interface CgroupDirs { v2?: string; v1: Map<string, string>; pid: number; sharesHostNet: boolean }

export function cgroupDirs(pid: number): CgroupDirs | undefined {
  const text = read(`/proc/${pid}/cgroup`);
  if (!text) return undefined;
  const v1 = new Map<string, string>();
  let v2: string | undefined;
  for (const line of text.split('\n')) {
    const [, ctrls, p] = line.split(':');
    if (p === undefined) continue;
    if (ctrls === '') v2 = p;
    else for (const c of ctrls.split(',')) v1.set(c.replace(/^name=/, ''), `${ROOT}/${ctrls}${p}`);
  }
  const unified = read(`${ROOT}/cgroup.controllers`) !== undefined;
  return { v2: unified && v2 ? `${ROOT}${v2}` : undefined, v1, pid, sharesHostNet: sameNetns(pid) };
}

function sameNetns(pid: number): boolean {
  try { return readlinkSync(`/proc/${pid}/ns/net`) === readlinkSync('/proc/self/ns/net'); } catch { return false; }
}

export interface NetCounters { rx_bytes: number; rx_packets: number; rx_errors: number; rx_dropped: number; tx_bytes: number; tx_packets: number; tx_errors: number; tx_dropped: number }
export interface BlkioEntry { major: number; minor: number; op: string; value: number }

/** One reading of a container's counters (cumulative values; rates are computed by the sampler). */
export interface RawSample {
  /** ms since the epoch */
  time: number;
  cpu: { total: number; user: number; system: number; percpu?: number[]; periods: number; throttledPeriods: number; throttledTime: number };
  /** host CPU time in ns (sum of /proc/stat's first 7 fields), Docker's system_cpu_usage */
  systemCpu: number;
  onlineCpus: number;
  memory: { usage: number; maxUsage?: number; failcnt?: number; limit: number; limited: boolean; stats: Record<string, number>; workingSet: number; cache: number };
  pids: { current: number; limit?: number };
  blkio: { read: number; write: number; entries: BlkioEntry[] };
  /** undefined when the container shares the host's network namespace */
  networks?: Record<string, NetCounters>;
}

let sysCache: { at: number; value: number } | undefined;
/** /proc/stat total in ns; cached for 50 ms so one tick over many containers reads it once. */
export function systemCpuNs(now = Date.now()): number {
  if (sysCache && now - sysCache.at < 50) return sysCache.value;
  const line = read('/proc/stat')?.split('\n', 1)[0] ?? '';
  const ticks = line.split(/\s+/).slice(1, 8).reduce((a, b) => a + (Number(b) || 0), 0);
  sysCache = { at: now, value: ticks * (1e9 / USER_HZ) };
  return sysCache.value;
}

export function parseNetDev(text: string | undefined): Record<string, NetCounters> {
  const out: Record<string, NetCounters> = {};
  for (const line of (text ?? '').split('\n').slice(2)) {
    const i = line.indexOf(':');
    if (i < 0) continue;
    const name = line.slice(0, i).trim();
    if (name === 'lo') continue;
    const f = line.slice(i + 1).trim().split(/\s+/).map(Number);
    out[name] = { rx_bytes: f[0], rx_packets: f[1], rx_errors: f[2], rx_dropped: f[3], tx_bytes: f[8], tx_packets: f[9], tx_errors: f[10], tx_dropped: f[11] };
  }
  return out;
}

/** v1 blkio "8:0 Read 123" lines or v2 io.stat "8:0 rbytes=1 wbytes=2 …" lines. */
export function parseBlkio(text: string | undefined, v2: boolean): RawSample['blkio'] {
  const entries: BlkioEntry[] = [];
  let rd = 0, wr = 0;
  for (const line of (text ?? '').split('\n')) {
    const [dev, ...rest] = line.trim().split(/\s+/);
    const m = /^(\d+):(\d+)$/.exec(dev ?? '');
    if (!m) continue;
    const major = Number(m[1]), minor = Number(m[2]);
    if (v2) {
      const kv = Object.fromEntries(rest.map((x) => x.split('=')).map(([k, v]) => [k, Number(v)]));
      for (const [k, op] of [['rbytes', 'read'], ['wbytes', 'write']] as const) entries.push({ major, minor, op, value: kv[k] ?? 0 });
      rd += kv.rbytes ?? 0; wr += kv.wbytes ?? 0;
    } else if (rest.length === 2) {
      const value = Number(rest[1]);
      entries.push({ major, minor, op: rest[0], value });
      if (rest[0] === 'Read') rd += value; else if (rest[0] === 'Write') wr += value;
    }
  }
  return { read: rd, write: wr, entries };
}

/** Docker's "usage minus inactive file cache" (what `docker stats` shows as MEM USAGE). */
export function workingSet(usage: number, stats: Record<string, number>, v2: boolean): number {
  const inactive = v2 ? stats.inactive_file : stats.total_inactive_file;
  return inactive !== undefined && inactive < usage ? usage - inactive : usage;
}

let ncpu: number | undefined;
const onlineCpus = () => (ncpu ??= os.cpus().length);

/**
 * Reads a container's counters through `read` (the sampler passes kept-open files). `full`
 * adds what only Docker's JSON shows (per-CPU usage, user/system split, peak usage, failcnt);
 * the UI's points need none of it.
 */
export function sampleCgroup(d: CgroupDirs, now = Date.now(), read = readOnce, full = true): RawSample | undefined {
  const hostMem = os.totalmem();
  const networks = d.sharesHostNet ? undefined : parseNetDev(read(`/proc/${d.pid}/net/dev`));
  const systemCpu = systemCpuNs(now);
  if (d.v2) {
    const g = d.v2;
    const cpu = parseKV(read(`${g}/cpu.stat`));
    if (cpu.usage_usec === undefined) return undefined;
    const stats = parseKV(read(`${g}/memory.stat`));
    const usage = int(read(`${g}/memory.current`)) ?? 0;
    const max = int(read(`${g}/memory.max`));
    return {
      time: now, systemCpu, onlineCpus: onlineCpus(),
      cpu: { total: cpu.usage_usec * 1000, user: (cpu.user_usec ?? 0) * 1000, system: (cpu.system_usec ?? 0) * 1000,
        periods: cpu.nr_periods ?? 0, throttledPeriods: cpu.nr_throttled ?? 0, throttledTime: (cpu.throttled_usec ?? 0) * 1000 },
      memory: { usage, limit: Math.min(max ?? hostMem, hostMem), limited: max !== undefined && max < hostMem, stats,
        workingSet: workingSet(usage, stats, true), cache: stats.file ?? 0 },
      pids: { current: int(read(`${g}/pids.current`)) ?? 0, limit: int(read(`${g}/pids.max`)) },
      blkio: parseBlkio(read(`${g}/io.stat`), true), networks,
    };
  }
  const acct = d.v1.get('cpuacct'), cpuDir = d.v1.get('cpu'), mem = d.v1.get('memory'), pids = d.v1.get('pids'), blk = d.v1.get('blkio');
  const total = acct ? int(read(`${acct}/cpuacct.usage`)) : undefined;
  if (total === undefined) return undefined;
  const percpu = full ? read(`${acct}/cpuacct.usage_percpu`)?.trim().split(/\s+/).filter(Boolean).map(Number) : undefined;
  const st = full ? parseKV(read(`${acct}/cpuacct.stat`)) : {};
  const thr = cpuDir ? parseKV(read(`${cpuDir}/cpu.stat`)) : {};
  const stats = mem ? parseKV(read(`${mem}/memory.stat`)) : {};
  const usage = (mem && int(read(`${mem}/memory.usage_in_bytes`))) || 0;
  const lim = mem ? int(read(`${mem}/memory.limit_in_bytes`)) : undefined;
  const tick = 1e9 / USER_HZ;
  return {
    time: now, systemCpu, onlineCpus: percpu?.length || onlineCpus(),
    cpu: { total, user: (st.user ?? 0) * tick, system: (st.system ?? 0) * tick, percpu,
      periods: thr.nr_periods ?? 0, throttledPeriods: thr.nr_throttled ?? 0, throttledTime: thr.throttled_time ?? 0 },
    memory: { usage, maxUsage: mem && full ? int(read(`${mem}/memory.max_usage_in_bytes`)) : undefined,
      failcnt: mem && full ? int(read(`${mem}/memory.failcnt`)) : undefined,
      limit: Math.min(lim ?? hostMem, hostMem), limited: lim !== undefined && lim < hostMem, stats,
      workingSet: workingSet(usage, stats, false), cache: stats.total_cache ?? stats.cache ?? 0 },
    pids: { current: (pids && int(read(`${pids}/pids.current`))) || 0, limit: pids ? int(read(`${pids}/pids.max`)) : undefined },
    blkio: parseBlkio(blk ? read(`${blk}/blkio.throttle.io_service_bytes_recursive`) : undefined, false), networks,
  };
}
