// Applying a checked upload (PUT /containers/{id}/archive) to the container's root: all or nothing. Missing parent
// directories are created as dockerd does (0755, root-owned); an entry replacing an existing one first moves it
// aside; any failure (a conflict, a bad link, a full disk) removes what this upload created, in reverse order, and
// puts back what it moved aside or re-moded. Paths are resolved in the root (symlinks never lead out).
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { ApiError, badRequest } from './errors';

export interface Staged { name: string; type: 'file' | 'directory' | 'symlink' | 'link'; mode: number; uid: number; gid: number; mtime?: Date; linkname?: string; offset?: number; size: number }
export type ResolveInRoot = (root: string, rel: string) => Promise<string>;

/** What an upload did, so that it can be undone. */
class Journal {
  private created: string[] = [];
  private movedAside: Array<{ from: string; to: string }> = [];
  private remoded: Array<{ dir: string; mode: number }> = [];
  create(p: string): void { this.created.push(p); }
  async moveAside(p: string): Promise<void> {
    const to = path.join(path.dirname(p), `.pier-cp-${randomBytes(6).toString('hex')}`);
    await fsp.rename(p, to);
    this.movedAside.push({ from: p, to });
  }
  async chmod(dir: string, mode: number): Promise<void> {
    const st = await fsp.stat(dir);
    this.remoded.push({ dir, mode: st.mode & 0o7777 });
    await fsp.chmod(dir, mode);
  }
  async commit(): Promise<void> {
    for (const m of this.movedAside) await fsp.rm(m.to, { recursive: true, force: true });
  }
  async rollback(): Promise<void> {
    for (const p of this.created.reverse()) await fsp.rm(p, { recursive: true, force: true }).catch(() => undefined);
    for (const m of this.movedAside.reverse()) await fsp.rename(m.to, m.from).catch(() => undefined);
    for (const r of this.remoded.reverse()) await fsp.chmod(r.dir, r.mode).catch(() => undefined);
  }
}

/** Creates the missing directories of `relDir` under root (0755, 0:0, as dockerd); returns the resolved path. */
async function ensureDir(root: string, relDir: string, resolve: ResolveInRoot, j: Journal): Promise<string> {
  const parts = relDir.split('/').filter((p) => p && p !== '.');
  let cur = '';
  let host = root;
  for (const p of parts) {
    cur = cur ? `${cur}/${p}` : p;
    const next = path.join(host, p);
    const st = await fsp.lstat(next).catch(() => undefined);
    if (!st) {
      await fsp.mkdir(next, { mode: 0o755 });
      j.create(next);
      await fsp.chmod(next, 0o755);
      await fsp.chown(next, 0, 0).catch(() => undefined);
      host = next;
    } else host = await resolve(root, cur);
  }
  return host;
}

export async function applyUpload(root: string, destRel: string, staged: { file: string; entries: Staged[] }, resolve: ResolveInRoot, o: { noOverwriteDirNonDir: boolean; copyUIDGID: boolean }): Promise<void> {
  const fd = await fsp.open(staged.file, 'r');
  const j = new Journal();
  try {
    for (const e of staged.entries) await applyEntry(root, destRel, e, fd, resolve, o, j);
    await j.commit();
  } catch (err) {
    await j.rollback();
    throw err;
  } finally { await fd.close(); }
}

async function applyEntry(root: string, destRel: string, e: Staged, fd: fsp.FileHandle, resolve: ResolveInRoot, o: { noOverwriteDirNonDir: boolean; copyUIDGID: boolean }, j: Journal): Promise<void> {
  const rel = path.posix.join(destRel, e.name);
  const parent = await ensureDir(root, path.posix.dirname(rel), resolve, j);
  const target = path.join(parent, path.posix.basename(rel));
  const existing = await fsp.lstat(target).catch(() => undefined);
  if (existing) {
    if (e.type === 'directory' && existing.isDirectory()) { await j.chmod(target, e.mode); return; }
    if (o.noOverwriteDirNonDir && existing.isDirectory() !== (e.type === 'directory')) {
      throw new ApiError(400, `cannot overwrite ${existing.isDirectory() ? 'directory' : 'non-directory'} "/${rel}" with ${e.type === 'directory' ? 'a directory' : 'a non-directory'}`);
    }
    await j.moveAside(target);
  }
  const uid = o.copyUIDGID ? e.uid : 0, gid = o.copyUIDGID ? e.gid : 0;
  if (e.type === 'directory') { await fsp.mkdir(target, { mode: e.mode }); j.create(target); }
  else if (e.type === 'symlink') { await fsp.symlink(e.linkname ?? '', target); j.create(target); }
  else if (e.type === 'link') {
    const src = await resolve(root, path.posix.join(destRel, path.posix.normalize(e.linkname!.replace(/^\/+/, ''))));
    const st = await fsp.lstat(src);
    if (!st.isFile()) throw badRequest(`hard link "${e.name}" must point to a regular file`);
    await fsp.link(src, target);
    j.create(target);
    return;
  } else {
    const w = await fsp.open(target, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, e.mode);
    j.create(target);
    try {
      const buf = Buffer.alloc(Math.min(e.size, 1 << 20));
      let done = 0;
      while (done < e.size) {
        const { bytesRead } = await fd.read(buf, 0, Math.min(buf.length, e.size - done), e.offset! + done);
        if (!bytesRead) break;
        await w.write(buf, 0, bytesRead);
        done += bytesRead;
      }
      await w.chmod(e.mode);
      await w.chown(uid, gid);
    } finally { await w.close(); }
  }
  if (e.type !== 'symlink') await fsp.chown(target, uid, gid).catch(() => undefined);
  else await fsp.lchown(target, uid, gid).catch(() => undefined);
  if (e.mtime && e.type !== 'symlink') await fsp.utimes(target, e.mtime, e.mtime).catch(() => undefined);
}
