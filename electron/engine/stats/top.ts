// `docker top`: the host's `ps` with the caller's ps_args (default -ef), keeping only the
// rows whose PID is in the container's cgroup — the same output dockerd gives.
import { readdirSync } from 'node:fs';
import { run } from '../runtime/proc';
import type { TopResult } from '../../common/types';
import { cgroupDirs, read } from './cgroup';

export class TopError extends Error {
  constructor(message: string, readonly code = 'EINVAL') { super(message); this.name = 'TopError'; }
}

/** PIDs in the container's cgroup; the process tree under pid when the cgroup is the root one. */
export function containerPids(pid: number): number[] {
  const d = cgroupDirs(pid);
  if (!d) return [];
  const dir = d.v2 ?? d.v1.get('pids') ?? d.v1.get('memory') ?? d.v1.get('cpu');
  const isRoot = !dir || /^\/sys\/fs\/cgroup(\/[^/]+)?\/?$/.test(dir);
  const procs = !isRoot ? read(`${dir}/cgroup.procs`) : undefined;
  if (procs) return procs.split('\n').filter(Boolean).map(Number);
  const parents = new Map<number, number>();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    const m = read(`/proc/${e}/stat`)?.match(/\) \S+ (\d+)/);
    if (m) parents.set(Number(e), Number(m[1]));
  }
  const out = [pid];
  for (let i = 0; i < out.length; i++) for (const [c, p] of parents) if (p === out[i]) out.push(c);
  return out;
}

/** Splits ps output into titles and rows (the last column keeps its spaces), keeping rows of pids. */
export function filterPs(output: string, pids: number[]): TopResult {
  const lines = output.split('\n').filter((l) => l.trim());
  if (!lines.length) throw new TopError('ps printed nothing');
  const titles = lines[0].trim().split(/\s+/);
  const pidCol = titles.indexOf('PID');
  if (pidCol < 0) throw new TopError(`ps output has no PID column: add -o pid or use options that print it (ps_args)`);
  const want = new Set(pids);
  const processes: string[][] = [];
  for (const line of lines.slice(1)) {
    const f = line.trim().split(/\s+/);
    const row = [...f.slice(0, titles.length - 1), f.slice(titles.length - 1).join(' ')];
    if (want.has(Number(row[pidCol]))) processes.push(row);
  }
  return { titles, processes };
}

export async function top(pid: number, psArgs = '-ef'): Promise<TopResult> {
  if (psArgs.length > 256 || /[\0\n]/.test(psArgs)) throw new TopError('ps_args: too long or contains control characters');
  const args = psArgs.trim().split(/\s+/).filter(Boolean);
  const r = await run('ps', args, { timeoutMs: 10_000 });
  if (r.code !== 0) throw new TopError(`ps ${psArgs} failed: ${r.stderr.trim() || 'exit ' + r.code}`);
  return filterPs(r.stdout, containerPids(pid));
}
