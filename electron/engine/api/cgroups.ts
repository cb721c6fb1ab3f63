// Container resource usage from cgroups (v1 and v2), for /containers/{id}/stats and
// /top. Read-only: the runtime owns the cgroups.
import { readFile, readdir } from 'node:fs/promises';
import os from 'node:os';

const ROOT = '/sys/fs/cgroup';
const read = (p: string) => readFile(p, 'utf8').then((s) => s.trim()).catch(() => undefined);
const num = (s: string | undefined) => (s === undefined || s === 'max' || !/^\d+$/.test(s) ? undefined : Number(s));

/** controller → cgroup directory of the process. */
async function cgroupDirs(pid: number): Promise<{ v2?: string; v1: Map<string, string> }> {
  const text = await read(`/proc/${pid}/cgroup`);
  if (!text) throw Object.assign(new Error(`process ${pid} is gone`), { code: 'ESTATE' });
  const v1 = new Map<string, string>();
  let v2: string | undefined;
  for (const line of text.split('\n')) {
    const [, ctrls, p] = line.split(':');
    if (p === undefined) continue;
    if (ctrls === '') v2 = p;
    else for (const c of ctrls.split(',')) v1.set(c, `${ROOT}/${ctrls}${p}`);
  }
  const unified = await read(`${ROOT}/cgroup.controllers`);
  return { v2: unified !== undefined && v2 ? `${ROOT}${v2}` : undefined, v1 };
}

function parseKV(s: string | undefined): Record<string, number> {
  const o: Record<string, number> = {};
  for (const l of (s ?? '').split('\n')) { const [k, v] = l.split(/\s+/); if (k && v && /^\d+$/.test(v)) o[k] = Number(v); }
  return o;
}

export async function systemCpuNs(): Promise<number> {
  const line = (await read('/proc/stat'))?.split('\n')[0] ?? '';
  const ticks = line.split(/\s+/).slice(1, 8).reduce((a, b) => a + (Number(b) || 0), 0);
  return ticks * (1e9 / 100);
}

export interface CgroupSample {
  cpu: { total: number; user: number; system: number; percpu?: number[] };
  memory: { usage?: number; limit?: number; stats: Record<string, number> };
  pids?: number;
  system: number;
}

export async function sample(pid: number): Promise<CgroupSample> {
  const d = await cgroupDirs(pid);
  const system = await systemCpuNs();
  if (d.v2) {
    const cpu = parseKV(await read(`${d.v2}/cpu.stat`));
    return {
      cpu: { total: (cpu.usage_usec ?? 0) * 1000, user: (cpu.user_usec ?? 0) * 1000, system: (cpu.system_usec ?? 0) * 1000 },
      memory: { usage: num(await read(`${d.v2}/memory.current`)), limit: num(await read(`${d.v2}/memory.max`)) ?? os.totalmem(), stats: parseKV(await read(`${d.v2}/memory.stat`)) },
      pids: num(await read(`${d.v2}/pids.current`)), system,
    };
  }
  const cpuacct = d.v1.get('cpuacct'), mem = d.v1.get('memory'), pids = d.v1.get('pids');
  const st = parseKV(cpuacct ? await read(`${cpuacct}/cpuacct.stat`) : undefined);
  const tick = 1e9 / 100;
  const percpu = cpuacct ? (await read(`${cpuacct}/cpuacct.usage_percpu`))?.split(/\s+/).filter(Boolean).map(Number) : undefined;
  let limit = mem ? num(await read(`${mem}/memory.limit_in_bytes`)) : undefined;
  if (limit !== undefined && limit > os.totalmem()) limit = os.totalmem();
  return {
    cpu: { total: num(cpuacct ? await read(`${cpuacct}/cpuacct.usage`) : undefined) ?? 0, user: (st.user ?? 0) * tick, system: (st.system ?? 0) * tick, percpu },
    memory: { usage: mem ? num(await read(`${mem}/memory.usage_in_bytes`)) : undefined, limit: limit ?? os.totalmem(), stats: parseKV(mem ? await read(`${mem}/memory.stat`) : undefined) },
    pids: pids ? num(await read(`${pids}/pids.current`)) : undefined, system,
  };
}

/** Every process in the cgroup of `pid` (v2, or v1's pids/memory hierarchy), else its descendants. */
export async function processesOf(pid: number): Promise<number[]> {
  const d = await cgroupDirs(pid);
  const dir = d.v2 ?? d.v1.get('pids') ?? d.v1.get('memory');
  const procs = dir ? await read(`${dir}/cgroup.procs`) : undefined;
  if (procs && dir && !/\/$/.test(dir) && dir !== ROOT + '/pids' && dir !== ROOT + '/memory') return procs.split('\n').filter(Boolean).map(Number);
  // fall back to the process tree under pid
  const parents = new Map<number, number>();
  for (const e of await readdir('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    const s = await read(`/proc/${e}/stat`);
    const m = s?.match(/\) \S+ (\d+)/);
    if (m) parents.set(Number(e), Number(m[1]));
  }
  const out = [pid];
  for (let i = 0; i < out.length; i++) for (const [c, p] of parents) if (p === out[i]) out.push(c);
  return out;
}

export interface ProcRow { uid: number; pid: number; ppid: number; stime: string; tty: string; time: string; cmd: string }

const clockTicks = 100;
export async function procRow(pid: number): Promise<ProcRow | undefined> {
  const stat = await read(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ppid = Number(rest[1]);
  const utime = Number(rest[11]), stime = Number(rest[12]), start = Number(rest[19]);
  const status = await read(`/proc/${pid}/status`);
  const uid = Number(status?.match(/^Uid:\s+(\d+)/m)?.[1] ?? 0);
  const cmdline = (await readFile(`/proc/${pid}/cmdline`).catch(() => Buffer.alloc(0))).toString().split('\0').filter(Boolean).join(' ');
  const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
  const uptime = Number((await read('/proc/uptime'))?.split(' ')[0] ?? 0);
  const started = new Date(Date.now() - (uptime - start / clockTicks) * 1000);
  const cpu = Math.floor((utime + stime) / clockTicks);
  const hh = String(Math.floor(cpu / 3600)).padStart(2, '0'), mm = String(Math.floor(cpu / 60) % 60).padStart(2, '0'), ss = String(cpu % 60).padStart(2, '0');
  return { uid, pid, ppid, stime: started.toTimeString().slice(0, 5), tty: Number(rest[4]) ? 'pts' : '?', time: `${hh}:${mm}:${ss}`, cmd: cmdline || `[${comm}]` };
}
