// Peers for API-path benchmarks: a `pier serve` and a `podman system service` on isolated roots,
// each with the client environment that points the docker CLI (or Compose) at it.
import { spawn, execFile, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DOCKER = '/usr/local/bin/docker';

export interface Peer { env: NodeJS.ProcessEnv; proc: ChildProcess; stop(): Promise<void> }

export function run(cmd: string, args: string[], env?: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { env: env ?? process.env, timeout: 300_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')}: ${stderr || err.message}`));
      else resolve(String(stdout));
    });
  });
}

function started(proc: ChildProcess, ready: () => boolean, what: string): Promise<void> {
  let out = '';
  return new Promise<void>((resolve, reject) => {
    const t = setInterval(() => { if (ready()) { clearInterval(t); resolve(); } }, 50);
    const fail = (why: string) => { clearInterval(t); reject(new Error(`${what} ${why}:\n${out}`)); };
    const limit = setTimeout(() => fail('did not start in 30 s'), 30_000);
    limit.unref();
    proc.stdout?.on('data', (d) => { out += d; });
    proc.stderr?.on('data', (d) => { out += d; });
    proc.once('exit', (c) => fail(`exited (${c})`));
  });
}

function stopper(proc: ChildProcess): () => Promise<void> {
  return async () => {
    if (proc.exitCode !== null || proc.signalCode) return;
    const gone = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    await Promise.race([gone, new Promise((r) => setTimeout(r, 10_000))]);
  };
}

/** `pier serve` under `dir`, with `archive` loaded. */
export async function startPier(dir: string, archive: string): Promise<Peer> {
  const sock = path.join(dir, 'pier.sock');
  const args = ['serve', '--root', path.join(dir, 'pier'), '--runroot', path.join(dir, 'pier-run'), '--socket', sock];
  const proc = spawn(process.execPath, [path.join(REPO, 'bin/pier.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d) => { out += d; });
  await started(proc, () => /engine ready/.test(out), 'pier serve');
  const env = { ...process.env, DOCKER_HOST: `unix://${sock}`, DOCKER_CONFIG: path.join(dir, 'dc-pier') };
  await run(DOCKER, ['load', '-i', archive], env);
  return { env, proc, stop: stopper(proc) };
}

/** podman's argv for an isolated root under `dir` (runc, cgroupfs, file events). */
export function podmanArgs(dir: string): string[] {
  return ['--root', path.join(dir, 'podman'), '--runroot', path.join(dir, 'podman-run'), '--runtime', 'runc',
    '--cgroup-manager', 'cgroupfs', '--events-backend', 'file'];
}

/** `podman system service` on the isolated root, with `archive` loaded. */
export async function startPodmanService(dir: string, archive: string): Promise<Peer> {
  const podman = podmanArgs(dir);
  execFileSync('podman', [...podman, 'load', '-i', archive], { stdio: 'ignore' });
  const sock = path.join(dir, 'podman.sock');
  const proc = spawn('podman', [...podman, 'system', 'service', '--time=0', `unix://${sock}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  await started(proc, () => existsSync(sock), 'podman system service');
  const env = { ...process.env, DOCKER_HOST: `unix://${sock}`, DOCKER_CONFIG: path.join(dir, 'dc-podman') };
  const stop = stopper(proc);
  return {
    env, proc,
    async stop() {
      await stop();
      try { execFileSync('podman', [...podman, 'rm', '-af'], { stdio: 'ignore' }); } catch { /* nothing left */ }
    },
  };
}
