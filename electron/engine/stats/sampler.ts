// The one stats sampler: every viewer (a UI view, an API stream, `docker stats`) watches
// container ids; one timer reads each watched container's cgroup once per interval and
// hands the reading to all its watchers. With no watcher there is no timer and no state.
import type { StatsPoint } from '../../common/types';
import { cgroupDirs, sampleCgroup, type CgroupDirs, type RawSample } from './cgroup';
import { OpenFiles } from './openfiles';

export interface SampleSource {
  /** running (or paused) containers with their main PID */
  running(): Array<{ id: string; pid: number }>;
}

export interface Reading { id: string; raw: RawSample; prev?: RawSample; point?: StatsPoint }
export type StatsListener = (readings: Reading[]) => void;

interface Watcher { ids: Set<string> | 'all'; fn: StatsListener; full: boolean }
interface Tracked { pid: number; dirs: CgroupDirs; files: OpenFiles; prev?: RawSample; history: StatsPoint[] }

export const HISTORY_MS = 5 * 60_000;

export class StatsSampler {
  private watchers = new Set<Watcher>();
  private tracked = new Map<string, Tracked>();
  private timer?: NodeJS.Timeout;
  private primePending = false;
  /** ticks taken (for tests and benchmarks: proves zero work with no watcher) */
  ticks = 0;

  constructor(private src: SampleSource, readonly intervalMs = 1000) {}

  get watching(): number { return this.watchers.size; }

  /**
   * Watches ids ('all' = every running container). The listener gets one batch per tick.
   * Containers not seen before are read at once (batched), so the first full reading
   * (with a previous one for rates) arrives within one interval. `full: false` (the UI's
   * points) skips the counters only Docker's JSON shows. Returns the unwatch function.
   */
  watch(ids: string[] | 'all', fn: StatsListener, opts: { full?: boolean } = {}): () => void {
    const w: Watcher = { ids: ids === 'all' ? 'all' : new Set(ids), fn, full: opts.full ?? true };
    this.watchers.add(w);
    if (!this.timer) {
      this.timer = setInterval(() => this.tick(), this.intervalMs);
      this.timer.unref?.();
    }
    if (!this.primePending) {
      this.primePending = true;
      setImmediate(() => { this.primePending = false; this.prime(); });
    }
    return () => {
      if (!this.watchers.delete(w)) return;
      if (this.watchers.size === 0) this.stop();
    };
  }

  /** Points kept for a container while it is watched (up to the last 5 minutes). */
  history(id: string): StatsPoint[] { return [...(this.tracked.get(id)?.history ?? [])]; }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const id of [...this.tracked.keys()]) this.untrack(id);
  }

  private untrack(id: string): void {
    this.tracked.get(id)?.files.close();
    this.tracked.delete(id);
  }

  /** Whether some watcher of `id` wants Docker's full counters. */
  private wantsFull(id: string): boolean {
    for (const w of this.watchers) if (w.full && (w.ids === 'all' || w.ids.has(id))) return true;
    return false;
  }

  private wanted(): Array<{ id: string; pid: number }> {
    const all = [...this.watchers].some((w) => w.ids === 'all');
    const ids = new Set<string>();
    if (!all) for (const w of this.watchers) for (const id of w.ids as Set<string>) ids.add(id);
    return this.src.running().filter((c) => all || ids.has(c.id));
  }

  /** Reads containers that have no previous reading yet (a new watcher's first look). */
  private prime(): void {
    if (!this.watchers.size) return;
    for (const c of this.wanted()) if (!this.tracked.get(c.id)?.prev || this.tracked.get(c.id)!.pid !== c.pid) this.read(c, Date.now());
  }

  private read(c: { id: string; pid: number }, now: number): Reading | undefined {
    let t = this.tracked.get(c.id);
    // primed just before this tick: wait for the next one, so rates span about one interval
    if (t?.prev && t.pid === c.pid && now - t.prev.time < this.intervalMs / 2) return undefined;
    if (!t || t.pid !== c.pid) {
      this.untrack(c.id);
      const dirs = cgroupDirs(c.pid);
      if (!dirs) return undefined;
      t = { pid: c.pid, dirs, files: new OpenFiles(), history: [] };
      this.tracked.set(c.id, t);
    }
    const raw = sampleCgroup(t.dirs, now, t.files.read, this.wantsFull(c.id));
    if (!raw) { this.untrack(c.id); return undefined; }
    const prev = t.prev;
    t.prev = raw;
    const point = prev ? toPoint(c.id, raw, prev) : undefined;
    if (point) {
      t.history.push(point);
      while (t.history.length && t.history[0].t < now - HISTORY_MS) t.history.shift();
    }
    return { id: c.id, raw, prev, point };
  }

  private tick(): void {
    if (!this.watchers.size) return this.stop();
    this.ticks++;
    const now = Date.now();
    const readings = new Map<string, Reading>();
    const seen = new Set<string>();
    for (const c of this.wanted()) {
      seen.add(c.id);
      const r = this.read(c, now);
      if (r) readings.set(c.id, r);
    }
    for (const id of [...this.tracked.keys()]) if (!seen.has(id)) this.untrack(id);
    for (const w of [...this.watchers]) {
      const batch = w.ids === 'all' ? [...readings.values()] : [...w.ids].map((id) => readings.get(id)).filter((r): r is Reading => !!r);
      try { w.fn(batch); } catch { /* a failing viewer never stops the others */ }
    }
  }
}

const sum = (n: RawSample['networks'], k: 'rx_bytes' | 'tx_bytes') => Object.values(n ?? {}).reduce((a, x) => a + x[k], 0);
const rate = (cur: number, prev: number, secs: number) => (secs > 0 && cur >= prev ? (cur - prev) / secs : 0);

/** Docker's CPU % (Δcontainer / Δhost × CPUs × 100) and per-second rates between two readings. */
export function toPoint(id: string, cur: RawSample, prev: RawSample): StatsPoint {
  const dCpu = cur.cpu.total - prev.cpu.total, dSys = cur.systemCpu - prev.systemCpu;
  const secs = (cur.time - prev.time) / 1000;
  const dPeriods = cur.cpu.periods - prev.cpu.periods;
  return {
    id, t: cur.time,
    cpu: dSys > 0 && dCpu > 0 ? (dCpu / dSys) * cur.onlineCpus * 100 : 0,
    throttled: dPeriods > 0 ? ((cur.cpu.throttledPeriods - prev.cpu.throttledPeriods) / dPeriods) * 100 : 0,
    mem: cur.memory.workingSet, memLimit: cur.memory.limited ? cur.memory.limit : undefined, memCache: cur.memory.cache,
    netRx: rate(sum(cur.networks, 'rx_bytes'), sum(prev.networks, 'rx_bytes'), secs),
    netTx: rate(sum(cur.networks, 'tx_bytes'), sum(prev.networks, 'tx_bytes'), secs),
    blkRead: rate(cur.blkio.read, prev.blkio.read, secs), blkWrite: rate(cur.blkio.write, prev.blkio.write, secs),
    pids: cur.pids.current, pidsLimit: cur.pids.limit,
  };
}
