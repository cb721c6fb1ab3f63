// Snapshots: a container's writable root filesystem.
//   overlay: <root>/snapshots/<id>/{upper,work,merged}, the image's layer directories
//            as lower dirs (top first), mounted with mount(8). Needs root and overlayfs.
//   copy:    <root>/snapshots/<id>/rootfs, the layers applied one by one (whiteouts
//            delete), in a worker thread. Used where overlay is not available.
// meta.json records the lower dirs, so mount() works after an engine restart or a
// host reboot (the upper dir persists; the mount does not).
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { runChecked as run } from '../runtime/proc';
import type { ImageRecord, ImageService, Snapshotter } from './index';
import type { LocalImageService } from './service';
import { WorkerPool } from './workers';
import { writeFileAtomic as writeStoreFile } from './store';
import { writeFileAtomic } from '../store/atomic';
import { usernsState } from '../runtime/userns';
import { fuseOverlayfs } from '../runtime/fuse';
import { mountOverlay } from '../../../native/index';

/** Inside a user namespace the kernel keeps overlay metadata in user.* xattrs. */
const overlayExtra = (): string => (usernsState() ? ',userxattr' : '');
import { isMountPoint, unmountDir } from './snapshot-dir';


interface SnapshotMeta { kind: 'overlay' | 'copy'; image: string; lowers: string[] /* top first, relative to layersDir */; layersDir: string }

export { isMountPoint } from './snapshot-dir';

async function probeOverlay(dir: string): Promise<string | undefined> {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return 'not running as root (overlay mounts need CAP_SYS_ADMIN)';
  try {
    if (!(await fsp.readFile('/proc/filesystems', 'utf8')).includes('\toverlay\n')) return 'the kernel has no overlay filesystem';
  } catch { return 'cannot read /proc/filesystems'; }
  const p = path.join(dir, `.probe-${process.pid}`);
  await fsp.rm(p, { recursive: true, force: true });
  try {
    for (const d of ['l1', 'l2', 'u', 'w', 'm']) await fsp.mkdir(path.join(p, d), { recursive: true });
    await fsp.writeFile(path.join(p, 'l1', 'gone'), 'x');
    await run('mknod', [path.join(p, 'l2', 'gone'), 'c', '0', '0']);
    await run('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${p}/l2:${p}/l1,upperdir=${p}/u,workdir=${p}/w${overlayExtra()}`, `${p}/m`]);
    const seen = fs.existsSync(path.join(p, 'm', 'gone'));
    await run('umount', [`${p}/m`]);
    if (seen) return 'overlay whiteouts are not honoured on this filesystem';
    return undefined;
  } catch (e) {
    return `overlay mount failed: ${((e as { stderr?: string }).stderr || (e as Error).message).trim()}`;
  } finally {
    await fsp.rm(p, { recursive: true, force: true }).catch(() => undefined);
  }
}

class SnapshotterImpl implements Snapshotter {
  /** fuse-overlayfs instead of the kernel's overlay (rootless, where the kernel refuses it); see fuse.ts */
  mountProgram?: string;

  constructor(readonly kind: 'overlay' | 'copy', readonly reason: string | undefined, private readonly dir: string,
    private readonly images: ImageService & Partial<Pick<LocalImageService, 'layerStack' | 'pool'>>, private readonly pool: WorkerPool) {}

  private paths(id: string) {
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/.test(id)) throw new Error(`invalid container id for a snapshot: "${id}"`);
    const base = path.join(this.dir, id);
    return { base, meta: path.join(base, 'meta.json'), upper: path.join(base, 'upper'), work: path.join(base, 'work'), merged: path.join(base, 'merged'), rootfs: path.join(base, 'rootfs') };
  }
  private async readMeta(id: string): Promise<SnapshotMeta | undefined> {
    try { return JSON.parse(await fsp.readFile(this.paths(id).meta, 'utf8')) as SnapshotMeta; } catch { return undefined; }
  }

  async prepare(containerId: string, image: ImageRecord): Promise<string> {
    const p = this.paths(containerId);
    const existing = await this.readMeta(containerId);
    if (existing) return this.mount(containerId);
    if (!this.images.layerStack) throw new Error('snapshots need Pier\'s own image service');
    const stack = await this.images.layerStack(image.id);
    await fsp.mkdir(p.base, { recursive: true, mode: 0o700 });
    if (this.kind === 'overlay') {
      await fsp.mkdir(p.upper, { recursive: true, mode: 0o755 });
      await fsp.mkdir(p.work, { recursive: true, mode: 0o700 });
      await fsp.mkdir(p.merged, { recursive: true, mode: 0o755 });
      const layersDir = path.dirname(path.dirname(stack[0]?.dir ?? path.join(this.dir, 'x', 'diff')));
      const lowers = stack.map((l) => path.relative(layersDir, l.dir)).reverse();
      // no fsync: a meta.json a power loss took is written again by the next prepare (same image, same upper dir)
      await writeFileAtomic(p.meta, JSON.stringify({ kind: 'overlay', image: image.id, lowers, layersDir } satisfies SnapshotMeta), 0o644, { durable: false });
      return this.mount(containerId);
    }
    const tmp = `${p.rootfs}.tmp`;
    await fsp.rm(tmp, { recursive: true, force: true });
    await fsp.mkdir(tmp, { mode: 0o755 });
    await this.pool.apply(tmp, stack.map(({ dir, whiteouts }) => ({ dir, whiteouts })));
    await fsp.rm(p.rootfs, { recursive: true, force: true });
    await fsp.rename(tmp, p.rootfs);
    await writeStoreFile(p.meta, JSON.stringify({ kind: 'copy', image: image.id, lowers: [], layersDir: '' } satisfies SnapshotMeta));
    return p.rootfs;
  }

  async mount(containerId: string): Promise<string> {
    const p = this.paths(containerId);
    const meta = await this.readMeta(containerId);
    if (!meta) throw new Error(`container ${containerId} has no snapshot (prepare it first)`);
    if (meta.kind === 'copy') return p.rootfs;
    if (await isMountPoint(p.merged)) return p.merged;
    for (const l of meta.lowers) {
      if (!fs.existsSync(path.join(meta.layersDir, l))) throw new Error(`snapshot of container ${containerId}: image layer ${l} is missing (was the image removed?)`);
    }
    // Relative lower dirs (resolved against cwd by the kernel) keep the option string short.
    const opts = `lowerdir=${meta.lowers.join(':')},upperdir=${p.upper},workdir=${p.work}${this.mountProgram ? '' : overlayExtra()}`;
    if (opts.length > 4000) throw new Error(`snapshot of container ${containerId}: too many layers for one overlay mount (${meta.lowers.length})`);
    try {
      if (this.mountProgram) await run(this.mountProgram, ['-o', opts, p.merged], { cwd: meta.layersDir });
      else await mountOverlay(meta.layersDir, opts, p.merged); // the syscall: no mount(8) process on the run path
    } catch (e) {
      throw new Error(`mounting the root filesystem of container ${containerId} failed: ${((e as { stderr?: string }).stderr || (e as Error).message).trim()}`);
    }
    return p.merged;
  }

  async unmount(containerId: string): Promise<void> {
    const p = this.paths(containerId);
    if (this.kind !== 'overlay' && !fs.existsSync(p.merged)) return;
    await unmountDir(p.merged, containerId);
  }

  async remove(containerId: string): Promise<void> {
    const p = this.paths(containerId);
    await this.unmount(containerId);
    await fsp.rm(p.base, { recursive: true, force: true });
  }

  async reset(containerId: string): Promise<string> {
    const p = this.paths(containerId);
    if (this.kind !== 'overlay') throw new Error(`the root filesystem of container ${containerId} is a copy (snapshotter "copy"): it cannot be reset`);
    await this.unmount(containerId);
    for (const [dir, mode] of [[p.upper, 0o755], [p.work, 0o700]] as const) {
      await fsp.rm(dir, { recursive: true, force: true });
      await fsp.mkdir(dir, { mode });
    }
    return this.mount(containerId);
  }

  diffDir(containerId: string): string | undefined {
    return this.kind === 'overlay' ? this.paths(containerId).upper : undefined;
  }
}

export async function createSnapshotter(opts: { root: string; images: ImageService; force?: 'overlay' | 'copy' }): Promise<Snapshotter & { reason?: string }> {
  const dir = path.join(opts.root, 'snapshots');
  await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
  const images = opts.images as ImageService & Partial<Pick<LocalImageService, 'layerStack' | 'pool'>>;
  let reason = opts.force === 'copy' ? 'copy requested' : await probeOverlay(dir);
  if (opts.force === 'overlay' && reason) throw new Error(`overlay snapshots unavailable: ${reason}`);
  if (!reason && process.env.PIER_SNAPSHOTTER === 'copy') reason = 'PIER_SNAPSHOTTER=copy';
  // rootless: fuse-overlayfs where the kernel refuses overlay (or when asked for, e.g. by the benchmark)
  const fuse = usernsState() && (reason || process.env.PIER_SNAPSHOTTER === 'fuse-overlayfs') && opts.force !== 'copy' ? fuseOverlayfs() : undefined;
  const snap = new SnapshotterImpl(reason && !fuse?.path ? 'copy' : 'overlay', fuse?.path ? undefined : reason ?? fuse?.why, dir, images, images.pool ?? new WorkerPool());
  snap.mountProgram = fuse?.path;
  return snap;
}
