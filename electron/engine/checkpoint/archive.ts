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
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import zlib from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import { createExclusive, drainToFd } from '../fsutil';
import * as tar from 'tar-stream';
import { spawnPipe } from '../runtime/proc';
import { CheckpointError } from './errors';

export type Compression = 'zstd' | 'gzip' | 'none';

export function compressionOf(head: Buffer): Compression {
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  return 'none';
}

export async function detectFileCompression(file: string): Promise<Compression> {
  const fh = await fsp.open(file, 'r');
  try {
    const b = Buffer.alloc(8);
    const { bytesRead } = await fh.read(b, 0, 8, 0);
    return compressionOf(b.subarray(0, bytesRead));
  } finally { await fh.close(); }
}

/** Runs a byte stream through a child process filter (zstd), surfacing its stderr on failure. */
function zstdFilter(args: string[], what: string): { input: Writable; output: Readable; done: Promise<void>; kill(): void } {
  const child = spawnPipe('zstd', args);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', (e) => reject(new CheckpointError(`${what} needs the "zstd" program: ${e.message}`, 'EINVAL')));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new CheckpointError(`${what}: zstd failed: ${stderr.trim() || `exit ${code}`}`, 'EBADARCHIVE'))));
  });
  child.stdin!.on('error', () => undefined); // EPIPE when zstd dies early: reported through `done`
  return { input: child.stdin!, output: child.stdout!, done, kill: () => child.kill('SIGKILL') };
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
      const z = zstdFilter(['-q', '-c', '-3', '-T0'], `compressing ${path.basename(file)}`);
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

/** Cleans an untrusted entry name: components, or a reason it is rejected. */
export function checkEntryName(name: string): string[] | string {
  if (name.includes('\0')) return 'its name contains a NUL byte';
  if (name.startsWith('/')) return 'its name is an absolute path';
  const comps: string[] = [];
  for (const c of name.split('/')) {
    if (c === '' || c === '.') continue;
    if (c === '..') return 'its name contains ".."';
    comps.push(c);
  }
  return comps;
}

const ALLOWED_SYMLINKS = new Map([['checkpoint/parent', '../pre-checkpoint']]);

export interface ExtractOptions {
  /** label for messages, e.g. the archive's file name */
  label: string;
  /** stop reading once this many bytes were unpacked (default 64 GiB) */
  maxBytes?: number;
  onProgress?: (bytes: number) => void;
}

/**
 * Extracts an untrusted checkpoint archive (file) into `dest`, which must be a new,
 * empty, private directory. Rejects the archive on the first bad entry.
 */
export async function extractArchive(file: string, dest: string, o: ExtractOptions): Promise<{ compression: Compression; bytes: number }> {
  const compression = await detectFileCompression(file);
  const root = await fsp.realpath(dest);
  const ex = tar.extract();
  let bytes = 0;
  const max = o.maxBytes ?? 64 * 2 ** 30;
  const fail = (entry: string, why: string): never => {
    throw new CheckpointError(`archive ${o.label} rejected: entry "${entry}" ${why}; nothing was restored`, 'EBADARCHIVE');
  };
  const consume = (async () => {
    let entries = 0;
    for await (const entry of ex) {
      const h = entry.header;
      entries++;
      try {
        const checked = checkEntryName(h.name);
        if (typeof checked === 'string') fail(h.name, `is rejected: ${checked}`);
        const comps = checked as string[];
        if (!comps.length) continue;
        const rel = comps.join('/');
        // every parent must be a real directory we created (never a symlink)
        let cur = root;
        for (let i = 0; i < comps.length - 1; i++) {
          cur = cur + '/' + comps[i];
          let st: fs.Stats | undefined;
          try { st = fs.lstatSync(cur); } catch { /* missing */ }
          if (!st) fs.mkdirSync(cur, 0o700);
          else if (!st.isDirectory()) fail(h.name, `is below "${comps.slice(0, i + 1).join('/')}", which is not a directory`);
        }
        const target = cur + '/' + comps[comps.length - 1];
        switch (h.type) {
          case 'directory': {
            let st: fs.Stats | undefined;
            try { st = fs.lstatSync(target); } catch { /* missing */ }
            if (!st) fs.mkdirSync(target, 0o700);
            else if (!st.isDirectory()) fail(h.name, 'replaces a file with a directory');
            break;
          }
          case 'file':
          case 'contiguous-file': {
            if ((h.size ?? 0) + bytes > max) fail(h.name, `makes the archive larger than ${max} bytes`);
            if (fs.existsSync(target) || isLink(target)) fail(h.name, 'appears twice');
            const fd = createExclusive(target);
            try { bytes += await drainToFd(fd, entry); } finally { fs.closeSync(fd); }
            o.onProgress?.(bytes);
            break;
          }
          case 'symlink':
            if (ALLOWED_SYMLINKS.get(rel) !== h.linkname) fail(h.name, `is a symlink to "${h.linkname}" (symlinks are not allowed in checkpoint archives)`);
            fs.symlinkSync(h.linkname!, target);
            break;
          case 'link':
            fail(h.name, `is a hard link to "${h.linkname}" (hard links are not allowed in checkpoint archives)`);
            break;
          default:
            fail(h.name, `is a ${h.type} (only files and directories are allowed)`);
        }
      } finally {
        entry.resume();
      }
    }
    if (!entries) throw new CheckpointError(`archive ${o.label} is empty or not a tar archive`, 'EBADARCHIVE');
  })();
  const src = fs.createReadStream(file, { highWaterMark: 1 << 20 });
  let z: ReturnType<typeof zstdFilter> | undefined;
  try {
    if (compression === 'zstd') {
      z = zstdFilter(['-d', '-c', '-q'], `archive ${o.label}`);
      await Promise.all([pipeline(src, z.input), pipeline(z.output, ex), z.done, consume]);
    } else if (compression === 'gzip') {
      await Promise.all([pipeline(src, zlib.createGunzip(), ex), consume]);
    } else {
      await Promise.all([pipeline(src, ex), consume]);
    }
  } catch (e) {
    z?.kill();
    src.destroy();
    ex.destroy();
    await consume.catch(() => undefined);
    if (e instanceof CheckpointError) throw e;
    const msg = (e as Error).message;
    throw new CheckpointError(`archive ${o.label} is not a valid ${compression === 'none' ? '' : compression + '-compressed '}tar archive (${/Unexpected end|unexpected end|truncat|premature/i.test(msg) ? 'it is truncated: ' : ''}${msg}); nothing was restored`, 'EBADARCHIVE', { cause: e });
  }
  return { compression, bytes };
}

function isLink(p: string): boolean { try { return fs.lstatSync(p).isSymbolicLink(); } catch { return false; } }

/** Copies a readable (e.g. an HTTP body) to a file. */
export async function streamToFile(input: NodeJS.ReadableStream, file: string): Promise<number> {
  let n = 0;
  const count = new PassThrough();
  count.on('data', (c: Buffer) => { n += c.length; });
  await pipeline(input as Readable, count, fs.createWriteStream(file, { mode: 0o600 }));
  return n;
}
