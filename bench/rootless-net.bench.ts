// Rootless published ports, side by side, as one throw-away user (needs root to create it):
// rootless Pier (netavark in its rootless network namespace, slirp4netns for the way out, Pier's
// forwarder for -p) vs rootless podman 4.3.1 (its default: slirp4netns per container + rootlessport).
//   1. TCP throughput: one HTTP GET of 1 GiB from busybox httpd (a CGI piping /dev/zero) through -p
//   2. 1,000 short connections: sequential HTTP GETs of a small file, a new TCP connection each
//   3. the same 1 GiB as a static file on a tmpfs (httpd's own file path: the data path, not the CGI,
//      is what limits it), read by this Node process and, again, by curl (Node's reader tops out near
//      1.26 GB/s here even with no forwarder on the path, so it caps what the ratio can show)
// Same busybox-static image and server as bench/network.bench.ts; clients connect to 127.0.0.1.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile, type ChildProcess } from 'node:child_process';
import type { BenchCase } from './harness.ts';
import { createUser, readableRepo, type TestUser } from '../test/helpers/users.ts';
import { buildTestImages } from '../scripts/build-test-images.ts';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { SERVER, connections, ready, throughput } from './network.bench.ts';

const STATIC = ['sh', '-c', 'dd if=/dev/zero of=/w/big bs=1048576 count=1024 2>/dev/null && echo small > /w/small && exec httpd -f -p 80 -h /w'];

/** MB/s of one GET of /big (1 GiB). */
function staticThroughput(port: number): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/big', agent: false }, (res) => {
      let n = 0;
      res.on('data', (b: Buffer) => { n += b.length; });
      res.on('end', () => (n < 1 << 30 ? reject(new Error(`short read: ${n}`)) : resolve(n / (1 << 20) / ((performance.now() - t0) / 1000))));
    }).on('error', reject);
  });
}

/** MB/s of one GET of /big (1 GiB) by curl, which reads faster than Node; a short body is a failure. */
function curlThroughput(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    execFile('curl', ['-sS', '-o', '/dev/null', '-w', '%{size_download} %{speed_download}', `http://127.0.0.1:${port}/big`], (err, out) => {
      if (err) return reject(err);
      const [size, speed] = out.trim().split(' ').map(Number);
      if (size < 1 << 30) reject(new Error(`short read: ${size}`)); else resolve(speed / (1 << 20));
    });
  });
}

const IMG = 'pier-test/busybox';
let user: TestUser | undefined;
let engine: ChildProcess | undefined;
let scratch = '';

async function out(u: TestUser, argv: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const r = await u.run(argv, { env, timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(`${argv.join(' ')} failed (${r.code}): ${r.stderr.trim()}`);
  return r.stdout.trim();
}

export async function cases(): Promise<BenchCase[]> {
  if (process.getuid?.() !== 0) throw new Error('needs root (creates a throw-away user)');
  const archive = (await buildTestImages()).dockerArchive;
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'pier-bench-rlnet-'));
  fs.chmodSync(scratch, 0o755);
  const u = user = createUser('bnet');
  const repo = readableRepo(u, scratch);
  const xdg = path.join(scratch, 'xdg');
  fs.mkdirSync(xdg, { mode: 0o700 });
  fs.chownSync(xdg, u.uid, u.gid);
  const base = u.env({ XDG_RUNTIME_DIR: xdg });
  const sock = path.join(xdg, 'pier', 'docker.sock');
  engine = u.spawn([process.execPath, path.join(repo, 'bin/pier.js'), 'serve'], { env: base });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`pier serve did not start:\n${log}`)), 60_000);
    const on = (d: Buffer) => { log += d; if (/engine ready/.test(log)) { clearTimeout(t); resolve(); } };
    engine!.stdout!.on('data', on); engine!.stderr!.on('data', on);
    engine!.once('exit', (c) => { clearTimeout(t); reject(new Error(`pier serve exited ${c}:\n${log}`)); });
  });
  const docker = { ...base, DOCKER_HOST: `unix://${sock}`, DOCKER_CONFIG: path.join(u.home, '.docker') };
  const podman = ['podman', '--cgroup-manager=cgroupfs', '--events-backend=file'];
  await out(u, ['docker', 'load', '-i', archive], docker);
  await out(u, [...podman, 'load', '-i', archive], base);
  await out(u, ['docker', 'run', '-d', '--name', 'bench-web', '-p', '127.0.0.1::80', IMG, ...SERVER], docker);
  const pierPort = Number((await out(u, ['docker', 'port', 'bench-web', '80'], docker)).split(':').pop());
  await out(u, [...podman, 'run', '-d', '--name', 'bench-web', '-p', '127.0.0.1::80', IMG, ...SERVER], base);
  const podPort = Number((await out(u, [...podman, 'port', 'bench-web', '80'], base)).split(':').pop());
  await ready(pierPort); await ready(podPort);
  const tmpfs = ['--tmpfs', '/w:size=1100m'];
  await out(u, ['docker', 'run', '-d', '--name', 'bench-static', ...tmpfs, '-p', '127.0.0.1::80', IMG, ...STATIC], docker);
  const pierStatic = Number((await out(u, ['docker', 'port', 'bench-static', '80'], docker)).split(':').pop());
  await out(u, [...podman, 'run', '-d', '--name', 'bench-static', ...tmpfs, '-p', '127.0.0.1::80', IMG, ...STATIC], base);
  const podStatic = Number((await out(u, [...podman, 'port', 'bench-static', '80'], base)).split(':').pop());
  await ready(pierStatic); await ready(podStatic);
  return [
    {
      title: 'Rootless published-port TCP throughput: 1 GiB static file (tmpfs) through -p 127.0.0.1::80 (MB/s, higher is better)',
      unit: 'MB/s', target: '>= 1.5x podman rootless', runs: 3, warmup: 1,
      contenders: [
        { name: 'Pier rootless (forwarder → netavark bridge in the rootless netns)', run: () => staticThroughput(pierStatic) },
        { name: 'podman rootless (slirp4netns + rootlessport)', run: () => staticThroughput(podStatic) },
      ],
    },
    {
      title: 'Rootless published-port TCP throughput: the same static file read by curl (MB/s, higher is better)',
      unit: 'MB/s', target: '>= 1.5x podman rootless', runs: 3, warmup: 1,
      contenders: [
        { name: 'Pier rootless (forwarder → netavark bridge in the rootless netns)', run: () => curlThroughput(pierStatic) },
        { name: 'podman rootless (slirp4netns + rootlessport)', run: () => curlThroughput(podStatic) },
      ],
    },
    {
      title: 'Rootless published-port TCP throughput: 1 GiB HTTP GET through -p 127.0.0.1::80 (MB/s, higher is better)',
      unit: 'MB/s', target: '>= 1.5x podman rootless', runs: 3, warmup: 1,
      contenders: [
        { name: 'Pier rootless (forwarder → netavark bridge in the rootless netns)', run: () => throughput(pierPort) },
        { name: 'podman rootless (slirp4netns + rootlessport)', run: () => throughput(podPort) },
      ],
    },
    {
      title: 'Rootless: 1,000 short connections through -p (sequential HTTP GETs, new TCP connection each; total ms)',
      runs: 5, warmup: 1,
      contenders: [
        { name: 'Pier rootless', run: () => connections(pierPort) },
        { name: 'podman rootless', run: () => connections(podPort) },
      ],
    },
  ];
}

export async function cleanup(): Promise<void> {
  if (engine && engine.exitCode === null) {
    const e = new Promise((r) => engine!.once('exit', r));
    engine.kill('SIGTERM');
    await Promise.race([e, new Promise((r) => setTimeout(r, 10_000))]);
  }
  user?.remove();
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
}
