// Checkpoint + export and import + restore of the same small container (a busybox
// shell counter, network none): Pier (engine facade, as the UI and API call it) vs
// podman (its CLI, as users call it), side by side.
//   node --import tsx bench/run.ts checkpoint
import fs from 'node:fs';
import path from 'node:path';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { performance } from 'node:perf_hooks';
import type { BenchCase } from './harness';
import { openEngine } from '../electron/engine/open';
import type { Engine } from '../electron/engine/engine';
import { testDirs, type TestDirs } from '../test/helpers/rootfs';
import { buildTestImages } from '../scripts/build-test-images';

const exec = promisify(execFile);
const COUNTER = 'i=0; while true; do i=$((i+1)); echo $i; echo $i > /tmp/counter; sleep 0.1; done';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let d: TestDirs | undefined;
let engine: Engine | undefined;
const podmanNames = new Set<string>();

async function podman(...args: string[]): Promise<string> {
  return (await exec('podman', args, { maxBuffer: 1 << 24 })).stdout;
}

export async function cases(): Promise<BenchCase[]> {
  if (spawnSync('podman', ['--version']).status !== 0) throw new Error('podman is not installed: nothing to compare with');
  d = testDirs('pier-bench-cp-');
  const e = engine = await openEngine({ root: d.root, runroot: d.runroot });
  if (!e.checkpoints?.capability().supported) throw new Error(`checkpoints unsupported here: ${e.checkpoints?.capability().reason}`);
  const imgs = await buildTestImages();
  const [img] = await e.images!.load(imgs.dockerArchive);
  await podman('load', '-q', '-i', imgs.dockerArchive);
  const podImage = 'localhost/pier-test/busybox:latest';

  const pierName = `bench-pier-${process.pid}`, podName = `bench-podman-${process.pid}`;
  podmanNames.add(podName);
  const c = await e.containers.create({ name: pierName, image: img.repoTags[0], entrypoint: [], cmd: ['sh', '-c', COUNTER] });
  await e.containers.start(c.id);
  await podman('run', '-d', '--name', podName, '--network', 'none', podImage, 'sh', '-c', COUNTER);
  await sleep(500);

  const out = path.join(d.base, 'podman.tar.zst');
  // archives for the import cases, one from each engine
  const pierArchive = (await e.checkpoints.create(pierName, { leaveRunning: true, export: true })).archive!;
  const podArchive = path.join(d.base, 'podman-src.tar.zst');
  await podman('container', 'checkpoint', '--leave-running', '--export', podArchive, podName);

  let n = 0;
  return [
    {
      title: 'checkpoint + export, leave running (small busybox counter)',
      target: '<= 0.7x podman',
      runs: 12,
      warmup: 1,
      contenders: [
        {
          name: 'Pier (engine)',
          run: async () => {
            const t = performance.now();
            const cp = await e.checkpoints!.create(pierName, { leaveRunning: true, export: true });
            const ms = performance.now() - t;
            await e.checkpoints!.remove(cp.id);
            return ms;
          },
        },
        {
          name: 'podman 4.3 (CLI)',
          run: async () => {
            const t = performance.now();
            await podman('container', 'checkpoint', '--leave-running', '--export', out, podName);
            const ms = performance.now() - t;
            fs.rmSync(out, { force: true });
            return ms;
          },
        },
      ],
    },
    {
      title: 'import + restore as a new container (same small container)',
      target: '<= 0.7x podman',
      runs: 12,
      warmup: 1,
      contenders: [
        {
          name: 'Pier (engine)',
          run: async () => {
            const name = `bench-pier-r${n++}`;
            const t = performance.now();
            const r = await e.checkpoints!.import(pierArchive, { name });
            const ms = performance.now() - t;
            await e.containers.remove(r.id, { force: true });
            for (const cp of await e.checkpoints!.list()) if (cp.containerName === name) await e.checkpoints!.remove(cp.id);
            return ms;
          },
        },
        {
          name: 'podman 4.3 (CLI)',
          run: async () => {
            const name = `bench-podman-r${process.pid}-${n++}`;
            podmanNames.add(name);
            const t = performance.now();
            await podman('container', 'restore', '--import', podArchive, '--name', name);
            const ms = performance.now() - t;
            await podman('rm', '-f', name);
            podmanNames.delete(name);
            return ms;
          },
        },
      ],
    },
  ];
}

export async function cleanup(): Promise<void> {
  for (const name of podmanNames) spawnSync('podman', ['rm', '-f', name]);
  if (engine) {
    for (const c of engine.containers.list()) await engine.containers.remove(c.id, { force: true }).catch(() => undefined);
    await engine.close();
  }
  d?.cleanup();
}
