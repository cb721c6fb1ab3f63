// Build and commit, side by side:
//   Pier     docker CLI (classic builder, no buildx) → `pier serve` (isolated root)
//   podman   `podman build` (buildah) and `podman commit` (isolated --root/--runroot, runc, cgroupfs)
// The same 6-step Dockerfile (FROM busybox-static test image, 3 RUN, 2 COPY) and context; host network on
// both sides so network setup does not dominate; a 50 MB change for commit.
import { spawn, execFile, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchCase } from './harness.ts';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DOCKER = '/usr/local/bin/docker';
const IMG = 'pier-test/busybox';
const procs: ChildProcess[] = [];
let dir: string | undefined;
let pierEnv: NodeJS.ProcessEnv | undefined;

function run(cmd: string, args: string[], env?: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { env: env ?? process.env, timeout: 300_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')}: ${stderr || err.message}`)); else resolve(String(stdout));
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

export async function cases(): Promise<BenchCase[]> {
  if (!existsSync(DOCKER)) throw new Error(`${DOCKER} not installed`);
  const { buildTestImages } = await import('../scripts/build-test-images.ts');
  const archive = (await buildTestImages()).dockerArchive;
  dir = mkdtempSync(path.join(os.tmpdir(), 'pier-bench-build-'));
  const ctx = path.join(dir, 'ctx');
  mkdirSync(path.join(ctx, 'dir'), { recursive: true });
  writeFileSync(path.join(ctx, 'a.txt'), 'a\n'.repeat(1000));
  for (let i = 0; i < 20; i++) writeFileSync(path.join(ctx, 'dir', `f${i}`), `file ${i}\n`.repeat(200));
  writeFileSync(path.join(ctx, 'Dockerfile'), [
    `FROM ${IMG}`, 'COPY a.txt /a.txt', 'RUN echo one > /r1', 'RUN echo two > /r2', 'COPY dir /dir', 'RUN cat /a.txt /r1 > /r3', '',
  ].join('\n'));

  const pierSock = path.join(dir, 'pier.sock');
  const pier = spawn(process.execPath, [path.join(REPO, 'bin/pier.js'), 'serve', '--root', path.join(dir, 'pier'), '--runroot', path.join(dir, 'pier-run'), '--socket', pierSock], { stdio: ['ignore', 'pipe', 'pipe'] });
  procs.push(pier);
  await waitFor(pier, /engine ready/, 'pier serve');
  pierEnv = { ...process.env, DOCKER_HOST: `unix://${pierSock}`, DOCKER_CONFIG: path.join(dir, 'dc') };
  await run(DOCKER, ['load', '-i', archive], pierEnv);
  const podman = ['--root', path.join(dir, 'podman'), '--runroot', path.join(dir, 'podman-run'), '--runtime', 'runc', '--cgroup-manager', 'cgroupfs', '--events-backend', 'file'];
  execFileSync('podman', [...podman, 'load', '-i', archive], { stdio: 'ignore' });

  // commit: one stopped container per side with a 50 MB change
  const write50 = ['sh', '-c', 'head -c 52428800 /dev/urandom > /big.bin'];
  await run(DOCKER, ['run', '--name', 'c50', '--network', 'host', IMG, ...write50], pierEnv);
  await run('podman', [...podman, 'run', '--name', 'c50', '--network', 'host', IMG, ...write50]);

  const build = (nocache: boolean) => [
    { name: 'Pier (docker build → pier serve)', run: async () => { await run(DOCKER, ['build', ...(nocache ? ['--no-cache'] : []), '--network', 'host', '-q', '-t', 'bench:b', ctx], pierEnv); } },
    { name: 'podman build (buildah)', run: async () => { await run('podman', [...podman, 'build', ...(nocache ? ['--no-cache'] : []), '--network', 'host', '-q', '-t', 'bench:b', ctx]); } },
  ];
  return [
    { title: 'build of a 6-step Dockerfile (FROM, 3 RUN, 2 COPY), no cache', target: '<= 0.8x podman', runs: 5, warmup: 1, contenders: build(true) },
    { title: 'unchanged rebuild (every step cached)', target: '<= 0.3x podman', runs: 8, warmup: 1, contenders: build(false) },
    {
      title: 'commit of a stopped container with a 50 MB change', runs: 5, warmup: 1,
      contenders: [
        { name: 'Pier (docker commit → pier serve)', run: async () => { await run(DOCKER, ['commit', 'c50', 'bench:c'], pierEnv); } },
        { name: 'podman commit', run: async () => { await run('podman', [...podman, 'commit', '-q', 'c50', 'bench:c']); } },
      ],
    },
  ];
}

export async function cleanup(): Promise<void> {
  if (pierEnv) await run(DOCKER, ['rm', '-f', 'c50'], pierEnv).catch(() => undefined);
  for (const p of procs) if (p.exitCode === null) { p.kill('SIGTERM'); await new Promise((r) => { p.once('exit', r); setTimeout(r, 5000); }); }
  if (dir) {
    try { execFileSync('podman', ['--root', path.join(dir, 'podman'), '--runroot', path.join(dir, 'podman-run'), 'rm', '-af'], { stdio: 'ignore' }); } catch { /* nothing left */ }
    try { execFileSync('podman', ['--root', path.join(dir, 'podman'), '--runroot', path.join(dir, 'podman-run'), 'system', 'reset', '-f'], { stdio: 'ignore' }); } catch { /* best effort */ }
    rmSync(dir, { recursive: true, force: true });
  }
}
