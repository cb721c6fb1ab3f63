// `docker run --rm IMAGE echo hi`, side by side:
//   Pier            docker CLI → Pier's API socket (`pier serve`, isolated root)
//   podman          `podman run --rm` (isolated --root/--runroot, runc, cgroupfs)
//   podman service  docker CLI → `podman system service` (same isolated podman root)
// Every contender uses the host network (Pier has no bridge; podman's bridge setup would
// dominate its figure otherwise) and the same busybox-static test image, loaded first.
import { spawn, execFile, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchCase } from './harness.ts';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DOCKER = '/usr/local/bin/docker';
const IMG = 'pier-test/busybox';
const procs: ChildProcess[] = [];
let dir: string | undefined;

function run(cmd: string, args: string[], env?: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { env: env ?? process.env, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`${cmd} ${args.join(' ')}: ${stderr || err.message}`));
      if (String(stdout) !== 'hi\n' && args.includes('echo')) return reject(new Error(`unexpected output ${JSON.stringify(stdout)}`));
      resolve();
    });
  });
}

async function waitFor(proc: ChildProcess, re: RegExp, what: string): Promise<void> {
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what} did not start:\n${out}`)), 30_000);
    const on = (d: Buffer) => { out += d; if (re.test(out)) { clearTimeout(t); resolve(); } };
    proc.stdout?.on('data', on);
    proc.stderr?.on('data', on);
    proc.once('exit', (c) => { clearTimeout(t); reject(new Error(`${what} exited (${c}):\n${out}`)); });
  });
}

async function waitSocket(p: string): Promise<void> {
  for (let i = 0; i < 200 && !existsSync(p); i++) await new Promise((r) => setTimeout(r, 50));
  if (!existsSync(p)) throw new Error(`${p} did not appear`);
}

export async function cases(): Promise<BenchCase[]> {
  if (!existsSync(DOCKER)) throw new Error(`${DOCKER} not installed`);
  const { buildTestImages } = await import('../scripts/build-test-images.ts');
  const archive = (await buildTestImages()).dockerArchive;
  dir = mkdtempSync(path.join(os.tmpdir(), 'pier-bench-api-'));

  // Pier
  const pierSock = path.join(dir, 'pier.sock');
  const pier = spawn(process.execPath, [path.join(REPO, 'bin/pier.js'), 'serve', '--root', path.join(dir, 'pier'), '--runroot', path.join(dir, 'pier-run'), '--socket', pierSock], { stdio: ['ignore', 'pipe', 'pipe'] });
  procs.push(pier);
  await waitFor(pier, /engine ready/, 'pier serve');
  const pierEnv = { ...process.env, DOCKER_HOST: `unix://${pierSock}`, DOCKER_CONFIG: path.join(dir, 'dc') };
  await run(DOCKER, ['load', '-i', archive], pierEnv);

  // podman, isolated
  const podman = ['--root', path.join(dir, 'podman'), '--runroot', path.join(dir, 'podman-run'), '--runtime', 'runc', '--cgroup-manager', 'cgroupfs', '--events-backend', 'file'];
  execFileSync('podman', [...podman, 'load', '-i', archive], { stdio: 'ignore' });
  const podSock = path.join(dir, 'podman.sock');
  const svc = spawn('podman', [...podman, 'system', 'service', '--time=0', `unix://${podSock}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  procs.push(svc);
  await waitSocket(podSock);
  const podEnv = { ...process.env, DOCKER_HOST: `unix://${podSock}`, DOCKER_CONFIG: path.join(dir, 'dc') };

  return [{
    title: '`docker run --rm busybox echo hi` (docker CLI → Pier socket vs podman run vs docker CLI → podman service)',
    target: '<= 0.5x podman',
    runs: 20,
    warmup: 3,
    contenders: [
      { name: 'Pier (docker CLI → pier serve)', run: () => run(DOCKER, ['run', '--rm', '--network', 'host', IMG, 'echo', 'hi'], pierEnv) },
      { name: 'podman run --rm', run: () => run('podman', [...podman, 'run', '--rm', '--network', 'host', IMG, 'echo', 'hi']) },
      { name: 'docker CLI → podman system service', run: () => run(DOCKER, ['run', '--rm', '--network', 'host', IMG, 'echo', 'hi'], podEnv) },
    ],
  }];
}

export async function cleanup(): Promise<void> {
  for (const p of procs) if (p.exitCode === null) { p.kill('SIGTERM'); await new Promise((r) => { p.once('exit', r); setTimeout(r, 5000); }); }
  if (dir) {
    try { execFileSync('podman', ['--root', path.join(dir, 'podman'), '--runroot', path.join(dir, 'podman-run'), 'rm', '-af'], { stdio: 'ignore' }); } catch { /* nothing left */ }
    rmSync(dir, { recursive: true, force: true });
  }
}
