// Helpers for crash tests: an engine in a child process (engine-child.ts) and looks at what the runtime holds.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestDirs } from './rootfs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const pierBin = path.resolve(here, '../../bin/pier.js');

export interface ChildSpec { name: string; cmd: string[]; autoRemove?: boolean }

/** Starts an engine process that creates and starts `spec`; resolves once every container runs. */
export async function spawnEngineChild(d: TestDirs, spec: ChildSpec[], env: NodeJS.ProcessEnv = process.env): Promise<{ child: ChildProcess; ids: string[] }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'engine-child.ts'), d.root, d.runroot, d.rootfs, JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'inherit'], env });
  const ids = await new Promise<string[]>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (b) => { buf += b; const m = buf.match(/\{"ready".*\}\n/); if (m) resolve(JSON.parse(m[0]).ready); });
    child.on('exit', (c) => reject(new Error(`engine child exited early (${c})`)));
  });
  return { child, ids };
}

export async function killChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await gone;
}

/** The runtime's status for a container, or undefined when it has none. */
export function runcStatus(d: TestDirs, id: string): string | undefined {
  const r = spawnSync('runc', ['--root', path.join(d.runroot, 'runc'), 'state', id], { encoding: 'utf8' });
  return r.status === 0 ? (JSON.parse(r.stdout) as { status: string }).status : undefined;
}

/** The record on disk (what another process sees), or undefined when removed. */
export function diskRecord(d: TestDirs, id: string): { state: { status: string; exitCode?: number; finishedAt?: string; error?: string; oomKilled?: boolean } } | undefined {
  try { return JSON.parse(readFileSync(path.join(d.root, 'containers', id, 'container.json'), 'utf8')); } catch { return undefined; }
}

/** Waits for a condition that another process brings about (checked every 50 ms, up to `ms`). */
export async function until<T>(what: string, fn: () => T | undefined | false, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
