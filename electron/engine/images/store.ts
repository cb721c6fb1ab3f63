// The content store under `<root>/images`:
//
//   blobs/sha256/<hex>         verified blobs (manifests, configs, layer archives as fetched)
//   layers/<chain-hex>/        one unpacked layer per chain id (diff id + its parents):
//       diff/                    the layer's files (overlay lower dir), whiteouts as 0:0 devices
//       layer.json               { chainId, diffId, parent, size, whiteouts }
//   ingest/                    temporary downloads and staged archives (wiped at start)
//   layers/.tmp-*              layers being extracted (wiped at start)
//   images.json                image records; rewritten atomically (temp + fsync + rename)
//
// Visibility rule: a blob appears only once verified and renamed into blobs/; a layer
// appears only when completely extracted (rename of its directory); an image appears
// only when images.json names it, which is written last. A crash at any point leaves
// at most unreferenced, but valid, blobs and layers (reused by the next pull, removed
// by prune) and never a partial image.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import crypto from 'node:crypto';
import type { OciImageConfig } from './schema';

export interface LayerDescriptor { digest: string; mediaType: string; size: number; diffId: string }
export interface StoredImage {
  id: string;
  /** Fully qualified `name:tag` (or a local short name when no default registry is set). */
  repoTags: string[];
  /** `name@sha256:…` (manifest digests). */
  repoDigests: string[];
  created: string;
  manifest: { digest: string; mediaType: string; size: number };
  layers: LayerDescriptor[];
  config: OciImageConfig;
  addedAt: string;
  /** the image this one was committed or built on (local images only) */
  parent?: string;
}
export interface LayerMeta { chainId: string; diffId: string; parent?: string; size: number; whiteouts: string[] }

export function chainIds(diffIds: string[]): string[] {
  const out: string[] = [];
  for (const d of diffIds) {
    out.push(out.length ? 'sha256:' + crypto.createHash('sha256').update(`${out[out.length - 1]} ${d}`).digest('hex') : d);
  }
  return out;
}

export function sha256(buf: Buffer | string): string {
  return 'sha256:' + crypto.createHash('sha256').update(buf).digest('hex');
}
const hex = (digest: string) => digest.slice(7);

/** Writes `data` to `file` atomically: temp file in the same directory, fsync, rename, fsync dir. */
export async function writeFileAtomic(file: string, data: Buffer | string): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  const fh = await fsp.open(tmp, 'w', 0o644);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally { await fh.close(); }
  await fsp.rename(tmp, file);
  await fsyncDir(path.dirname(file));
}
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await fsp.open(dir, 'r');
  try { await fh.sync(); } catch { /* some filesystems refuse fsync on directories */ } finally { await fh.close(); }
}

/** Serialises async critical sections. */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const r = this.tail.then(fn, fn);
    this.tail = r.catch(() => undefined);
    return r;
  }
}

export class ContentStore {
  readonly dir: string;
  readonly blobsDir: string;
  readonly layersDir: string;
  readonly ingestDir: string;
  private images: StoredImage[] = [];
  private ready?: Promise<void>;
  readonly lock = new Mutex();

  constructor(root: string) {
    this.dir = path.join(root, 'images');
    this.blobsDir = path.join(this.dir, 'blobs', 'sha256');
    this.layersDir = path.join(this.dir, 'layers');
    this.ingestDir = path.join(this.dir, 'ingest');
  }

  init(): Promise<void> {
    this.ready ??= (async () => {
      for (const d of [this.blobsDir, this.layersDir, this.ingestDir]) await fsp.mkdir(d, { recursive: true, mode: 0o700 });
      // Leftovers of a crash: never visible, just removed.
      await fsp.rm(this.ingestDir, { recursive: true, force: true });
      await fsp.mkdir(this.ingestDir, { recursive: true, mode: 0o700 });
      for (const n of await fsp.readdir(this.layersDir)) {
        if (n.startsWith('.tmp-')) await fsp.rm(path.join(this.layersDir, n), { recursive: true, force: true });
      }
      for (const n of await fsp.readdir(this.blobsDir)) {
        if (n.includes('.tmp-')) await fsp.rm(path.join(this.blobsDir, n), { force: true });
      }
      try {
        const raw = JSON.parse(await fsp.readFile(path.join(this.dir, 'images.json'), 'utf8')) as { images?: StoredImage[] };
        this.images = Array.isArray(raw.images) ? raw.images : [];
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`image store ${this.dir}/images.json is unreadable: ${(e as Error).message}`);
      }
    })();
    return this.ready;
  }

  all(): StoredImage[] { return this.images; }
  async setImages(images: StoredImage[]): Promise<void> {
    await writeFileAtomic(path.join(this.dir, 'images.json'), JSON.stringify({ version: 1, images }, null, 1));
    this.images = images;
  }

  blobPath(digest: string): string { return path.join(this.blobsDir, hex(digest)); }
  hasBlob(digest: string): boolean { return fs.existsSync(this.blobPath(digest)); }
  async readBlob(digest: string): Promise<Buffer> { return fsp.readFile(this.blobPath(digest)); }
  ingestPath(label = 'blob'): string {
    return path.join(this.ingestDir, `${label}-${process.pid}-${crypto.randomBytes(6).toString('hex')}`);
  }
  /** Moves an already verified temp file into blobs/ (fsync'ed first). */
  async commitBlob(tmp: string, digest: string): Promise<void> {
    const fh = await fsp.open(tmp, 'r');
    try { await fh.sync(); } finally { await fh.close(); }
    const dst = this.blobPath(digest);
    if (fs.existsSync(dst)) { await fsp.rm(tmp, { force: true }); return; }
    await fsp.rename(tmp, dst);
    await fsyncDir(this.blobsDir);
  }
  /** Small blobs (manifests, configs) hashed and written in one go. */
  async putBlob(bytes: Buffer): Promise<string> {
    const digest = sha256(bytes);
    if (!this.hasBlob(digest)) await writeFileAtomic(this.blobPath(digest), bytes);
    return digest;
  }

  layerDir(chainId: string): string { return path.join(this.layersDir, hex(chainId)); }
  hasLayer(chainId: string): boolean { return fs.existsSync(path.join(this.layerDir(chainId), 'layer.json')); }
  layerMeta(chainId: string): LayerMeta {
    return JSON.parse(fs.readFileSync(path.join(this.layerDir(chainId), 'layer.json'), 'utf8')) as LayerMeta;
  }
  async newLayerTemp(): Promise<string> {
    const d = path.join(this.layersDir, `.tmp-${process.pid}-${crypto.randomBytes(6).toString('hex')}`);
    await fsp.mkdir(path.join(d, 'diff'), { recursive: true, mode: 0o700 });
    return d;
  }
  /** Publishes an extracted layer directory (tmp/diff) under its chain id. */
  async commitLayer(tmp: string, meta: LayerMeta): Promise<void> {
    await fsp.writeFile(path.join(tmp, 'layer.json'), JSON.stringify(meta));
    await fsp.chmod(path.join(tmp, 'diff'), 0o755);
    const dst = this.layerDir(meta.chainId);
    if (this.hasLayer(meta.chainId)) { await fsp.rm(tmp, { recursive: true, force: true }); return; }
    await fsp.rm(dst, { recursive: true, force: true });
    await fsp.rename(tmp, dst);
    await fsyncDir(this.layersDir);
  }

  /**
   * Removes blobs and layers that no image references. `keepLayers` are chain ids
   * still used by snapshots. Returns removed layer chain ids and bytes reclaimed.
   */
  async gc(keepLayers: Set<string> = new Set()): Promise<{ layers: string[]; bytes: number }> {
    const blobs = new Set<string>();
    const layers = new Set<string>(keepLayers);
    for (const img of this.images) {
      blobs.add(img.manifest.digest);
      blobs.add(img.id);
      for (const l of img.layers) blobs.add(l.digest);
      for (const c of chainIds(img.layers.map((l) => l.diffId))) layers.add(c);
    }
    let bytes = 0;
    const removed: string[] = [];
    for (const n of await fsp.readdir(this.layersDir)) {
      if (n.startsWith('.tmp-') || layers.has('sha256:' + n)) continue;
      try { bytes += (JSON.parse(await fsp.readFile(path.join(this.layersDir, n, 'layer.json'), 'utf8')) as LayerMeta).size; } catch { /* partial */ }
      await fsp.rm(path.join(this.layersDir, n), { recursive: true, force: true });
      removed.push('sha256:' + n);
    }
    for (const n of await fsp.readdir(this.blobsDir)) {
      if (blobs.has('sha256:' + n)) continue;
      const p = path.join(this.blobsDir, n);
      try { bytes += (await fsp.stat(p)).size; } catch { /* gone */ }
      await fsp.rm(p, { force: true });
    }
    return { layers: removed, bytes };
  }
}
