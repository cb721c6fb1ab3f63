// A host folder as a build context (the desktop app's Build dialog and folder drop). The folder is packed into a
// tar exactly as the docker CLI sends one (owners 0:0, symlinks as links, .dockerignore applied while walking),
// then goes through the same spool + secure unpack as an API context: one path for every untrusted context.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import ignore from '@balena/dockerignore';
import { BuildContextError, spool } from './context';

/** Where a folder's Dockerfile is: the given relative path, else Dockerfile, else Containerfile. */
export async function findDockerfile(dir: string, given?: string): Promise<string | undefined> {
  for (const rel of given ? [given] : ['Dockerfile', 'Containerfile']) {
    const st = await fsp.lstat(path.join(dir, rel)).catch(() => undefined);
    if (st?.isFile()) return rel;
  }
  return undefined;
}

/** Checks that `dir` is a folder that can be built; returns its Dockerfile's relative path. */
export async function checkFolder(dir: string, dockerfile?: string): Promise<string> {
  if (!path.isAbsolute(dir)) throw new BuildContextError(`build folder "${dir}" must be an absolute path`);
  const st = await fsp.stat(dir).catch((e: NodeJS.ErrnoException) => {
    throw new BuildContextError(`build folder ${dir}: ${e.code === 'ENOENT' ? 'does not exist' : e.code ?? e.message}`);
  });
  if (!st.isDirectory()) throw new BuildContextError(`build folder ${dir} is not a folder`);
  if (dockerfile && (path.isAbsolute(dockerfile) || dockerfile.split('/').includes('..'))) {
    throw new BuildContextError(`Dockerfile "${dockerfile}" must be a path inside the folder`);
  }
  const df = await findDockerfile(dir, dockerfile);
  if (!df) throw new BuildContextError(`${dir} has no ${dockerfile ?? 'Dockerfile (or Containerfile)'}`);
  return df;
}

/** Packs `dir` into the tar file `out` (at most `max` bytes); `keep` are never ignored (the Dockerfile). */
export async function packFolder(dir: string, out: string, max: number, keep: string[]): Promise<void> {
  const text = await fsp.readFile(path.join(dir, '.dockerignore'), 'utf8').catch(() => '');
  const rules = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const ig = ignore().add(rules);
  // with "!" rules an ignored directory may hold re-included files: walk it, the unpacked context is filtered again
  const prune = !rules.some((r) => r.startsWith('!'));
  const pack = tar.pack();
  const add = (h: Head) => new Promise<void>((resolve, reject) => { pack.entry(h, (e) => (e ? reject(e) : resolve())); });
  const walk = async (rel: string): Promise<void> => {
    const ents = await fsp.readdir(rel ? path.join(dir, rel) : dir, { withFileTypes: true });
    ents.sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const e of ents) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      const ignored = !keep.includes(r) && (ig.ignores(r) || (e.isDirectory() && ig.ignores(`${r}/`)));
      if (ignored && (prune || !e.isDirectory())) continue;
      const p = path.join(dir, r);
      const st = await fsp.lstat(p);
      const h = { name: r, mode: st.mode & 0o7777, mtime: st.mtime, uid: 0, gid: 0 };
      if (st.isDirectory()) { await add({ ...h, type: 'directory' }); await walk(r); }
      else if (st.isSymbolicLink()) await add({ ...h, type: 'symlink', linkname: await fsp.readlink(p) });
      else if (st.isFile()) await addFile(pack, { ...h, size: st.size }, p);
      else throw new BuildContextError(`build folder: ${r} is a ${kindOf(st)}; only files, folders and symlinks can be sent`);
    }
  };
  const done = spool(pack as unknown as Readable, out, max);
  try { await walk(''); pack.finalize(); } catch (e) { pack.destroy(e as Error); await done.catch(() => undefined); throw e; }
  await done;
}

type Head = Partial<tar.Header> & { name: string };

async function addFile(pack: tar.Pack, h: Head, file: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const entry = pack.entry(h, (e) => (e ? reject(e) : resolve()));
    pipeline(fs.createReadStream(file), entry as unknown as NodeJS.WritableStream).catch(reject);
  });
}

function kindOf(st: fs.Stats): string {
  if (st.isSocket()) return 'socket';
  if (st.isFIFO()) return 'named pipe';
  return 'device file';
}
