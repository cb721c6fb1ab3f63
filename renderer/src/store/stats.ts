// Stats of every running container, for the containers list (columns, sparklines, sorting)
// and the System dashboard. Views acquire it while they are shown; the engine stream is
// open only while at least one holder exists and the page is visible. Each tick replaces
// `latest` (rows select their own entry) and appends to `totals`; sparkline values live in
// `spark`, outside React state, read by the row when its entry changes.
import { create } from 'zustand';
import type { StatsPoint } from '../../../electron/common/types';
import { watchStats, whileVisible } from '../api/stats';
import { SparkBuffers, addTotals, type Total } from '../lib/stats';

export interface StatsState {
  latest: Record<string, StatsPoint>;
  totals: Total[];
  /** why stats are unavailable (the engine refused the watch) */
  error?: string;
  /** a stream is open */
  live: boolean;
}

export const useStats = create<StatsState>()(() => ({ latest: {}, totals: [], live: false }));
export const spark = new SparkBuffers();

/** A reading older than this is dropped from `latest` (the container stopped). */
const STALE_MS = 3500;

export function applyPoints(points: StatsPoint[], history = false): void {
  if (!points.length) return;
  const s = useStats.getState();
  const newest = points.reduce((m, p) => Math.max(m, p.t), 0);
  const latest: Record<string, StatsPoint> = {};
  for (const [id, p] of Object.entries(s.latest)) if (newest - p.t < STALE_MS) latest[id] = p;
  for (const p of points) if (!latest[p.id] || latest[p.id].t < p.t) latest[p.id] = p;
  spark.push(history ? [...points].sort((a, b) => a.t - b.t) : points);
  spark.retain((id) => id in latest);
  useStats.setState({ latest, totals: addTotals(s.totals, points), error: undefined });
}

let holders = 0;
let stop: (() => void) | undefined;

/** Keeps the all-containers stream open while held; returns the release function. */
export function acquireStats(): () => void {
  if (holders++ === 0) {
    stop = whileVisible(() => {
      useStats.setState({ live: true });
      const off = watchStats(undefined, {
        history: (h) => applyPoints(h, true),
        points: (p) => applyPoints(p),
        error: (e) => useStats.setState({ error: e.message, live: false }),
      });
      return () => {
        off();
        useStats.setState({ live: false });
      };
    });
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--holders === 0) {
      stop?.();
      stop = undefined;
    }
  };
}
