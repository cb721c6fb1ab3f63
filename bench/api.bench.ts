// `docker run --rm IMAGE echo hi`, side by side:
//   Pier            docker CLI → Pier's API socket (`pier serve`, isolated root)
//   podman          `podman run --rm` (isolated --root/--runroot, runc, cgroupfs)
//   podman service  docker CLI → `podman system service` (same isolated podman root)
// Every contender uses the host network (Pier has no bridge; podman's bridge setup would
// dominate its figure otherwise) and the same busybox-static test image, loaded first.
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
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

export async function cases(): Promise<BenchCase[]> {
  if (!existsSync(DOCKER)) throw new Error(`${DOCKER} not installed`);
  const { buildTestImages } = await import('../scripts/build-test-images.ts');
  const archive = (await buildTestImages()).dockerArchive;
  dir = mkdtempSync(path.join(os.tmpdir(), 'pier-bench-api-'));
  const pier = await startPier(dir, archive);
  const podman = await startPodmanService(dir, archive);
  peers.push(pier, podman);
  return [{
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
