// Finds conmon, the OCI runtime and CRIU; reads their versions; probes what works here.
import { access, constants } from 'node:fs/promises';
import path from 'node:path';
import { run } from './proc';

export interface BinaryInfo { name: string; path: string; version: string }
export interface RuntimeInfo {
  conmon: BinaryInfo;
  runtime: BinaryInfo & { jsonLog: boolean; checkpoint: boolean };
  /** every runtime found, with the probe's verdict */
  runtimes: Array<BinaryInfo & { works: boolean; reason?: string }>;
  criu?: BinaryInfo & { works: boolean; reason?: string; memDirtyTrack: boolean };
}

const SEARCH_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin', '/usr/libexec/podman', '/usr/lib/podman'];

export async function findBinary(name: string, configured?: string): Promise<string | undefined> {
  const candidates = configured ? [configured] : [...(process.env.PATH ?? '').split(':').filter(Boolean), ...SEARCH_DIRS].map((d) => path.join(d, name));
  for (const c of candidates) {
    try { await access(c, constants.X_OK); return c; } catch { /* next */ }
  }
  return undefined;
}

async function version(bin: string, args = ['--version']): Promise<string> {
  try {
    const r = await run(bin, args, { timeoutMs: 5000 });
    const text = (r.stdout + r.stderr).trim();
    const m = text.match(/version:?\s*v?([0-9][0-9A-Za-z.+~-]*)/i) ?? text.match(/([0-9]+\.[0-9]+(\.[0-9]+)?[0-9A-Za-z.+~-]*)/);
    return m ? m[1] : text.split('\n')[0] ?? 'unknown';
  } catch { return 'unknown'; }
}

/** Known host incompatibilities, checked without creating a container. */
async function probeRuntime(name: string, bin: string): Promise<{ works: boolean; reason?: string }> {
  if (name === 'crun') {
    // crun ≤ 1.8 refuses cgroup v1 "hybrid" hosts (v1 controllers plus a v2 mount).
    const hybrid = await isCgroupHybrid();
    if (hybrid) return { works: false, reason: `${bin} does not support cgroup v1 hybrid hosts ("cgroups in hybrid mode not supported"): use runc` };
  }
  const r = await run(bin, ['--version'], { timeoutMs: 5000 }).catch((e: Error) => ({ code: -1, stderr: e.message, stdout: '' }));
  return r.code === 0 ? { works: true } : { works: false, reason: `${bin} --version failed: ${r.stderr.trim()}` };
}

async function isCgroupHybrid(): Promise<boolean> {
  try {
    const { readFile } = await import('node:fs/promises');
    const mounts = await readFile('/proc/self/mountinfo', 'utf8');
    const v1 = / - cgroup /.test(mounts);
    const v2 = / - cgroup2 /.test(mounts);
    return v1 && v2;
  } catch { return false; }
}

export async function discover(opts: { conmonPath?: string; runtime?: string; criuPath?: string } = {}): Promise<RuntimeInfo> {
  const conmonPath = await findBinary('conmon', opts.conmonPath);
  if (!conmonPath) throw Object.assign(new Error('conmon not found: install conmon (apt-get install conmon) or pass --conmon PATH'), { code: 'ENOCONMON' });

  const explicit = opts.runtime;
  const names = explicit && !explicit.includes('/') ? [explicit] : ['runc', 'crun'];
  const runtimes: RuntimeInfo['runtimes'] = [];
  if (explicit && explicit.includes('/')) {
    const p = await findBinary(path.basename(explicit), explicit);
    if (!p) throw Object.assign(new Error(`OCI runtime ${explicit} not found or not executable: install runc or pass --runtime PATH`), { code: 'ENORUNTIME' });
    runtimes.push({ name: path.basename(p), path: p, version: await version(p), works: true });
  } else {
    for (const n of names) {
      const p = await findBinary(n);
      if (!p) continue;
      const probe = await probeRuntime(n, p);
      runtimes.push({ name: n, path: p, version: await version(p), ...probe });
    }
  }
  if (!runtimes.length) throw Object.assign(new Error(`${explicit ?? 'runc or crun'} not found: install runc (apt-get install runc) or pass --runtime PATH`), { code: 'ENORUNTIME' });
  const chosen = explicit ? runtimes[0] : runtimes.find((r) => r.works) ?? runtimes[0];

  const help = await run(chosen.path, ['checkpoint', '--help'], { timeoutMs: 5000 }).catch(() => ({ code: 1 }));
  const conmon: BinaryInfo = { name: 'conmon', path: conmonPath, version: await version(conmonPath) };
  const info: RuntimeInfo = {
    conmon,
    runtime: { name: chosen.name, path: chosen.path, version: chosen.version, jsonLog: ['runc', 'crun'].includes(chosen.name), checkpoint: help.code === 0 },
    runtimes,
  };
  const criuPath = await findBinary('criu', opts.criuPath);
  if (criuPath) {
    const check = await run(criuPath, ['check'], { timeoutMs: 20000 }).catch((e: Error) => ({ code: -1, stdout: '', stderr: e.message }));
    const dirty = check.code === 0 ? await run(criuPath, ['check', '--feature', 'mem_dirty_track'], { timeoutMs: 20000 }).catch(() => ({ code: 1 })) : { code: 1 };
    const lines = (check.stdout + check.stderr).trim().split('\n').filter((l) => /error|fail|unexpected/i.test(l));
    info.criu = {
      name: 'criu', path: criuPath, version: await version(criuPath, ['--version']),
      works: check.code === 0,
      reason: check.code === 0 ? undefined : `criu check failed: ${lines.slice(0, 3).join('; ') || 'exit ' + check.code} (Debian 12's criu 3.17 fails on kernel 6.x; run scripts/setup-host.sh for CRIU 4.1.1)`,
      memDirtyTrack: dirty.code === 0,
    };
  }
  return info;
}
