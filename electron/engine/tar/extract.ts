// Writing an untrusted tar into a new, private directory: one set of rules for every archive Pier unpacks
// (image layers, build contexts, ADD archives, checkpoint archives and their rootfs diffs, /dev/shm contents).
//   * names are cleaned (lenient: ".." may not climb out; strict: no "..", no absolute names);
//   * parents are walked with lstat, created when missing, never a symlink (guard.ts), and checked by the kernel
//     (openat2 RESOLVE_IN_ROOT) when the native addon works;
//   * the final component is never followed: files are created O_CREAT|O_EXCL|O_NOFOLLOW;
//   * hard links must name an existing non-directory inside the tree;
//   * byte and entry limits stop a bomb; what each archive kind may hold is the caller's policy.
// Anything rejected throws the caller's error; the caller removes the directory ("nothing was stored").
import fs from 'node:fs';
import type { Readable } from 'node:stream';
import { canChown } from '../runtime/rootless';
import { runSyncChecked } from '../runtime/proc';
import { checkEntryName, cleanName, createExclusive, drainToFd, lstatOrNull, RootWalker } from './guard';
import { selectGuard } from '../path-guard';
import { readTar, type Compression, type TarHeader } from './read';

export interface ExtractPolicy {
  /** the archive, as named in messages (and in the refusal when the native guard is required but missing) */
  label: string;
  /** builds the error for a rejected entry (the caller's wording and class) */
  reject(entry: string, why: string): Error;
  /** lenient: ".." may not leave the root (image layers); strict: no ".." and no absolute names at all */
  names: 'lenient' | 'strict';
  /** replace: a later entry replaces an earlier one (layers); reject: an entry may appear once */
  duplicates: 'replace' | 'reject';
  /** which symlinks may be made ('any' for layers; a test of the entry and its target otherwise) */
  symlinks: 'any' | ((rel: string, linkname: string) => boolean);
  hardLinks: boolean;
  fifos: boolean;
  /** device nodes: skipped and listed in the result, or the archive is rejected */
  devices: 'skip' | 'reject';
  /** `.wh.` names as whiteouts: recorded, and made as overlay whiteouts (0:0 char devices) in 'overlay' mode */
  whiteouts?: 'overlay' | 'list';
  /** apply the headers' modes, owners (where the engine may) and times; otherwise files 0600, dirs 0700 */
  metadata: boolean;
  /** refuse the archive once its files would exceed this many bytes */
  maxBytes?: number;
  maxEntries?: number;
  onProgress?: (bytes: number) => void;
  tapRaw?: (chunk: Buffer) => void;
  tapTar?: (chunk: Buffer) => void;
}

export interface ExtractSummary {
  compression: Compression;
  entries: number;
  /** bytes of regular files written */
  bytes: number;
  whiteouts: string[];
  opaque: string[];
  skipped: string[];
}

/** Makes an overlay whiteout (character device 0:0) at p. */
export function mknodWhiteout(p: string): void {
  runSyncChecked('mknod', ['-m', '000', p, 'c', '0', '0']);
}

interface DirMeta {
  p: string;
  mode: number;
  uid: number;
  gid: number;
  mtime: Date;
}

/** Extracts the tar `file` (gzip/zstd sniffed) into `dest`, an empty private directory, under `policy`. */
export async function extractTar(file: string, dest: string, policy: ExtractPolicy): Promise<ExtractSummary> {
  const root = fs.realpathSync(dest);
  const fail = (entry: string, why: string): never => {
    throw policy.reject(entry, why);
  };
  const w = new RootWalker(root, fail, await selectGuard(policy.label));
  const out = { bytes: 0, whiteouts: new Set<string>(), opaque: new Set<string>(), skipped: [] as string[] };
  const dirs: DirMeta[] = [];
  const dirMode = policy.metadata ? 0o755 : 0o700;

  const names = (name: string): string[] => {
    if (policy.names === 'lenient') {
      const comps = cleanName(name);
      return comps ?? fail(name, 'it climbs out of the target with ".."');
    }
    const checked = checkEntryName(name);
    return typeof checked === 'string' ? fail(name, checked) : checked;
  };
  /** Makes room for a new entry at target (or keeps an existing directory for a directory entry). */
  const prepare = (entry: string, target: string, rel: string, isDir: boolean): fs.Stats | null => {
    out.whiteouts.delete(rel);
    if (policy.duplicates === 'replace') return w.clear(target, isDir);
    const st = lstatOrNull(target);
    if (!st || (isDir && st.isDirectory())) return st;
    return fail(entry, isDir ? 'replaces a file with a directory' : 'appears twice');
  };
  const own = (target: string, h: TarHeader) => {
    if (policy.metadata && canChown(h.uid ?? 0, h.gid ?? 0)) fs.lchownSync(target, h.uid ?? 0, h.gid ?? 0);
  };

  const whiteout = (h: TarHeader, comps: string[], base: string) => {
    const parent = w.parentOf(comps, h.name, true, dirMode);
    if (base === '.wh..wh..opq') return void out.opaque.add(comps.slice(0, -1).join('/'));
    const name = base.slice(4);
    if (!name || name === '.' || name === '..' || name.startsWith('.wh.')) fail(h.name, 'invalid whiteout name');
    out.whiteouts.add([...comps.slice(0, -1), name].join('/'));
    w.clear(parent + '/' + name, false);
    if (policy.whiteouts === 'overlay') mknodWhiteout(parent + '/' + name);
  };

  const writeFile = async (h: TarHeader, target: string, body: Readable) => {
    if (policy.maxBytes !== undefined && out.bytes + (h.size ?? 0) > policy.maxBytes) {
      fail(h.name, `the archive unpacks to more than ${policy.maxBytes} bytes`);
    }
    const fd = createExclusive(target);
    try {
      out.bytes += await drainToFd(fd, body);
      if (policy.metadata) {
        if (canChown(h.uid ?? 0, h.gid ?? 0)) fs.fchownSync(fd, h.uid ?? 0, h.gid ?? 0);
        fs.fchmodSync(fd, (h.mode ?? 0o644) & 0o7777);
        if (h.mtime) fs.futimesSync(fd, h.mtime, h.mtime);
      }
    } finally {
      fs.closeSync(fd);
    }
    if (policy.maxBytes !== undefined && out.bytes > policy.maxBytes) {
      fail(h.name, `the archive unpacks to more than ${policy.maxBytes} bytes`);
    }
    policy.onProgress?.(out.bytes);
  };

  const hardLink = (h: TarHeader, target: string, rel: string) => {
    if (!policy.hardLinks) fail(h.name, `is a hard link to "${h.linkname}" (hard links are not allowed here)`);
    const lcomps = cleanName(h.linkname ?? '');
    if (lcomps === null || !lcomps.length) fail(h.name, `hard link target "${h.linkname}" is outside the archive`);
    const source = w.parentOf(lcomps!, h.name, false) + '/' + lcomps![lcomps!.length - 1];
    const sst = lstatOrNull(source);
    if (!sst) fail(h.name, `hard link target "${h.linkname}" does not exist in this archive`);
    if (sst!.isDirectory()) fail(h.name, `hard link target "${h.linkname}" is a directory`);
    if (source === target) return;
    prepare(h.name, target, rel, false);
    fs.linkSync(source, target);
  };

  const onEntry = async (h: TarHeader, body: Readable) => {
    const comps = names(h.name);
    if (!comps.length) return; // the root itself
    const rel = comps.join('/');
    const base = comps[comps.length - 1];
    if (policy.whiteouts && base.startsWith('.wh.')) return whiteout(h, comps, base);
    const target = w.parentOf(comps, h.name, true, dirMode) + '/' + base;
    switch (h.type) {
      case 'directory':
        if (!prepare(h.name, target, rel, true)) fs.mkdirSync(target, 0o700);
        if (policy.metadata)
          dirs.push({
            p: target,
            mode: (h.mode ?? 0o755) & 0o7777,
            uid: h.uid ?? 0,
            gid: h.gid ?? 0,
            mtime: h.mtime ?? new Date(),
          });
        return;
      case 'file':
      case 'contiguous-file':
        prepare(h.name, target, rel, false);
        return writeFile(h, target, body);
      case 'symlink':
        if (policy.symlinks !== 'any' && !policy.symlinks(rel, h.linkname ?? '')) {
          fail(h.name, `is a symlink to "${h.linkname}" (symlinks are not allowed here)`);
        }
        prepare(h.name, target, rel, false);
        fs.symlinkSync(h.linkname ?? '', target);
        own(target, h);
        if (policy.metadata && h.mtime) fs.lutimesSync(target, h.mtime, h.mtime);
        return;
      case 'link':
        return hardLink(h, target, rel);
      case 'fifo':
        if (!policy.fifos) fail(h.name, 'is a fifo (only files, directories and links are allowed)');
        prepare(h.name, target, rel, false);
        runSyncChecked('mkfifo', ['-m', ((h.mode ?? 0o644) & 0o777).toString(8), target]);
        own(target, h);
        return;
      case 'character-device':
      case 'block-device':
        if (policy.devices === 'reject') fail(h.name, `is a ${h.type} (device files are not allowed here)`);
        out.skipped.push(`${rel} (${h.type})`);
        return;
      default:
        if (policy.devices === 'reject') fail(h.name, `is a ${String(h.type)} (not a file, directory or link)`);
        out.skipped.push(`${rel} (${String(h.type)})`);
    }
  };

  const read = await readTar(file, onEntry, {
    maxEntries: policy.maxEntries,
    tooMany: (max) => policy.reject('', `the archive has more than ${max} entries`),
    tapRaw: policy.tapRaw,
    tapTar: policy.tapTar,
  });
  // Directory metadata last, deepest first, so later entries could still be written into them.
  for (let i = dirs.length - 1; i >= 0; i--) {
    const d = dirs[i];
    const st = lstatOrNull(d.p);
    if (!st || !st.isDirectory()) continue;
    if (canChown(d.uid, d.gid)) fs.lchownSync(d.p, d.uid, d.gid);
    fs.chmodSync(d.p, d.mode);
    fs.utimesSync(d.p, d.mtime, d.mtime);
  }
  return { ...read, bytes: out.bytes, whiteouts: [...out.whiteouts], opaque: [...out.opaque], skipped: out.skipped };
}
