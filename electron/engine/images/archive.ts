// Image archives in and out: docker-archive (`docker save` / `docker load`) and OCI
// image layouts (as a directory or as a tar, the `oci-archive` form).
//
// Reading: a tar is staged into a private directory under ingest/ with *generated*
// file names (entry names never become paths), and symlinks between entries are
// resolved lexically inside the archive's own namespace. A directory input is read
// in place, with every name checked to stay inside it. Both give an ArchiveFS.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable, type Writable } from 'node:stream';
import * as tar from 'tar-stream';
import { BadArchiveError } from './errors';
import { cleanName } from '../tar/guard';
import { readTar, type TarHeader } from '../tar/read';

export interface ArchiveFS {
  label: string;
  has(name: string): boolean;
  /** Local file holding entry `name`; throws EBADARCHIVE if missing. */
  file(name: string): string;
  read(name: string, max?: number): Promise<Buffer>;
  /** Whether file(name) lives in Pier's staging area (may be hard-linked into the store). */
  staged: boolean;
}

const MAX_JSON = 8 << 20;

export async function openArchive(input: NodeJS.ReadableStream | string, stagingDir: string): Promise<ArchiveFS> {
  if (typeof input === 'string') {
    let st: fs.Stats;
    try { st = await fsp.stat(input); } catch (e) { throw new BadArchiveError(`cannot read image archive ${input}: ${(e as Error).message}`); }
    if (st.isDirectory()) return dirArchive(input);
    return stageTar(fs.createReadStream(input), stagingDir, input);
  }
  return stageTar(input, stagingDir, 'image archive stream');
}

function dirArchive(dir: string): ArchiveFS {
  const root = fs.realpathSync(dir);
  const resolve = (name: string): string | undefined => {
    const comps = cleanName(name);
    if (!comps || !comps.length) return undefined;
    let real: string;
    try { real = fs.realpathSync(path.join(root, ...comps)); } catch { return undefined; }
    if (!real.startsWith(root + '/')) return undefined;
    return fs.statSync(real).isFile() ? real : undefined;
  };
  const a: ArchiveFS = {
    label: dir,
    staged: false,
    has: (n) => !!resolve(n),
    file: (n) => resolve(n) ?? missing(dir, n),
    read: (n, max = MAX_JSON) => readCapped(a.file(n), max, dir, n),
  };
  return a;
}

function missing(label: string, name: string): never {
  throw new BadArchiveError(`${label}: the archive has no "${name}" (truncated or not an image archive); nothing was loaded`);
}

async function readCapped(file: string, max: number, label: string, name: string): Promise<Buffer> {
  const st = await fsp.stat(file);
  if (st.size > max) throw new BadArchiveError(`${label}: "${name}" is larger than ${max} bytes`);
  return fsp.readFile(file);
}

async function stageTar(input: NodeJS.ReadableStream, stagingDir: string, label: string): Promise<ArchiveFS> {
  await fsp.mkdir(stagingDir, { recursive: true, mode: 0o700 });
  const files = new Map<string, string>();   // cleaned name → staged file
  const links = new Map<string, string>();   // cleaned name → cleaned target name
  let n = 0;
  const stage = async (h: TarHeader, body: Readable) => {
    const comps = cleanName(h.name);
    const name = comps?.join('/');
    if (!name) return;
    if (h.type === 'file' || h.type === 'contiguous-file') {
      const f = path.join(stagingDir, String(++n));
      await pipeline(body, fs.createWriteStream(f, { flags: 'wx', mode: 0o600 }));
      files.set(name, f);
      links.delete(name);
    } else if (h.type === 'symlink' || h.type === 'link') {
      const base = h.type === 'symlink' ? comps!.slice(0, -1).join('/') + '/' : '';
      const t = cleanName(h.linkname?.startsWith('/') ? h.linkname : base + (h.linkname ?? ''));
      if (t && t.length) links.set(name, t.join('/'));
    }
  };
  try {
    await readTar(input, stage);
  } catch (e) {
    throw new BadArchiveError(`${label}: not a readable tar archive (${(e as Error).message}); nothing was loaded`, { cause: e });
  }
  const resolve = (name: string): string | undefined => {
    let cur = cleanName(name)?.join('/');
    for (let hops = 0; cur && hops < 16; hops++) {
      const f = files.get(cur);
      if (f) return f;
      cur = links.get(cur);
    }
    return undefined;
  };
  const a: ArchiveFS = {
    label,
    staged: true,
    has: (nm) => !!resolve(nm),
    file: (nm) => resolve(nm) ?? missing(label, nm),
    read: (nm, max = MAX_JSON) => readCapped(a.file(nm), max, label, nm),
  };
  return a;
}

/** One entry of an archive being written. */
export type OutEntry = { name: string; file: string } | { name: string; data: Buffer };

/** Writes entries as a tar to `out` with fixed metadata (so equal inputs give equal archives). */
export async function writeTar(entries: OutEntry[], out: NodeJS.WritableStream): Promise<void> {
  const pack = tar.pack();
  const done = pipeline(pack, out as Writable);
  const mtime = new Date(0);
  const dirs = new Set<string>();
  try {
    for (const e of entries) {
      const parts = e.name.split('/');
      for (let i = 1; i < parts.length; i++) {
        const d = parts.slice(0, i).join('/');
        if (dirs.has(d)) continue;
        dirs.add(d);
        await new Promise<void>((res, rej) => pack.entry({ name: d + '/', type: 'directory', mode: 0o755, mtime }, (err) => (err ? rej(err) : res())));
      }
      if ('data' in e) {
        await new Promise<void>((res, rej) => pack.entry({ name: e.name, mode: 0o644, mtime }, e.data, (err) => (err ? rej(err) : res())));
      } else {
        const size = (await fsp.stat(e.file)).size;
        const sink = pack.entry({ name: e.name, size, mode: 0o644, mtime });
        await pipeline(fs.createReadStream(e.file, { highWaterMark: 1 << 20 }), sink as unknown as Writable);
      }
    }
    pack.finalize();
  } catch (err) {
    pack.destroy(err as Error);
    throw err;
  }
  await done;
}
