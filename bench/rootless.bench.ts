// Rootless, side by side, as one throw-away user (needs root to create it):
//   1. `docker run --rm IMAGE echo hi` through rootless Pier's socket vs `podman run --rm IMAGE echo hi`
//      (podman's default storage here, vfs, and podman with overlay, each on its own storage root)
//   2. rootless Pier's container start with kernel overlay vs fuse-overlayfs (two engines, two roots;
//      /dev/fuse is opened to users (0666, Debian's default) for the run and put back afterwards)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { BenchCase, Contender } from './harness.ts';
import { createUser, readableRepo, type TestUser } from '../test/helpers/users.ts';
import { buildTestImages } from '../scripts/build-test-images.ts';

const IMG = 'pier-test/busybox';
let user: TestUser | undefined;
const engines: ChildProcess[] = [];
let scratch = '';
let fuseMode: number | undefined;

async function ok(u: TestUser, argv: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const r = await u.run(argv, { env, timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(`${argv.join(' ')} failed (${r.code}): ${r.stderr.trim()}`);
}

async function serve(u: TestUser, repo: string, name: string, env: NodeJS.ProcessEnv): Promise<string> {
  const dir = path.join(u.home, name);
  const sock = path.join(dir, 'docker.sock');
  const p = u.spawn([process.execPath, path.join(repo, 'bin/pier.js'), 'serve', '--root', path.join(dir, 'root'), '--runroot', path.join(dir, 'run'), '--socket', sock], { env });
  engines.push(p);
  let out = '';
  p.stdout!.on('data', (d) => { out += d; });
  p.stderr!.on('data', (d) => { out += d; });
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`pier serve (${name}) did not start:\n${out}`)), 60_000);
    p.stdout!.on('data', () => { if (/engine ready/.test(out)) { clearTimeout(t); resolve(); } });
    p.once('exit', (c) => { clearTimeout(t); reject(new Error(`pier serve (${name}) exited ${c}:\n${out}`)); });
  });
  return sock;
}

export async function cases(): Promise<BenchCase[]> {
  if (process.getuid?.() !== 0) throw new Error('needs root (creates a throw-away user)');
  const archive = (await buildTestImages()).dockerArchive;
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'pier-bench-rl-'));
  fs.chmodSync(scratch, 0o755);
  user = createUser('bench');
  const u = user;
  const repo = readableRepo(u, scratch);
  const xdg = path.join(scratch, 'xdg');
  fs.mkdirSync(xdg, { mode: 0o700 });
  fs.chownSync(xdg, u.uid, u.gid);
  const base = u.env({ XDG_RUNTIME_DIR: xdg });
  fuseMode = fs.statSync('/dev/fuse').mode & 0o777;
  fs.chmodSync('/dev/fuse', 0o666);

  const kernelSock = await serve(u, repo, 'pier-kernel', base);
  const fuseSock = await serve(u, repo, 'pier-fuse', { ...base, PIER_SNAPSHOTTER: 'fuse-overlayfs' });
  const docker = (sock: string) => ({ ...base, DOCKER_HOST: `unix://${sock}`, DOCKER_CONFIG: path.join(u.home, '.docker') });
  for (const s of [kernelSock, fuseSock]) await ok(u, ['docker', 'load', '-i', archive], docker(s));
  const podman = (driver?: string) => ['podman', '--cgroup-manager=cgroupfs', '--events-backend=file',
    ...(driver ? ['--storage-driver', driver, '--root', path.join(u.home, `podman-${driver}`)] : [])];
  for (const d of [undefined, 'overlay']) await ok(u, [...podman(d), 'load', '-i', archive], base);

  const pier = (name: string, sock: string): Contender => ({ name, run: () => ok(u, ['docker', 'run', '--rm', IMG, 'echo', 'hi'], docker(sock)) });
  const pod = (name: string, driver?: string): Contender => ({ name, run: () => ok(u, [...podman(driver), 'run', '--rm', IMG, 'echo', 'hi'], base) });
  return [
    {
      title: 'rootless `run --rm echo hi` (same user): Pier via docker CLI vs podman', target: '<= 0.6x podman', runs: 15,
      contenders: [pier('pier (kernel overlay)', kernelSock), pod('podman 4.3.1 (vfs, its default here)'), pod('podman 4.3.1 (overlay)', 'overlay')],
    },
    {
      title: 'rootless Pier container start: kernel overlay vs fuse-overlayfs', runs: 15,
      contenders: [pier('pier kernel overlay', kernelSock), pier('pier fuse-overlayfs', fuseSock)],
    },
  ];
}

export async function cleanup(): Promise<void> {
  for (const p of engines) if (p.exitCode === null) { const e = new Promise((r) => p.once('exit', r)); p.kill('SIGTERM'); await Promise.race([e, new Promise((r) => setTimeout(r, 10_000))]); }
  if (fuseMode !== undefined) fs.chmodSync('/dev/fuse', fuseMode);
  user?.remove();
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
}
