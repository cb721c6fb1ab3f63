// Images, side by side: pulling the same multi-layer image from a local registry
// (Pier vs `podman pull` vs `skopeo copy` to an OCI layout, the image removed between
// runs on every side), and unpacking its layers (Pier's worker extraction vs
// `umoci unpack`). Run: `npm run bench images`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { performance } from 'node:perf_hooks';
import type { BenchCase } from './harness';
import { startRegistry, type TestRegistry } from '../test/helpers/registry';
import { buildTestImages } from '../scripts/build-test-images';
import { createImageService, type ImageService } from '../electron/engine/images/index';
import { WorkerPool } from '../electron/engine/images/workers';

const run = promisify(execFile);
let reg: TestRegistry | undefined;
let tmp: string | undefined;
const services: ImageService[] = [];
let pool: WorkerPool | undefined;

export async function cases(): Promise<BenchCase[]> {
  const imgs = await buildTestImages();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pier-bench-images-'));
  reg = await startRegistry();
  reg.push(imgs.images.big.ociRef, 'pier-test/big:latest');
  const ref = `${reg.host}/pier-test/big:latest`;
  const big = imgs.images.big;
  const manifest = JSON.parse(fs.readFileSync(path.join(imgs.ociDir, 'blobs/sha256', big.manifestDigest.slice(7)), 'utf8')) as { layers: Array<{ digest: string; size: number }> };
  const totalMB = manifest.layers.reduce((n, l) => n + l.size, 0) / (1 << 20);
  const label = `${manifest.layers.length} layers, ${totalMB.toFixed(1)} MB compressed`;

  const pierRoot = path.join(tmp, 'pier');
  const svc = createImageService({ root: pierRoot });
  services.push(svc);
  const podRoot = path.join(tmp, 'podman-root'), podRun = path.join(tmp, 'podman-run');
  const podman = (...a: string[]) => run('podman', ['--root', podRoot, '--runroot', podRun, '--storage-driver', 'overlay', ...a], { maxBuffer: 1 << 24 });
  const ociOut = path.join(tmp, 'skopeo-oci');

  const pull: BenchCase = {
    title: `pull ${label} from a local registry (image removed between runs)`,
    target: 'Pier >= 1.0x podman (lower ms is better)',
    runs: 8,
    warmup: 1,
    contenders: [
      {
        name: 'Pier (in-process engine)',
        run: async () => {
          const t0 = performance.now();
          await svc.pull(ref);
          const ms = performance.now() - t0;
          await svc.remove(ref);
          return ms;
        },
      },
      {
        name: 'podman pull',
        run: async () => {
          const t0 = performance.now();
          await podman('pull', '-q', '--tls-verify=false', ref);
          const ms = performance.now() - t0;
          await podman('rmi', '-f', ref);
          return ms;
        },
        teardown: async () => { await podman('rmi', '-a', '-f').catch(() => undefined); },
      },
      {
        name: 'skopeo copy → OCI layout',
        run: async () => {
          const t0 = performance.now();
          await run('skopeo', ['copy', '-q', '--insecure-policy', '--src-tls-verify=false', `docker://${ref}`, `oci:${ociOut}:big`]);
          const ms = performance.now() - t0;
          fs.rmSync(ociOut, { recursive: true, force: true });
          return ms;
        },
      },
    ],
  };

  // Unpack: every layer of the image from the OCI layout into fresh directories.
  pool = new WorkerPool();
  const p = pool;
  let k = 0;
  const unpack: BenchCase = {
    title: `unpack ${label} (verify + extract every layer)`,
    target: 'Pier faster than umoci',
    runs: 8,
    warmup: 1,
    contenders: [
      {
        name: 'Pier (worker threads, layers in parallel)',
        run: async () => {
          const dir = path.join(tmp!, `pier-unpack-${++k}`);
          const t0 = performance.now();
          await Promise.all(manifest.layers.map(async (l, i) => {
            const dest = path.join(dir, String(i));
            fs.mkdirSync(dest, { recursive: true });
            await p.extract({ file: path.join(imgs.ociDir, 'blobs/sha256', l.digest.slice(7)), dest, label: l.digest, expectDigest: l.digest, expectDiffId: big.layerDiffIds[i], whiteoutMode: 'overlay' });
          }));
          const ms = performance.now() - t0;
          fs.rmSync(dir, { recursive: true, force: true });
          return ms;
        },
      },
      {
        name: 'umoci unpack',
        run: async () => {
          const dir = path.join(tmp!, `umoci-unpack-${++k}`);
          const t0 = performance.now();
          await run('umoci', ['unpack', '--image', `${imgs.ociDir}:big`, dir]);
          const ms = performance.now() - t0;
          fs.rmSync(dir, { recursive: true, force: true });
          return ms;
        },
      },
    ],
  };
  return [pull, unpack];
}

export async function cleanup(): Promise<void> {
  for (const s of services) await s.close();
  await pool?.close();
  await reg?.stop();
  if (tmp) {
    await run('podman', ['--root', path.join(tmp, 'podman-root'), '--runroot', path.join(tmp, 'podman-run'), '--storage-driver', 'overlay', 'system', 'reset', '-f']).catch(() => undefined);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
