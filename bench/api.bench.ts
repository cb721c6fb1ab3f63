// `docker run --rm IMAGE echo hi`, side by side:
//   Pier            docker CLI → Pier's API socket (`pier serve`, isolated root)
//   podman          `podman run --rm` (isolated --root/--runroot, runc, cgroupfs)
//   podman service  docker CLI → `podman system service` (same isolated podman root)
// Every contender uses the host network (Pier has no bridge; podman's bridge setup would
// dominate its figure otherwise) and the same busybox-static test image, loaded first.
// Attach throughput: 200 MB on stdout of a non-TTY `docker run` through Pier's socket vs `podman run`, read to the
// end by this process. PIER_BENCH_PIER_ONLY=1 measures Pier alone (no podman started; e.g. before/after a change,
// with PIER_ATTACH_PUMP=0 for the JavaScript attach path).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import os from 'node:os';
import path from 'node:path';
import type { BenchCase } from './harness.ts';
import { DOCKER, run, podmanArgs, startPier, startPodmanService, type Peer } from './peers.ts';

const IMG = 'pier-test/busybox';
const peers: Peer[] = [];
let dir: string | undefined;

/** One `echo hi` run; anything but `hi` is a failure, not a figure. */
async function hi(cmd: string, args: string[], env?: NodeJS.ProcessEnv): Promise<void> {
  const out = await run(cmd, [...args, 'run', '--rm', '--network', 'host', IMG, 'echo', 'hi'], env);
  if (out !== 'hi\n') throw new Error(`unexpected output ${JSON.stringify(out)}`);
}

const FLOOD_BYTES = 200_000_000;
const FLOOD = `yes 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde | head -c ${FLOOD_BYTES}`;

/** One non-TTY `run` of FLOOD with stdout read to the end; MB/s, or a failure when a byte is missing. */
function flood(cmd: string, args: string[], env?: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn(cmd, [...args, 'run', '--rm', '--network', 'none', IMG, 'sh', '-c', FLOOD], { env: env ?? process.env, stdio: ['ignore', 'pipe', 'inherit'] });
    let bytes = 0;
    p.stdout.on('data', (b: Buffer) => { bytes += b.length; });
    p.on('error', reject);
    p.on('close', (code) => {
      if (code !== 0 || bytes !== FLOOD_BYTES) reject(new Error(`${cmd} exited ${code} after ${bytes} bytes`));
      else resolve(bytes / 1e6 / ((performance.now() - t0) / 1000));
    });
  });
}

export async function cases(): Promise<BenchCase[]> {
  if (!existsSync(DOCKER)) throw new Error(`${DOCKER} not installed`);
  const { buildTestImages } = await import('../scripts/build-test-images.ts');
  const archive = (await buildTestImages()).dockerArchive;
  dir = mkdtempSync(path.join(os.tmpdir(), 'pier-bench-api-'));
  const pier = await startPier(dir, archive);
  peers.push(pier);
  const attach: BenchCase = {
    title: 'attach throughput, non-TTY: `docker run` of 200 MB on stdout (docker CLI → Pier socket vs podman run)',
    unit: 'MB/s',
    target: '>= 1.2x podman (stretch 1.5x; higher is better)',
    runs: 6,
    warmup: 1,
    contenders: [{ name: 'Pier (docker CLI → pier serve)', run: () => flood(DOCKER, [], pier.env) }],
  };
  if (process.env.PIER_BENCH_PIER_ONLY) return [attach];
  const podman = await startPodmanService(dir, archive);
  peers.push(podman);
  attach.contenders.push({ name: 'podman run (stdout piped)', run: () => flood('podman', podmanArgs(dir!)) });
  return [attach, {
    title: '`docker run --rm busybox echo hi` (docker CLI → Pier socket vs podman run vs docker CLI → podman service)',
    target: '<= 0.5x podman',
    runs: 20,
    warmup: 3,
    contenders: [
      { name: 'Pier (docker CLI → pier serve)', run: () => hi(DOCKER, [], pier.env) },
      { name: 'podman run --rm', run: () => hi('podman', podmanArgs(dir!)) },
      { name: 'docker CLI → podman system service', run: () => hi(DOCKER, [], podman.env) },
    ],
  }];
}

export async function cleanup(): Promise<void> {
  for (const p of peers) await p.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}
