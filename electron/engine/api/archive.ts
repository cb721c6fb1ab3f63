// /containers/{id}/archive (docker cp): HEAD stats a path, GET streams it as a tar,
// PUT extracts a tar into a directory. Paths are resolved with the container's root as
// "/" (openat2 RESOLVE_IN_ROOT through the native addon when it works here, else a
// component-by-component walk with the same rules), so `..`, absolute paths and symlinks
// never lead outside it. Files are opened with O_NOFOLLOW; symlinks are copied as links,
// never followed. An uploaded archive is checked entirely (names, types, sizes) before
// anything is written: a rejected archive changes nothing. Bind mounts are not visible
// (the container's root filesystem only).
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import * as tar from 'tar-stream';
import { createExclusive, drainToFd } from '../tar/guard';
import { loadNativeGuard } from '../path-guard';
import { readTar, type TarHeader } from '../tar/read';
import type { Engine } from '../engine';
import type { ContainerRecord } from '../store/types';
import { type Ctx, type Route, json } from './context';
import { ApiError, badRequest, notFound } from './errors';
import { getContainer } from './container-ref';
import { qbool } from './validate';
import { applyUpload, type Staged } from './upload';
import type { ServerResponse } from 'node:http';

type C = Ctx & { res: ServerResponse };

let nativeResolve: ((root: string, rel: string) => string) | undefined | null = null;
async function inRoot(root: string, rel: string): Promise<string> {
  if (nativeResolve === null) {
    nativeResolve = await loadNativeGuard().catch(() => undefined);
  }
  if (nativeResolve) {
    try { return nativeResolve(root, rel); } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') throw notFound(`Could not find the file ${'/' + rel} in container`);
      if (code !== 'ENOSYS') throw e;
    }
  }
  return walkInRoot(root, rel);
}

/** Resolves rel under root the way the container would see it; symlinks are resolved with root as "/". */
export async function walkInRoot(root: string, rel: string): Promise<string> {
  const parts = rel.split('/').filter((p) => p && p !== '.');
  const done: string[] = [];
  let links = 0;
  while (parts.length) {
    const p = parts.shift()!;
    if (p === '..') { done.pop(); continue; }
    const cur = path.join(root, ...done, p);
    const st = await fsp.lstat(cur).catch(() => undefined);
    if (!st) throw notFound(`Could not find the file /${[...done, p, ...parts].join('/')} in container`);
    if (st.isSymbolicLink()) {
      if (++links > 40) throw badRequest(`too many levels of symbolic links in /${rel}`);
      const target = await fsp.readlink(cur);
      if (target.startsWith('/')) done.length = 0;
      parts.unshift(...target.split('/').filter((x) => x && x !== '.'));
      continue;
    }
    if (parts.length && !st.isDirectory()) throw notFound(`Could not find the file /${rel} in container: /${[...done, p].join('/')} is not a directory`);
    done.push(p);
  }
  return path.join(root, ...done);
}

/** The container's root filesystem on the host (mounted if needed). */
async function rootOf(engine: Engine, r: ContainerRecord): Promise<string> {
  if (r.config.rootfs) return fs.realpathSync(r.config.rootfs);
  const provider = engine.containers.d.images;
  if (!provider || !r.config.imageId) throw new ApiError(500, `container ${r.name} has no root filesystem`);
  return fs.realpathSync(await provider.prepare(r.id, r.config.imageId));
}

/** Splits a container path into its in-root parent (resolved) and final name (not followed). */
async function locate(engine: Engine, r: ContainerRecord, p: string): Promise<{ root: string; parent: string; name: string; host: string }> {
  if (!p) throw badRequest('path is required (?path=)');
  if (p.includes('\0')) throw badRequest('invalid path');
  const root = await rootOf(engine, r);
  const norm = path.posix.normalize('/' + p);
  const name = path.posix.basename(norm);
  const parentRel = path.posix.dirname(norm).slice(1);
  let parent = root;
  if (parentRel) {
    try { parent = await inRoot(root, parentRel); } catch (e) {
      if (e instanceof ApiError && e.status === 404) throw notFound(`Could not find the file ${p} in container ${r.name}`);
      throw e;
    }
  }
  if (!name) return { root, parent: root, name: '', host: root };
  return { root, parent, name, host: path.join(parent, name) };
}

/** Go's os.FileMode bits, as the docker CLI decodes the stat header. */
function goMode(st: fs.Stats): number {
  let m = st.mode & 0o777;
  if (st.mode & 0o4000) m |= 1 << 23; // setuid
  if (st.mode & 0o2000) m |= 1 << 22; // setgid
  if (st.mode & 0o1000) m |= 1 << 20; // sticky
  if (st.isDirectory()) m |= 2 ** 31;
  else if (st.isSymbolicLink()) m |= 1 << 27;
  else if (st.isFIFO()) m |= 1 << 25;
  else if (st.isSocket()) m |= 1 << 24;
  else if (st.isCharacterDevice()) m |= (1 << 26) | (1 << 21);
  else if (st.isBlockDevice()) m |= 1 << 26;
  return m >>> 0;
}

async function statHeader(loc: { host: string; name: string; root: string; container: string }, shown: string): Promise<{ header: string; st: fs.Stats }> {
  const st = await fsp.lstat(loc.host).catch(() => undefined);
  if (!st) throw notFound(`Could not find the file ${shown} in container ${loc.container}`);
  const linkTarget = st.isSymbolicLink() ? await fsp.readlink(loc.host) : '';
  const json = JSON.stringify({ name: loc.name || '/', size: st.size, mode: goMode(st), mtime: st.mtime.toISOString(), linkTarget });
  return { header: Buffer.from(json).toString('base64'), st };
}

async function packPath(pack: tar.Pack, host: string, name: string): Promise<void> {
  const st = await fsp.lstat(host);
  const base = { name, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: st.mtime };
  const entry = (h: Parameters<tar.Pack['entry']>[0]) => new Promise<void>((res, rej) => { pack.entry(h, (e?: Error | null) => (e ? rej(e) : res())); });
  if (st.isSymbolicLink()) return entry({ ...base, type: 'symlink', linkname: await fsp.readlink(host) });
  if (st.isDirectory()) {
    await entry({ ...base, type: 'directory' });
    for (const child of (await fsp.readdir(host)).sort()) await packPath(pack, path.join(host, child), `${name}/${child}`);
    return;
  }
  if (!st.isFile()) return; // devices, fifos, sockets: not copied
  const fd = await fsp.open(host, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  try {
    const fst = await fd.stat();
    if (!fst.isFile()) return;
    await new Promise<void>((resolve, reject) => {
      const w = pack.entry({ ...base, type: 'file', size: fst.size }, (e) => (e ? reject(e) : resolve()));
      const rs = fd.createReadStream({ start: 0, end: fst.size ? fst.size - 1 : 0, autoClose: false });
      if (!fst.size) { rs.destroy(); w.end(Buffer.alloc(0)); return; }
      rs.on('error', reject);
      rs.pipe(w);
    });
  } finally { await fd.close(); }
}


/** Reads the upload into a temp file and checks every entry before anything is written. */
async function stageUpload(engine: Engine, body: NodeJS.ReadableStream, gz: boolean): Promise<{ file: string; entries: Staged[] }> {
  const dir = path.join(engine.opts.root, 'tmp');
  await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, `upload-${randomBytes(6).toString('hex')}`);
  const entries: Staged[] = [];
  const fd = createExclusive(file);
  let offset = 0;
  const stage = async (h: TarHeader, body: Readable) => {
    const name = path.posix.normalize(h.name.replace(/^\/+/, ''));
    if (!name || name === '.' || name === './') return;
    if (name.split('/').includes('..')) throw badRequest(`archive entry "${h.name}" leaves the target directory`);
    const type = h.type === 'file' || h.type === 'contiguous-file' ? 'file' : h.type;
    if (type !== 'file' && type !== 'directory' && type !== 'symlink' && type !== 'link') {
      throw badRequest(`archive entry "${h.name}" is a ${type}: only files, directories and links can be copied`);
    }
    if (type === 'link' && (!h.linkname || path.posix.normalize(h.linkname.replace(/^\/+/, '')).split('/').includes('..'))) throw badRequest(`hard link "${h.name}" points outside the archive`);
    const s: Staged = { name: name.replace(/\/$/, ''), type, mode: (h.mode ?? 0o644) & 0o7777, uid: h.uid ?? 0, gid: h.gid ?? 0, mtime: h.mtime, linkname: h.linkname ?? undefined, size: 0 };
    if (type === 'file') {
      s.offset = offset;
      s.size = await drainToFd(fd, body);
      offset += s.size;
    }
    entries.push(s);
  };
  try {
    await readTar(body, stage, { compression: gz ? 'gzip' : 'none' });
  } catch (e) {
    await fsp.rm(file, { force: true });
    // a full disk (or the like) is the engine's problem, not the archive's: answered as such (500)
    if (['ENOSPC', 'EDQUOT', 'EIO'].includes((e as NodeJS.ErrnoException).code ?? '')) throw e;
    throw e instanceof ApiError ? e : badRequest(`invalid archive: ${(e as Error).message}`);
  } finally {
    fs.closeSync(fd);
  }
  return { file, entries };
}

export function archiveRoutes(): Route[] {
  const re = /^\/containers\/([^/]+)\/archive$/;
  const head = async ({ engine, res, params, query, req }: C) => {
    const r = getContainer(engine, params[0]);
    const p = query.get('path') ?? '';
    const loc = await locate(engine, r, p);
    const { header, st } = await statHeader({ ...loc, container: r.name }, p);
    res.setHeader('X-Docker-Container-Path-Stat', header);
    if (req.method === 'HEAD') { res.writeHead(200, { 'Content-Length': 0 }); res.end(); return; }
    res.writeHead(200, { 'Content-Type': 'application/x-tar' });
    const pack = tar.pack();
    const done = pipeline(pack, res).catch(() => undefined);
    try { await packPath(pack, loc.host, st.isDirectory() && !loc.name ? '.' : loc.name); pack.finalize(); } catch (e) { pack.destroy(e as Error); res.destroy(); }
    await done;
  };
  return [
    { method: 'GET', path: /^\/containers\/([^/]+)\/export$/, handler: async ({ engine, res, params }) => {
      // docker export: the container's root filesystem as a tar (symlinks as links, no devices)
      const r = getContainer(engine, params[0]);
      const root = await rootOf(engine, r);
      res.writeHead(200, { 'Content-Type': 'application/x-tar' });
      const pack = tar.pack();
      const done = pipeline(pack, res).catch(() => undefined);
      try {
        for (const child of (await fsp.readdir(root)).sort()) await packPath(pack, path.join(root, child), child);
        pack.finalize();
      } catch (e) { pack.destroy(e as Error); res.destroy(); }
      await done;
    } },
    { method: 'GET', path: /^\/containers\/([^/]+)\/changes$/, handler: async ({ engine, res, params }) => {
      // docker diff: the overlay upper dir against the image's layers (0 changed, 1 added, 2 deleted)
      const r = getContainer(engine, params[0]);
      const upper = engine.snapshotter.diffDir(r.id);
      if (!upper || !r.config.imageId) throw new ApiError(501, `docker diff needs the overlay snapshotter and an image (container ${r.name} has ${r.config.rootfs ? 'a plain rootfs' : `the ${engine.snapshotter.kind} snapshotter`})`);
      const lowers = (await engine.images.layerStack(r.config.imageId)).map((l) => l.dir).reverse();
      const inLower = async (rel: string) => {
        for (const l of lowers) if (await fsp.lstat(path.join(l, rel)).then(() => true, () => false)) return true;
        return false;
      };
      const out: Array<{ Path: string; Kind: number }> = [];
      const walk = async (rel: string, added: boolean): Promise<void> => {
        const names = await fsp.readdir(path.join(upper, rel)).catch(() => [] as string[]);
        for (const n of names.sort()) {
          const childRel = rel ? `${rel}/${n}` : n;
          const st = await fsp.lstat(path.join(upper, childRel));
          if (st.isCharacterDevice() && st.rdev === 0) { out.push({ Path: '/' + childRel, Kind: 2 }); continue; }
          const isNew = added || !(await inLower(childRel));
          out.push({ Path: '/' + childRel, Kind: isNew ? 1 : 0 });
          if (st.isDirectory()) await walk(childRel, isNew);
        }
      };
      await walk('', false);
      json(res, 200, out);
    } },
    { method: 'HEAD', path: re, handler: head },
    { method: 'GET', path: re, handler: head },
    { method: 'PUT', path: re, handler: async ({ engine, res, params, query, req }) => {
      const r = getContainer(engine, params[0]);
      const p = query.get('path') ?? '';
      const loc = await locate(engine, r, p);
      const st = await fsp.stat(loc.host).catch(() => undefined);
      if (!st) { req.resume(); throw notFound(`Could not find the file ${p} in container ${r.name}`); }
      if (!st.isDirectory()) { req.resume(); throw badRequest(`extraction point is not a directory: ${p}`); }
      if (r.config.readOnlyRoot) { req.resume(); throw new ApiError(403, `container ${r.name}'s root filesystem is read-only`); }
      const gz = String(req.headers['content-encoding'] ?? '').includes('gzip');
      const staged = await stageUpload(engine, req, gz);
      try {
        const destRel = path.relative(loc.root, loc.host).split(path.sep).join('/');
        await applyUpload(loc.root, destRel, staged, inRoot, { noOverwriteDirNonDir: qbool(query, 'noOverwriteDirNonDir'), copyUIDGID: qbool(query, 'copyUIDGID') });
      } finally { await fsp.rm(staged.file, { force: true }); }
      res.writeHead(200, { 'Content-Length': 0 });
      res.end();
    } },
  ];
}
