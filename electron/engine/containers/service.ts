// Container lifecycle on top of ConmonRuntime and the store. Every operation on one
// container runs under that container's lock, so an exit seen from conmon's exit
// directory never races a stop or a remove.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { generateSpec } from '../spec/spec';
import { rootlessSpecOptions } from '../runtime/rootless';
import { ConmonRuntime, checkConmonRunning, parentConmon, type ContainerPaths } from '../runtime/conmon-runtime';
import { ContainerStore, ConflictError, NotFoundError } from '../store/containers';
import { containerLockPath, lockFile, removeLockFile } from '../store/lock';
import { applyResources, checkResources, linuxResources, mergeUpdate } from '../spec/resources';
import { hostLimits } from '../stats/host';
import { assertContainerName } from '../../common/names';
import type { ContainerRecord, ContainerConfig } from '../store/types';
import type { CreateContainerOptions, ContainerSummary, ContainerAction, Resources } from '../../common/types';
import type { EventBus } from '../events';
import type { ExitWatcher } from '../conmon/exitfile';
import { readExitFile } from '../conmon/exitfile';
import { resolveUser } from './user';
import { ConmonWatch } from './conmon-watch';
import { parseSignal, terminates } from './signals';
import { summarize } from './summary';
import { readLogs, type LogEntry, type LogOptions } from '../conmon/logs';
import type { ContainerNetConfig } from '../network/types';
import type { NetSetup } from '../network/service';
import { joinTarget, targetId } from '../network/container-mode';
import { parseLinks } from '../network/links';

/**
 * Writes of an auto-remove (--rm) container's record skip fsync: such a container does not outlive its run, which a
 * power loss ends, and the next start reconciles (or skips, when unreadable) whatever record it finds; the page
 * cache keeps them across an engine crash (store/atomic.ts). Every other record stays durable.
 */
function saveOpts(r: ContainerRecord): { durable: boolean } { return { durable: !r.config.autoRemove }; }

/** How long a SIGKILLed container may take to be reported gone before stop/kill fail with "did not die". */
const KILL_WAIT_MS = 10_000;

/** What the lifecycle needs from the network area (network/service.ts). */
export interface ContainerNetworking {
  validate(cfg: ContainerNetConfig): void;
  setup(r: ContainerRecord): Promise<NetSetup>;
  teardown(containerId: string): Promise<void>;
  /** starts the teardown of an exited container's network; resolves once its host ports are free (write-behind) */
  release(containerId: string): Promise<void>;
  attachment(containerId: string): { netns: string } | undefined;
}
import { effectiveHealthcheck, validateHealthcheck, validateRestartPolicy } from './healthcheck-config';
import type { HealthcheckConfig, HealthStatus } from '../../common/types';
import type { ContainerState } from '../store/types';
import { InvalidStateError, hasRuntime, isLive, transition } from './states';

export { InvalidStateError } from './states';

/** What the engine needs from the image area (see images/index.ts). */
export interface RootfsProvider {
  /** Resolves an image reference to its config defaults. */
  resolve(ref: string): Promise<{ imageId: string; ref: string; defaults: { entrypoint: string[]; cmd: string[]; env: string[]; workingDir: string; user: string; stopSignal?: string; labels: Record<string, string>; healthcheck?: HealthcheckConfig; volumes?: string[] } }>;
  /** Creates or re-mounts the container's root; returns its path. */
  prepare(containerId: string, imageId: string): Promise<string>;
  remove(containerId: string): Promise<void>;
}

/** Lets a restore replace the generated spec (e.g. with an imported spec.dump adapted to this host). */
export type RestoreSpecHook = (generated: ReturnType<typeof generateSpec>, rootfs: string, bundle: string) => ReturnType<typeof generateSpec> | Promise<ReturnType<typeof generateSpec>>;

export interface ContainersDeps {
  runroot: string;
  runtime: ConmonRuntime;
  store: ContainerStore;
  events: EventBus;
  exits: ExitWatcher;
  images?: RootfsProvider;
  network?: ContainerNetworking;
  /** volumes and tmpfs mounts (volumes/container-mounts.ts) */
  mounts?: import('../volumes/container-mounts').ContainerMounts;
}

export class Containers {
  private locks = new Map<string, Promise<unknown>>();
  /** auto-removals of natural exits (they finish behind their `removed` event, see removeLocked); never reject */
  private behind = new Set<Promise<void>>();
  private nofileHard = readNofileHard();
  /** hooks other engine areas use (exec sessions end with their container) */
  readonly onStopped = new Set<(id: string) => void>();
  /** warnings from the last create of a container (limits this host discarded), taken once */
  private warnings = new Map<string, string[]>();

  /** conmon ending without an exit file while the engine runs: the container is marked exited (-1) */
  private conmons = new ConmonWatch((id, pid) => { this.conmonGone(id, pid).catch(() => undefined); });

  constructor(readonly d: ContainersDeps) {}

  /** Stops watching conmon processes (engine close). */
  closeWatchers(): void { this.closing = true; this.conmons.close(); }
  private closing = false;

  /**
   * Serializes operations per container: in this process (a promise chain), then against `pier container
   * cleanup` (an flock on <runroot>/locks/<id>). The record is re-read under the lock; a change made by cleanup
   * is published here (once, as the engine's own would be). Rejects with NotFoundError if cleanup removed it.
   */
  lock<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(id) ?? Promise.resolve();
    const locked = async () => {
      const held = await lockFile(containerLockPath(this.d.runroot, id));
      try {
        await this.syncFromDisk(id);
        return await fn();
      } finally { held.release(); }
    };
    const next = prev.then(locked, locked);
    const tail = next.catch(() => undefined);
    this.locks.set(id, tail);
    tail.then(() => { if (this.locks.get(id) === tail) this.locks.delete(id); });
    return next;
  }

  /** Takes in what `pier container cleanup` did while this engine was not looking. Caller holds the lock. */
  private async syncFromDisk(id: string): Promise<void> {
    const r = this.d.store.find(id);
    if (!r) throw new NotFoundError('container', id);
    const wasActive = hasRuntime(r.state);
    const change = await this.d.store.refresh(id);
    if (change === 'same') return;
    if (wasActive && (change === 'gone' || !hasRuntime(r.state))) {
      // cleanup ran in another process: the network namespace is torn down here
      await this.d.network?.release(r.id);
      r.state.net = undefined;
      for (const fn of this.onStopped) fn(r.id);
      this.publishExit(r);
    }
    if (change === 'gone') {
      this.emit(r, 'removed');
      throw new NotFoundError('container', id);
    }
    if (r.config.autoRemove && (r.state.status === 'exited' || r.state.status === 'removing')) {
      setImmediate(() => { this.remove(r.id, { force: true }).catch(() => undefined); });
    }
  }

  /** `oom` (as Docker: before `die`) when the OOM killer ended the run, then `exited`. */
  private publishExit(r: ContainerRecord): void {
    if (r.state.oomKilled) this.emit(r, 'oom');
    this.emit(r, 'exited', { exitCode: r.state.exitCode });
  }

  /** Resolves once every auto-removal still finishing behind its `removed` event (removeLocked) has ended. */
  async settled(): Promise<void> { await Promise.all(this.behind); }

  /** Handles every exit file already written for a container still recorded as running (engine shutdown). */
  async sweepExits(): Promise<void> {
    await Promise.all(this.d.store.list().filter((r) => hasRuntime(r.state)).map((r) => {
      const exit = readExitFile(this.d.exits.dir, r.id);
      return exit ? this.handleExit(r.id, exit.code).catch(() => undefined) : undefined;
    }));
    await Promise.all([...this.locks.values()]);
  }

  paths(r: ContainerRecord): ContainerPaths {
    const dir = this.d.store.containerDir(r.id);
    return { id: r.id, name: r.name, bundle: path.join(dir, 'b'), runDir: path.join(this.d.runroot, 'containers', r.id), logPath: path.join(dir, 'b', 'ctr.log'), terminal: r.config.terminal, stdin: r.config.stdin };
  }

  list(): ContainerSummary[] { return this.d.store.list().map(summarize); }
  get(ref: string): ContainerRecord { return this.d.store.get(ref); }
  inspect(ref: string): ContainerSummary { return summarize(this.get(ref)); }

  private emit(r: ContainerRecord, action: ContainerAction, extra: { exitCode?: number } = {}): void {
    this.d.events.publish({ type: 'container', action, id: r.id, name: r.name, container: summarize(r), ...extra });
  }

  async create(o: CreateContainerOptions): Promise<ContainerRecord> {
    if (!o.image && !o.rootfs) throw Object.assign(new Error('create needs an image or a rootfs directory'), { code: 'EINVAL' });
    const id = randomBytes(32).toString('hex');
    const name = o.name ?? `pier_${id.slice(0, 12)}`;
    assertContainerName(name);
    if (this.d.store.nameTaken(name)) throw new ConflictError(`the container name "${name}" is already in use`);

    let defaults = { entrypoint: [] as string[], cmd: [] as string[], env: [] as string[], workingDir: '', user: '', stopSignal: undefined as string | undefined, labels: {} as Record<string, string>, healthcheck: undefined as HealthcheckConfig | undefined, volumes: [] as string[] | undefined };
    let imageId: string | undefined, imageRef: string | undefined;
    if (o.image) {
      if (!this.d.images) throw Object.assign(new Error(`cannot use image ${o.image}: this engine has no image store`), { code: 'EINVAL' });
      const img = await this.d.images.resolve(o.image);
      defaults = { ...defaults, ...img.defaults };
      imageId = img.imageId; imageRef = img.ref;
    } else {
      const { stat } = await import('node:fs/promises');
      const st = await stat(o.rootfs!).catch(() => undefined);
      if (!st?.isDirectory()) throw Object.assign(new Error(`rootfs ${o.rootfs} is not a directory`), { code: 'EINVAL' });
    }
    const entrypoint = o.entrypoint ?? defaults.entrypoint;
    const cmd = o.cmd && o.cmd.length ? o.cmd : (o.entrypoint ? [] : defaults.cmd);
    const args = [...entrypoint, ...cmd];
    if (!args.length) throw Object.assign(new Error(`no command given for container ${name} and the image defines none`), { code: 'EINVAL' });
    const env = mergeEnv(defaults.env, o.env ?? []);
    if (o.stopSignal) parseSignal(o.stopSignal);
    const net = this.netConfig(o);
    const netContainer = o.network?.startsWith('container:') ? targetId(o.network, (ref) => this.get(ref)) : undefined;
    const healthcheck = checkSupervision(o, defaults.healthcheck);
    const limits = o.resources ? checkResources(o.resources, hostLimits()) : undefined;
    const config: ContainerConfig = {
      image: imageRef, imageId, rootfs: o.rootfs ? path.resolve(o.rootfs) : undefined,
      args, entrypoint, cmd, env, cwd: o.workingDir || defaults.workingDir || '/', user: o.user ?? defaults.user ?? '',
      terminal: !!o.tty, stdin: !!o.openStdin, stdinOnce: !!o.stdinOnce, hostname: o.hostname ?? id.slice(0, 12),
      readOnlyRoot: !!o.readOnly, binds: o.binds ?? [], network: net ? 'bridge' : netContainer ? 'container' : (o.network as 'none' | 'host' | undefined) ?? 'none', ...(net ? { net } : {}),
      ...(netContainer ? { netContainer } : {}),
      labels: { ...defaults.labels, ...(o.labels ?? {}) }, stopSignal: o.stopSignal ?? defaults.stopSignal ?? 'SIGTERM',
      stopTimeout: o.stopTimeout ?? 10, autoRemove: !!o.autoRemove, consoleSize: o.consoleSize,
      restartPolicy: o.restartPolicy, healthcheck, healthcheckRequested: o.healthcheck, ...(o.echo ? { echo: o.echo } : {}),
      ...(limits ? { resources: limits.resources } : {}),
    };
    for (const b of config.binds) if (!path.isAbsolute(b.source) || !path.isAbsolute(b.destination)) throw Object.assign(new Error(`bind mount ${b.source}:${b.destination} needs absolute paths`), { code: 'EINVAL' });
    if (this.d.mounts) {
      const m = await this.d.mounts.resolve(o, defaults.volumes ?? [], (ref) => this.get(ref));
      config.binds = m.binds;
      if (m.mounts.length) config.mounts = m.mounts;
    }
    const rec: ContainerRecord = { id, name, created: new Date().toISOString(), config, state: { status: 'created', initialized: false, pid: 0, conmonPid: 0 } };
    await this.d.store.save(rec, saveOpts(rec));
    this.emit(rec, 'created');
    if (limits?.warnings.length) this.warnings.set(rec.id, limits.warnings);
    return rec;
  }

  /** Bridge-mode network settings from the create options (validated against existing networks). */
  private netConfig(o: CreateContainerOptions): ContainerNetConfig | undefined {
    const mode = o.network ?? 'none';
    if (mode === 'none' || mode === 'host' || mode.startsWith('container:')) {
      if (o.links?.length) throw Object.assign(new Error(`conflicting options: ${mode.split(':')[0]} type network can't be used with links. This would result in undefined behavior`), { code: 'EINVAL' });
      if (o.ports?.length) throw Object.assign(new Error(`published ports need a bridge network (network mode is ${mode})`), { code: 'EINVAL' });
      return undefined;
    }
    if (!this.d.network) throw Object.assign(new Error(`network ${mode}: this engine has no bridge networking`), { code: 'EINVAL' });
    const networks = { [mode]: o.networks?.[mode] ?? {}, ...(o.networks ?? {}) };
    const net: ContainerNetConfig = {
      networks, ports: o.ports ?? [], ...(o.portBindings ? { portBindings: o.portBindings } : {}),
      ...(o.exposedPorts?.length ? { exposedPorts: o.exposedPorts } : {}), ...(o.dns?.length ? { dns: o.dns } : {}),
      ...(o.dnsSearch?.length ? { dnsSearch: o.dnsSearch } : {}), ...(o.dnsOptions?.length ? { dnsOptions: o.dnsOptions } : {}),
      ...(o.extraHosts?.length ? { extraHosts: o.extraHosts } : {}),
      ...(o.links?.length ? { links: parseLinks(o.links, (ref) => this.get(ref)) } : {}),
    };
    this.d.network.validate(net);
    return net;
  }

  /** Launches conmon + runtime create (status stays "created"); the attach socket exists afterwards. */
  init(ref: string): Promise<ContainerRecord> {
    const r = this.get(ref);
    return this.lock(r.id, () => this.initLocked(r));
  }

  private async initLocked(r: ContainerRecord, restore?: { from: string; opts: string[]; spec?: RestoreSpecHook }): Promise<ContainerRecord> {
    if (r.state.initialized) return r;
    const p = this.paths(r);
    await mkdir(p.bundle, { recursive: true, mode: 0o700 });
    if (!r.config.rootfs && (!this.d.images || !r.config.imageId)) throw new InvalidStateError(`container ${r.name} has neither a rootfs nor an image`);
    const net: NetSetup | undefined = r.config.net && this.d.network ? await this.d.network.setup(r) : r.config.netContainer ? this.joinNetwork(r) : undefined;
    r.state.net = net?.state;
    try {
      // runtime create overlaps the network's remaining setup (net.ready), awaited before start;
      // a restore runs the process at once, so its network must be complete first
      if (restore && net?.ready) r.state.net = await net.ready;
      await this.createRuntime(r, net, restore);
      if (net?.ready) r.state.net = await net.ready;
    } catch (e) {
      await Promise.all([net?.made?.catch(() => undefined), net?.ready?.catch(() => undefined)]);
      net?.release();
      // a runtime container that cannot be deleted now stays recorded (initialized), for the next operation
      if (r.state.initialized) { await this.cleanupRuntime(r).catch(() => undefined); await this.d.store.save(r); }
      r.state.net = undefined;
      if (net) await this.d.network?.teardown(r.id).catch(() => undefined);
      throw e;
    }
    net?.release();
    return r;
  }

  /** Container mode: the namespace and files of the container it joins (network/container-mode.ts). */
  private joinNetwork(r: ContainerRecord): NetSetup {
    const j = joinTarget(r, { get: (ref) => this.get(ref), netnsOf: (id) => this.d.network?.attachment(id)?.netns, bundle: (t) => this.paths(t).bundle });
    return { netnsPath: j.netnsPath, mounts: j.mounts, fds: [], release: () => undefined, hostname: j.hostname };
  }

  /**
   * conmon is launched first and waits for its start byte while the root filesystem is mounted and the spec is
   * written (conmon's start-up and its cgroup move overlap them); a failure there ends the waiting conmon.
   */
  private async createRuntime(r: ContainerRecord, net: NetSetup | undefined, restore?: { from: string; opts: string[]; spec?: RestoreSpecHook }): Promise<void> {
    const p = this.paths(r);
    const pending = await this.d.runtime.launch(p, { ...(restore ? { restoreFrom: restore.from, runtimeOpts: restore.opts } : {}), extraFds: net?.fds });
    try {
      await this.writeBundle(r, net, restore);
      await net?.made; // the runtime's create joins the namespace and mounts the files
    } catch (e) {
      await pending.abort();
      throw e;
    }
    const { pid, conmonPid } = await pending.go();
    r.state = { ...r.state, status: restore ? 'running' : 'created', initialized: true, pid, conmonPid, exitCode: undefined, error: undefined, stoppedByUser: false, ...(restore ? { startedAt: new Date().toISOString(), restoredFrom: restore.from } : {}) };
    await this.d.store.save(r, saveOpts(r));
    await this.conmons.watch(r.id, conmonPid);
    if (r.config.consoleSize && r.config.terminal) await this.d.runtime.resize(p.bundle, r.config.consoleSize.rows, r.config.consoleSize.cols).catch(() => undefined);
  }

  /** The root filesystem (mounted), volumes and config.json; stale exit and OOM files removed. */
  private async writeBundle(r: ContainerRecord, net: NetSetup | undefined, restore?: { spec?: RestoreSpecHook }): Promise<void> {
    const p = this.paths(r);
    const rootfs = r.config.rootfs ?? await this.d.images!.prepare(r.id, r.config.imageId!);
    const user = resolveUser(rootfs, r.config.user);
    const env = r.config.env.some((e) => e.startsWith('HOME=')) ? [...r.config.env] : [...r.config.env, `HOME=${user.home}`];
    if (!r.config.env.some((e) => e.startsWith('HOSTNAME='))) env.push(`HOSTNAME=${r.config.hostname}`);
    env.push(...(net?.env ?? []));
    const vols = this.d.mounts ? await this.d.mounts.prepare(r, rootfs) : { binds: [], tmpfs: [] };
    const spec = generateSpec({
      rootfs, hostname: net?.hostname ?? r.config.hostname, readOnlyRoot: r.config.readOnlyRoot, binds: [...(net?.mounts ?? []), ...r.config.binds, ...vols.binds], tmpfs: vols.tmpfs, network: r.config.network, netnsPath: net?.netnsPath,
      nofileHard: this.nofileHard,
      process: { args: r.config.args, env, cwd: r.config.cwd, uid: user.uid, gid: user.gid, terminal: r.config.terminal, consoleSize: r.config.consoleSize },
      annotations: { 'io.pier.name': r.name }, rootless: rootlessSpecOptions(),
    });
    applyResources(spec, r.config.resources);
    const finalSpec = restore?.spec ? await restore.spec(spec, rootfs, p.bundle) : spec;
    await writeFile(path.join(p.bundle, 'config.json'), JSON.stringify(finalSpec));
    await rm(path.join(this.d.exits.dir, r.id), { force: true });
    await rm(path.join(p.bundle, 'oom'), { force: true }); // conmon writes it in its cwd when the OOM killer strikes
  }

  /** Creates the runtime container from a checkpoint (used by the checkpoint area). */
  restoreInit(ref: string, from: string, runtimeOpts: string[], spec?: RestoreSpecHook): Promise<ContainerRecord> {
    const r = this.get(ref);
    return this.lock(r.id, async () => {
      transition('restore', r.state, r.name);
      await this.cleanupRuntime(r);
      await this.initLocked(r, { from, opts: runtimeOpts, spec });
      this.emit(r, 'restored');
      return r;
    });
  }

  /** Starts by the user: resets the restart count. */
  start(ref: string): Promise<ContainerRecord> { return this.startAs(ref, false); }

  /**
   * Starts by the restart policy (see supervisor.ts) and counts a restart. Outside engine start, only a pending
   * restart is carried out: a stop in between cancelled it.
   */
  startByPolicy(ref: string, atEngineStart = false): Promise<ContainerRecord> {
    return this.startAs(ref, true, atEngineStart);
  }

  private startAs(ref: string, byPolicy: boolean, atEngineStart = false): Promise<ContainerRecord> {
    const r = this.get(ref);
    return this.lock(r.id, async () => {
      if (byPolicy && !atEngineStart && !r.state.restarting) return r;
      if (transition('start', r.state, r.name) === 'noop') return r;
      // the id must be free in the runtime (a 'created' one that has its runtime container keeps it)
      if (!(r.state.initialized && r.state.status === 'created')) await this.cleanupRuntime(r);
      await this.initLocked(r);
      await this.d.runtime.start(r.id, r.name, r.state.pid);
      r.state = {
        ...r.state, status: 'running', startedAt: new Date().toISOString(), finishedAt: undefined, exitCode: undefined,
        stoppedByUser: false, restarting: false, restartCount: byPolicy ? (r.state.restartCount ?? 0) + 1 : 0,
        health: r.config.healthcheck ? { status: 'starting', failingStreak: 0, log: [] } : undefined,
      };
      await this.d.store.save(r, saveOpts(r));
      this.emit(r, 'started');
      return r;
    });
  }

  /**
   * Stops: the stop signal (or `signal` instead) to PID 1, then SIGKILL after timeoutSec (0 = SIGKILL at once).
   * Every container has its own PID namespace, so PID 1 ending ends the rest; `--all` is only the SIGKILL
   * fallback. Fails with "did not die" when even SIGKILL leaves no exit within KILL_WAIT_MS (no invented code).
   */
  async stop(ref: string, timeoutSec?: number, signal?: string): Promise<ContainerRecord> {
    const r = this.get(ref);
    const timeout = timeoutSec ?? r.config.stopTimeout;
    const sig = timeout <= 0 ? 9 : parseSignal(signal || r.config.stopSignal);
    const verdict = await this.lock(r.id, async () => {
      // already stopped: not an error (docker returns 304); a restart scheduled by an exit just before is cancelled
      if (transition('stop', r.state, r.name) === 'noop') { await this.cancelRestart(r); return 'noop'; }
      r.state.stoppedByUser = true;
      await this.d.store.save(r);
      const wasPaused = r.state.status === 'paused';
      await this.d.runtime.kill(r.id, sig, false).catch(() => undefined);
      if (wasPaused) await this.d.runtime.resume(r.id).catch(() => undefined);
      return 'go';
    });
    if (verdict === 'noop') return r;
    const exited = sig !== 9 ? await this.d.exits.wait(r.id, timeout * 1000) : undefined;
    if (!exited) {
      await this.d.runtime.kill(r.id, 9, true).catch(() => undefined);
      await this.settleExit(r);
    } else {
      await this.lock(r.id, () => this.recordExit(r, exited.code, exited.at));
    }
    this.emit(r, 'stopped');
    return r;
  }

  /** A stop while a policy restart is pending cancels it (the supervisor listens for 'stopped'). Caller holds the lock. */
  private async cancelRestart(r: ContainerRecord): Promise<void> {
    if (!r.state.restarting) return;
    r.state = { ...r.state, restarting: false, stoppedByUser: true };
    await this.d.store.save(r);
    this.emit(r, 'stopped');
  }

  /** Changes a container's state under its lock and persists it (used by supervision). */
  updateState(id: string, change: (s: ContainerState) => void): Promise<void> {
    return this.lock(id, async () => {
      const r = this.d.store.find(id);
      if (!r) return;
      change(r.state);
      await this.d.store.save(r);
    });
  }

  emitHealth(id: string, health: HealthStatus): void {
    const r = this.d.store.find(id);
    if (r) this.d.events.publish({ type: 'container', action: 'health_status', id: r.id, name: r.name, container: summarize(r), health });
  }


  /** Waits (bounded) for the exit file after a SIGKILL and records the exit. */
  private async settleExit(r: ContainerRecord): Promise<void> {
    const exited = await this.d.exits.wait(r.id, KILL_WAIT_MS);
    if (!exited) throw new Error(`container ${r.name} did not die within ${KILL_WAIT_MS / 1000} s of SIGKILL`);
    await this.lock(r.id, () => this.recordExit(r, exited.code, exited.at));
  }

  /**
   * Sends a signal to the main process (all = every process in the container). SIGKILL returns once the
   * container has stopped (as dockerd). A signal that finds the container already gone is "not running".
   */
  async kill(ref: string, signal?: string | number, opts: { all?: boolean } = {}): Promise<ContainerRecord> {
    const r = this.get(ref);
    const sig = parseSignal(signal ?? 'SIGKILL');
    await this.lock(r.id, async () => {
      transition('kill', r.state, r.name);
      if (terminates(sig)) { r.state.stoppedByUser = true; await this.d.store.save(r); }
      try { await this.d.runtime.kill(r.id, sig, !!opts.all); } catch (e) {
        // raced a natural exit (the exit file or the runtime says so): refused as the table refuses an exited one
        if (readExitFile(this.d.exits.dir, r.id) || (await this.d.runtime.state(r.id))?.status !== 'running') {
          transition('kill', { ...r.state, status: 'exited' }, r.name);
        }
        throw e;
      }
      if (sig === 9 && r.state.status === 'paused') await this.d.runtime.resume(r.id).catch(() => undefined);
      this.emit(r, 'killed');
    });
    if (sig === 9) await this.settleExit(r);
    return r;
  }

  pause(ref: string): Promise<ContainerRecord> {
    const r = this.get(ref);
    return this.lock(r.id, async () => {
      transition('pause', r.state, r.name);
      await this.d.runtime.pause(r.id);
      r.state.status = 'paused';
      await this.d.store.save(r);
      this.emit(r, 'paused');
      return r;
    });
  }

  unpause(ref: string): Promise<ContainerRecord> {
    const r = this.get(ref);
    return this.lock(r.id, async () => {
      transition('unpause', r.state, r.name);
      await this.d.runtime.resume(r.id);
      r.state.status = 'running';
      await this.d.store.save(r);
      this.emit(r, 'unpaused');
      return r;
    });
  }

  async restart(ref: string, timeoutSec?: number): Promise<ContainerRecord> {
    await this.stop(ref, timeoutSec);
    return this.start(ref);
  }

  rename(ref: string, newName: string): Promise<ContainerRecord> {
    const r = this.get(ref);
    assertContainerName(newName);
    return this.lock(r.id, async () => {
      transition('rename', r.state, r.name);
      if (this.d.store.nameTaken(newName, r.id)) throw new ConflictError(`the container name "${newName}" is already in use`);
      r.name = newName;
      await this.d.store.save(r);
      this.emit(r, 'renamed');
      return r;
    });
  }

  /** `volumes`: also remove the container's anonymous volumes (docker rm -v); auto-remove always does. */
  async remove(ref: string, opts: { force?: boolean; volumes?: boolean } = {}): Promise<void> {
    const r = this.get(ref);
    if (opts.force && isLive(r.state.status)) await this.stop(r.id, 0);
    await this.lock(r.id, async () => {
      if (!this.d.store.find(r.id)) return;
      transition(opts.force ? 'forceRemove' : 'remove', r.state, r.name);
      await this.removeLocked(r, !!opts.volumes);
    });
  }

  /**
   * Removes a container the table let go (or one whose exit was just recorded). Caller holds the lock.
   * `behind` (an auto-remove container's natural exit): what clients can see goes first — exit file, host ports
   * and addresses, the record leaves the table, anonymous volumes, and `removed` is published — and the
   * runtime's state, the snapshot and the files follow under the same lock (settled() waits for them). Nothing is
   * lost to a crash meanwhile: the record stays on disk until the end, and the next engine start removes an
   * auto-remove container whose conmon is gone. A failure there puts the record back, exited, with the reason.
   */
  private async removeLocked(r: ContainerRecord, volumes: boolean, behind = false): Promise<void> {
    const was = r.state.status;
    r.state.status = 'removing';
    if (behind) {
      await Promise.all([rm(path.join(this.d.exits.dir, r.id), { force: true }), this.d.network?.release(r.id)]);
      this.d.store.forget(r.id); // first: a volume in use by a recorded container is not removed
      if (volumes) await this.d.mounts?.removed(r);
      this.emit(r, 'removed');
    }
    await this.removeFiles(r, was, behind);
    if (behind) return;
    this.emit(r, 'removed');
    if (volumes) await this.d.mounts?.removed(r);
  }

  /**
   * What removeLocked removes on disk and in the runtime, independent parts at once: the runtime's state, the
   * snapshot, conmon's run files, then the record. A runtime container that cannot be deleted fails the removal
   * and keeps the record (initialized, status back to `was`), so the next remove deletes it.
   */
  private async removeFiles(r: ContainerRecord, was: ContainerRecord['state']['status'], behind: boolean): Promise<void> {
    const [runtime] = await Promise.allSettled([
      this.cleanupRuntime(r),
      this.d.images?.remove(r.id).catch(() => undefined),
      rm(this.paths(r).runDir, { recursive: true, force: true }),
      rm(path.join(this.d.exits.dir, r.id), { force: true }),
    ]);
    if (runtime.status === 'rejected') {
      r.state.status = was;
      if (behind) r.state.error = `auto-remove failed: ${(runtime.reason as Error).message}`;
      throw runtime.reason;
    }
    await this.d.store.delete(r.id);
    removeLockFile(containerLockPath(this.d.runroot, r.id));
  }

  /** Waits for a condition: 'not-running' (default), 'next-exit' or 'removed'. Resolves with the exit code. */
  wait(ref: string, condition: 'not-running' | 'next-exit' | 'removed' = 'not-running'): Promise<number> {
    const r = this.get(ref);
    if (condition === 'not-running' && !isLive(r.state.status)) return Promise.resolve(r.state.exitCode ?? 0);
    const release = this.d.exits.hold();
    return new Promise<number>((resolve) => {
      const off = this.d.events.subscribe((e) => {
        if (e.type !== 'container' || e.id !== r.id) return;
        if ((condition !== 'removed' && e.action === 'exited') || e.action === 'removed') {
          if (condition === 'removed' && e.action !== 'removed') return;
          off();
          release();
          resolve(e.exitCode ?? r.state.exitCode ?? 0);
        }
      });
    });
  }

  /** Called for every exit file conmon writes. */
  handleExit(cid: string, code: number, at?: Date): Promise<void> {
    const r = this.d.store.find(cid);
    if (!r) return Promise.resolve();
    return this.lock(r.id, () => this.recordExit(r, code, at, true));
  }

  /**
   * Records an exit if one is still to be recorded (the table's `exit`). Caller holds the lock. `natural`: seen in
   * the exit directory; an auto-remove container nobody stopped is then removed in the same step (finalizeExit).
   */
  private async recordExit(r: ContainerRecord, code: number, at?: Date, natural = false): Promise<void> {
    // a stop or kill in progress records the exit and goes on first: its removal comes after, as before
    if (transition('exit', r.state, r.name) === 'go') await this.finalizeExit(r, code, at, natural && !r.state.stoppedByUser);
  }

  /**
   * conmon `pid` of container `id` ended. With an exit file that is a normal exit; without one conmon was killed
   * (it writes the file before it exits): the container is deleted from the runtime (its processes would run
   * unsupervised, with no one to collect their output or exit code) and marked exited with -1 and the reason.
   */
  private conmonGone(id: string, pid: number): Promise<void> {
    return this.lock(id, async () => {
      const r = this.d.store.find(id);
      if (!r || !hasRuntime(r.state) || r.state.conmonPid !== pid) return;
      const exit = readExitFile(this.d.exits.dir, id);
      // the exit file is conmon's report of a natural exit, whichever of the two was noticed first
      if (exit) return this.finalizeExit(r, exit.code, exit.at, !r.state.stoppedByUser);
      r.state.error = `conmon (PID ${pid}) died before the container exited; exit code unknown`;
      await this.finalizeExit(r, -1);
    });
  }

  /**
   * Marks an exit: runtime state deleted, record updated, event, auto-remove. Caller holds the lock. A runtime that
   * could not delete the container yet (runc refuses while the dying process is not yet gone) leaves the record
   * `initialized`: the next start, restore or remove deletes it first (cleanupRuntime). With
   * `removeNow` (a natural exit, engine not closing) an auto-remove container is removed here, under the same lock,
   * and its exit is not written to disk first: an engine killed before the removal ends finds no exit file at its
   * next start and removes the container then (exit code -1), which is where --rm was going anyway.
   */
  private async finalizeExit(r: ContainerRecord, code: number, at = new Date(), removeNow = false): Promise<void> {
    removeNow &&= r.config.autoRemove && !this.closing;
    this.conmons.unwatch(r.state.conmonPid);
    // auto-remove: remove() deletes the runtime container, alongside the snapshot
    let kept = r.config.autoRemove;
    if (!kept) {
      kept = await this.d.runtime.delete(r.id).then(() => false, () => true);
      await this.d.network?.release(r.id);
    }
    const oomKilled = existsSync(path.join(this.paths(r).bundle, 'oom'));
    r.state = { ...r.state, status: 'exited', initialized: kept, pid: 0, conmonPid: 0, exitCode: code, finishedAt: at.toISOString(), oomKilled, net: undefined };
    if (!removeNow) await this.d.store.save(r);
    for (const fn of this.onStopped) fn(r.id);
    this.d.mounts?.released(r);
    this.publishExit(r);
    if (removeNow) {
      // a removal that fails leaves the exit recorded, as a deferred one would
      const removal = this.removeLocked(r, true, true).catch(async () => { r.state.status = 'exited'; await this.d.store.save(r).catch(() => undefined); });
      this.behind.add(removal);
      await removal.finally(() => this.behind.delete(removal));
    } else if (r.config.autoRemove) setImmediate(() => { this.remove(r.id, { force: true, volumes: true }).catch(() => undefined); });
  }

  /**
   * Frees the container's id in the runtime: deletes the runtime container if the record has one (an exited
   * container's is normally deleted at exit; see finalizeExit); for a record that says not initialized, whatever
   * a create cut short by an engine crash left (conmon, runtime state, cgroup). Throws, leaving the record as it
   * was, when the runtime still holds the container: the record says "no runtime container" only once it has none.
   */
  private async cleanupRuntime(r: ContainerRecord): Promise<void> {
    if (r.state.initialized) await this.d.runtime.delete(r.id, true);
    else await this.d.runtime.discard(r.id, this.paths(r).runDir);
    await this.d.network?.release(r.id);
    r.state = { ...r.state, initialized: false, pid: 0, conmonPid: 0, net: undefined };
  }

  /**
   * Re-adoption after an engine (re)start: conmon alive → running/paused; exit file →
   * exited with its code; otherwise ask the runtime.
   */
  async reconcile(): Promise<void> {
    for (const r of this.d.store.list()) {
      await this.lock(r.id, async () => {
        if (r.state.status === 'removing') {
          await this.cleanupRuntime(r).catch(() => undefined);
          r.state.status = 'exited';
          await this.d.store.save(r);
          return;
        }
        if (!r.state.initialized) {
          // an engine killed in the middle of a create: the runtime may hold a container the record never got
          await this.d.runtime.discard(r.id, this.paths(r).runDir).catch(() => undefined);
          return;
        }
        if (r.state.status === 'exited' && !r.config.autoRemove) {
          // an exit recorded while the runtime could not delete the container yet: try again
          await this.cleanupRuntime(r).then(() => this.d.store.save(r), () => undefined);
          return;
        }
        const exit = readExitFile(this.d.exits.dir, r.id);
        if (exit) { await this.finalizeExit(r, exit.code, exit.at); return; }
        let conmonAlive = await checkConmonRunning(r.state.conmonPid);
        let st: Awaited<ReturnType<ConmonRuntime['state']>>;
        try { st = await this.d.runtime.state(r.id); } catch (e) {
          // only "does not exist" means gone: anything else leaves the container as it was, with the reason
          r.state.error = `${(e as Error).message}; left as it was`;
          await this.d.store.save(r);
          if (conmonAlive) await this.conmons.watch(r.id, r.state.conmonPid);
          return;
        }
        if (!conmonAlive && st?.pid) {
          // the stored PID is stale or garbage: the container's parent is its conmon
          const found = await parentConmon(st.pid);
          if (found) { r.state.conmonPid = found; conmonAlive = true; }
        }
        if (conmonAlive) {
          if (st?.status === 'paused') r.state.status = 'paused';
          else if (st?.status === 'running') r.state.status = 'running';
          if (r.state.error?.endsWith('; left as it was')) r.state.error = undefined;
          await this.d.store.save(r);
          await this.conmons.watch(r.id, r.state.conmonPid);
          return;
        }
        if (st && (st.status === 'running' || st.status === 'paused')) {
          // process alive without its monitor: keep it, say so
          r.state.status = st.status as 'running' | 'paused';
          r.state.error = 'conmon is gone; logs and attach are unavailable until the container is restarted';
          await this.d.store.save(r);
          return;
        }
        r.state.error = 'conmon died before the container exited; exit code unknown';
        await this.finalizeExit(r, -1);
      });
    }
  }

  logs(ref: string, o: LogOptions, signal?: AbortSignal): AsyncGenerator<LogEntry> {
    const r = this.get(ref);
    const running = hasRuntime(r.state);
    const until = o.follow && running ? this.wait(r.id, 'not-running').then(() => undefined) : Promise.resolve();
    return readLogs(this.paths(r).logPath, { ...o, follow: o.follow && running }, { until, signal });
  }

  /** Warnings create() produced for this container (e.g. discarded limits); returned once. */
  takeWarnings(id: string): string[] {
    const w = this.warnings.get(id) ?? [];
    this.warnings.delete(id);
    return w;
  }

  /** Changes limits; applied at once to a running container (runtime update) and kept for later starts. */
  update(ref: string, upd: Resources): Promise<{ record: ContainerRecord; warnings: string[] }> {
    const r = this.get(ref);
    return this.lock(r.id, async () => {
      transition('update', r.state, r.name);
      const merged = mergeUpdate(r.config.resources ?? {}, upd);
      const { resources, warnings } = checkResources(merged, hostLimits());
      if (isLive(r.state.status)) await this.d.runtime.update(r.id, linuxResources(resources));
      r.config.resources = resources;
      await this.d.store.save(r);
      this.emit(r, 'updated');
      return { record: r, warnings };
    });
  }

  async resize(ref: string, rows: number, cols: number): Promise<void> {
    const r = this.get(ref);
    if (!r.config.terminal) return;
    transition('resize', r.state, r.name); // without the lock: a stale answer ends in the runtime's own error
    await this.d.runtime.resize(this.paths(r).bundle, rows, cols);
  }
}

/** Validates restart policy and healthcheck; returns the effective healthcheck. */
function checkSupervision(o: CreateContainerOptions, fromImage?: HealthcheckConfig): HealthcheckConfig | undefined {
  const invalid = (e: unknown) => Object.assign(new Error((e as Error).message), { code: 'EINVAL' });
  try {
    if (o.restartPolicy) validateRestartPolicy(o.restartPolicy, !!o.autoRemove);
    if (o.healthcheck) validateHealthcheck(o.healthcheck);
  } catch (e) { throw invalid(e); }
  return effectiveHealthcheck(o.healthcheck, fromImage);
}

function mergeEnv(base: string[], over: string[]): string[] {
  const m = new Map<string, string>();
  for (const e of [...base, ...over]) { const k = e.split('=')[0]; m.set(k, e); }
  return [...m.values()];
}

function readNofileHard(): number | undefined {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    const hard = line?.trim().split(/\s+/)[4];
    return hard && /^\d+$/.test(hard) ? Number(hard) : undefined;
  } catch { return undefined; }
}
