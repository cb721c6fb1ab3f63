// Volumes for the UI: the list with sizes and the containers using them, and a read-only browser of a volume's
// files. Browsing is confined to the volume: the path is resolved inside it (openat2 RESOLVE_IN_ROOT, so a
// container's symlink cannot lead out), then opened without following a last symlink, and the opened file's
// real path is checked to be inside the volume before anything is read (a directory swapped for a symlink
// between the two is refused).
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Engine } from '../engine/engine';
import type { VolumeEntry, VolumeListing, VolumeRow } from '../common/contract';
import { dirSize, type VolumeInfo } from '../engine/volumes/index';
import { resolveIn } from '../engine/build/copy';
import { RpcFailure } from './errors';

const MAX_ENTRIES = 2000;
const MAX_READ = 64 * 1024;

export async function volumeRows(engine: Engine): Promise<VolumeRow[]> {
  return Promise.all(engine.volumes.list().map((v) => volumeRow(engine, v)));
}

export async function volumeRow(engine: Engine, v: VolumeInfo): Promise<VolumeRow> {
  const usedBy = v.usedBy.map((id) => {
    try { const c = engine.containers.inspect(id); return { id, name: c.name, status: c.status }; }
    catch { return { id, name: id.slice(0, 12), status: 'removed' }; }
  });
  return {
    name: v.name, mountpoint: v.mountpoint, createdAt: v.createdAt, labels: v.labels, anonymous: v.anonymous,
    bind: v.options.device, size: await dirSize(v.mountpoint), usedBy,
  };
}

function typeOf(st: fs.Stats): VolumeEntry['type'] {
  if (st.isDirectory()) return 'dir';
  if (st.isFile()) return 'file';
  if (st.isSymbolicLink()) return 'symlink';
  return 'other';
}

const inside = (root: string, p: string) => p === root || p.startsWith(root.endsWith('/') ? root : root + '/');

/** Lists a directory or reads (the start of) a file inside volume `name`; `rel` is relative to its root. */
export async function browseVolume(engine: Engine, name: string, rel: string): Promise<VolumeListing> {
  const v = engine.volumes.inspect(name);
  const root = await fsp.realpath(v.mountpoint);
  const clean = rel.split('/').filter((c) => c && c !== '.').join('/');
  const host = await resolveIn(root, clean);
  if (!host) throw new RpcFailure('ENOTFOUND', `${name}:/${clean} does not exist`);
  let fd: number;
  try { fd = fs.openSync(host, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK); }
  catch (e) { throw new RpcFailure('EINVAL', `${name}:/${clean} cannot be opened (${(e as NodeJS.ErrnoException).code})`); }
  try {
    const real = fs.readlinkSync(`/proc/self/fd/${fd}`);
    if (!inside(root, real)) throw new RpcFailure('EINVAL', `${name}:/${clean} leads outside the volume`);
    const st = fs.fstatSync(fd);
    if (st.isDirectory()) return { volume: name, path: clean, kind: 'dir', entries: listDir(`/proc/self/fd/${fd}`) };
    if (!st.isFile()) throw new RpcFailure('EINVAL', `${name}:/${clean} is not a file or folder`);
    const buf = Buffer.alloc(Math.min(st.size, MAX_READ));
    const n = buf.length ? fs.readSync(fd, buf, 0, buf.length, 0) : 0;
    const data = buf.subarray(0, n);
    const binary = data.includes(0);
    return { volume: name, path: clean, kind: 'file', size: st.size, truncated: st.size > n, binary, text: binary ? '' : data.toString('utf8') };
  } finally { fs.closeSync(fd); }
}

function listDir(dir: string): VolumeEntry[] {
  const out: VolumeEntry[] = [];
  for (const n of fs.readdirSync(dir).sort()) {
    if (out.length >= MAX_ENTRIES) break;
    let st: fs.Stats;
    try { st = fs.lstatSync(path.join(dir, n)); } catch { continue; }
    const e: VolumeEntry = { name: n, type: typeOf(st), size: st.size, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: st.mtime.toISOString() };
    if (e.type === 'symlink') { try { e.target = fs.readlinkSync(path.join(dir, n)); } catch { /* raced */ } }
    out.push(e);
  }
  return out.sort((a, b) => (a.type === 'dir') !== (b.type === 'dir') ? (a.type === 'dir' ? -1 : 1) : a.name < b.name ? -1 : 1);
}
