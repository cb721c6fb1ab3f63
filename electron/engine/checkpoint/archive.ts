// Checkpoint archives: podman's `container checkpoint --export` layout, a tar of the
// checkpoint directory with relative names (no "./"), compressed with zstd (podman 4.3's
// default), gzip or nothing. Import detects the compression from the first bytes.
//
// Every entry of an imported archive is untrusted. The outer archive may only hold
// regular files and directories (plus the one symlink CRIU itself makes for a dump with
// a parent: checkpoint/parent -> ../pre-checkpoint); names that are absolute or contain
// "..", entries below a non-directory, device nodes, fifos, hard links and any other
// symlink reject the whole archive, and the staging directory is removed: nothing is
// written outside it, and nothing is kept.
import { PathGuardUnavailableError } from '../path-guard';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import zlib from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { PassThrough, type Readable } from 'node:stream';
import * as tar from 'tar-stream';
import { extractTar } from '../tar/extract';
import { checkEntryName } from '../tar/guard';
import { compressionOf, detectCompression, zstdFilter, type Compression, type ZstdError } from '../tar/read';
import { CheckpointError } from './errors';

export { compressionOf, type Compression };

/** The zstd program as a filter; its failures become checkpoint errors (no zstd: EINVAL). */
function zstd(args: string[], what: string): ReturnType<typeof zstdFilter> {
  const z = zstdFilter(args);
  const done = z.done.catch((e: ZstdError) => {
    throw new CheckpointError(`${what}: ${e.message}`, e.code === 'ENOZSTD' ? 'EINVAL' : 'EBADARCHIVE', { cause: e });
  });
  return { ...z, done };
}

// ---------------------------------------------------------------- packing

interface PackItem { name: string; abs: string; st: fs.Stats }

/** Lists a directory tree (files, directories, symlinks), names relative, parents first. */
export async function listTree(dir: string, exclude: (rel: string) => boolean = () => false): Promise<PackItem[]> {
  const out: PackItem[] = [];
  const walk = async (rel: string) => {
    const abs = rel ? path.join(dir, rel) : dir;
    const names = (await fsp.readdir(abs)).sort();
    for (const n of names) {
      const crel = rel ? `${rel}/${n}` : n;
      if (exclude(crel)) continue;
      const p = path.join(abs, n);
      const st = await fsp.lstat(p);
      out.push({ name: crel, abs: p, st });
      if (st.isDirectory()) await walk(crel);
    }
  };
  await walk('');
  return out;
}

async function addItem(pack: tar.Pack, it: PackItem): Promise<void> {
  const base = { name: it.name, mode: it.st.mode & 0o7777, uid: it.st.uid, gid: it.st.gid, mtime: it.st.mtime };
  if (it.st.isDirectory()) {
    await new Promise<void>((res, rej) => pack.entry({ ...base, name: it.name + '/', type: 'directory' }, (e) => (e ? rej(e) : res())));
  } else if (it.st.isSymbolicLink()) {
    const linkname = await fsp.readlink(it.abs);
    await new Promise<void>((res, rej) => pack.entry({ ...base, type: 'symlink', linkname }, (e) => (e ? rej(e) : res())));
  } else if (it.st.isFile()) {
    if (it.st.size <= 1 << 20) {
      const data = await fsp.readFile(it.abs);
      await new Promise<void>((res, rej) => pack.entry({ ...base, type: 'file', size: data.length }, data, (e) => (e ? rej(e) : res())));
    } else {
      await new Promise<void>((res, rej) => {
        const w = pack.entry({ ...base, type: 'file', size: it.st.size }, (e) => (e ? rej(e) : res()));
        pipeline(fs.createReadStream(it.abs, { highWaterMark: 1 << 20 }), w).catch(rej);
      });
    }
  }
  // sockets, fifos, devices: never archived
}

/** Packs items into a tar stream. */
export function packItems(items: PackItem[]): tar.Pack {
  const pack = tar.pack();
  (async () => {
    for (const it of items) await addItem(pack, it);
    pack.finalize();
  })().catch((e) => pack.destroy(e as Error));
  return pack;
}

/** Writes `dir` (minus excluded names) as a compressed tar to `file` (atomically: .tmp then rename). */
export async function writeArchive(dir: string, file: string, compression: Compression, exclude?: (rel: string) => boolean): Promise<number> {
  const items = await listTree(dir, exclude);
  const tmp = `${file}.tmp-${process.pid}`;
  const out = fs.createWriteStream(tmp, { mode: 0o600 });
  const pack = packItems(items);
  try {
    if (compression === 'zstd') {
      const z = zstd(['-q', '-c', '-3', '-T0'], `compressing ${path.basename(file)}`);
      await Promise.all([pipeline(pack, z.input), pipeline(z.output, out), z.done]);
    } else if (compression === 'gzip') {
      await pipeline(pack, zlib.createGzip({ level: 6 }), out);
    } else {
      await pipeline(pack, out);
    }
    await fsp.rename(tmp, file);
  } catch (e) {
    await fsp.rm(tmp, { force: true });
    throw e;
  }
  return (await fsp.stat(file)).size;
}

/** An empty tar (two zero blocks), as podman writes for a container with no changes. */
export const EMPTY_TAR = Buffer.alloc(1024);

// ---------------------------------------------------------------- extraction

export { checkEntryName };

const ALLOWED_SYMLINKS = new Map([['checkpoint/parent', '../pre-checkpoint']]);

export interface ExtractOptions {
  /** label for messages, e.g. the archive's file name */
  label: string;
  /** stop reading once this many bytes were unpacked (default 64 GiB) */
  maxBytes?: number;
  onProgress?: (bytes: number) => void;
}

/**
 * Extracts an untrusted checkpoint archive (file) into `dest`, which must be a new, empty, private directory,
 * with the engine's tar writer under the checkpoint policy: strict names, each entry once, files and directories
 * only (plus the one symlink CRIU makes), private modes. Rejects the archive on the first bad entry.
 */
export async function extractArchive(file: string, dest: string, o: ExtractOptions): Promise<{ compression: Compression; bytes: number }> {
  const reject = (entry: string, why: string) => new CheckpointError(`archive ${o.label} rejected: entry "${entry}": ${why}; nothing was restored`, 'EBADARCHIVE');
  let r;
  try {
    r = await extractTar(file, dest, {
      label: `archive ${o.label}`, reject, names: 'strict', duplicates: 'reject', symlinks: (rel, link) => ALLOWED_SYMLINKS.get(rel) === link,
      hardLinks: false, fifos: false, devices: 'reject', metadata: false, maxBytes: o.maxBytes ?? 64 * 2 ** 30, onProgress: o.onProgress,
    });
  } catch (e) {
    if (e instanceof CheckpointError || e instanceof PathGuardUnavailableError) throw e;
    const msg = (e as Error).message;
    const c = detectCompression(file);
    const truncated = /Unexpected end|unexpected end|truncat|premature/i.test(msg) ? 'it is truncated: ' : '';
    throw new CheckpointError(`archive ${o.label} is not a valid ${c === 'none' ? '' : c + '-compressed '}tar archive (${truncated}${msg}); nothing was restored`, 'EBADARCHIVE', { cause: e });
  }
  if (!r.entries) throw new CheckpointError(`archive ${o.label} is empty or not a tar archive`, 'EBADARCHIVE');
  return { compression: r.compression, bytes: r.bytes };
}

/** Copies a readable (e.g. an HTTP body) to a file. */
export async function streamToFile(input: NodeJS.ReadableStream, file: string): Promise<number> {
  let n = 0;
  const count = new PassThrough();
  count.on('data', (c: Buffer) => { n += c.length; });
  await pipeline(input as Readable, count, fs.createWriteStream(file, { mode: 0o600 }));
  return n;
}
