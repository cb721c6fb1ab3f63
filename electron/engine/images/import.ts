// The one import path (pull, load, commit/build): read the config, then fetch or stage each
// blob, verify and extract it in a worker into a private temp directory (a few at a time, the
// first failure aborting the rest), then — under the store lock — publish the layers bottom-up
// and their blobs, and last the image record. A failed import leaves no layer, blob or temp.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { BadArchiveError, ImageError } from './errors';
import { chainIds, sha256, type ContentStore, type LayerDescriptor, type LayerMeta, type StoredImage } from './store';
import type { WorkerPool } from './workers';
import { ImageConfigSchema, MT, parseJson, type OciImageConfig } from './schema';
import type { ExtractResult, WhiteoutMode } from './extract';
import type { ImageProgress } from './index';

export interface ImportLayer {
  digest?: string;
  mediaType?: string;
  size?: number;
  /** An existing local file with the blob (archive input). */
  file?: string;
  /** Downloads the blob into `file` (registry input). */
  download?: (file: string, onData: (n: number) => void) => Promise<void>;
}

export interface ImportJob {
  label: string;
  progressRef: string;
  configBytes: Buffer;
  manifest?: { bytes: Buffer; mediaType: string };
  layers: ImportLayer[];
  tags: string[];
  repoDigests: string[];
  onProgress?: (p: ImageProgress) => void;
  signal?: AbortSignal;
  /** Archive staging files may be hard-linked into the store instead of moved. */
  keepSources: boolean;
  parent?: string;
  digestCache?: Map<string, string>;
}

/** What an import works with: the content store, the extraction workers, how whiteouts are kept. */
export interface ImportDeps {
  store: ContentStore;
  pool: WorkerPool;
  whiteoutMode: WhiteoutMode;
}

/** A layer ready to publish: already in the store (reused), or extracted into tmpDir. */
interface StagedLayer {
  digest: string;
  mediaType: string;
  size: number;
  /** the blob to commit to the store, when the import owns it or it came from the archive */
  file?: string;
  tmpDir?: string;
  res?: ExtractResult;
  reused: boolean;
}

const PULL_CONCURRENCY = 3;
const MEDIA_TYPE = { gzip: MT.ociLayerGzip, zstd: MT.ociLayerZstd, none: MT.ociLayer } as const;

/** Imports `job`; `toRecord` runs under the store lock on the stored image. */
export async function importImage<T>(d: ImportDeps, job: ImportJob, toRecord: (s: StoredImage) => T): Promise<T> {
  return new ImageImport(d, job).run(toRecord);
}

class ImageImport {
  private readonly config: OciImageConfig;
  private readonly diffIds: string[];
  private readonly chains: string[];
  /** files and directories to remove at the end, whatever happens */
  private readonly temps: string[] = [];
  private readonly ac = new AbortController();
  private readonly store: ContentStore;

  constructor(
    private readonly d: ImportDeps,
    private readonly job: ImportJob,
  ) {
    this.store = d.store;
    this.config = parseJson(
      ImageConfigSchema,
      job.configBytes,
      `image config of ${job.label}`,
      (msg) => new BadArchiveError(msg),
    );
    this.diffIds = this.config.rootfs.diff_ids;
    if (this.diffIds.length !== job.layers.length) {
      throw new BadArchiveError(
        `${job.label}: the config lists ${this.diffIds.length} layers but the manifest has ${job.layers.length}`,
      );
    }
    this.chains = chainIds(this.diffIds);
  }

  private emit(p: Omit<ImageProgress, 'ref'>): void {
    this.job.onProgress?.({ ref: this.job.progressRef, ...p });
  }

  async run<T>(toRecord: (s: StoredImage) => T): Promise<T> {
    const { job } = this;
    const onAbort = () => this.ac.abort(job.signal?.reason);
    job.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const staged = await this.stageAll();
      if (job.signal?.aborted) throw job.signal.reason;
      return await this.store.lock.run(async () => {
        await this.publishLayers(staged);
        const rec = await this.recordImage(staged);
        for (const s of staged) if (!s.reused) this.emit({ layer: s.digest, status: 'done' });
        return toRecord(rec);
      });
    } finally {
      job.signal?.removeEventListener('abort', onAbort);
      await Promise.all(this.temps.map((t) => fsp.rm(t, { recursive: true, force: true })));
    }
  }

  // ---------- stage: fetch, verify, extract (outside the lock)

  /** Stages every layer with bounded parallelism; the first failure aborts the rest. */
  private async stageAll(): Promise<StagedLayer[]> {
    const n = this.job.layers.length;
    const staged: StagedLayer[] = new Array(n);
    let next = 0;
    const errors: unknown[] = [];
    const lane = async () => {
      while (next < n && !errors.length) {
        const i = next++;
        try {
          staged[i] = await this.stage(i);
        } catch (e) {
          errors.push(e);
          this.ac.abort(e);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(PULL_CONCURRENCY, n) }, lane));
    if (errors.length) throw errors[0];
    return staged;
  }

  private async stage(i: number): Promise<StagedLayer> {
    const l = this.job.layers[i];
    const id = l.digest ?? this.diffIds[i];
    const known = l.digest ?? (l.file ? this.job.digestCache?.get(l.file) : undefined);
    const reused = this.reuse(i, known);
    if (reused) {
      this.emit({ layer: id, status: 'exists' });
      return reused;
    }
    const { file, owned } = await this.source(l, id, known);
    if (this.ac.signal.aborted) throw this.ac.signal.reason;
    this.emit({ layer: id, status: 'verifying' });
    const tmpDir = await this.store.newLayerTemp();
    this.temps.push(tmpDir);
    this.emit({ layer: id, status: 'extracting' });
    const res = await this.d.pool.extract({
      file,
      dest: path.join(tmpDir, 'diff'),
      label: `layer ${id} of ${this.job.label}`,
      expectDigest: known,
      expectDiffId: this.diffIds[i],
      whiteoutMode: this.d.whiteoutMode,
    });
    if (l.file) this.job.digestCache?.set(l.file, res.digest);
    const keep = owned || (l.file && file === l.file);
    return {
      digest: res.digest,
      mediaType: l.mediaType ?? MEDIA_TYPE[res.compression],
      size: res.size,
      file: keep ? file : undefined,
      tmpDir,
      res,
      reused: false,
    };
  }

  /** The layer as the store has it already (layer and blob), when its digest is known. */
  private reuse(i: number, digest: string | undefined): StagedLayer | undefined {
    if (!digest || !this.store.hasLayer(this.chains[i]) || !this.store.hasBlob(digest)) return undefined;
    const l = this.job.layers[i];
    const size = l.size ?? fs.statSync(this.store.blobPath(digest)).size;
    return { digest, mediaType: l.mediaType ?? MT.ociLayer, size, reused: true };
  }

  /** The blob's local file: the store's copy, the archive's file, or a download the import owns. */
  private async source(
    l: ImportLayer,
    id: string,
    digest: string | undefined,
  ): Promise<{ file: string; owned: boolean }> {
    if (digest && this.store.hasBlob(digest)) return { file: this.store.blobPath(digest), owned: false };
    if (l.file) return { file: l.file, owned: false };
    const file = this.store.ingestPath('layer');
    this.temps.push(file);
    this.emit({ layer: id, status: 'downloading', current: 0, total: l.size });
    let last = 0;
    await l.download!(file, (n) => {
      const now = Date.now();
      if (now - last >= 100 || n === l.size) {
        last = now;
        this.emit({ layer: id, status: 'downloading', current: n, total: l.size });
      }
    });
    return { file, owned: true };
  }

  // ---------- publish and record (under the store lock)

  /** Commits the extracted layers bottom-up, then each layer's blob. */
  private async publishLayers(staged: StagedLayer[]): Promise<void> {
    for (let i = 0; i < staged.length; i++) {
      const r = staged[i];
      if (r.reused) {
        if (!this.store.hasLayer(this.chains[i]))
          throw new ImageError(
            'EREGISTRY',
            `${this.job.label}: layer ${this.chains[i]} was removed while importing; try again`,
          );
        continue;
      }
      if (!this.store.hasLayer(this.chains[i])) await this.commitLayer(i, r);
      if (r.file && !this.store.hasBlob(r.digest)) await this.commitBlob(r.file, r.digest);
    }
  }

  /** Publishes layer i; its opaque directories become whiteouts of the lower layers' entries. */
  private async commitLayer(i: number, r: StagedLayer): Promise<void> {
    const res = r.res!;
    let whiteouts = res.whiteouts;
    if (res.opaque.length) {
      const lowers = this.chains
        .slice(0, i)
        .reverse()
        .map((c) => ({ dir: path.join(this.store.layerDir(c), 'diff'), whiteouts: this.store.layerMeta(c).whiteouts }));
      whiteouts = whiteouts.concat(
        await this.d.pool.materialize(path.join(r.tmpDir!, 'diff'), res.opaque, lowers, this.d.whiteoutMode),
      );
    }
    const meta: LayerMeta = {
      chainId: this.chains[i],
      diffId: this.diffIds[i],
      parent: i ? this.chains[i - 1] : undefined,
      size: res.unpackedSize,
      whiteouts,
    };
    await this.store.commitLayer(r.tmpDir!, meta);
  }

  private async commitBlob(file: string, digest: string): Promise<void> {
    if (!this.job.keepSources) return this.store.commitBlob(file, digest);
    const copy = await linkOrCopy(file, this.store.ingestPath('keep'));
    await this.store.commitBlob(copy, digest);
  }

  /** Stores config and manifest blobs and adds or updates the image record (tags move to it). */
  private async recordImage(staged: StagedLayer[]): Promise<StoredImage> {
    const { job } = this;
    await this.store.putBlob(job.configBytes);
    const layers: LayerDescriptor[] = staged.map((r, i) => ({
      digest: r.digest,
      mediaType: r.mediaType,
      size: r.size,
      diffId: this.diffIds[i],
    }));
    const manifest = job.manifest ?? synthesizeManifest(job.configBytes, layers);
    const manifestRef = {
      digest: await this.store.putBlob(manifest.bytes),
      mediaType: manifest.mediaType,
      size: manifest.bytes.length,
    };
    const images = this.store.all().map((s) => ({ ...s, repoTags: s.repoTags.filter((t) => !job.tags.includes(t)) }));
    const rec = this.upsert(images, layers, manifestRef);
    await this.store.setImages(images);
    return rec;
  }

  /** The image's record in `images` (the store's list, tags being moved): updated, or added. */
  private upsert(images: StoredImage[], layers: LayerDescriptor[], manifest: StoredImage['manifest']): StoredImage {
    const { job } = this;
    const id = sha256(job.configBytes);
    const rec = images.find((s) => s.id === id);
    if (rec) {
      rec.repoTags = [...new Set([...rec.repoTags, ...job.tags])];
      rec.repoDigests = [...new Set([...rec.repoDigests, ...job.repoDigests])];
      if (job.manifest) rec.manifest = manifest;
      rec.layers = layers;
      return rec;
    }
    const added: StoredImage = {
      id,
      repoTags: [...job.tags],
      repoDigests: [...job.repoDigests],
      created: this.config.created ?? new Date().toISOString(),
      manifest,
      layers,
      config: this.config,
      addedAt: new Date().toISOString(),
      ...(job.parent ? { parent: job.parent } : {}),
    };
    images.push(added);
    return added;
  }
}

async function linkOrCopy(src: string, dst: string): Promise<string> {
  try {
    await fsp.link(src, dst);
  } catch {
    await fsp.copyFile(src, dst);
  }
  return dst;
}

/** An OCI manifest for an image that arrived without one (docker-archive). Deterministic. */
function synthesizeManifest(configBytes: Buffer, layers: LayerDescriptor[]): { bytes: Buffer; mediaType: string } {
  const m = {
    schemaVersion: 2,
    mediaType: MT.ociManifest,
    config: { mediaType: MT.ociConfig, digest: sha256(configBytes), size: configBytes.length },
    layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })),
  };
  return { bytes: Buffer.from(JSON.stringify(m)), mediaType: MT.ociManifest };
}
