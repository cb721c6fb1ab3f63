// Docker's ways of asking for mounts, turned into MountRequests. Pure (unit-tested):
//   -v NAME:/path[:opts] and -v /host:/path[:opts]   → HostConfig.Binds strings
//   -v /path                                         → Config.Volumes {"/path": {}} (anonymous volume)
//   --mount type=volume|bind|tmpfs,…                 → HostConfig.Mounts objects
//   --tmpfs /path[:opts]                             → HostConfig.Tmpfs {"/path": "opts"}
import path from 'node:path';
import type { MountRequest } from '../../common/types';

export class MountSpecError extends Error {
  readonly code = 'EINVAL';
  constructor(message: string) { super(message); this.name = 'MountSpecError'; }
}

const BIND_MODES = new Set(['ro', 'rw', 'z', 'Z', 'private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave', 'nocopy', 'copy']);
const TMPFS_FLAGS = new Set(['rw', 'ro', 'exec', 'noexec', 'suid', 'nosuid', 'dev', 'nodev', 'atime', 'noatime', 'relatime', 'strictatime', 'nodiratime']);
const TMPFS_KEYS = new Set(['size', 'mode', 'uid', 'gid', 'nr_inodes', 'nr_blocks']);

function checkTarget(t: string, what: string): string {
  if (!t || !path.posix.isAbsolute(t)) throw new MountSpecError(`invalid mount ${what}: the destination "${t}" must be an absolute path`);
  if (t.split('/').includes('..')) throw new MountSpecError(`invalid mount ${what}: the destination "${t}" contains ".."`);
  const clean = path.posix.normalize(t);
  if (clean === '/') throw new MountSpecError(`invalid mount ${what}: the destination cannot be "/"`);
  return clean.replace(/\/$/, '');
}

/** One HostConfig.Binds string: a host path (bind) or a volume name (volume). */
export function parseBindString(b: string): MountRequest {
  const parts = b.split(':');
  if (parts.length < 2 || parts.length > 3) throw new MountSpecError(`invalid volume specification "${b}": expected SOURCE:DESTINATION[:OPTIONS]`);
  const [source, target, mode = ''] = parts;
  const opts = mode.split(',').filter(Boolean);
  for (const o of opts) if (!BIND_MODES.has(o)) throw new MountSpecError(`invalid volume specification "${b}": unknown option "${o}"`);
  if (!source) throw new MountSpecError(`invalid volume specification "${b}": empty source`);
  const readOnly = opts.includes('ro') || undefined;
  const destination = checkTarget(target, `"${b}"`);
  if (source.startsWith('/')) return { type: 'bind', source, target: destination, readOnly };
  if (source.startsWith('.') || source.includes('/')) {
    throw new MountSpecError(`invalid volume specification "${b}": "${source}" is neither an absolute host path nor a volume name`);
  }
  return { type: 'volume', source, target: destination, readOnly, noCopy: opts.includes('nocopy') || undefined };
}

/** Config.Volumes keys: anonymous volumes. */
export function anonymousVolumes(volumes: Record<string, unknown> | null | undefined): MountRequest[] {
  return Object.keys(volumes ?? {}).map((t) => ({ type: 'volume', target: checkTarget(t, `"${t}"`) }));
}

interface DockerMount {
  Type?: string; Source?: string; Target?: string; ReadOnly?: boolean; Consistency?: string;
  VolumeOptions?: { NoCopy?: boolean; Labels?: Record<string, string> | null; DriverConfig?: { Name?: string; Options?: Record<string, string> | null } | null } | null;
  TmpfsOptions?: { SizeBytes?: number; Mode?: number } | null;
  BindOptions?: { Propagation?: string; NonRecursive?: boolean } | null;
}

/** One HostConfig.Mounts object (`--mount`). */
export function parseMountObject(raw: unknown): MountRequest {
  if (!raw || typeof raw !== 'object') throw new MountSpecError('invalid mount: expected an object');
  const m = raw as DockerMount;
  const what = `type=${m.Type ?? '?'},target=${m.Target ?? '?'}`;
  const target = checkTarget(m.Target ?? '', what);
  const readOnly = m.ReadOnly ? true : undefined;
  switch (m.Type) {
    case 'bind':
      if (!m.Source || !path.isAbsolute(m.Source)) throw new MountSpecError(`invalid mount ${what}: a bind mount needs an absolute source path`);
      if (m.VolumeOptions) throw new MountSpecError(`invalid mount ${what}: VolumeOptions are only for volumes`);
      return { type: 'bind', source: m.Source, target, readOnly };
    case 'volume': {
      if (m.Source && !/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(m.Source)) throw new MountSpecError(`invalid mount ${what}: invalid volume name "${m.Source}"`);
      const drv = m.VolumeOptions?.DriverConfig;
      if (drv?.Name && drv.Name !== 'local') throw new MountSpecError(`invalid mount ${what}: volume driver "${drv.Name}" is not available (only "local")`);
      return {
        type: 'volume', source: m.Source || undefined, target, readOnly, noCopy: m.VolumeOptions?.NoCopy || undefined,
        volumeLabels: m.VolumeOptions?.Labels ?? undefined, volumeOptions: drv?.Options ?? undefined,
      };
    }
    case 'tmpfs': {
      if (m.Source) throw new MountSpecError(`invalid mount ${what}: a tmpfs mount has no source`);
      const t = m.TmpfsOptions ?? {};
      if (t.SizeBytes !== undefined && (!Number.isInteger(t.SizeBytes) || t.SizeBytes < 0)) throw new MountSpecError(`invalid mount ${what}: tmpfs-size must be a byte count`);
      if (t.Mode !== undefined && (!Number.isInteger(t.Mode) || t.Mode < 0 || t.Mode > 0o7777)) throw new MountSpecError(`invalid mount ${what}: tmpfs-mode must be an octal mode`);
      return { type: 'tmpfs', target, readOnly, tmpfsSize: t.SizeBytes || undefined, tmpfsMode: t.Mode };
    }
    default:
      throw new MountSpecError(`invalid mount ${what}: type must be volume, bind or tmpfs`);
  }
}

/** HostConfig.Tmpfs: {"/run": "size=64m,mode=1777"}. */
export function parseTmpfsMap(map: Record<string, string> | null | undefined): MountRequest[] {
  return Object.entries(map ?? {}).map(([t, opts]) => ({ type: 'tmpfs', target: checkTarget(t, `tmpfs ${t}`), tmpfsOptions: tmpfsOptions(opts, t) }));
}

/** Validates --tmpfs options (flags and size/mode/uid/gid/nr_inodes/nr_blocks). */
export function tmpfsOptions(opts: string, target: string): string[] {
  const out: string[] = [];
  for (const o of opts.split(',').map((s) => s.trim()).filter(Boolean)) {
    const i = o.indexOf('=');
    if (i < 0) {
      if (!TMPFS_FLAGS.has(o)) throw new MountSpecError(`invalid tmpfs option "${o}" for ${target}`);
    } else {
      const k = o.slice(0, i), v = o.slice(i + 1);
      if (!TMPFS_KEYS.has(k)) throw new MountSpecError(`invalid tmpfs option "${k}" for ${target}`);
      if (k === 'mode' ? !/^[0-7]{1,4}$/.test(v) : k === 'size' ? !/^\d+[kmgKMG%]?$/.test(v) : !/^\d+$/.test(v)) {
        throw new MountSpecError(`invalid tmpfs option "${o}" for ${target}`);
      }
    }
    out.push(o);
  }
  return out;
}

/** The OCI mount options of a tmpfs request (Docker's defaults: nosuid, nodev, noexec unless "exec"). */
export function tmpfsMountOptions(r: MountRequest): string[] {
  const given = r.tmpfsOptions ?? [];
  const out = ['nosuid', 'nodev'];
  if (!given.includes('exec')) out.push('noexec');
  if (r.readOnly && !given.includes('ro')) out.push('ro');
  if (r.tmpfsSize) out.push(`size=${r.tmpfsSize}`);
  if (r.tmpfsMode !== undefined) out.push(`mode=${r.tmpfsMode.toString(8)}`);
  for (const o of given) if (!out.includes(o)) out.push(o);
  return out;
}

/** `--volumes-from ID[:ro|rw]`. */
export function parseVolumesFrom(s: string): { container: string; mode?: 'ro' | 'rw' } {
  const [container, mode, extra] = s.split(':');
  if (!container || extra !== undefined || (mode !== undefined && mode !== 'ro' && mode !== 'rw')) {
    throw new MountSpecError(`invalid --volumes-from "${s}": expected CONTAINER[:ro|rw]`);
  }
  return { container, mode: mode as 'ro' | 'rw' | undefined };
}
