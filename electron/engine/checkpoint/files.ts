// Files of a checkpoint's data directory: sizes and copies, and applying an (untrusted) export's
// rootfs-diff.tar, deleted.files and devshm-checkpoint.tar onto a container.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { applyLayer, extractLayer } from '../images/extract';
import { cleanName } from '../tar/guard';
import { readTar } from '../tar/read';
import { CheckpointError } from './errors';

export async function treeSize(dir: string): Promise<number> {
  let n = 0;
  for (const e of await fsp.readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) n += await treeSize(p);
    else if (e.isFile()) n += (await fsp.stat(p)).size;
  }
  return n;
}

export async function copyTree(src: string, dst: string): Promise<void> {
  await fsp.cp(src, dst, { recursive: true, verbatimSymlinks: true });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms).unref());

/** Applies rootfs-diff.tar and deleted.files (both untrusted) onto a container's root. */
export async function applyRootfsDiff(data: string, rootfs: string, label: string): Promise<void> {
  const diff = path.join(data, 'rootfs-diff.tar');
  let deleted: string[] = [];
  const delFile = path.join(data, 'deleted.files');
  if (fs.existsSync(delFile)) {
    let list: unknown;
    try { list = JSON.parse(await fsp.readFile(delFile, 'utf8')); } catch { throw new CheckpointError(`${label}: deleted.files is not valid JSON`, 'EBADARCHIVE'); }
    if (!Array.isArray(list) || list.some((x) => typeof x !== 'string')) throw new CheckpointError(`${label}: deleted.files must be a JSON array of paths`, 'EBADARCHIVE');
    for (const d of list as string[]) {
      const comps = cleanName(d.replace(/^\/+/, ''));
      if (comps === null || d.split('/').includes('..')) throw new CheckpointError(`${label}: deleted.files entry "${d}" climbs out of the root filesystem`, 'EBADARCHIVE');
      if (comps.length) deleted.push(comps.join('/'));
    }
  }
  const hasDiff = fs.existsSync(diff) && (await fsp.stat(diff)).size > 1024;
  if (!hasDiff && !deleted.length) return;
  const stage = path.join(data, '.rootfs-diff');
  await fsp.rm(stage, { recursive: true, force: true });
  await fsp.mkdir(stage, { mode: 0o700 });
  try {
    if (hasDiff) {
      try {
        const res = await extractLayer({ file: diff, dest: stage, label: `${label} rootfs-diff.tar`, whiteoutMode: 'list' });
        deleted = [...deleted, ...res.whiteouts];
        await keepImplicitDirModes(diff, stage, rootfs);
      } catch (e) { throw new CheckpointError(`${label}: rootfs-diff.tar rejected: ${(e as Error).message}`, 'EBADARCHIVE', { cause: e }); }
    }
    try { applyLayer(rootfs, { dir: stage, whiteouts: deleted }); } catch (e) { throw new CheckpointError(`${label}: applying the root filesystem changes failed: ${(e as Error).message}`, 'EBADARCHIVE', { cause: e }); }
  } finally {
    await fsp.rm(stage, { recursive: true, force: true });
  }
}

/**
 * podman's rootfs-diff.tar names changed files without their parent directories; the
 * extractor creates those parents 0755, which must not overwrite the existing
 * directories' modes (e.g. /tmp 1777) when applied: copy the root's mode onto them.
 */
async function keepImplicitDirModes(tarFile: string, stage: string, rootfs: string): Promise<void> {
  const explicit = new Set<string>();
  await readTar(tarFile, (h) => {
    const comps = h.type === 'directory' ? cleanName(h.name) : null;
    if (comps) explicit.add(comps.join('/'));
  });
  const walk = async (rel: string) => {
    for (const ent of await fsp.readdir(path.join(stage, rel), { withFileTypes: true })) {
      if (!ent.isDirectory()) continue;
      const crel = rel ? `${rel}/${ent.name}` : ent.name;
      if (!explicit.has(crel)) {
        const st = await fsp.lstat(path.join(rootfs, crel)).catch(() => undefined);
        if (st?.isDirectory()) {
          await fsp.chmod(path.join(stage, crel), st.mode & 0o7777);
          if (process.getuid?.() === 0) await fsp.lchown(path.join(stage, crel), st.uid, st.gid);
        }
      }
      await walk(crel);
    }
  };
  await walk('');
}

/** devshm-checkpoint.tar (podman) into the new /dev/shm source directory. */
export async function extractShm(tarFile: string, dir: string): Promise<void> {
  const stage = `${dir}.stage`;
  await fsp.mkdir(stage, { mode: 0o700 });
  try {
    await extractLayer({ file: tarFile, dest: stage, label: 'devshm-checkpoint.tar', whiteoutMode: 'list' });
    for (const n of await fsp.readdir(stage)) await fsp.rename(path.join(stage, n), path.join(dir, n));
  } finally { await fsp.rm(stage, { recursive: true, force: true }); }
}

