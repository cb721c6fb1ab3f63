// Pure stats logic for the views: units, list sorting, per-container sparkline buffers,
// whole-engine totals and the plot columns. No DOM, no React (unit-tested).
import type { ContainerSummary, StatsPoint } from '../../../electron/common/types';
import { bytes } from './format';

/** The plots' window: the last 5 minutes (the engine keeps as much history). */
export const WINDOW_MS = 5 * 60_000;
/** Points in a list row's sparkline (one a second: the last minute). */
export const SPARK_POINTS = 60;

/** "12.3 %", "0.42 %", "105 %"; "–" when unknown. CPU % is Docker's: 100 = one full CPU. */
export function percent(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '–';
  return `${n >= 100 ? Math.round(n) : n >= 10 ? n.toFixed(1) : n.toFixed(2)} %`;
}

/** A byte rate: "1.2 MB/s". */
export function rate(n: number | undefined): string {
  return n === undefined || !Number.isFinite(n) ? '–' : `${bytes(n)}/s`;
}

/** Tick steps for byte axes (1, 2, 5 × 10ⁿ × 1024ᵏ), so labels read "2 MB", "500 KB", never "47.7 MB". */
export const BYTE_INCRS: number[] = [];
for (let k = 0; k <= 5; k++) for (const m of [1, 2, 5, 10, 20, 50, 100, 200, 500]) BYTE_INCRS.push(m * 1024 ** k);

export type SortKey = 'created' | 'name' | 'cpu' | 'mem';
export interface Sort {
  key: SortKey;
  desc: boolean;
}
export const DEFAULT_SORT: Sort = { key: 'created', desc: true };

/** The next sort after clicking a column header: descending, ascending, then back to newest first. */
export function nextSort(cur: Sort, key: SortKey): Sort {
  if (cur.key !== key) return { key, desc: key !== 'name' };
  if (cur.desc === (key !== 'name')) return { key, desc: !cur.desc };
  return DEFAULT_SORT;
}

/**
 * Ids in the chosen order. `ids` is newest first (the store's order) and is returned as is
 * for the default sort. By CPU or memory, containers with a reading come first ordered by it;
 * the others keep their order after them. Sorting is stable.
 */
export function sortIds(
  ids: string[],
  byId: Record<string, ContainerSummary>,
  latest: Record<string, StatsPoint> | undefined,
  sort: Sort,
): string[] {
  if (sort.key === 'created') return sort.desc ? ids : [...ids].reverse();
  const dir = sort.desc ? -1 : 1;
  if (sort.key === 'name') return [...ids].sort((a, b) => dir * byId[a].name.localeCompare(byId[b].name));
  const k = sort.key;
  const withStats: string[] = [],
    without: string[] = [];
  const live = (id: string) => !!latest?.[id] && (byId[id].status === 'running' || byId[id].status === 'paused');
  for (const id of ids) (live(id) ? withStats : without).push(id);
  withStats.sort((a, b) => dir * (latest![a][k] - latest![b][k]));
  return withStats.concat(without);
}

/** One point per tick summed over every container: the System view's whole-engine series. */
export interface Total {
  t: number;
  cpu: number;
  mem: number;
  n: number;
}

/** Appends the totals of `points` (grouped by reading time) to `totals`, keeping the last WINDOW_MS. */
export function addTotals(totals: Total[], points: StatsPoint[]): Total[] {
  const last = totals.length ? totals[totals.length - 1].t : -Infinity;
  const byT = new Map<number, Total>();
  for (const p of points) {
    if (p.t <= last) continue;
    const x = byT.get(p.t) ?? { t: p.t, cpu: 0, mem: 0, n: 0 };
    x.cpu += p.cpu;
    x.mem += p.mem;
    x.n++;
    byT.set(p.t, x);
  }
  if (!byT.size) return totals;
  const out = totals.concat([...byT.values()].sort((a, b) => a.t - b.t));
  const from = out[out.length - 1].t - WINDOW_MS;
  let cut = 0;
  while (cut < out.length && out[cut].t < from) cut++;
  return cut ? out.slice(cut) : out;
}

/** Per-container CPU history for sparklines: a bounded buffer per id, oldest first. */
export class SparkBuffers {
  private m = new Map<string, { t: number; v: number[] }>();
  push(points: StatsPoint[]): void {
    for (const p of points) {
      let b = this.m.get(p.id);
      if (!b) this.m.set(p.id, (b = { t: 0, v: [] }));
      if (p.t <= b.t) continue;
      b.t = p.t;
      b.v.push(p.cpu);
      if (b.v.length > SPARK_POINTS) b.v.shift();
    }
  }
  get(id: string): readonly number[] {
    return this.m.get(id)?.v ?? [];
  }
  /** Forgets containers not in `keep`. */
  retain(keep: (id: string) => boolean): void {
    for (const id of [...this.m.keys()]) if (!keep(id)) this.m.delete(id);
  }
  clear(): void {
    this.m.clear();
  }
}

/** SVG polyline points for a sparkline w×h; y from 0 to max(100 %, the peak) so idle stays flat. */
export function sparkPath(v: readonly number[], w: number, h: number): string {
  if (v.length < 2) return '';
  const top = Math.max(100, ...v);
  const dx = w / (SPARK_POINTS - 1),
    x0 = w - (v.length - 1) * dx;
  return v
    .map((y, i) => `${(x0 + i * dx).toFixed(1)},${(h - 1 - (Math.max(0, y) / top) * (h - 2)).toFixed(1)}`)
    .join(' ');
}

/** Appends points (of one container) in time order, dropping repeats and anything older than WINDOW_MS. */
export function appendPoints(cur: StatsPoint[], points: StatsPoint[]): StatsPoint[] {
  const last = cur.length ? cur[cur.length - 1].t : -Infinity;
  const add = points.filter((p) => p.t > last).sort((a, b) => a.t - b.t);
  if (!add.length) return cur;
  const out = cur.concat(add);
  const from = out[out.length - 1].t - WINDOW_MS;
  let cut = 0;
  while (cut < out.length && out[cut].t < from) cut++;
  return cut ? out.slice(cut) : out;
}

/** uPlot's columns: time in seconds, then one array per field; a missing limit is null (no line there). */
export function columns(points: StatsPoint[], fields: Array<keyof StatsPoint>): Array<Array<number | null>> {
  return [
    points.map((p) => p.t / 1000),
    ...fields.map((f) => points.map((p) => (typeof p[f] === 'number' ? (p[f] as number) : null))),
  ];
}
