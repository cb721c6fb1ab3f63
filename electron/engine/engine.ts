// The Engine facade: the only entry point front ends use (Electron main, `pier serve`,
// the Docker API, web mode, tests). Never imports electron.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { discover, type RuntimeInfo } from './runtime/discovery';
import { ConmonRuntime } from './runtime/conmon-runtime';
import { ContainerStore } from './store/containers';
import { lockFile, lockRoot, type HeldLock, type RootLock } from './store/lock';
import { EXIT_WATCH_LOCK, defaultPierCommand, exitCommand } from './runtime/exit-command';
import { ExitWatcher } from './conmon/exitfile';
import { EventBus } from './events';
import { Containers, type RootfsProvider } from './containers/service';
import { bindStorageRoot, isRootless } from './runtime/rootless';
import { NetworkService } from './network/service';
import { networkArea } from './network/capability';
import { ContainerMounts, VolumeService } from './volumes/index';
import { StatsSampler } from './stats/sampler';
import { isLive } from './containers/states';

export interface EngineOptions {
  /** state dir (--root) */
  root: string;
  /** run dir (--runroot): pidfiles, exit files, runtime state */
  runroot: string;
  /** runtime name (runc, crun) or path */
  runtime?: string;
  conmonPath?: string;
  criuPath?: string;
  /** conmon --log-size-max in bytes (0 = unlimited) */
  logSizeMax?: number;
  /**
   * How conmon invokes `pier` for `container cleanup` when a container exits (e.g. [node, bin/pier.js]);
   * default: this checkout's bin/pier.js; null: no exit command (exits are then recorded by an engine only).
   */
  pierCommand?: string[] | null;
  /** attaches the image area (see images/); optional so a rootfs-only engine works */
  images?: (root: string) => Promise<RootfsProvider & { close?: () => Promise<void> }>;
}

export class Engine {
  /**
   * The areas, attached by openEngine (open.ts) before it returns the engine: every engine has them (openCore's
   * result is never handed out), so nothing checks for their absence.
   */
  images!: import('./images/index').ImageService;
  snapshotter!: import('./images/index').Snapshotter;
  sessions!: import('./sessions/types').SessionManager;
  checkpoints!: import('./checkpoint/index').CheckpointService;
  /** restart policies and healthchecks */
  supervisor!: import('./containers/supervisor').Supervisor;
  /** the local volume driver (always present) */
  volumes!: VolumeService;
  /** the Docker-compatible API socket this engine serves, when it does */
  apiSocket?: string;
  /** the path guard as the image workers see it, probed once on first call (open.ts; engine/path-guard.ts) */
  pathGuard!: () => Promise<import('../common/contract').PathGuardInfo>;
  /** the one stats sampler every viewer shares (idle without watchers) */
  readonly stats: StatsSampler;

  private constructor(
    readonly opts: EngineOptions,
    readonly runtime: ConmonRuntime,
    readonly containers: Containers,
    readonly events: EventBus,
    private readonly exits: ExitWatcher,
    private readonly lock: RootLock,
    private readonly exitWatchLock: HeldLock,
    /** bridge networks, published ports, container DNS (absent where netavark cannot run: rootless) */
    readonly network?: NetworkService,
  ) {
    this.stats = new StatsSampler({
      running: () => containers.list().filter((c) => (c.status === 'running' || c.status === 'paused') && c.pid > 0).map((c) => ({ id: c.id, pid: c.pid })),
    });
  }

  /** The container core only; openEngine (open.ts) calls it and attaches the areas. Use openEngine. */
  static async openCore(opts: EngineOptions): Promise<Engine> {
    const root = path.resolve(opts.root), runroot = path.resolve(opts.runroot);
    await mkdir(root, { recursive: true, mode: 0o700 });
    await mkdir(runroot, { recursive: true, mode: 0o700 });
    const lock = lockRoot(root);
    let exitWatchLock: HeldLock | undefined;
    try {
      await bindStorageRoot(root);
      const info = await discover({ runtime: opts.runtime, conmonPath: opts.conmonPath, criuPath: opts.criuPath });
      const exitDir = path.join(runroot, 'exits');
      const runtimeRoot = path.join(runroot, info.runtime.name);
      const pier = opts.pierCommand === null ? undefined : opts.pierCommand ?? defaultPierCommand();
      const target = { root, runroot, runtimePath: info.runtime.path, runtimeRoot };
      const runtime = new ConmonRuntime(info, { runtimeRoot, exitDir, logSizeMax: opts.logSizeMax, rootless: isRootless(), exitCommand: pier && ((id) => exitCommand(pier, target, id)) });
      // held while this engine handles exits itself: conmon's exit command then leaves them to it
      exitWatchLock = await lockFile(path.join(runroot, EXIT_WATCH_LOCK));
      const store = new ContainerStore(path.join(root, 'containers'));
      await store.load();
      const events = new EventBus();
      const exits = new ExitWatcher(exitDir);
      const images = opts.images ? await opts.images(root) : undefined;
      const area = networkArea();
      const network = area.options ? new NetworkService({ root, runroot, events, ...area.options }) : undefined;
      await network?.open();
      const volumes = new VolumeService({ root, events, usedBy: (name) => store.list().filter((r) => r.config.mounts?.some((m) => m.type === 'volume' && m.name === name)).map((r) => r.id) });
      await volumes.load();
      const containers = new Containers({ runroot, runtime, store, events, exits, images, network, mounts: new ContainerMounts(volumes, events) });
      if (network) {
        network.containers = {
          get: (ref) => containers.get(ref), list: () => store.list(), save: (r) => store.save(r),
          lock: (id, fn) => containers.lock(id, fn), bundle: (r) => containers.paths(r).bundle,
          isRunning: (r) => isLive(r.state.status),
        };
      }
      exits.onExit = (cid, ex) => { containers.handleExit(cid, ex.code, ex.at).catch(() => undefined); };
      await containers.reconcile();
      await network?.reconcile();
      const engine = new Engine({ ...opts, root, runroot }, runtime, containers, events, exits, lock, exitWatchLock, network);
      engine.volumes = volumes;
      return engine;
    } catch (e) {
      exitWatchLock?.release();
      lock.release();
      throw e;
    }
  }

  info(): RuntimeInfo { return this.runtime.info; }

  /** Stops watching and releases the root. Containers keep running under their conmon. */
  async close(): Promise<void> {
    this.supervisor.close();
    // exec processes outlive the engine like containers do (detach); host shells end; attach sessions detach
    for (const info of this.sessions.list()) {
      let s: ReturnType<Engine['sessions']['get']>;
      try { s = this.sessions.get(info.id); } catch { continue; } // ended meanwhile
      if (s.detach) s.detach(); else await s.close().catch(() => undefined);
    }
    (this.sessions as { close?(): void } | undefined)?.close?.(); // the pty host process
    await (this.images as { close?: () => Promise<void> } | undefined)?.close?.();
    // Exits from here on are `pier container cleanup`'s; the ones already written are handled before leaving.
    this.exits.close();
    this.containers.closeWatchers();
    this.exitWatchLock.release();
    await this.containers.sweepExits();
    await this.network?.drain();
    this.network?.close();
    this.lock.release();
  }
}
