// COPY/ADD into an image's root (a mounted snapshot, or a plain directory for FROM scratch). Paths inside
// the root are resolved as if it were "/" (openat2 RESOLVE_IN_ROOT, via the native addon): an image's
// symlinks are followed but can never lead out of it; the last component is never followed (replaced).
// Sources in the build context are resolved the same way inside the context.
import fs from 'node:fs';
import path from 'node:path';
import { loadNativeGuard } from '../path-guard';

export class CopyError extends Error {
  readonly code = 'EINVAL';
  constructor(message: string) { super(message); this.name = 'CopyError'; }
}

type Guard = (root: string, rel: string) => string;

async function guard(): Promise<Guard> {
  const g = await loadNativeGuard();
  if (g) return g;
  // without openat2 (old kernels): refuse any symlink on the way
  return (root, rel) => {
    let p = root;
    for (const c of rel.split('/').filter(Boolean)) {
      p = path.join(p, c);
      const st = fs.lstatSync(p);
      if (st.isSymbolicLink()) throw new CopyError(`"${rel}" goes through a symlink (not allowed without openat2)`);
    }
    return p;
  };
}

/** The host path of `rel` inside `root`, symlinks resolved within root; undefined when it does not exist. */
export async function resolveIn(root: string, rel: string): Promise<string | undefined> {
  const g = await guard();
  try { return g(root, rel.replace(/^\/+/, '') || '.'); } catch { return undefined; }
}

/** mkdir -p inside root (new directories 0755, owned by uid:gid: COPY --chown owns the directories it creates); returns the host path. */
export async function mkdirIn(root: string, rel: string, uid = 0, gid = 0): Promise<string> {
  const g = await guard();
  let cur = root;
  const comps = rel.split('/').filter((c) => c && c !== '.');
  for (let i = 0; i < comps.length; i++) {
    const prefix = comps.slice(0, i + 1).join('/');
    let p: string | undefined;
    try { p = g(root, prefix); } catch { p = undefined; }
    if (p === undefined) {
      p = path.join(cur, comps[i]);
      fs.mkdirSync(p, 0o755);
      fs.chownSync(p, uid, gid);
    } else if (!fs.statSync(p).isDirectory()) {
      throw new CopyError(`cannot create directory /${prefix}: a file is in the way`);
    }
    cur = p;
  }
  return cur;
}

export interface CopyOpts { uid?: number; gid?: number; mode?: number }

/** Copies one file, link or tree from `src` (host path) to `dst` (host path, final component replaced). */
export function copyEntry(src: string, dst: string, o: CopyOpts): void {
  const st = fs.lstatSync(src);
  const own = (p: string, s: fs.Stats) => {
    fs.lchownSync(p, o.uid ?? 0, o.gid ?? 0);
    if (!s.isSymbolicLink()) fs.chmodSync(p, o.mode ?? (s.mode & 0o7777));
  };
  const existing = fs.lstatSync(dst, { throwIfNoEntry: false });
  if (st.isDirectory()) {
    if (existing && !existing.isDirectory()) fs.rmSync(dst, { force: true });
    if (!existing || !existing.isDirectory()) fs.mkdirSync(dst, 0o755);
    for (const n of fs.readdirSync(src)) copyEntry(path.join(src, n), path.join(dst, n), o);
    own(dst, st);
    fs.utimesSync(dst, st.atime, st.mtime);
    return;
  }
  if (existing) fs.rmSync(dst, { recursive: true, force: true });
  if (st.isSymbolicLink()) {
    fs.symlinkSync(fs.readlinkSync(src), dst);
    own(dst, st);
  } else if (st.isFile()) {
    fs.copyFileSync(src, dst, fs.constants.COPYFILE_EXCL);
    own(dst, st);
    fs.utimesSync(dst, st.atime, st.mtime);
  } else {
    throw new CopyError(`${path.basename(src)}: only files, directories and symlinks can be copied`);
  }
}

/**
 * Docker's COPY placement: a directory source copies its contents into dest; a file goes to dest/<name> when
 * dest ends in "/" (or is an existing directory, or there are several sources), else to dest itself.
 */
export async function copyInto(root: string, sources: string[], destRel: string, o: CopyOpts, onlyContentsOfDirs = true): Promise<void> {
  const dirDest = destRel.endsWith('/') || sources.length > 1;
  const destHost = await resolveIn(root, destRel);
  const destIsDir = !!destHost && fs.statSync(destHost).isDirectory();
  for (const src of sources) {
    const st = fs.lstatSync(src);
    if (st.isDirectory() && onlyContentsOfDirs) {
      const d = await mkdirIn(root, destRel, o.uid, o.gid);
      for (const n of fs.readdirSync(src)) copyEntry(path.join(src, n), path.join(d, n), o);
      continue;
    }
    if (dirDest || destIsDir) {
      const d = await mkdirIn(root, destRel, o.uid, o.gid);
      copyEntry(src, path.join(d, path.basename(src)), o);
    } else {
      const parent = await mkdirIn(root, path.posix.dirname(destRel), o.uid, o.gid);
      copyEntry(src, path.join(parent, path.posix.basename(destRel)), o);
    }
  }
}

/** Writes a heredoc file (COPY <<EOF /path). */
export async function writeFileIn(root: string, destRel: string, data: string, o: CopyOpts): Promise<void> {
  const parent = await mkdirIn(root, path.posix.dirname(destRel), o.uid, o.gid);
  const p = path.join(parent, path.posix.basename(destRel));
  fs.rmSync(p, { recursive: true, force: true });
  fs.writeFileSync(p, data, { mode: o.mode ?? 0o644, flag: 'wx' });
  fs.chmodSync(p, o.mode ?? 0o644);
  fs.lchownSync(p, o.uid ?? 0, o.gid ?? 0);
}
