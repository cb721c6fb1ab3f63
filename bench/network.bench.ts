// Published ports, side by side with podman (rootful, netavark + iptables DNAT):
//   1. TCP throughput through `-p`: one HTTP GET of 1 GiB from busybox httpd (a CGI piping /dev/zero)
//   2. 1,000 short connections: sequential HTTP GETs of a small file, a new TCP connection each
//   3. container start with the default bridge network and one published port (`run -d -p 0:80`)
// Both engines run on isolated roots with the same busybox-static image; clients connect to 127.0.0.1.
import { spawn, execFile, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import type { BenchCase } from './harness.ts';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DOCKER = '/usr/local/bin/docker';
const IMG = 'pier-test/busybox';
const GIB = 1 << 30;
export const SERVER = [
  'sh', '-c',
  'mkdir -p /w/cgi-bin && echo small > /w/small && ' +
  "printf '#!/bin/sh\\nprintf \"Content-Type: application/octet-stream\\\\r\\\\n\\\\r\\\\n\"\\nexec dd if=/dev/zero bs=1048576 count=1024 2>/dev/null\\n' > /w/cgi-bin/zero && " +
  'chmod +x /w/cgi-bin/zero && exec httpd -f -p 80 -h /w',
];
const procs: ChildProcess[] = [];
let dir: string | undefined;
let podman: string[] = [];

function out(cmd: string, args: string[], env?: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { env: env ?? process.env, timeout: 120_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')}: ${stderr || err.message}`)); else resolve(String(stdout).trim());
    });
  });
}

function get(port: number, p: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: p, agent: false }, (res) => {
      let n = 0;
      res.on('data', (b: Buffer) => { n += b.length; });
      res.on('end', () => resolve(n));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

export async function ready(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) { if (await get(port, '/small').then(() => true, () => false)) return; await new Promise((r) => setTimeout(r, 50)); }
  throw new Error(`nothing answers on 127.0.0.1:${port}`);
}

export async function throughput(port: number): Promise<number> {
  const t0 = performance.now();
  const n = await get(port, '/cgi-bin/zero');
  if (n < GIB) throw new Error(`short read: ${n} bytes`);
  return n / (1 << 20) / ((performance.now() - t0) / 1000);
}

export async function connections(port: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < 1000; i++) await get(port, '/small');
  return performance.now() - t0;
}

async function waitFor(proc: ChildProcess, re: RegExp, what: string): Promise<void> {
  let text = '';
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what} did not start:\n${text}`)), 30_000);
    const on = (d: Buffer) => { text += d; if (re.test(text)) { clearTimeout(t); resolve(); } };
    proc.stdout?.on('data', on); proc.stderr?.on('data', on);
    proc.once('exit', (c) => { clearTimeout(t); reject(new Error(`${what} exited (${c}):\n${text}`)); });
  });
}

export async function cases(): Promise<BenchCase[]> {
  if (!existsSync(DOCKER)) throw new Error(`${DOCKER} not installed`);
  if (process.getuid?.() !== 0) throw new Error('needs root (rootful netavark on both sides)');
  const { buildTestImages } = await import('../scripts/build-test-images.ts');
  const archive = (await buildTestImages()).dockerArchive;
  dir = mkdtempSync(path.join(os.tmpdir(), 'pier-bench-net-'));
  const sock = path.join(dir, 'pier.sock');
  const pier = spawn(process.execPath, [path.join(REPO, 'bin/pier.js'), 'serve', '--root', path.join(dir, 'pier'), '--runroot', path.join(dir, 'pier-run'), '--socket', sock], { stdio: ['ignore', 'pipe', 'pipe'] });
  procs.push(pier);
  await waitFor(pier, /engine ready/, 'pier serve');
  const env = { ...process.env, DOCKER_HOST: `unix://${sock}`, DOCKER_CONFIG: path.join(dir, 'dc') };
  await out(DOCKER, ['load', '-i', archive], env);
  podman = ['--root', path.join(dir, 'podman'), '--runroot', path.join(dir, 'podman-run'), '--runtime', 'runc', '--cgroup-manager', 'cgroupfs', '--events-backend', 'file'];
  execFileSync('podman', [...podman, 'load', '-i', archive], { stdio: 'ignore' });

  await out(DOCKER, ['run', '-d', '--name', 'bench-web', '-p', '127.0.0.1::80', IMG, ...SERVER], env);
  const pierPort = Number((await out(DOCKER, ['port', 'bench-web', '80'], env)).split(':').pop());
  await out('podman', [...podman, 'run', '-d', '--name', 'bench-web', '-p', '127.0.0.1::80', IMG, ...SERVER]);
  const podPort = Number((await out('podman', [...podman, 'port', 'bench-web', '80'])).split(':').pop());
  await ready(pierPort); await ready(podPort);

  const started: Array<[string, string]> = [];
  const start = async (name: string, cmd: string, args: string[], e?: NodeJS.ProcessEnv) => {
    const t0 = performance.now();
    const id = await out(cmd, [...args, 'run', '-d', '-p', '127.0.0.1::80', IMG, 'sleep', '600'], e);
    const ms = performance.now() - t0;
    started.push([name, id]);
    return ms;
  };
  const removeStarted = async () => {
    for (const [n, id] of started.splice(0)) await out(n === 'pier' ? DOCKER : 'podman', n === 'pier' ? ['rm', '-f', id] : [...podman, 'rm', '-f', '-t', '0', id], n === 'pier' ? env : undefined).catch(() => undefined);
  };
  return [
    {
      title: 'Published-port TCP throughput: 1 GiB HTTP GET through -p 127.0.0.1::80 (MB/s, higher is better)',
      unit: 'MB/s', target: '>= 1.0x podman (rootful)', runs: 3, warmup: 1,
      contenders: [
        { name: 'Pier (netavark DNAT, port held by conmon)', run: () => throughput(pierPort) },
        { name: 'podman run -p (netavark DNAT)', run: () => throughput(podPort) },
      ],
    },
    {
      title: '1,000 short connections through -p (sequential HTTP GETs, new TCP connection each; total ms)',
      runs: 5, warmup: 1,
      contenders: [
        { name: 'Pier', run: () => connections(pierPort) },
        { name: 'podman', run: () => connections(podPort) },
      ],
    },
    {
      title: 'Container start with the default bridge network and one published port (`run -d -p 127.0.0.1::80`)',
      target: '<= 0.6x podman', runs: 10, warmup: 2,
      contenders: [
        { name: 'Pier (docker CLI → pier serve)', run: () => start('pier', DOCKER, [], env), teardown: removeStarted },
        { name: 'podman run -d', run: () => start('podman', 'podman', podman), teardown: removeStarted },
      ],
    },
  ];
}

export async function cleanup(): Promise<void> {
  if (dir) {
    const env = { ...process.env, DOCKER_HOST: `unix://${path.join(dir, 'pier.sock')}` };
    const ids = await out(DOCKER, ['ps', '-aq'], env).catch(() => '');
    if (ids) await out(DOCKER, ['rm', '-f', ...ids.split('\n')], env).catch(() => undefined);
    try { execFileSync('podman', [...podman, 'rm', '-af', '-t', '0'], { stdio: 'ignore' }); } catch { /* nothing left */ }
  }
  for (const p of procs) if (p.exitCode === null) { p.kill('SIGTERM'); await new Promise((r) => { p.once('exit', r); setTimeout(r, 5000); }); }
  if (dir) rmSync(dir, { recursive: true, force: true });
}
