// Volumes and tmpfs mounts of containers: resolved once at create (named volumes created on demand,
// anonymous volumes for `-v /path` and the image's VOLUMEs, --volumes-from copied), prepared at each
// start (copy-up of image content into an empty new volume, then a rbind,rprivate bind of its data dir),
// released at exit, and anonymous volumes removed with the container when asked (`rm -v`, auto-remove).
import fs from 'node:fs';
import path from 'node:path';
import type { CreateContainerOptions, MountRequest } from '../../common/types';
import type { BindMount } from '../spec/spec';
import type { ContainerRecord, StoredMount } from '../store/types';
import type { EventBus } from '../events';
import { loadNativeGuard } from '../path-guard';
import { MountSpecError, parseVolumesFrom, tmpfsMountOptions } from './requests';
import type { VolumeService } from './service';

export interface ResolvedMounts { binds: BindMount[]; mounts: StoredMount[] }
export interface PreparedMounts { binds: BindMount[]; tmpfs: Array<{ destination: string; options: string[] }> }

export class ContainerMounts {
  constructor(private readonly volumes: VolumeService, private readonly events: EventBus) {}

  /**
   * Turns the create request into stored binds and mounts. Creates missing named volumes and the
   * anonymous ones; if anything fails, the anonymous volumes made here are removed again.
   */
  async resolve(o: CreateContainerOptions, imageVolumes: string[], lookup: (ref: string) => ContainerRecord): Promise<ResolvedMounts> {
    const reqs: MountRequest[] = [
      ...(o.binds ?? []).map((b) => ({ type: 'bind' as const, source: b.source, target: b.destination, readOnly: b.readOnly })),
      ...(o.mounts ?? []),
    ];
    for (const spec of o.volumesFrom ?? []) {
      const { container, mode } = parseVolumesFrom(spec);
      const other = lookup(container);
      const ro = (own?: boolean) => (mode ? mode === 'ro' : own) || undefined;
      for (const b of other.config.binds) reqs.push({ type: 'bind', source: b.source, target: b.destination, readOnly: ro(b.readOnly) });
      for (const m of other.config.mounts ?? []) if (m.type === 'volume') reqs.push({ type: 'volume', source: m.name, target: m.destination, readOnly: ro(m.readOnly), noCopy: true });
    }
    const targets = new Set<string>();
    for (const r of reqs) {
      if (targets.has(r.target)) throw new MountSpecError(`duplicate mount point: ${r.target}`);
      targets.add(r.target);
    }
    for (const v of imageVolumes) {
      const t = path.posix.normalize(v).replace(/\/$/, '');
      if (t && t !== '/' && !targets.has(t)) { reqs.push({ type: 'volume', target: t }); targets.add(t); }
    }
    const out: ResolvedMounts = { binds: [], mounts: [] };
    const made: string[] = [];
    try {
      for (const r of reqs) {
        if (r.type === 'bind') {
          if (!r.source || !path.isAbsolute(r.source)) throw new MountSpecError(`bind mount ${r.source}:${r.target} needs an absolute source path`);
          out.binds.push({ source: r.source, destination: r.target, readOnly: r.readOnly });
        } else if (r.type === 'tmpfs') {
          out.mounts.push({ type: 'tmpfs', destination: r.target, options: tmpfsMountOptions(r) });
        } else {
          const existed = !!r.source && this.volumes.has(r.source);
          const v = existed ? this.volumes.inspect(r.source!) : await this.volumes.create({ name: r.source, labels: r.volumeLabels, options: r.volumeOptions });
          if (!existed && v.anonymous) made.push(v.name);
          out.mounts.push({ type: 'volume', name: v.name, destination: r.target, readOnly: r.readOnly, noCopy: r.noCopy, anonymous: v.anonymous || undefined });
        }
      }
    } catch (e) {
      for (const n of made) await this.volumes.remove(n, { force: true }).catch(() => undefined);
      throw e;
    }
    return out;
  }

  /** Makes every volume ready for a start (copy-up on the first mount) and returns the spec's mounts. */
  async prepare(r: ContainerRecord, rootfs: string): Promise<PreparedMounts> {
    const out: PreparedMounts = { binds: [], tmpfs: [] };
    for (const m of r.config.mounts ?? []) {
      if (m.type === 'tmpfs') { out.tmpfs.push({ destination: m.destination, options: m.options }); continue; }
      const src = m.noCopy ? undefined : await dirInRoot(rootfs, m.destination);
      const mp = await this.volumes.prepareMount(m.name, src, !!m.noCopy);
      out.binds.push({ source: mp, destination: m.destination, readOnly: m.readOnly });
    }
    for (const m of r.config.mounts ?? []) {
      if (m.type === 'volume') this.events.publish({ type: 'volume', action: 'mount', id: m.name, container: r.id, destination: m.destination, readOnly: !!m.readOnly });
    }
    return out;
  }

  /** The container stopped: its volumes are unmounted (the runtime's mount namespace is gone). */
  released(r: ContainerRecord): void {
    for (const m of r.config.mounts ?? []) if (m.type === 'volume') this.events.publish({ type: 'volume', action: 'unmount', id: m.name, container: r.id });
  }

  /** After the container's record is gone: removes its anonymous volumes that nothing else uses. */
  async removed(r: ContainerRecord): Promise<void> {
    for (const m of r.config.mounts ?? []) {
      if (m.type === 'volume' && m.anonymous) await this.volumes.remove(m.name, { force: true }).catch(() => undefined);
    }
  }
}

/** The directory `dest` names inside the container's root (symlinks resolved within it), if there is one. */
async function dirInRoot(rootfs: string, dest: string): Promise<string | undefined> {
  const rel = dest.replace(/^\/+/, '');
  const guard = await loadNativeGuard();
  let p: string;
  if (guard) {
    try { p = guard(rootfs, rel); } catch { return undefined; }
  } else {
    // without openat2: only a path with no symlink on the way is used
    p = rootfs;
    for (const c of rel.split('/')) {
      p = path.join(p, c);
      const st = fs.lstatSync(p, { throwIfNoEntry: false });
      if (!st || st.isSymbolicLink()) return undefined;
    }
  }
  const st = fs.statSync(p, { throwIfNoEntry: false });
  return st?.isDirectory() ? p : undefined;
}
