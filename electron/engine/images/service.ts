// ImageService: pull, load, save, list, inspect, tag, remove, history, prune, disk
// usage, over the content store (store.ts), the registry client (registry.ts) and the
// import pipeline that verifies, extracts and publishes layers (import.ts, workers.ts, extract.ts).
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { BadArchiveError, BadReferenceError, ImageError, ImageInUseError, ImageNotFoundError, RegistryError } from './errors';
import { parseReference, repoName, familiarName, formatReference, looksLikeId, DEFAULT_REGISTRY_SETTING, type Reference } from './reference';
import { RegistryClient, type Credentials } from './registry';
import { ContentStore, chainIds, sha256, type StoredImage } from './store';
import { WorkerPool } from './workers';
import { openArchive, writeTar, type ArchiveFS, type OutEntry } from './archive';
import { DockerArchiveManifest, Index, Manifest, MT, isIndexMediaType, parseJson, type OciImageConfig } from './schema';
import type { LowerLayer, WhiteoutMode } from './extract';
import { importImage, type ImportJob } from './import';
import type { ImageProgress, ImageRecord, ImageService, NewImage } from './index';

export interface ImageServiceOptions { root: string; defaultRegistry?: string; insecureRegistries?: string[]; authFile?: string }

const GOARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };
export const hostArch = (): string => GOARCH[process.arch] ?? process.arch;
const LAYER_TYPES = new Set<string>([MT.ociLayer, MT.ociLayerGzip, MT.ociLayerZstd, MT.dockerLayerGzip, 'application/vnd.docker.image.rootfs.diff.tar', 'application/vnd.docker.image.rootfs.diff.tar.zstd']);

export class LocalImageService implements ImageService {
  readonly store: ContentStore;
  readonly pool = new WorkerPool();
  readonly defaultRegistry?: string;
  readonly whiteoutMode: WhiteoutMode = typeof process.getuid === 'function' && process.getuid() === 0 ? 'overlay' : 'list';
  private readonly registry: RegistryClient;

  constructor(opts: ImageServiceOptions) {
    this.store = new ContentStore(opts.root);
    this.defaultRegistry = (opts.defaultRegistry ?? process.env[DEFAULT_REGISTRY_SETTING])?.trim() || undefined;
    this.registry = new RegistryClient({ insecureRegistries: opts.insecureRegistries ?? envList('PIER_INSECURE_REGISTRIES'), authFile: opts.authFile });
  }

  // ---------- lookup ----------

  private toRecord(s: StoredImage): ImageRecord {
    const size = chainIds(s.layers.map((l) => l.diffId)).reduce((n, c) => n + (this.layerSize(c) ?? 0), 0);
    return {
      id: s.id,
      repoTags: s.repoTags.map((t) => familiarName(t, this.defaultRegistry)),
      repoDigests: s.repoDigests.map((t) => familiarName(t, this.defaultRegistry)),
      created: s.config.created ?? s.addedAt,
      size,
      layers: s.layers.map((l) => l.diffId),
      config: s.config,
      ...(s.parent ? { parent: s.parent } : {}),
    };
  }
  private layerSizes = new Map<string, number>();
  private layerSize(chain: string): number | undefined {
    let v = this.layerSizes.get(chain);
    if (v === undefined && this.store.hasLayer(chain)) { v = this.store.layerMeta(chain).size; this.layerSizes.set(chain, v); }
    return v;
  }

  /** Finds a stored image by reference, `name@digest`, full id or unique id prefix. */
  private find(refOrId: string): StoredImage | undefined {
    const imgs = this.store.all();
    let ref: Reference | undefined;
    try { ref = parseReference(refOrId, this.defaultRegistry); } catch { /* maybe an id */ }
    if (ref) {
      const name = repoName(ref);
      const hit = ref.digest
        ? imgs.find((i) => i.repoDigests.includes(`${name}@${ref.digest}`) || i.manifest.digest === ref.digest && i.repoTags.some((t) => t.startsWith(name + ':')))
        : imgs.find((i) => i.repoTags.includes(`${name}:${ref.tag}`));
      if (hit) return hit;
    }
    if (looksLikeId(refOrId)) {
      const hex = refOrId.replace(/^sha256:/, '');
      const hits = imgs.filter((i) => i.id.slice(7).startsWith(hex));
      if (hits.length === 1) return hits[0];
      if (hits.length > 1) throw new ImageError('EBADREF', `image id prefix "${refOrId}" is ambiguous (${hits.length} images match)`);
    }
    return undefined;
  }
  private get(refOrId: string): StoredImage {
    const s = this.find(refOrId);
    if (!s) throw new ImageNotFoundError(refOrId);
    return s;
  }

  async list(): Promise<ImageRecord[]> {
    await this.store.init();
    return this.store.all().map((s) => this.toRecord(s));
  }
  async inspect(refOrId: string): Promise<ImageRecord> {
    await this.store.init();
    return this.toRecord(this.get(refOrId));
  }
  /** The image's unpacked layers, bottom first (for snapshots). */
  async layerStack(refOrId: string): Promise<Array<LowerLayer & { chainId: string }>> {
    await this.store.init();
    const s = this.get(refOrId);
    return chainIds(s.layers.map((l) => l.diffId)).map((c) => {
      if (!this.store.hasLayer(c)) throw new ImageError('ENOIMAGE', `image ${refOrId}: layer ${c} is missing from the store; pull or load the image again`);
      return { chainId: c, dir: path.join(this.store.layerDir(c), 'diff'), whiteouts: this.store.layerMeta(c).whiteouts };
    });
  }

  // ---------- pull ----------

  async pull(refStr: string, opts: { onProgress?: (p: ImageProgress) => void; signal?: AbortSignal; auth?: Credentials } = {}): Promise<ImageRecord> {
    await this.store.init();
    const ref = parseReference(refStr, this.defaultRegistry);
    if (!ref.domain) {
      throw new BadReferenceError(refStr, `a short name needs a default registry: set ${DEFAULT_REGISTRY_SETTING} (or the engine's defaultRegistry setting), or use a fully qualified name HOST[:PORT]/NAME[:TAG]`);
    }
    const name = formatReference(ref);
    const emit = (p: Omit<ImageProgress, 'ref'>) => opts.onProgress?.({ ref: refStr, ...p });
    const ro = { signal: opts.signal, auth: opts.auth };
    emit({ status: 'resolving' });
    const top = await this.registry.manifest(ref, ref.digest ?? ref.tag!, ro);
    let m = top;
    if (isIndexMediaType(top.mediaType)) {
      const idx = parseJson(Index, top.bytes, `image index of ${name}`, (msg) => new RegistryError(msg));
      const arch = hostArch();
      const pick = idx.manifests.find((d) => d.platform?.os === 'linux' && d.platform.architecture === arch)
        ?? (idx.manifests.length === 1 && !idx.manifests[0].platform ? idx.manifests[0] : undefined);
      if (!pick) {
        const have = idx.manifests.map((d) => d.platform ? `${d.platform.os}/${d.platform.architecture}` : '?').join(', ');
        throw new ImageError('ENOIMAGE', `pulling ${name}: no linux/${arch} image in its index (has: ${have || 'none'})`);
      }
      m = await this.registry.manifest(ref, pick.digest, ro);
      if (isIndexMediaType(m.mediaType)) throw new RegistryError(`pulling ${name}: nested image indexes are not supported`);
    }
    const manifest = parseJson(Manifest, m.bytes, `manifest of ${name}`, (msg) => new RegistryError(`pulling ${msg}`));
    for (const l of manifest.layers) {
      if (l.mediaType && !LAYER_TYPES.has(l.mediaType)) throw new RegistryError(`pulling ${name}: layer ${l.digest} has unsupported media type ${l.mediaType}`);
    }
    const configBytes = await this.registry.blobBytes(ref, manifest.config.digest, 8 << 20, ro);
    const tags = ref.tag && !ref.digest ? [`${repoName(ref)}:${ref.tag}`] : [];
    const rec = await this.importImage({
      label: name,
      progressRef: refStr,
      configBytes,
      manifest: { bytes: m.bytes, mediaType: m.mediaType },
      layers: manifest.layers.map((l) => ({
        digest: l.digest, mediaType: l.mediaType ?? MT.ociLayerGzip, size: l.size,
        download: (file, onData) => this.registry.blobToFile(ref, l.digest, l.size, file, { ...ro, onData }),
      })),
      tags,
      repoDigests: [`${repoName(ref)}@${top.digest}`],
      onProgress: opts.onProgress,
      signal: opts.signal,
      keepSources: false,
    });
    emit({ status: 'done' });
    return rec;
  }

  /** The one import path (pull, load, commit): import.ts. */
  private importImage(job: ImportJob): Promise<ImageRecord> {
    return importImage(this, job, (s) => this.toRecord(s));
  }

  // ---------- commit / build ----------

  async createImage(o: NewImage): Promise<ImageRecord> {
    await this.store.init();
    const p = o.parent ? this.get(o.parent) : undefined;
    const now = new Date().toISOString();
    const diffIds = [...(p?.layers.map((l) => l.diffId) ?? []), ...(o.layer ? [o.layer.diffId] : [])];
    const config = {
      architecture: p?.config.architecture ?? hostArch(), os: 'linux', created: now,
      ...(o.author ? { author: o.author } : {}),
      config: o.config,
      rootfs: { type: 'layers', diff_ids: diffIds },
      history: [...(p?.config.history ?? []), { created: now, ...o.history, ...(o.layer ? {} : { empty_layer: true }) }],
    };
    const tags = (o.tags ?? []).map((t) => this.normalizeTag(t, 'the new image'));
    return this.importImage({
      label: tags[0] ? familiarName(tags[0], this.defaultRegistry) : 'new image',
      progressRef: tags[0] ?? 'commit',
      configBytes: Buffer.from(JSON.stringify(config)),
      layers: [
        ...(p?.layers.map((l) => ({ digest: l.digest, mediaType: l.mediaType, size: l.size })) ?? []),
        ...(o.layer ? [{ file: o.layer.file, mediaType: MT.ociLayer }] : []),
      ],
      tags, repoDigests: [], keepSources: false, parent: p?.id,
    });
  }

  // ---------- load / save ----------

  async load(input: NodeJS.ReadableStream | string, opts: { onProgress?: (p: ImageProgress) => void } = {}): Promise<ImageRecord[]> {
    await this.store.init();
    const staging = this.store.ingestPath('load');
    try {
      const a = await openArchive(input, staging);
      const cache = new Map<string, string>();
      if (a.has('manifest.json')) return await this.loadDocker(a, cache, opts.onProgress);
      if (a.has('index.json')) return await this.loadOci(a, cache, opts.onProgress);
      throw new BadArchiveError(`${a.label}: neither a docker-archive (manifest.json) nor an OCI image layout (index.json); nothing was loaded`);
    } finally {
      await fsp.rm(staging, { recursive: true, force: true });
    }
  }

  private async loadDocker(a: ArchiveFS, cache: Map<string, string>, onProgress?: (p: ImageProgress) => void): Promise<ImageRecord[]> {
    const items = parseJson(DockerArchiveManifest, await a.read('manifest.json'), `${a.label}: manifest.json`, (m) => new BadArchiveError(m));
    if (!items.length) throw new BadArchiveError(`${a.label}: manifest.json lists no images`);
    const out: ImageRecord[] = [];
    for (const it of items) {
      const tags = (it.RepoTags ?? []).map((t) => this.normalizeTag(t, a.label));
      const configBytes = await a.read(it.Config);
      out.push(await this.importImage({
        label: tags[0] ? familiarName(tags[0], this.defaultRegistry) : `image in ${a.label}`,
        progressRef: tags[0] ?? it.Config,
        configBytes,
        layers: it.Layers.map((l) => ({ file: a.file(l) })),
        tags, repoDigests: [], onProgress, keepSources: true, digestCache: cache,
      }));
    }
    return out;
  }

  private async loadOci(a: ArchiveFS, cache: Map<string, string>, onProgress?: (p: ImageProgress) => void): Promise<ImageRecord[]> {
    const blob = async (digest: string, max = 8 << 20) => {
      const b = await a.read(`blobs/sha256/${digest.slice(7)}`, max);
      if (sha256(b) !== digest) throw new BadArchiveError(`${a.label}: blob ${digest} does not match its digest; nothing was loaded`);
      return b;
    };
    const index = parseJson(Index, await a.read('index.json'), `${a.label}: index.json`, (m) => new BadArchiveError(m));
    const out: ImageRecord[] = [];
    for (const d of index.manifests) {
      let desc = d;
      let bytes = await blob(desc.digest);
      if (isIndexMediaType(desc.mediaType) || isIndexMediaType((JSON.parse(bytes.toString()) as { mediaType?: string }).mediaType)) {
        const inner = parseJson(Index, bytes, `${a.label}: index ${desc.digest}`, (m) => new BadArchiveError(m));
        const pick = inner.manifests.find((x) => x.platform?.os === 'linux' && x.platform.architecture === hostArch()) ?? inner.manifests[0];
        if (!pick) continue;
        desc = pick;
        bytes = await blob(desc.digest);
      }
      const manifest = parseJson(Manifest, bytes, `${a.label}: manifest ${desc.digest}`, (m) => new BadArchiveError(m));
      const name = d.annotations?.['io.containerd.image.name'] ?? d.annotations?.['org.opencontainers.image.ref.name'];
      const tags = name ? [this.normalizeTag(name, a.label)] : [];
      out.push(await this.importImage({
        label: name ?? `image ${desc.digest.slice(7, 19)} in ${a.label}`,
        progressRef: name ?? desc.digest,
        configBytes: await blob(manifest.config.digest),
        manifest: { bytes, mediaType: desc.mediaType ?? manifest.mediaType ?? MT.ociManifest },
        layers: manifest.layers.map((l) => ({ digest: l.digest, mediaType: l.mediaType, size: l.size, file: a.file(`blobs/sha256/${l.digest.slice(7)}`) })),
        tags, repoDigests: [], onProgress, keepSources: true, digestCache: cache,
      }));
    }
    if (!out.length) throw new BadArchiveError(`${a.label}: index.json lists no images`);
    return out;
  }

  private normalizeTag(t: string, label: string): string {
    let r: Reference;
    try { r = parseReference(t, this.defaultRegistry); } catch (e) { throw new BadArchiveError(`${label}: invalid image name "${t}" (${(e as Error).message})`); }
    return `${repoName(r)}:${r.tag ?? 'latest'}`;
  }

  async save(refsOrIds: string[], out: NodeJS.WritableStream, opts: { format?: 'docker-archive' | 'oci-archive' } = {}): Promise<void> {
    await this.store.init();
    if (!refsOrIds.length) throw new ImageError('EBADREF', 'save: no image named');
    // image id → the tags to write for it
    const picked = new Map<string, { img: StoredImage; tags: Set<string> }>();
    for (const r of refsOrIds) {
      const img = this.get(r);
      const e = picked.get(img.id) ?? { img, tags: new Set<string>() };
      picked.set(img.id, e);
      let ref: Reference | undefined;
      try { ref = parseReference(r, this.defaultRegistry); } catch { /* id */ }
      const full = ref && !ref.digest ? `${repoName(ref)}:${ref.tag}` : undefined;
      if (full && img.repoTags.includes(full)) e.tags.add(full);
      else if (!ref || ref.digest || !img.repoTags.includes(full!)) img.repoTags.forEach((t) => e.tags.add(t));
    }
    const entries: OutEntry[] = [];
    const seen = new Set<string>();
    const addBlob = (name: string, digest: string) => {
      if (seen.has(name)) return;
      seen.add(name);
      const f = this.store.blobPath(digest);
      if (!fs.existsSync(f)) throw new ImageError('ENOIMAGE', `save: blob ${digest} is missing from the store`);
      entries.push({ name, file: f });
    };
    if ((opts.format ?? 'docker-archive') === 'docker-archive') {
      const manifest: Array<{ Config: string; RepoTags: string[] | null; Layers: string[] }> = [];
      for (const { img, tags } of picked.values()) {
        addBlob(`${img.id.slice(7)}.json`, img.id);
        const layers = img.layers.map((l) => { const n = `${l.digest.slice(7)}/layer.tar`; addBlob(n, l.digest); return n; });
        manifest.push({ Config: `${img.id.slice(7)}.json`, RepoTags: tags.size ? [...tags].map((t) => familiarName(t, this.defaultRegistry)) : null, Layers: layers });
      }
      entries.push({ name: 'manifest.json', data: Buffer.from(JSON.stringify(manifest)) });
    } else {
      const descs: object[] = [];
      for (const { img, tags } of picked.values()) {
        addBlob(`blobs/sha256/${img.manifest.digest.slice(7)}`, img.manifest.digest);
        addBlob(`blobs/sha256/${img.id.slice(7)}`, img.id);
        for (const l of img.layers) addBlob(`blobs/sha256/${l.digest.slice(7)}`, l.digest);
        const base = { mediaType: img.manifest.mediaType, digest: img.manifest.digest, size: img.manifest.size };
        if (!tags.size) descs.push(base);
        for (const t of tags) {
          const r = parseReference(t, this.defaultRegistry);
          descs.push({ ...base, annotations: { 'io.containerd.image.name': familiarName(t, this.defaultRegistry), 'org.opencontainers.image.ref.name': r.tag ?? 'latest' } });
        }
      }
      entries.unshift({ name: 'oci-layout', data: Buffer.from('{"imageLayoutVersion":"1.0.0"}') });
      entries.push({ name: 'index.json', data: Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MT.ociIndex, manifests: descs })) });
    }
    await writeTar(entries, out);
  }

  // ---------- tag / remove / history / prune / df ----------

  async tag(refOrId: string, newRef: string): Promise<void> {
    await this.store.init();
    const r = parseReference(newRef, this.defaultRegistry);
    if (r.digest) throw new BadReferenceError(newRef, 'a tag cannot contain a digest');
    const full = `${repoName(r)}:${r.tag}`;
    await this.store.lock.run(async () => {
      const img = this.get(refOrId);
      const images = this.store.all().map((s) => ({ ...s, repoTags: s.id === img.id ? [...new Set([...s.repoTags, full])] : s.repoTags.filter((t) => t !== full) }));
      await this.store.setImages(images);
    });
  }

  async remove(refOrId: string, opts: { force?: boolean; inUse?: (id: string) => boolean } = {}): Promise<{ untagged: string[]; deleted: string[] }> {
    await this.store.init();
    return this.store.lock.run(async () => {
      const img = this.get(refOrId);
      const fam = (t: string) => familiarName(t, this.defaultRegistry);
      let ref: Reference | undefined;
      try { ref = parseReference(refOrId, this.defaultRegistry); } catch { /* id */ }
      const full = ref && !ref.digest ? `${repoName(ref)}:${ref.tag}` : undefined;
      const byTag = full && img.repoTags.includes(full) ? full : undefined;
      const used = opts.inUse?.(img.id) ?? false;
      // Removing one of several tags only untags.
      if (byTag && img.repoTags.length > 1) {
        await this.store.setImages(this.store.all().map((s) => (s.id === img.id ? { ...s, repoTags: s.repoTags.filter((t) => t !== byTag) } : s)));
        return { untagged: [fam(byTag)], deleted: [] };
      }
      if (!byTag && img.repoTags.length > 1 && !opts.force) {
        throw new ImageError('EINUSE', `image ${refOrId} is referenced by several tags (${img.repoTags.map(fam).join(', ')}): remove them one by one, or force`);
      }
      if (used && !opts.force) throw new ImageInUseError(refOrId, img.id);
      const untagged = [...img.repoTags.map(fam), ...img.repoDigests.map(fam)];
      if (used) {
        // Forced while a container uses it: untag, keep the content for the container.
        await this.store.setImages(this.store.all().map((s) => (s.id === img.id ? { ...s, repoTags: [], repoDigests: [] } : s)));
        return { untagged, deleted: [] };
      }
      await this.store.setImages(this.store.all().filter((s) => s.id !== img.id));
      const gc = await this.store.gc();
      return { untagged, deleted: [img.id, ...gc.layers] };
    });
  }

  async history(refOrId: string): Promise<Array<{ created: string; createdBy: string; size: number; comment?: string; emptyLayer?: boolean }>> {
    const img = await this.inspect(refOrId);
    const chains = chainIds(img.layers);
    const hist = img.config.history?.length ? img.config.history : img.layers.map(() => ({} as NonNullable<OciImageConfig['history']>[number]));
    let li = 0;
    const rows = hist.map((h) => {
      const empty = !!h.empty_layer;
      const size = empty ? 0 : this.layerSize(chains[li++] ?? '') ?? 0;
      return { created: h.created ?? img.created, createdBy: h.created_by ?? '', size, ...(h.comment ? { comment: h.comment } : {}), ...(empty ? { emptyLayer: true } : {}) };
    });
    return rows.reverse(); // newest first, like `docker history`
  }

  async prune(opts: { inUse: (id: string) => boolean; all?: boolean } = { inUse: () => false }): Promise<{ deleted: string[]; spaceReclaimed: number }> {
    await this.store.init();
    return this.store.lock.run(async () => {
      const victims = this.store.all().filter((s) => (opts.all || !s.repoTags.length) && !opts.inUse(s.id));
      const ids = new Set(victims.map((v) => v.id));
      await this.store.setImages(this.store.all().filter((s) => !ids.has(s.id)));
      const gc = await this.store.gc();
      for (const l of gc.layers) this.layerSizes.delete(l);
      return { deleted: [...ids, ...gc.layers], spaceReclaimed: gc.bytes };
    });
  }

  async diskUsage(): Promise<{ images: number; layersSize: number }> {
    await this.store.init();
    const chains = new Set<string>();
    for (const s of this.store.all()) for (const c of chainIds(s.layers.map((l) => l.diffId))) chains.add(c);
    let layersSize = 0;
    for (const c of chains) layersSize += this.layerSize(c) ?? 0;
    return { images: this.store.all().length, layersSize };
  }

  async close(): Promise<void> { await this.pool.close(); }
}

function envList(name: string): string[] {
  return (process.env[name] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}
