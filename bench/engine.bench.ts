// Engine core and sessions, side by side with podman on the same busybox image:
// run-to-exit of `echo hi`, exec latency, non-tty attach throughput, keystroke round trip.
// Pier runs in-process (the engine facade); podman runs its CLI with an isolated root.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, execFileSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import type { BenchCase } from './harness';
import { buildTestImages } from '../scripts/build-test-images';
import { openEngine } from '../electron/engine/open';
import type { Engine } from '../electron/engine/engine';

let engine: Engine | undefined;
let tmp = '';
let podmanArgs: string[] = [];
const IMG = 'pier-test/busybox:latest';
const PODMAN_IMG = 'localhost/pier-test/busybox:latest';

function podman(args: string[], opts: { countStdout?: boolean } = {}): Promise<{ code: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const p = spawn('podman', [...podmanArgs, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let bytes = 0, err = '';
    p.stdout.on('data', (b: Buffer) => { bytes += b.length; });
    p.stderr.on('data', (b: Buffer) => { err += b; });
    p.on('error', reject);
    p.on('close', (code) => (code === 0 || opts.countStdout ? resolve({ code: code ?? -1, bytes }) : reject(new Error(`podman ${args.join(' ')}: ${err.trim()}`))));
  });
}

async function pierRun(cmd: string[]): Promise<void> {
  const e = engine!;
  const c = await e.containers.create({ image: IMG, cmd });
  const w = e.containers.wait(c.id, 'next-exit');
  await e.containers.start(c.id);
  await w;
  await e.containers.remove(c.id);
}

let keyN = 0;
const FLOOD = 'yes 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde | head -c 200000000';

export async function cases(): Promise<BenchCase[]> {
  const imgs = await buildTestImages();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pier-bench-engine-'));
  engine = await openEngine({ root: path.join(tmp, 'root'), runroot: path.join(tmp, 'run') });
  await engine.images!.load(imgs.dockerArchive);
  podmanArgs = ['--root', path.join(tmp, 'podman-root'), '--runroot', path.join(tmp, 'podman-run'), '--storage-driver', 'overlay', '--cgroup-manager', 'cgroupfs', '--events-backend', 'file'];
  execFileSync('podman', [...podmanArgs, 'load', '-i', imgs.dockerArchive], { stdio: 'ignore' });

  // long-running containers for exec and keystrokes
  const target = await engine.containers.create({ image: IMG, name: 'bench-exec', cmd: ['sleep', '3600'] });
  await engine.containers.start(target.id);
  await podman(['run', '-d', '--network', 'none', '--name', 'bench-exec', PODMAN_IMG, 'sleep', '3600']);
  const shell = await engine.containers.create({ image: IMG, name: 'bench-tty', cmd: ['cat'], tty: true, openStdin: true });
  const tty = await engine.sessions!.attach(shell.id);
  await engine.containers.start(shell.id);

  return [
    {
      title: 'run to exit: `echo hi` (create + start + wait + remove)',
      target: 'Pier <= 0.4x podman',
      runs: 20,
      contenders: [
        { name: 'Pier (engine, in-process)', run: () => pierRun(['echo', 'hi']) },
        { name: 'podman run --rm', run: async () => { await podman(['run', '--rm', '--network', 'none', PODMAN_IMG, 'echo', 'hi']); } },
      ],
    },
    {
      title: 'exec latency: `echo hi` in a running container',
      target: 'Pier <= 0.4x podman',
      runs: 20,
      contenders: [
        { name: 'Pier (engine exec via conmon)', run: async () => { const s = await engine!.sessions!.exec('bench-exec', { cmd: ['echo', 'hi'] }); s.watch(() => undefined, () => undefined); await s.exited; } },
        { name: 'podman exec', run: async () => { await podman(['exec', 'bench-exec', 'echo', 'hi']); } },
      ],
    },
    {
      title: 'attach throughput, non-tty: 200 MB of `yes` read to the end',
      unit: 'MB/s',
      target: 'Pier >= 1.5x podman (higher is better)',
      runs: 4,
      warmup: 1,
      contenders: [
        {
          name: 'Pier (attach session)',
          run: async () => {
            const e = engine!;
            const c = await e.containers.create({ image: IMG, cmd: ['sh', '-c', FLOOD] });
            const s = await e.sessions!.attach(c.id);
            let bytes = 0;
            const done = new Promise<void>((r) => s.watch((b) => { bytes += b.length; }, () => r(), { scrollback: false }));
            const t0 = performance.now();
            await e.containers.start(c.id);
            await done;
            const mbs = bytes / 1e6 / ((performance.now() - t0) / 1000);
            await e.containers.remove(c.id, { force: true });
            if (bytes !== 200_000_000) throw new Error(`Pier read ${bytes} bytes`);
            return mbs;
          },
        },
        {
          name: 'podman run (stdout piped)',
          run: async () => {
            const t0 = performance.now();
            const r = await podman(['run', '--rm', '--network', 'none', PODMAN_IMG, 'sh', '-c', FLOOD], { countStdout: true });
            if (r.bytes !== 200_000_000) throw new Error(`podman read ${r.bytes} bytes`);
            return r.bytes / 1e6 / ((performance.now() - t0) / 1000);
          },
        },
      ],
    },
    {
      title: 'keystroke round trip (one byte to a tty shell, until its echo) at the engine boundary',
      target: 'p50 <= 2 ms, p99 <= 10 ms (median and p90 shown; p99 in the note)',
      runs: 300,
      warmup: 10,
      contenders: [
        {
          name: 'Pier (attach session, tty)',
          run: async () => {
            // a fresh letter each time, so an earlier echo can never satisfy this one
            const ch = String.fromCharCode(97 + (keyN++ % 26));
            if (keyN % 40 === 0) { await tty.write('\x15'); await new Promise((r) => setTimeout(r, 20)); }
            return new Promise<number>((resolve) => {
              let t0 = 0;
              const v = tty.watch((b) => { if (b.includes(ch)) { v.close(); resolve(performance.now() - t0); } }, () => undefined, { scrollback: false });
              t0 = performance.now();
              void tty.write(ch);
            });
          },
        },
      ],
    },
  ];
}

export async function cleanup(): Promise<void> {
  try { execFileSync('podman', [...podmanArgs, 'rm', '-f', '-t', '0', 'bench-exec'], { stdio: 'ignore' }); } catch { /* gone */ }
  if (engine) {
    for (const c of engine.containers.list()) await engine.containers.remove(c.id, { force: true }).catch(() => undefined);
    await engine.close();
  }
  try { execFileSync('podman', [...podmanArgs, 'system', 'reset', '-f'], { stdio: 'ignore' }); } catch { /* best effort */ }
  fs.rmSync(tmp, { recursive: true, force: true });
}
