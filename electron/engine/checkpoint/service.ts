// Checkpoint and restore with CRIU through the OCI runtime (runc), the way libpod does:
//   checkpoint: `runc checkpoint --image-path <dir>/checkpoint --work-path <dir> …` (dump.ts)
//   restore:    conmon `--restore <dir>/checkpoint` (+ `--runtime-opt` for TCP/file locks)
// Each checkpoint lives in <root>/checkpoints/<id>/ as meta.json + data/, where data/ is
// podman's export layout (config.dump, spec.dump, checkpoint/, rootfs-diff.tar,
// deleted.files, network.status, stats-dump, ctr.log). An archive is data/ tarred and
// compressed, written next to it on demand.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Engine } from '../engine';
import type { ContainerRecord } from '../store/types';
import type { ContainerSummary } from '../../common/types';
import type { CheckpointSummary } from '../../common/contract';
import type { OciSpec } from '../spec/spec';
import { CheckpointError, meaningfulCriuLines, oneLine } from './errors';
import { transition } from '../containers/states';
import { extractArchive, streamToFile, writeArchive, type Compression } from './archive';
import { adaptForeignSpec, configFromForeign, type ConfigDump } from './podman';
import { rootDirMode } from './criu-image';
import { dumpContainer, type Dump, type DumpFlags } from './dump';
import { capabilityOf, type CheckpointCapability } from './capability';
import { applyRootfsDiff, copyTree, extractShm, sleep, treeSize } from './files';

export interface CheckpointOptions {
  /** a name unique per container (Docker's CheckpointID); optional */
  name?: string;
  /** Docker's CheckpointDir: not supported (checkpoints live in Pier's root) */
  dir?: string;
  /** keep the container running after the dump */
  leaveRunning?: boolean;
  /** checkpoint established TCP connections (restore needs it too) */
  tcpEstablished?: boolean;
  /** checkpoint file locks */
  fileLocks?: boolean;
  /** dump memory only, keep running; a later final dump uses it as parent */
  preDump?: boolean;
  /** final dump: use the container's latest pre-dump as parent (default true when one exists) */
  withPrevious?: boolean;
  /** keep CRIU's work files (dump.log) in the checkpoint */
  keep?: boolean;
  /** also write the archive (podman --export layout) */
  export?: boolean;
  compression?: Compression;
}

export interface RestoreOptions {
  /** restore as a new container with this name (default: in place, or the original name) */
  name?: string;
  /** Docker's CheckpointDir: not supported */
  dir?: string;
  tcpEstablished?: boolean;
  fileLocks?: boolean;
  /** keep CRIU's restore work files (restore.log, stats-restore) in the bundle */
  keep?: boolean;
}

export interface CheckpointRecord extends CheckpointSummary {
  /** the checkpoint's name within its container (Docker's CheckpointID), if given */
  name?: string;
  kind: 'dump' | 'pre-dump';
  /** 'pier' = taken here; 'import' = from an archive (written by Pier or podman) */
  origin: 'pier' | 'import';
  parent?: string;
  compression?: Compression;
}

const ARCHIVE_EXT: Record<Compression, string> = { zstd: '.tar.zst', gzip: '.tar.gz', none: '.tar' };
const NOT_ARCHIVED = new Set(['dump.log', 'restore.log', 'stats-restore']);

export class CheckpointServiceImpl {
  private readonly dir: string;
  private cache?: Map<string, CheckpointRecord>;

  constructor(readonly engine: Engine) {
    this.dir = path.join(engine.opts.root, 'checkpoints');
  }

  capability(): CheckpointCapability { return capabilityOf(this.engine.info()); }

  // ------------------------------------------------------------ records

  private async records(): Promise<Map<string, CheckpointRecord>> {
    if (this.cache) return this.cache;
    const m = new Map<string, CheckpointRecord>();
    await fsp.mkdir(this.dir, { recursive: true, mode: 0o700 });
    for (const id of await fsp.readdir(this.dir)) {
      if (id.startsWith('.')) { await fsp.rm(path.join(this.dir, id), { recursive: true, force: true }); continue; } // leftovers of an interrupted import
      try {
        const r = JSON.parse(await fsp.readFile(path.join(this.dir, id, 'meta.json'), 'utf8')) as CheckpointRecord;
        if (r.id === id) m.set(id, r);
      } catch { await fsp.rm(path.join(this.dir, id), { recursive: true, force: true }); } // incomplete checkpoint
    }
    this.cache = m;
    return m;
  }

  private async save(r: CheckpointRecord): Promise<void> {
    const file = path.join(this.dir, r.id, 'meta.json');
    await fsp.writeFile(`${file}.tmp`, JSON.stringify(r, null, 2), { mode: 0o600 });
    await fsp.rename(`${file}.tmp`, file);
    (await this.records()).set(r.id, r);
  }

  dataDir(id: string): string { return path.join(this.dir, id, 'data'); }

  async list(container?: string): Promise<Array<CheckpointSummary & { name: string }>> {
    let rec: ContainerRecord | undefined;
    if (container) rec = this.engine.containers.get(container);
    const all = [...(await this.records()).values()].filter((r) => !rec || r.container === rec.id);
    return all.sort((a, b) => b.created.localeCompare(a.created)).map(summary);
  }

  async get(id: string): Promise<CheckpointRecord> {
    const r = (await this.records()).get(id);
    if (!r) throw new CheckpointError(`no such checkpoint: ${id}`, 'ENOTFOUND');
    return r;
  }

  /** remove(id), or remove(container, name) for Docker-style named checkpoints. */
  async remove(id: string, name?: string): Promise<void> {
    const r = name !== undefined ? await this.byName(id, name) : await this.get(id);
    await fsp.rm(path.join(this.dir, r.id), { recursive: true, force: true });
    (await this.records()).delete(r.id);
  }

  /** A container's checkpoint by its name (Docker's CheckpointID) or id. */
  async byName(container: string, name: string): Promise<CheckpointRecord> {
    const rec = this.engine.containers.get(container);
    const hit = [...(await this.records()).values()].find((r) => r.container === rec.id && (r.name === name || r.id === name));
    if (!hit) throw new CheckpointError(`container ${rec.name} has no checkpoint named "${name}"`, 'ENOTFOUND');
    return hit;
  }

  /** Bytes used by all checkpoints (for system df). */
  async diskUsage(): Promise<number> {
    let n = 0;
    for (const r of (await this.records()).values()) n += r.size + (r.archiveSize ?? 0);
    return n;
  }

  // ------------------------------------------------------------ progress

  private progress(kind: 'checkpoint' | 'restore' | 'export' | 'import', ref: string) {
    const task = `${kind}-${randomBytes(4).toString('hex')}`;
    const ev = this.engine.events;
    return {
      task,
      step: (status: string, extra: { current?: number; total?: number } = {}) => ev.publish({ type: 'progress', task, kind, ref, status, ...extra }),
      done: (status = 'done') => ev.publish({ type: 'progress', task, kind, ref, status, done: true }),
      fail: (e: unknown) => ev.publish({ type: 'progress', task, kind, ref, status: 'failed', done: true, error: (e as Error).message }),
    };
  }

  // ------------------------------------------------------------ checkpoint

  /**
   * Checks, prepares the checkpoint's directory, dumps (dump.ts: frozen, files copied before
   * the thaw), records it, and exports it when asked. A failure leaves no checkpoint behind.
   */
  async create(ref: string, o: CheckpointOptions = {}): Promise<CheckpointSummary & { name: string }> {
    const rec = this.engine.containers.get(ref);
    await this.checkCreate(rec, o);
    const p = this.progress('checkpoint', rec.name);
    const id = newId();
    const base = path.join(this.dir, id);
    const data = path.join(base, 'data');
    const leaveRunning = !!(o.leaveRunning || o.preDump);
    const flags: DumpFlags = { leaveRunning, tcpEstablished: !!o.tcpEstablished, fileLocks: !!o.fileLocks, preDump: !!o.preDump };
    const d: Dump = { rec, data, images: path.join(data, o.preDump ? 'pre-checkpoint' : 'checkpoint'), flags, withParent: false };
    try {
      const parent = await this.prepareDump(d, o);
      p.step('dumping');
      await dumpContainer(this.engine, d, (status) => p.step(status));
      if (!o.keep) await fsp.rm(path.join(data, 'dump.log'), { force: true });
      if (d.stopped) await Promise.race([d.stopped, sleep(10_000)]);
      const r = await this.recordDump(id, d, o, parent);
      p.done();
      if (o.export && !o.preDump) return summary(await this.export(id, { compression: o.compression }));
      return summary(r);
    } catch (e) {
      p.fail(e);
      await fsp.rm(base, { recursive: true, force: true });
      const undo = (st: ContainerRecord['state']) => { if (st.status === 'running') st.stoppedByUser = false; };
      if (d.stopped) await this.engine.containers.updateState(rec.id, undo).catch(() => undefined);
      throw e;
    }
  }

  /** Refuses, with the reason, a checkpoint that cannot be taken (nothing is written yet). */
  private async checkCreate(rec: ContainerRecord, o: CheckpointOptions): Promise<void> {
    if (o.dir) throw new CheckpointError('custom checkpoint directories are not supported: Pier keeps checkpoints in its root (export an archive instead)', 'EINVAL');
    if (o.name !== undefined) {
      if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/.test(o.name)) throw new CheckpointError(`invalid checkpoint name "${o.name}": use letters, digits, _ . - (not first)`, 'EINVAL');
      if ([...(await this.records()).values()].some((r) => r.container === rec.id && r.name === o.name)) throw new CheckpointError(`container ${rec.name} already has a checkpoint named "${o.name}"`, 'ECONFLICT');
    }
    const cap = this.capability();
    if (!cap.supported) throw new CheckpointError(`cannot checkpoint container ${rec.name}: ${cap.reason}`, cap.code ?? 'ENOCRIU');
    if (o.preDump && !cap.preDump) throw new CheckpointError(`cannot pre-dump container ${rec.name}: ${cap.preDumpReason}`, 'ENOTSUP');
    transition('checkpoint', rec.state, rec.name);
    if (rec.config.terminal) throw new CheckpointError(`container ${rec.name} has a terminal (tty): CRIU cannot checkpoint a process whose terminal belongs to conmon; create it without a tty`, 'ENOTSUP');
    const snap = this.engine.snapshotter;
    if (!o.preDump && rec.config.imageId && !snap?.diffDir(rec.id)) {
      throw new CheckpointError(`checkpoint of container ${rec.name} cannot be made consistent: its root filesystem is a full copy (snapshotter "copy"${snap?.reason ? `: ${snap.reason}` : ''}), from which Pier cannot tell the files it changed; checkpoints need overlay snapshots`, 'EINCONSISTENT');
    }
  }

  /** Makes the image dir; a final dump after a pre-dump of this run gets its images as parent. */
  private async prepareDump(d: Dump, o: CheckpointOptions): Promise<CheckpointRecord | undefined> {
    await this.records();
    await fsp.mkdir(d.images, { recursive: true, mode: 0o700 });
    const parent = !o.preDump && o.withPrevious !== false && this.capability().preDump ? await this.latestPreDump(d.rec) : undefined;
    if (parent) await copyTree(path.join(this.dataDir(parent.id), 'pre-checkpoint'), path.join(d.data, 'pre-checkpoint'));
    d.withParent = !!parent;
    return parent;
  }

  /** The container's newest pre-dump taken since it last started. */
  private async latestPreDump(rec: ContainerRecord): Promise<CheckpointRecord | undefined> {
    const mine = [...(await this.records()).values()].filter((r) => r.container === rec.id && r.kind === 'pre-dump' && (!rec.state.startedAt || r.created >= rec.state.startedAt));
    return mine.sort((a, b) => b.created.localeCompare(a.created))[0];
  }

  /** Saves the record of a finished dump and tells the container's watchers. */
  private async recordDump(id: string, d: Dump, o: CheckpointOptions, parent?: CheckpointRecord): Promise<CheckpointRecord> {
    const { rec } = d;
    const r: CheckpointRecord = {
      id, ...(o.name ? { name: o.name } : {}), container: rec.id, containerName: rec.name, created: new Date().toISOString(), size: await treeSize(d.data), options: d.flags,
      kind: o.preDump ? 'pre-dump' : 'dump', origin: 'pier', ...(parent ? { parent: parent.id } : {}),
    };
    await this.save(r);
    this.engine.events.publish({ type: 'container', action: 'checkpointed', id: rec.id, name: rec.name, container: this.engine.containers.inspect(rec.id) });
    return r;
  }

  // ------------------------------------------------------------ export

  /** Writes (or reuses) the checkpoint's archive; returns the updated summary with `archive`. */
  async export(id: string, o: { compression?: Compression } = {}): Promise<CheckpointRecord> {
    const r = await this.get(id);
    if (r.kind === 'pre-dump') throw new CheckpointError(`checkpoint ${id} is a pre-dump: take a final checkpoint of ${r.containerName} and export that`, 'EINVAL');
    const compression = o.compression ?? 'zstd';
    const file = path.join(this.dir, id, `${r.containerName}-${id}${ARCHIVE_EXT[compression]}`);
    if (r.archive === file && fs.existsSync(file)) return r;
    const p = this.progress('export', r.containerName);
    try {
      p.step('writing archive', { total: r.size });
      const size = await writeArchive(this.dataDir(id), file, compression, (rel) => NOT_ARCHIVED.has(rel));
      if (r.archive && r.archive !== file) await fsp.rm(r.archive, { force: true });
      const next: CheckpointRecord = { ...r, archive: file, archiveSize: size, compression };
      await this.save(next);
      p.done();
      return next;
    } catch (e) { p.fail(e); throw e; }
  }

  // ------------------------------------------------------------ restore

  async restore(id: string, o: RestoreOptions = {}): Promise<ContainerSummary> {
    if (o.dir) throw new CheckpointError('custom checkpoint directories are not supported: Pier keeps checkpoints in its root', 'EINVAL');
    let r = (await this.records()).get(id);
    if (!r && o.name !== undefined && this.engine.containers.d.store.find(id)) {
      // Docker's `start --checkpoint NAME`: restore(container, {name: checkpoint name}), in place
      r = await this.byName(id, o.name);
      o = { ...o, name: undefined };
    }
    if (!r) r = await this.get(id);
    id = r.id;
    if (r.kind === 'pre-dump') throw new CheckpointError(`checkpoint ${id} is a pre-dump; restore a final checkpoint taken after it`, 'EINVAL');
    this.requireRestore();
    const existing = this.engine.containers.d.store.find(r.container);
    if (existing && (!o.name || o.name === existing.name)) {
      const p = this.progress('restore', existing.name);
      try {
        p.step('restoring');
        const opts = runtimeOpts(r.options, o);
        const images = path.join(this.dataDir(r.id), 'checkpoint');
        const fixRoot = await rootModeHook(images);
        // the hook runs under the container's lock once it is known to be stopped
        await this.restoreInit(existing, images, opts, o, async (gen, rootfs, b) => {
          await this.resetFiles(existing, r!.id, rootfs);
          return fixRoot(gen, rootfs, b);
        });
        p.done();
        return this.engine.containers.inspect(existing.id);
      } catch (e) { p.fail(e); throw e; }
    }
    return this.restoreAsNew(id, o);
  }

  /**
   * In place, the container's files go back to the checkpoint's too (CRIU refuses to restore
   * when a file the process held open changed since the dump): the snapshot's changes are
   * dropped and the checkpoint's rootfs diff applied. A container whose root is a host
   * directory keeps its files: Pier does not snapshot them (docs/checkpoint.md).
   */
  private async resetFiles(rec: ContainerRecord, cpId: string, rootfs: string): Promise<void> {
    const snap = this.engine.snapshotter;
    if (!rec.config.imageId || !snap?.diffDir(rec.id)) return;
    const root = await snap.reset(rec.id);
    if (root !== rootfs) throw new CheckpointError(`restore of container ${rec.name}: its root filesystem moved from ${rootfs} to ${root}`, 'ESTATE');
    await applyRootfsDiff(this.dataDir(cpId), root, `checkpoint ${cpId}`);
  }

  private requireRestore(): void {
    const cap = this.capability();
    if (!cap.supported) throw new CheckpointError(`cannot restore: ${cap.reason}`, cap.code ?? 'ENOCRIU');
  }

  private async restoreInit(rec: ContainerRecord, imagesDir: string, opts: string[], o: RestoreOptions, spec?: Parameters<Engine['containers']['restoreInit']>[3]): Promise<void> {
    const bundle = this.engine.containers.paths(rec).bundle;
    try {
      await this.engine.containers.restoreInit(rec.id, imagesDir, opts, spec);
    } catch (e) {
      const log = await fsp.readFile(path.join(bundle, 'restore.log'), 'utf8').catch(() => '');
      const lines = meaningfulCriuLines(log);
      const err = new CheckpointError(`restore of container ${rec.name} failed: ${oneLine((e as Error).message)}${lines.length ? `; CRIU restore.log: ${lines.join(' | ')}` : ''}`, (e as { code?: string }).code === 'ESTATE' ? 'ESTATE' : 'ECRIU', { cause: e });
      throw err;
    }
    if (!o.keep) await Promise.all(['restore.log', 'stats-restore'].map((f) => fsp.rm(path.join(bundle, f), { force: true })));
  }

  /** Creates a new container from a checkpoint's data dir and restores it. On failure nothing is left. */
  private async restoreAsNew(cpId: string, o: RestoreOptions): Promise<ContainerSummary> {
    const data = this.dataDir(cpId);
    const cfg = JSON.parse(await fsp.readFile(path.join(data, 'config.dump'), 'utf8')) as ConfigDump;
    const dumpSpec = JSON.parse(await fsp.readFile(path.join(data, 'spec.dump'), 'utf8')) as OciSpec;
    const foreign = !cfg.pier;
    const config = cfg.pier?.config ?? configFromForeign(cfg, dumpSpec).config;
    const name = o.name ?? cfg.pier?.name ?? cfg.name;
    const c = this.engine.containers;
    if (c.d.store.nameTaken(name)) throw new CheckpointError(`the container name "${name}" is already in use: remove that container or restore with another name`, 'ECONFLICT');
    const p = this.progress('restore', name);
    let rec: ContainerRecord | undefined;
    try {
      p.step('creating container');
      let image: string | undefined;
      if (config.imageId || config.image) image = await this.findImage(config.imageId, config.image);
      else if (!config.rootfs || !fs.existsSync(config.rootfs)) throw new CheckpointError(`the checkpoint's root filesystem ${config.rootfs ?? '(none)'} does not exist on this host`, 'EINVAL');
      rec = await c.create({
        name, image, rootfs: image ? undefined : config.rootfs, entrypoint: config.entrypoint ?? config.args, cmd: config.entrypoint ? config.cmd : [],
        env: config.env, workingDir: config.cwd, user: config.user, tty: config.terminal, openStdin: config.stdin, stdinOnce: config.stdinOnce,
        hostname: config.hostname, readOnly: config.readOnlyRoot, binds: config.binds, network: config.network, labels: config.labels,
        stopSignal: config.stopSignal, stopTimeout: config.stopTimeout, consoleSize: config.consoleSize,
      });
      const bundle = c.paths(rec).bundle;
      await fsp.mkdir(bundle, { recursive: true, mode: 0o700 });
      await fsp.copyFile(path.join(data, 'ctr.log'), c.paths(rec).logPath).catch(() => undefined);
      if (rec.config.imageId) {
        p.step('applying root filesystem changes');
        const rootfs = await c.d.images!.prepare(rec.id, rec.config.imageId);
        await applyRootfsDiff(data, rootfs, `checkpoint ${cpId}`);
      }
      const fixRoot = await rootModeHook(path.join(data, 'checkpoint'));
      const spec = foreign
        ? async (_gen: OciSpec, rootfs: string, b: string) => {
          await fixRoot(_gen, rootfs, b);
          const { spec: s, files } = adaptForeignSpec(dumpSpec, rootfs, path.join(b, 'ext'));
          await fsp.mkdir(path.join(b, 'ext'), { recursive: true, mode: 0o700 });
          for (const f of files) {
            if (f.dir) {
              await fsp.mkdir(f.path, { recursive: true, mode: 0o1777 });
              if (f.destination === '/dev/shm' && fs.existsSync(path.join(data, 'devshm-checkpoint.tar'))) await extractShm(path.join(data, 'devshm-checkpoint.tar'), f.path);
            } else await fsp.writeFile(f.path, f.content ?? '', { mode: 0o644 });
          }
          return s;
        }
        : fixRoot;
      p.step('restoring');
      await this.restoreInit(rec, path.join(data, 'checkpoint'), runtimeOpts(cfg.pier?.options ?? {}, o), o, spec);
      const r = await this.get(cpId);
      if (r.origin === 'import' && !r.container) await this.save({ ...r, container: rec.id, containerName: rec.name });
      p.done();
      return c.inspect(rec.id);
    } catch (e) {
      p.fail(e);
      if (rec) await c.remove(rec.id, { force: true }).catch(() => undefined);
      throw e;
    }
  }

  private async findImage(imageId?: string, name?: string): Promise<string> {
    const images = this.engine.images;
    for (const ref of [imageId, name, name?.replace(/^localhost\//, ''), name?.replace(/^docker\.io\/(library\/)?/, '')]) {
      if (!ref) continue;
      try { return (await images.inspect(ref)).id; } catch { /* next */ }
    }
    throw new CheckpointError(`the checkpoint needs image ${name ?? imageId}${imageId ? ` (${imageId.slice(0, 19)})` : ''}, which is not in Pier's image store: load or pull it first`, 'EINVAL');
  }

  // ------------------------------------------------------------ import

  /** Restores a container from an archive (a path or a stream). Rejected archives change nothing. */
  async import(input: string | NodeJS.ReadableStream, o: RestoreOptions = {}): Promise<ContainerSummary> {
    this.requireRestore();
    const label = typeof input === 'string' ? path.basename(input) : 'upload';
    const p = this.progress('import', label);
    await this.records();
    const staging = path.join(this.dir, `.import-${randomBytes(6).toString('hex')}`);
    const id = newId();
    let registered = false;
    try {
      await fsp.mkdir(path.join(staging, 'data'), { recursive: true, mode: 0o700 });
      let file = typeof input === 'string' ? input : path.join(staging, 'upload');
      if (typeof input !== 'string') { p.step('receiving'); await streamToFile(input, file); }
      else if (!fs.existsSync(file)) throw new CheckpointError(`archive ${file} does not exist`, 'EINVAL');
      file = typeof input === 'string' ? path.resolve(file) : file;
      const total = (await fsp.stat(file)).size;
      p.step('extracting', { current: 0, total });
      let last = 0;
      const { compression } = await extractArchive(file, path.join(staging, 'data'), { label, onProgress: (n) => { if (n - last >= 4 << 20) { last = n; p.step('extracting', { current: n }); } } });
      const data = path.join(staging, 'data');
      const need = ['config.dump', 'spec.dump', 'checkpoint/inventory.img'];
      for (const f of need) {
        const st = await fsp.lstat(path.join(data, f)).catch(() => undefined);
        if (!st?.isFile()) throw new CheckpointError(`archive ${label} is not a checkpoint archive: ${f} is missing`, 'EBADARCHIVE');
      }
      let cfg: ConfigDump;
      try {
        cfg = JSON.parse(await fsp.readFile(path.join(data, 'config.dump'), 'utf8')) as ConfigDump;
        const spec = JSON.parse(await fsp.readFile(path.join(data, 'spec.dump'), 'utf8')) as OciSpec;
        if (typeof cfg?.name !== 'string' || !spec?.process || !Array.isArray(spec.process.args)) throw new Error('missing fields');
      } catch (e) {
        throw new CheckpointError(`archive ${label}: config.dump or spec.dump is not valid (${(e as Error).message})`, 'EBADARCHIVE');
      }
      const name = o.name ?? cfg.pier?.name ?? cfg.name;
      if (this.engine.containers.d.store.nameTaken(name)) throw new CheckpointError(`the container name "${name}" is already in use: remove that container or import with another name`, 'ECONFLICT');
      await fsp.rename(staging, path.join(this.dir, id));
      registered = true;
      await fsp.rm(path.join(this.dir, id, 'upload'), { force: true });
      const opts: Record<string, boolean> = { ...(cfg.pier?.options ?? {}), imported: true };
      const r: CheckpointRecord = { id, container: '', containerName: name, created: new Date().toISOString(), size: await treeSize(this.dataDir(id)), options: opts, kind: 'dump', origin: 'import', compression };
      await this.save(r);
      p.done();
      return await this.restoreAsNew(id, o);
    } catch (e) {
      p.fail(e);
      await fsp.rm(staging, { recursive: true, force: true });
      if (registered) await this.remove(id).catch(() => undefined);
      throw e;
    }
  }
}

/** CRIU checks the mode of the container's root on restore: give the new root the dumped one. */
async function rootModeHook(imagesDir: string) {
  const mode = await rootDirMode(imagesDir);
  return async (gen: OciSpec, rootfs: string, _bundle: string): Promise<OciSpec> => {
    if (mode !== undefined) {
      const st = await fsp.stat(rootfs);
      if ((st.mode & 0o7777) !== mode) await fsp.chmod(rootfs, mode);
    }
    return gen;
  };
}

const newId = () => `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;

function summary(r: CheckpointRecord): CheckpointSummary & { name: string } {
  return { id: r.id, name: r.name ?? r.id, container: r.container, containerName: r.containerName, created: r.created, size: r.size, options: { ...r.options, preDump: r.kind === 'pre-dump' }, ...(r.archive ? { archive: r.archive, archiveSize: r.archiveSize } : {}) };
}

function runtimeOpts(dumped: Record<string, boolean>, o: RestoreOptions): string[] {
  const a: string[] = [];
  if (dumped.tcpEstablished || o.tcpEstablished) a.push('--tcp-established');
  if (dumped.fileLocks || o.fileLocks) a.push('--file-locks');
  return a;
}
