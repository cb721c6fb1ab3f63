// Secure layer extraction and layer application. Runs inside a worker thread
// (unpack-worker.ts), never on the engine's main loop.
//
// Contract: the destination directory is private to the calling worker (nobody else
// writes into it while we work), so a component-wise lstat walk is race-free:
//   * every entry name is cleaned lexically; absolute names are taken relative to the
//     layer root, names that climb out with `..` reject the whole layer;
//   * every parent component is lstat'ed: missing → created as a directory, a symlink
//     → the layer is rejected (an entry may never be written through a symlink, even
//     one planted earlier in the same layer, whatever the order), a non-directory →
//     rejected;
//   * the final component is never followed: an existing entry is unlinked first and
//     files are created with O_CREAT|O_EXCL|O_NOFOLLOW;
//   * hard links must name an existing non-directory inside the layer, found by the
//     same walk;
//   * block and character devices are skipped (the runtime provides /dev);
//   * when the native addon offers `resolveInRoot` (openat2 RESOLVE_IN_ROOT), each
//     parent directory is resolved by the kernel too and must agree with the walk.
// Whiteouts: `.wh.<name>` becomes an overlay whiteout (character device 0:0 made with
// mknod) when `whiteoutMode` is 'overlay', and is always recorded in the result;
// `.wh..wh..opq` (opaque directory) is recorded and later materialised against the
// layer's parent chain by `materializeOpaque` (explicit whiteouts for every name the
// lower layers show in that directory), so no trusted.* xattr is ever needed.
import fs from 'node:fs';
import zlib from 'node:zlib';
import crypto from 'node:crypto';
import { runSyncChecked, spawnPipe } from '../runtime/proc';
import { createExclusive, drainToFd } from '../fsutil';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar-stream';
import { BadArchiveError, DigestMismatchError, ImageError } from './errors';
import { canChown } from '../runtime/rootless';
import { selectGuard, type ResolveInRoot } from '../path-guard';

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
export type Compression = 'gzip' | 'zstd' | 'none';

// the native guard and the policy for its absence live in ../path-guard.ts (re-exported for existing callers)
export { loadNativeGuard, nativeGuardActive } from '../path-guard';

export function detectCompression(file: string): Compression {
  const fd = fs.openSync(file, 'r');
  try {
    const b = Buffer.alloc(4);
    const n = fs.readSync(fd, b, 0, 4, 0);
    if (n >= 2 && b[0] === 0x1f && b[1] === 0x8b) return 'gzip';
    if (n >= 4 && b.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
    return 'none';
  } finally { fs.closeSync(fd); }
}

/** Lexically cleans a tar entry name. Returns components (empty = the root), or null if it climbs out. */
export function cleanName(name: string): string[] | null {
  const out: string[] = [];
  for (const c of name.split('/')) {
    if (c === '' || c === '.') continue;
    if (c === '..') { if (!out.length) return null; out.pop(); continue; }
    out.push(c);
  }
  return out;
}

function hashTap(h: crypto.Hash, count: { n: number }): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, cb) { h.update(chunk); count.n += chunk.length; cb(null, chunk); },
  });
}

function lstatOrNull(p: string): fs.Stats | null {
  try { return fs.lstatSync(p); } catch (e) { if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null; throw e; }
}

export function isWhiteoutDevice(st: fs.Stats): boolean {
  return st.isCharacterDevice() && st.rdev === 0;
}

/** The safe path walker over one private root. */
class RootWalker {
  constructor(readonly root: string, readonly label: string, readonly guard?: ResolveInRoot) {}

  fail(entry: string, why: string): never {
    throw new BadArchiveError(`${this.label}: entry "${entry}" rejected: ${why}; nothing was stored`);
  }

  /** Returns the absolute parent directory for comps, creating missing directories; never follows symlinks. */
  parentOf(comps: string[], entry: string, create: boolean): string {
    let cur = this.root;
    for (let i = 0; i < comps.length - 1; i++) {
      const p = cur + '/' + comps[i];
      const st = lstatOrNull(p);
      if (!st) {
        if (!create) this.fail(entry, `"${comps.slice(0, i + 1).join('/')}" does not exist`);
        fs.mkdirSync(p, 0o755);
      } else if (st.isSymbolicLink()) {
        this.fail(entry, `its parent "${comps.slice(0, i + 1).join('/')}" is a symlink (writing through symlinks is not allowed)`);
      } else if (!st.isDirectory()) {
        this.fail(entry, `its parent "${comps.slice(0, i + 1).join('/')}" is not a directory`);
      }
      cur = p;
    }
    if (this.guard && comps.length > 1) {
      const rel = comps.slice(0, -1).join('/');
      let resolved: string;
      try { resolved = this.guard(this.root, rel); } catch (e) { this.fail(entry, `kernel path resolution failed (${(e as Error).message})`); }
      if (resolved !== cur) this.fail(entry, `kernel resolution of "${rel}" leaves the expected path`);
    }
    return cur;
  }

  /** Removes whatever is at `p` (never following it). */
  clear(p: string, keepDir: boolean): fs.Stats | null {
    const st = lstatOrNull(p);
    if (!st) return null;
    if (st.isDirectory()) {
      if (keepDir) return st;
      fs.rmSync(p, { recursive: true, force: true });
    } else {
      fs.unlinkSync(p);
    }
    return null;
  }
}


function mknodWhiteout(p: string): void {
  runSyncChecked('mknod', ['-m', '000', p, 'c', '0', '0']);
}

/** Extracts one layer blob into task.dest, verifying its digest and diff id. */
export async function extractLayer(task: ExtractTask): Promise<ExtractResult> {
  const guard = await selectGuard(task.label);
  const root = fs.realpathSync(task.dest);
  const w: RootWalker = new RootWalker(root, task.label, guard);
  const compression = detectCompression(task.file);
  const outer = crypto.createHash('sha256'), outerCount = { n: 0 };
  const inner = crypto.createHash('sha256'), innerCount = { n: 0 };
  const whiteouts = new Set<string>();
  const opaque = new Set<string>();
  const skipped: string[] = [];
  const dirs: Array<{ p: string; mode: number; uid: number; gid: number; mtime: Date }> = [];
  let unpackedSize = 0;

  const ex = tar.extract();
  const consume = (async () => {
    for await (const entry of ex) {
      const h = entry.header;
      try {
        unpackedSize += await applyEntry(h, entry as unknown as Readable);
      } finally {
        entry.resume();
      }
    }
  })();

  async function applyEntry(h: tar.Header, entry: Readable): Promise<number> {
    const comps = cleanName(h.name);
    if (comps === null) w.fail(h.name, 'it climbs out of the layer with ".."');
    if (!comps.length) return 0; // the root itself
    const rel = comps.join('/');
    const base = comps[comps.length - 1];
    if (base.startsWith('.wh.')) {
      const parent = w.parentOf(comps, h.name, true);
      if (base === '.wh..wh..opq') { opaque.add(comps.slice(0, -1).join('/')); return 0; }
      const name = base.slice(4);
      if (!name || name === '.' || name === '..' || name.startsWith('.wh.')) w.fail(h.name, 'invalid whiteout name');
      const target = parent + '/' + name;
      const wrel = [...comps.slice(0, -1), name].join('/');
      whiteouts.add(wrel);
      w.clear(target, false);
      if (task.whiteoutMode === 'overlay') mknodWhiteout(target);
      return 0;
    }
    if (task.maxUnpacked !== undefined && unpackedSize + (h.size ?? 0) > task.maxUnpacked) {
      w.fail(h.name, `the archive unpacks to more than ${task.maxUnpacked} bytes`);
    }
    const parent = w.parentOf(comps, h.name, true);
    const target = parent + '/' + base;
    const mode = h.mode & 0o7777;
    switch (h.type) {
      case 'directory': {
        const st = w.clear(target, true);
        if (!st) fs.mkdirSync(target, 0o700);
        whiteouts.delete(rel);
        dirs.push({ p: target, mode, uid: h.uid, gid: h.gid, mtime: h.mtime });
        return 0;
      }
      case 'file':
      case 'contiguous-file': {
        w.clear(target, false);
        whiteouts.delete(rel);
        const fd = createExclusive(target);
        let n = 0;
        try {
          n = await drainToFd(fd, entry);
          if (canChown(h.uid, h.gid)) fs.fchownSync(fd, h.uid, h.gid);
          fs.fchmodSync(fd, mode);
          fs.futimesSync(fd, h.mtime, h.mtime);
        } finally { fs.closeSync(fd); }
        return n;
      }
      case 'symlink': {
        w.clear(target, false);
        whiteouts.delete(rel);
        fs.symlinkSync(h.linkname ?? '', target);
        if (canChown(h.uid, h.gid)) fs.lchownSync(target, h.uid, h.gid);
        fs.lutimesSync(target, h.mtime, h.mtime);
        return 0;
      }
      case 'link': {
        const lcomps = cleanName(h.linkname ?? '');
        if (lcomps === null || !lcomps.length) w.fail(h.name, `hard link target "${h.linkname}" is outside the layer`);
        const lparent = w.parentOf(lcomps, h.name, false);
        const source = lparent + '/' + lcomps[lcomps.length - 1];
        const sst = lstatOrNull(source);
        if (!sst) w.fail(h.name, `hard link target "${h.linkname}" does not exist in this layer`);
        if (sst.isDirectory()) w.fail(h.name, `hard link target "${h.linkname}" is a directory`);
        if (source === target) return 0;
        w.clear(target, false);
        whiteouts.delete(rel);
        fs.linkSync(source, target);
        return 0;
      }
      case 'fifo': {
        w.clear(target, false);
        whiteouts.delete(rel);
        runSyncChecked('mkfifo', ['-m', (mode & 0o777).toString(8), target]);
        if (canChown(h.uid, h.gid)) fs.lchownSync(target, h.uid, h.gid);
        return 0;
      }
      case 'character-device':
      case 'block-device':
        skipped.push(`${rel} (${h.type})`);
        return 0;
      default:
        skipped.push(`${rel} (${String(h.type)})`);
        return 0;
    }
  }

  let decompress: NodeJS.ReadWriteStream | undefined;
  let zstdProc: ReturnType<typeof spawnPipe> | undefined;
  if (compression === 'gzip') decompress = zlib.createGunzip();
  const src = fs.createReadStream(task.file, { highWaterMark: 1 << 20 });
  try {
    if (compression === 'zstd') {
      zstdProc = spawnPipe('zstd', ['-d', '-c', '-q']);
      let stderr = '';
      zstdProc.stderr!.on('data', (d) => { stderr += d; });
      const exited = new Promise<void>((resolve, reject) => {
        zstdProc!.on('error', (e) => reject(new BadArchiveError(`${task.label}: zstd layer needs the "zstd" program (${e.message})`)));
        zstdProc!.on('close', (code) => code === 0 ? resolve() : reject(new BadArchiveError(`${task.label}: zstd: ${stderr.trim() || `exit ${code}`}`)));
      });
      await Promise.all([
        pipeline(src, hashTap(outer, outerCount), zstdProc.stdin!),
        pipeline(zstdProc.stdout!, hashTap(inner, innerCount), ex),
        exited,
        consume,
      ]);
    } else if (decompress) {
      await Promise.all([pipeline(src, hashTap(outer, outerCount), decompress, hashTap(inner, innerCount), ex), consume]);
    } else {
      await Promise.all([pipeline(src, hashTap(outer, outerCount), hashTap(inner, innerCount), ex), consume]);
    }
  } catch (err) {
    zstdProc?.kill();
    src.destroy();
    ex.destroy();
    // A corrupted blob usually shows up as a decompression or tar error: the digest decides.
    if (task.expectDigest) {
      const actual = await fileDigest(task.file);
      if (actual.digest !== task.expectDigest) throw new DigestMismatchError(task.label, task.expectDigest, actual.digest);
    }
    if (err instanceof ImageError) throw err;
    throw new BadArchiveError(`${task.label}: layer is not a valid ${compression === 'none' ? '' : compression + ' '}tar stream (${(err as Error).message}); nothing was stored`, { cause: err });
  }
  const digest = 'sha256:' + outer.digest('hex');
  const diffId = 'sha256:' + inner.digest('hex');
  if (task.expectDigest && digest !== task.expectDigest) throw new DigestMismatchError(task.label, task.expectDigest, digest);
  if (task.expectDiffId && diffId !== task.expectDiffId) throw new DigestMismatchError(`${task.label} (uncompressed)`, task.expectDiffId, diffId);

  // Directory metadata last, deepest first, so later entries could still be written.
  for (let i = dirs.length - 1; i >= 0; i--) {
    const d = dirs[i];
    const st = lstatOrNull(d.p);
    if (!st || !st.isDirectory()) continue;
    if (canChown(d.uid, d.gid)) fs.lchownSync(d.p, d.uid, d.gid);
    fs.chmodSync(d.p, d.mode);
    fs.utimesSync(d.p, d.mtime, d.mtime);
  }
  return { digest, size: outerCount.n, diffId, unpackedSize, compression, whiteouts: [...whiteouts], opaque: [...opaque], skipped };
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
  const w: RootWalker = new RootWalker(root, `layer ${layer.dir}`);
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
