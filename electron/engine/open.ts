// openEngine: the Engine with every area attached (images + snapshots, sessions, checkpoints, supervision, the
// path guard probe). Every front end and test opens an engine here; no engine without its areas exists.
import { Engine, type EngineOptions } from './engine';
import type { PathGuardInfo } from '../common/contract';
import { createImageService, createSnapshotter, imageDefaults, type ImageService, type Snapshotter } from './images/index';
import type { RootfsProvider } from './containers/service';
import { Sessions } from './sessions/manager';
import { createCheckpointService } from './checkpoint/index';
import { Supervisor } from './containers/supervisor';
import { loadPathGuardSetting, pathGuardInfo } from './path-guard';
import type { WorkerPool } from './images/workers';

export interface OpenOptions extends Omit<EngineOptions, 'images'> {
  /** registry used for short names like "busybox" (no default is built in) */
  defaultRegistry?: string;
  insecureRegistries?: string[];
  apiSocket?: string;
  /** how host shells' pty host process is started (default: a Node child; the app: an Electron utility process) */
  ptyLauncher?: import('./sessions/pty-host-client').PtyHostLauncher;
}

/** Adapts the image area to what the container lifecycle needs. */
function rootfsProvider(images: ImageService, snap: Snapshotter): RootfsProvider {
  return {
    async resolve(ref) {
      const img = await images.inspect(ref);
      return { imageId: img.id, ref: img.repoTags[0] ?? ref, defaults: imageDefaults(img) };
    },
    async prepare(containerId, imageId) { return snap.prepare(containerId, await images.inspect(imageId)); },
    remove: (containerId) => snap.remove(containerId),
  };
}

export async function openEngine(opts: OpenOptions): Promise<Engine> {
  let images: ImageService | undefined, snapshotter: Snapshotter | undefined;
  const engine = await Engine.openCore({
    ...opts,
    images: async (root) => {
      images = createImageService({ root, defaultRegistry: opts.defaultRegistry ?? process.env.PIER_DEFAULT_REGISTRY, insecureRegistries: opts.insecureRegistries });
      snapshotter = await createSnapshotter({ root, images });
      return rootfsProvider(images, snapshotter);
    },
  });
  if (!images || !snapshotter) throw new Error('the image area did not attach');
  engine.images = images;
  engine.snapshotter = snapshotter;
  engine.apiSocket = opts.apiSocket;
  engine.sessions = new Sessions(engine.containers, { apiSocket: opts.apiSocket, ptyLauncher: opts.ptyLauncher });
  engine.supervisor = new Supervisor(engine.containers, engine.sessions, engine.events);
  await engine.supervisor.start();
  engine.checkpoints = createCheckpointService(engine);
  loadPathGuardSetting(engine.opts.root);
  engine.pathGuard = guardProbe((images as { pool?: WorkerPool }).pool);
  return engine;
}

/** The start-up probe: the image workers load the addon and report (a worker that fails to start says why). */
function guardProbe(pool: WorkerPool | undefined): () => Promise<PathGuardInfo> {
  let probe: Promise<{ native: boolean; reason?: string }> | undefined;
  return async () => {
    probe ??= pool
      ? pool.nativeGuard().catch((e: Error) => ({ native: false, reason: `the image worker did not start: ${e.message}` }))
      : Promise.resolve({ native: false, reason: 'no image area' });
    return pathGuardInfo(await probe);
  };
}
