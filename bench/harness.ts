// Side-by-side benchmark harness: alternates Pier and its peers run by run (so drift
// and caches hit both equally), reports medians and the ratio Pier/peer.
// Contract: a case returns elapsed milliseconds or a throughput figure; never asserts.
import { performance } from 'node:perf_hooks';

export type Unit = 'ms' | 'MB/s' | '% of a core';
export interface Contender {
  name: string;
  /** One run. Returns the measured value (ms if omitted: wall time of the call). */
  run: () => Promise<number | void>;
  setup?: () => Promise<void>;
  teardown?: () => Promise<void>;
}
export interface BenchCase {
  title: string;
  unit?: Unit;
  runs?: number;
  warmup?: number;
  /** Target, e.g. "<= 0.4x podman" — printed, not enforced. */
  target?: string;
  contenders: Contender[]; // first is Pier
}
export interface BenchResult { title: string; unit: Unit; target?: string; rows: { name: string; median: number; p90: number; p99: number; samples: number[] }[] }

export function median(xs: number[]): number { return quantile(xs, 0.5); }
export function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  const i = (s.length - 1) * q;
  const lo = Math.floor(i), hi = Math.ceil(i);
  return s[lo] + (s[hi] - s[lo]) * (i - lo);
}

async function once(c: Contender): Promise<number> {
  if (process.env.PIER_BENCH_DEBUG) console.error(`[bench] ${c.name}`);
  const t0 = performance.now();
  const v = await c.run();
  return typeof v === 'number' ? v : performance.now() - t0;
}

export async function runCase(bc: BenchCase): Promise<BenchResult> {
  const unit = bc.unit ?? 'ms';
  const runs = bc.runs ?? 15, warmup = bc.warmup ?? 2;
  for (const c of bc.contenders) await c.setup?.();
  const samples = bc.contenders.map(() => [] as number[]);
  try {
    for (let i = 0; i < warmup; i++) for (const c of bc.contenders) await once(c);
    for (let i = 0; i < runs; i++) {
      // alternate the order each round so neither side always runs first
      const order = bc.contenders.map((_, k) => k);
      if (i % 2) order.reverse();
      for (const k of order) samples[k].push(await once(bc.contenders[k]));
    }
  } finally {
    for (const c of bc.contenders) await c.teardown?.();
  }
  return { title: bc.title, unit, target: bc.target, rows: bc.contenders.map((c, k) => ({ name: c.name, median: median(samples[k]), p90: quantile(samples[k], 0.9), p99: quantile(samples[k], 0.99), samples: samples[k] })) };
}

export function formatResult(r: BenchResult): string {
  const pier = r.rows[0];
  const lines = [`### ${r.title}${r.target ? `  (target: ${r.target})` : ''}`, '', `| contender | median (${r.unit}) | p90 (${r.unit}) | p99 (${r.unit}) | Pier/peer |`, '|---|---:|---:|---:|---:|'];
  for (const row of r.rows) {
    const ratio = row === pier ? '' : (pier.median / row.median).toFixed(2) + '×';
    const f = (x: number) => x.toFixed(r.unit === 'ms' ? 2 : 2);
    lines.push(`| ${row.name} | ${f(row.median)} | ${f(row.p90)} | ${f(row.p99)} | ${ratio} |`);
  }
  return lines.join('\n');
}
