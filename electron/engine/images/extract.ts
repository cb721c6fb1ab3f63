// Image layers: extraction (in a worker thread, unpack-worker.ts, never on the engine's main loop), opaque
// directory materialisation and layer application (the 'copy' snapshotter).
//
// Extraction is the engine's one untrusted-tar writer (tar/extract.ts) with the layer policy: later entries
// replace earlier ones, any symlink may be made (never written through), hard links stay inside the layer, fifos
// are made, block and character devices are skipped (the runtime provides /dev). The blob's digest and diff id
// are computed while reading.
// Whiteouts: `.wh.<name>` becomes an overlay whiteout (character device 0:0 made with
// mknod) when `whiteoutMode` is 'overlay', and is always recorded in the result;
// `.wh..wh..opq` (opaque directory) is recorded and later materialised against the
// layer's parent chain by `materializeOpaque` (explicit whiteouts for every name the
// lower layers show in that directory), so no trusted.* xattr is ever needed.
import fs from 'node:fs';
import crypto from 'node:crypto';
import { runSyncChecked } from '../runtime/proc';
import { BadArchiveError, DigestMismatchError, ImageError } from './errors';
import { PathGuardUnavailableError } from '../path-guard';
import { canChown } from '../runtime/rootless';
import { extractTar, mknodWhiteout, type ExtractSummary } from '../tar/extract';
import { lstatOrNull, RootWalker } from '../tar/guard';
import { detectCompression, type Compression } from '../tar/read';

export type WhiteoutMode = 'overlay' | 'list';

export interface ExtractTask {
  /** Layer blob (compressed or not). */
  file: string;
  /** Empty, private directory to extract into. */
  dest: string;
  /** What the layer is called in messages (e.g. image ref + digest). */
  label: string;
  expectDigest?: string;
  expectDiffId?: string;
  whiteoutMode: WhiteoutMode;
  /** refuse the archive once its files would exceed this many bytes (untrusted build contexts) */
  maxUnpacked?: number;
}
export interface ExtractResult {
  digest: string;
  size: number;
  diffId: string;
  unpackedSize: number;
  compression: Compression;
  whiteouts: string[];
  opaque: string[];
  skipped: string[];
}

export function isWhiteoutDevice(st: fs.Stats): boolean {
  return st.isCharacterDevice() && st.rdev === 0;
}

/** Extracts one layer blob into task.dest, verifying its digest and diff id. */
export async function extractLayer(task: ExtractTask): Promise<ExtractResult> {
  const outer = crypto.createHash('sha256'), inner = crypto.createHash('sha256');
  let size = 0;
  let res: ExtractSummary;
  try {
    res = await extractTar(task.file, task.dest, {
      label: task.label,
      reject: (entry, why) => new BadArchiveError(`${task.label}: entry "${entry}" rejected: ${why}; nothing was stored`),
      names: 'lenient', duplicates: 'replace', symlinks: 'any', hardLinks: true, fifos: true, devices: 'skip',
      whiteouts: task.whiteoutMode, metadata: true, maxBytes: task.maxUnpacked,
      tapRaw: (c) => { outer.update(c); size += c.length; },
      tapTar: (c) => inner.update(c),
    });
  } catch (err) {
    // A corrupted blob usually shows up as a decompression or tar error: the digest decides.
    if (task.expectDigest) {
      const actual = await fileDigest(task.file);
      if (actual.digest !== task.expectDigest) throw new DigestMismatchError(task.label, task.expectDigest, actual.digest);
    }
    if (err instanceof ImageError || err instanceof PathGuardUnavailableError) throw err; // a refusal, not a bad blob
    const c = detectCompression(task.file);
    throw new BadArchiveError(`${task.label}: layer is not a valid ${c === 'none' ? '' : c + ' '}tar stream (${(err as Error).message}); nothing was stored`, { cause: err });
  }
  const digest = 'sha256:' + outer.digest('hex');
  const diffId = 'sha256:' + inner.digest('hex');
  if (task.expectDigest && digest !== task.expectDigest) throw new DigestMismatchError(task.label, task.expectDigest, digest);
  if (task.expectDiffId && diffId !== task.expectDiffId) throw new DigestMismatchError(`${task.label} (uncompressed)`, task.expectDiffId, diffId);
  const { compression, bytes: unpackedSize, whiteouts, opaque, skipped } = res;
  return { digest, size, diffId, unpackedSize, compression, whiteouts, opaque, skipped };
}

export async function fileDigest(file: string): Promise<{ digest: string; size: number }> {
  const h = crypto.createHash('sha256');
  let size = 0;
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) { h.update(chunk as Buffer); size += (chunk as Buffer).length; }
  return { digest: 'sha256:' + h.digest('hex'), size };
}

/** A lower layer as seen by opaque materialisation and layer application. */
export interface LowerLayer { dir: string; whiteouts: string[] }

/**
 * For each opaque directory of the layer at `dest`, writes explicit whiteouts for
 * every name the lower layers (top first) show there and this layer does not
 * replace; recurses where both sides have a directory. Returns the added whiteouts.
 */
export function materializeOpaque(dest: string, opaque: string[], lowers: LowerLayer[], mode: WhiteoutMode): string[] {
  const added: string[] = [];
  const wsets = lowers.map((l) => new Set(l.whiteouts));
  const isWh = (k: number, rel: string, st: fs.Stats) => isWhiteoutDevice(st) || wsets[k].has(rel);

  /** Indices of the lower layers that contribute to directory `rel` in the merged view. */
  function dirLayers(rel: string): number[] {
    let layers = lowers.map((_, k) => k);
    let prefix = '';
    for (const c of rel ? rel.split('/') : []) {
      prefix = prefix ? `${prefix}/${c}` : c;
      const next: number[] = [];
      for (const k of layers) {
        const st = lstatOrNull(lowers[k].dir + '/' + prefix);
        if (!st) continue;
        if (st.isDirectory() && !isWh(k, prefix, st)) { next.push(k); continue; }
        break; // a non-directory or a whiteout hides everything below it
      }
      layers = next;
      if (!layers.length) break;
    }
    return layers;
  }
  function visible(rel: string): Map<string, boolean /* isDir */> {
    const seen = new Set<string>();
    const out = new Map<string, boolean>();
    for (const k of dirLayers(rel)) {
      const dir = lowers[k].dir + (rel ? '/' + rel : '');
      for (const name of fs.readdirSync(dir)) {
        if (seen.has(name)) continue;
        seen.add(name);
        const crel = rel ? `${rel}/${name}` : name;
        const st = fs.lstatSync(dir + '/' + name);
        if (isWh(k, crel, st)) continue;
        out.set(name, st.isDirectory());
      }
    }
    return out;
  }
  function walk(rel: string): void {
    for (const [name, lowerIsDir] of visible(rel)) {
      const crel = rel ? `${rel}/${name}` : name;
      const p = dest + '/' + crel;
      const st = lstatOrNull(p);
      if (!st) {
        if (mode === 'overlay') mknodWhiteout(p);
        added.push(crel);
      } else if (st.isDirectory() && lowerIsDir) {
        walk(crel);
      }
    }
  }
  for (const rel of [...opaque].sort()) {
    const st = lstatOrNull(dest + (rel ? '/' + rel : ''));
    if (rel && (!st || !st.isDirectory())) continue;
    walk(rel);
  }
  return added;
}

/**
 * Applies one unpacked layer directory onto a plain root filesystem (the 'copy'
 * snapshotter): whiteouts delete, then entries are copied with the same never-follow
 * rules as extraction. Hard links inside the layer stay hard links.
 */
export function applyLayer(target: string, layer: LowerLayer): void {
  const root = fs.realpathSync(target);
  const w = new RootWalker(root, (entry, why) => { throw new BadArchiveError(`layer ${layer.dir}: entry "${entry}" rejected: ${why}; nothing was stored`); });
  for (const rel of layer.whiteouts) {
    const comps = rel.split('/');
    let parent: string;
    try { parent = w.parentOf(comps, rel, false); } catch { continue; } // parent gone or not a dir: nothing to delete
    w.clear(parent + '/' + comps[comps.length - 1], false);
  }
  const inodes = new Map<number, string>();
  const dirs: Array<{ p: string; st: fs.Stats }> = [];
  const walk = (rel: string) => {
    const sdir = layer.dir + (rel ? '/' + rel : '');
    for (const name of fs.readdirSync(sdir)) {
      const crel = rel ? `${rel}/${name}` : name;
      const src = sdir + '/' + name;
      const st = fs.lstatSync(src);
      if (isWhiteoutDevice(st)) continue;
      const comps = crel.split('/');
      const dst = w.parentOf(comps, crel, true) + '/' + name;
      if (st.isDirectory()) {
        if (!w.clear(dst, true)) fs.mkdirSync(dst, 0o700);
        dirs.push({ p: dst, st });
        walk(crel);
        continue;
      }
      w.clear(dst, false);
      if (st.isFile()) {
        const prev = st.nlink > 1 ? inodes.get(st.ino) : undefined;
        if (prev) { fs.linkSync(prev, dst); continue; }
        fs.copyFileSync(src, dst, fs.constants.COPYFILE_EXCL);
        if (canChown(st.uid, st.gid)) fs.lchownSync(dst, st.uid, st.gid);
        fs.chmodSync(dst, st.mode & 0o7777);
        fs.utimesSync(dst, st.atime, st.mtime);
        if (st.nlink > 1) inodes.set(st.ino, dst);
      } else if (st.isSymbolicLink()) {
        fs.symlinkSync(fs.readlinkSync(src), dst);
        if (canChown(st.uid, st.gid)) fs.lchownSync(dst, st.uid, st.gid);
        fs.lutimesSync(dst, st.atime, st.mtime);
      } else if (st.isFIFO()) {
        runSyncChecked('mkfifo', ['-m', (st.mode & 0o777).toString(8), dst]);
      }
    }
  };
  walk('');
  for (let i = dirs.length - 1; i >= 0; i--) {
    const { p, st } = dirs[i];
    if (canChown(st.uid, st.gid)) fs.lchownSync(p, st.uid, st.gid);
    fs.chmodSync(p, st.mode & 0o7777);
    fs.utimesSync(p, st.atime, st.mtime);
  }
}
