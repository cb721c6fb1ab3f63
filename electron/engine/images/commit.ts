// Commit: a container's overlay upper directory becomes one layer on top of its image; the new config is
// the image's, overridden by the container's own (command, env, user, workdir, labels, stop signal) and the
// `--change` instructions; history gains one entry. A running container is paused meanwhile (default).
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Engine } from '../engine';
import type { ImageRecord } from './index';
import { ImageError } from './errors';
import { writeDiffTar } from './diff';
import { applyChanges, type ImageConfig } from '../build/instructions';
import { summarize } from '../containers/summary';
import { can } from '../../common/states';

export interface CommitOptions {
  container: string;
  /** "repo[:tag]" or repo + tag */
  repo?: string;
  tag?: string;
  comment?: string;
  author?: string;
  /** pause a running container while its files are read (default true) */
  pause?: boolean;
  changes?: string[];
  /** config fields that replace the container's (the API's body) */
  config?: Partial<ImageConfig>;
}

export async function commitContainer(engine: Engine, o: CommitOptions): Promise<ImageRecord> {
  const images = engine.images, snap = engine.snapshotter;
  if (!images || !snap) throw new ImageError('ENOIMAGE', 'commit needs the image store');
  const r = engine.containers.get(o.container);
  const c = r.config;
  if (!c.imageId) throw Object.assign(new Error(`container ${r.name} has no image (it runs on a rootfs directory): nothing to commit onto`), { code: 'EINVAL' });
  const upper = snap.diffDir(r.id);
  if (!upper) throw Object.assign(new Error(`commit needs overlay snapshots; this engine uses "${snap.kind}" (${snap.reason ?? 'unknown reason'})`), { code: 'EINVAL' });
  const tags = o.repo ? [o.tag ? `${o.repo}:${o.tag}` : o.repo] : [];
  const img = await images.inspect(c.imageId);
  const base: ImageConfig = {
    ...(img.config.config ?? {}),
    Cmd: c.cmd?.length ? c.cmd : c.args.slice(c.entrypoint?.length ?? 0),
    Entrypoint: c.entrypoint?.length ? c.entrypoint : null,
    Env: c.env, User: c.user, WorkingDir: c.cwd, Labels: c.labels,
    ...(c.stopSignal && c.stopSignal !== 'SIGTERM' ? { StopSignal: c.stopSignal } : {}),
    ...(o.config ?? {}),
  };
  const config = applyChanges(base, o.changes ?? []);
  const pause = (o.pause ?? true) && can('pause', r.state.status);
  if (pause) await engine.containers.pause(r.id);
  const file = path.join(engine.opts.root, 'images', 'ingest', `commit-${r.id.slice(0, 12)}-${Date.now()}.tar`);
  try {
    const merged = await snap.mount(r.id);
    const lowers = (await images.layerStack(c.imageId)).map((l) => l.dir).reverse();
    const diff = await writeDiffTar(upper, merged, lowers, file);
    if (pause) { await engine.containers.unpause(r.id).catch(() => undefined); }
    const rec = await images.createImage({
      parent: c.imageId, layer: { file, diffId: diff.diffId }, config, author: o.author,
      history: { created_by: c.args.join(' '), ...(o.comment ? { comment: o.comment } : {}), ...(o.author ? { author: o.author } : {}) },
      tags,
    });
    engine.events.publish({ type: 'image', action: 'tagged', id: rec.id, ref: rec.repoTags[0] });
    engine.events.publish({
      type: 'container', action: 'committed', id: r.id, name: r.name, container: summarize(r),
      commit: { imageId: rec.id, ...(rec.repoTags[0] ? { ref: rec.repoTags[0] } : {}), ...(o.comment ? { comment: o.comment } : {}) },
    });
    return rec;
  } finally {
    if (pause && engine.containers.get(r.id).state.status === 'paused') await engine.containers.unpause(r.id).catch(() => undefined);
    await fsp.rm(file, { force: true });
  }
}
