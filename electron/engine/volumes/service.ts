// The local volume driver: `<root>/volumes/<name>/_data` holds the data, `<root>/volumes/<name>/volume.json`
// the record (labels, options, created, anonymous, copy-up pending). A volume appears only once its record is
// written (last, atomically); a directory without one is a crash leftover and is removed at start.
// Driver options: none, or `type=none,o=bind,device=/abs/path` (a named bind, as Docker's local driver).
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { writeJsonAtomic } from '../store/atomic';
import { CommandError, copyContents } from '../runtime/proc';
import type { EventBus } from '../events';

export const VOLUME_NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

export interface VolumeRecord {
  name: string;
  createdAt: string;
  labels: Record<string, string>;
  options: Record<string, string>;
  /** made for one container (`-v /path`, image VOLUME); removed with it by `rm -v` */
  anonymous: boolean;
  /** copy the image's content in on the first mount (cleared after it) */
  needsCopyUp: boolean;
}

export interface VolumeInfo extends VolumeRecord { mountpoint: string; usedBy: string[] }

export class VolumeError extends Error {
  constructor(readonly code: 'EINVAL' | 'ENOTFOUND' | 'EINUSE' | 'ECONFLICT', message: string) { super(message); this.name = 'VolumeError'; }
}

export interface VolumeServiceDeps {
  root: string;
  events: EventBus;
  /** ids of the containers (any state) whose config names the volume */
  usedBy: (name: string) => string[];
}

export function validateVolumeName(name: string): void {
  if (name.length < 2 && !/^[a-zA-Z0-9]$/.test(name)) throw new VolumeError('EINVAL', `invalid volume name "${name}"`);
  if (!VOLUME_NAME_RE.test(name) || name.length > 255) {
    throw new VolumeError('EINVAL', `invalid volume name "${name}": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  }
}

function checkOptions(o: Record<string, string>): void {
  const keys = Object.keys(o);
  if (!keys.length) return;
  for (const k of keys) if (!['type', 'o', 'device'].includes(k)) throw new VolumeError('EINVAL', `volume option "${k}" is not supported by the local driver (use type, o, device)`);
  if (o.type !== 'none' || !/(^|,)bind(,|$)/.test(o.o ?? '') || !o.device) {
    throw new VolumeError('EINVAL', 'the local driver here supports only bind volumes: type=none, o=bind, device=/absolute/path');
  }
  if (!path.isAbsolute(o.device)) throw new VolumeError('EINVAL', `volume device "${o.device}" must be an absolute path`);
}

export class VolumeService {
  readonly dir: string;
  private records = new Map<string, VolumeRecord>();
  private loaded = false;

  constructor(private readonly d: VolumeServiceDeps) { this.dir = path.join(d.root, 'volumes'); }

  async load(): Promise<void> {
    if (this.loaded) return;
    await fsp.mkdir(this.dir, { recursive: true, mode: 0o701 });
    for (const n of await fsp.readdir(this.dir)) {
      try {
        const r = JSON.parse(await fsp.readFile(path.join(this.dir, n, 'volume.json'), 'utf8')) as VolumeRecord;
        if (r.name === n) { this.records.set(n, r); continue; }
      } catch { /* no record: an interrupted create */ }
      if (n.startsWith('.tmp-') || VOLUME_NAME_RE.test(n)) await fsp.rm(path.join(this.dir, n), { recursive: true, force: true });
    }
    this.loaded = true;
  }

  private base(name: string): string { validateVolumeName(name); return path.join(this.dir, name); }
  mountpoint(name: string): string {
    const r = this.records.get(name);
    return r?.options.device ?? path.join(this.base(name), '_data');
  }
  private info(r: VolumeRecord): VolumeInfo { return { ...r, mountpoint: this.mountpoint(r.name), usedBy: this.d.usedBy(r.name) }; }

  has(name: string): boolean { return this.records.has(name); }
  list(): VolumeInfo[] { return [...this.records.values()].map((r) => this.info(r)); }
  inspect(name: string): VolumeInfo {
    const r = this.records.get(name);
    if (!r) throw new VolumeError('ENOTFOUND', `no such volume: ${name}`);
    return this.info(r);
  }

  /** Creates a volume; an existing one of that name is returned as is (Docker's answer). No name → anonymous. */
  async create(o: { name?: string; labels?: Record<string, string>; options?: Record<string, string>; anonymous?: boolean } = {}): Promise<VolumeInfo> {
    await this.load();
    const anonymous = o.anonymous ?? !o.name;
    const name = o.name || randomBytes(32).toString('hex');
    validateVolumeName(name);
    const options = o.options ?? {};
    checkOptions(options);
    const existing = this.records.get(name);
    if (existing) return this.info(existing);
    const rec: VolumeRecord = { name, createdAt: new Date().toISOString(), labels: { ...(o.labels ?? {}) }, options, anonymous, needsCopyUp: !options.device };
    const tmp = path.join(this.dir, `.tmp-${randomBytes(6).toString('hex')}`);
    try {
      await fsp.mkdir(path.join(tmp, '_data'), { recursive: true, mode: 0o755 });
      await fsp.chmod(tmp, 0o701);
      await writeJsonAtomic(path.join(tmp, 'volume.json'), rec);
      await fsp.rename(tmp, this.base(name));
    } catch (e) {
      await fsp.rm(tmp, { recursive: true, force: true });
      if (this.records.has(name)) return this.info(this.records.get(name)!);
      throw e;
    }
    this.records.set(name, rec);
    this.d.events.publish({ type: 'volume', action: 'create', id: name });
    return this.info(rec);
  }

  /** Removes a volume. In use → EINUSE naming the containers; missing → ENOTFOUND unless force. */
  async remove(name: string, opts: { force?: boolean } = {}): Promise<void> {
    await this.load();
    if (!this.records.has(name)) {
      if (opts.force) return;
      throw new VolumeError('ENOTFOUND', `get ${name}: no such volume`);
    }
    const users = this.d.usedBy(name);
    if (users.length) throw new VolumeError('EINUSE', `remove ${name}: volume is in use - [${users.join(', ')}]`);
    this.records.delete(name);
    // the record goes first, so a crash mid-delete leaves a directory the next load() removes
    await fsp.rm(path.join(this.base(name), 'volume.json'), { force: true });
    await fsp.rm(this.base(name), { recursive: true, force: true });
    this.d.events.publish({ type: 'volume', action: 'destroy', id: name });
  }

  /** Removes unused volumes (anonymous only unless `all`), filtered by label. */
  async prune(o: { all?: boolean; labels?: string[]; notLabels?: string[] } = {}): Promise<{ deleted: string[]; bytes: number }> {
    await this.load();
    const deleted: string[] = [];
    let bytes = 0;
    for (const r of [...this.records.values()]) {
      if (!o.all && !r.anonymous) continue;
      if (this.d.usedBy(r.name).length) continue;
      if (o.labels && !o.labels.every((l) => labelMatch(r.labels, l))) continue;
      if (o.notLabels && o.notLabels.some((l) => labelMatch(r.labels, l))) continue;
      const size = r.options.device ? 0 : await dirSize(this.mountpoint(r.name));
      await this.remove(r.name).then(() => { deleted.push(r.name); bytes += size; }, () => undefined);
    }
    return { deleted, bytes };
  }

  async size(name: string): Promise<number> { return dirSize(this.mountpoint(name)); }

  /**
   * Prepares a volume for a container's mount: on its first mount over image content (`source`, a directory
   * already resolved inside the container's root), copies that content in with owners, modes and symlinks.
   */
  async prepareMount(name: string, source: string | undefined, noCopy: boolean): Promise<string> {
    await this.load();
    const r = this.records.get(name);
    if (!r) throw new VolumeError('ENOTFOUND', `no such volume: ${name}`);
    const mp = this.mountpoint(name);
    if (r.needsCopyUp && !noCopy && source) {
      if (!fs.readdirSync(mp).length) await copyTree(source, mp);
      r.needsCopyUp = false;
      await writeJsonAtomic(path.join(this.base(name), 'volume.json'), r);
    }
    return mp;
  }
}

export function labelMatch(labels: Record<string, string>, f: string): boolean {
  const i = f.indexOf('=');
  const k = i < 0 ? f : f.slice(0, i);
  return k in labels && (i < 0 || labels[k] === f.slice(i + 1));
}

/** Copies image content into a volume (see copyContents). */
async function copyTree(src: string, dst: string): Promise<void> {
  try { await copyContents(src, dst); } catch (e) {
    const why = e instanceof CommandError ? e.result.stderr.trim() : (e as Error).message;
    throw new Error(`copying image content into volume ${path.basename(path.dirname(dst))} failed: ${why}`);
  }
}

export async function dirSize(dir: string): Promise<number> {
  let n = 0;
  const walk = async (d: string): Promise<void> => {
    let ents: fs.Dirent[];
    try { ents = await fsp.readdir(d, { withFileTypes: true }); } catch { return; }
    for (const e of ents) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else { try { n += (await fsp.lstat(p)).size; } catch { /* gone */ } }
    }
  };
  await walk(dir);
  return n;
}
