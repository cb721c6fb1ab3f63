// Disk usage for the System view: sizes walked off the event loop's hot path in small steps.
import { readdir, lstat } from 'node:fs/promises';
import path from 'node:path';
import type { Engine } from '../engine/engine';

async function du(dir: string, budget = { files: 200_000 }): Promise<number> {
  let total = 0;
  let names: import('node:fs').Dirent[];
  try { names = await readdir(dir, { withFileTypes: true }); } catch { return 0; }
  for (const d of names) {
    if (budget.files-- <= 0) break;
    const p = path.join(dir, d.name);
    if (d.isDirectory()) total += await du(p, budget);
    else { try { total += (await lstat(p)).size; } catch { /* raced */ } }
  }
  return total;
}

export async function diskUsage(engine: Engine): Promise<{ images: number; layersSize: number; containers: number; checkpoints: number }> {
  const img = engine.images ? await engine.images.diskUsage().catch(() => ({ images: 0, layersSize: 0 })) : { images: 0, layersSize: 0 };
  const [containers, checkpoints] = await Promise.all([du(path.join(engine.opts.root, 'containers')), du(path.join(engine.opts.root, 'checkpoints'))]);
  return { images: img.images, layersSize: img.layersSize, containers, checkpoints };
}
