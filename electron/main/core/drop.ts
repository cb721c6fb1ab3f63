// Drop-to-restore/load: what a dropped file is, read from its content (never trusted from
// its name). A checkpoint archive (podman's --export layout: config.dump, spec.dump,
// checkpoint/) is restored; an image archive (docker-archive manifest.json, or an OCI
// layout) is loaded; anything else is refused with the reason. Reads only tar headers.
import { lstat, open } from 'node:fs/promises';
import path from 'node:path';
import { readTar, ZstdError } from '../../engine/tar/read';

/** A folder chosen or dropped for a build: its Dockerfile (or Containerfile) when it has one at the top. */
export async function chosenFolder(dir: string): Promise<{ context: string; dockerfile?: string }> {
  for (const name of ['Dockerfile', 'Containerfile']) {
    const st = await lstat(path.join(dir, name)).catch(() => undefined);
    if (st?.isFile()) return { context: dir, dockerfile: name };
  }
  return { context: dir };
}

/** A dropped folder: something to build when it holds a Dockerfile, else refused with the reason. */
export async function classifyFolder(dir: string): Promise<{ ok: true; context: string; dockerfile: string } | { ok: false; message: string } | undefined> {
  const st = await lstat(dir).catch(() => undefined);
  if (!st?.isDirectory()) return undefined;
  const c = await chosenFolder(dir);
  if (!c.dockerfile) return { ok: false, message: `${path.basename(dir)} is a folder without a Dockerfile (or Containerfile); drop a folder to build, or a checkpoint or image archive` };
  return { ok: true, context: dir, dockerfile: c.dockerfile };
}

export type Compression = 'none' | 'gzip' | 'zstd' | 'xz' | 'bzip2';
export type ArchiveKind = 'checkpoint' | 'image';
export type Classified = { ok: true; kind: ArchiveKind; format: 'podman-checkpoint' | 'docker-archive' | 'oci-layout'; compression: Compression } | { ok: false; code: string; message: string };

export function sniffCompression(head: Uint8Array): Compression | 'tar' | undefined {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  if (head.length >= 6 && head[0] === 0xfd && head[1] === 0x37 && head[2] === 0x7a && head[3] === 0x58 && head[4] === 0x5a && head[5] === 0x00) return 'xz';
  if (head.length >= 3 && head[0] === 0x42 && head[1] === 0x5a && head[2] === 0x68) return 'bzip2';
  if (head.length >= 262 && Buffer.from(head.subarray(257, 262)).toString('latin1') === 'ustar') return 'tar';
  return undefined;
}

/** Decides from entry names (normalised, no leading ./). */
export function classifyEntries(names: ReadonlySet<string>): { kind: ArchiveKind; format: 'podman-checkpoint' | 'docker-archive' | 'oci-layout' } | undefined {
  if (names.has('config.dump') && names.has('spec.dump')) return { kind: 'checkpoint', format: 'podman-checkpoint' };
  if (names.has('manifest.json')) return { kind: 'image', format: 'docker-archive' };
  if (names.has('oci-layout') && names.has('index.json')) return { kind: 'image', format: 'oci-layout' };
  return undefined;
}

const norm = (n: string) => n.replace(/^(\.\/)+/, '').replace(/\/+$/, '');

export interface ClassifyLimits { maxEntries?: number }

export async function classifyArchive(file: string, limits: ClassifyLimits = {}): Promise<Classified> {
  const base = path.basename(file);
  let st;
  try { st = await lstat(file); } catch (e) { return { ok: false, code: 'ENOENT', message: `${base}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` }; }
  if (st.isDirectory()) return { ok: false, code: 'EUNSUPPORTED', message: `${base} is a folder; drop a checkpoint archive (.tar.gz, .tar.zst) or an image archive (.tar)` };
  if (!st.isFile()) return { ok: false, code: 'EUNSUPPORTED', message: `${base} is not a regular file` };
  if (st.size < 16) return { ok: false, code: 'EUNSUPPORTED', message: `${base} is not an archive (${st.size} bytes)` };
  const fh = await open(file, 'r');
  const head = Buffer.alloc(Math.min(512, st.size));
  try { await fh.read(head, 0, head.length, 0); } finally { await fh.close(); }
  const c = sniffCompression(head);
  if (!c) return { ok: false, code: 'EUNSUPPORTED', message: `${base} is not a checkpoint or image archive (expected a tar, tar.gz or tar.zst file)` };
  const compression: Compression = c === 'tar' ? 'none' : c;
  if (compression !== 'none' && compression !== 'gzip' && compression !== 'zstd') {
    return { ok: false, code: 'EUNSUPPORTED', message: `${base} is ${compression}-compressed; Pier reads tar, tar.gz and tar.zst archives` };
  }
  const maxEntries = limits.maxEntries ?? 20000;
  const names = new Set<string>();
  let verdict: ReturnType<typeof classifyEntries>;
  let n = 0;
  try {
    // headers only: the engine's tar reader, stopped at the verdict or after maxEntries names
    await readTar(file, (h) => {
      names.add(norm(h.name));
      verdict = classifyEntries(names);
      return verdict || ++n >= maxEntries ? 'stop' : undefined;
    });
  } catch (e) {
    if (e instanceof ZstdError && e.code === 'ENOZSTD') return { ok: false, code: 'EUNSUPPORTED', message: `${base} is zstd-compressed and ${e.message}` };
    return { ok: false, code: 'EBROKEN', message: `${base} is a damaged archive: ${(e as Error).message}` };
  }
  if (!verdict) {
    const sample = [...names].slice(0, 4).join(', ');
    return { ok: false, code: 'EUNSUPPORTED', message: `${base} is an archive but neither a checkpoint (config.dump, spec.dump) nor an image (manifest.json or oci-layout)${sample ? `; it holds ${sample}${names.size > 4 ? ', …' : ''}` : '; it is empty'}` };
  }
  return { ok: true, ...verdict, compression };
}
