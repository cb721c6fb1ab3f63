// Builds started from the UI: a host folder is the context (packed and unpacked like an API context). Progress
// goes to every client as engine events {type:'progress', kind:'build'}: the step (current/total), output text
// in small batches, and at the end the image id or the error (with the step). Builds belong to the engine, not
// to the connection that started them: closing a window does not stop one; any client may cancel it.
import fsp from 'node:fs/promises';
import path from 'node:path';
import crypto from 'node:crypto';
import type { Engine } from '../engine/engine';
import type { Params, BuildStarted } from '../common/contract';
import type { WorkerPool } from '../engine/images/workers';
import { Builder } from '../engine/build/builder';
import { checkFolder, packFolder } from '../engine/build/folder';
import { unpackContext, applyDockerignore, DEFAULT_LIMITS } from '../engine/build/context';
import { RpcFailure } from './errors';

const FLUSH_MS = 100;
const running = new WeakMap<Engine, Map<string, AbortController>>();
const tasks = (e: Engine) => { let m = running.get(e); if (!m) running.set(e, (m = new Map())); return m; };

/** Starts a build of a host folder; resolves once it is checked and running (progress follows as events). */
export async function startBuild(engine: Engine, p: Params<'images.build'>): Promise<BuildStarted> {
  const dockerfile = await checkFolder(p.context, p.dockerfile);
  const task = `build-${crypto.randomBytes(6).toString('hex')}`;
  const ac = new AbortController();
  tasks(engine).set(task, ac);
  const ref = p.tags?.[0] ?? path.basename(p.context);
  void run(engine, task, ref, ac, { ...p, dockerfile }).catch(() => tasks(engine).delete(task));
  return { task, dockerfile };
}

export function cancelBuild(engine: Engine, task: string): void {
  const ac = tasks(engine).get(task);
  if (!ac) throw new RpcFailure('ENOTFOUND', `no running build ${task}`);
  ac.abort();
}

async function run(engine: Engine, task: string, ref: string, ac: AbortController, p: Params<'images.build'> & { dockerfile: string }) {
  const bus = engine.events;
  let step = 0, total = 0, text = '', timer: NodeJS.Timeout | undefined;
  const publish = (extra: { status: string; text?: string; done?: boolean; error?: string; imageId?: string }) =>
    bus.publish({ type: 'progress', task, kind: 'build', ref, current: step, total, ...extra });
  const flush = () => { timer = undefined; if (text) { const t = text; text = ''; publish({ status: 'output', text: t }); } };
  const out = (line: string) => {
    const m = /^Step (\d+)\/(\d+) : /.exec(line);
    if (m) { flush(); step = Number(m[1]); total = Number(m[2]); publish({ status: line.trim() }); }
    text += line;
    timer ??= setTimeout(flush, FLUSH_MS);
  };
  const work = path.join(engine.opts.root, 'build', `ctx-${crypto.randomBytes(8).toString('hex')}`);
  let end: { status: string; error?: string; imageId?: string };
  try {
    publish({ status: `sending the context ${p.context}` });
    await fsp.mkdir(path.join(work, 'context'), { recursive: true, mode: 0o700 });
    await packFolder(p.context, path.join(work, 'context.tar'), DEFAULT_LIMITS.maxCompressed, [p.dockerfile, '.dockerignore']);
    if (ac.signal.aborted) throw new RpcFailure('ECANCELED', 'build cancelled while sending the context');
    const pool = (engine.images as unknown as { pool: WorkerPool }).pool;
    await unpackContext(pool, path.join(work, 'context.tar'), path.join(work, 'context'));
    await fsp.rm(path.join(work, 'context.tar'), { force: true });
    await applyDockerignore(path.join(work, 'context'), [p.dockerfile, '.dockerignore']);
    const rec = await new Builder(engine, {
      contextDir: path.join(work, 'context'), dockerfile: p.dockerfile, tags: p.tags, buildArgs: p.buildArgs,
      target: p.target || undefined, noCache: p.noCache, pull: p.pull, signal: ac.signal,
      // the log keeps a failed step's output: its container is removed too (the CLI's --force-rm)
      forceRm: true,
    }, out).run();
    bus.publish({ type: 'image', action: 'built', id: rec.id, ref: p.tags?.[0] });
    end = { status: `built ${rec.id.slice(7, 19)}${p.tags?.length ? `, tagged ${p.tags.join(', ')}` : ''}`, imageId: rec.id };
  } catch (e) {
    end = { status: 'failed', error: ac.signal.aborted ? `build cancelled at step ${step}/${total}` : (e as Error).message };
  }
  // the work directory is gone and the task closed before any client sees the end
  if (timer) clearTimeout(timer);
  flush();
  await fsp.rm(work, { recursive: true, force: true });
  tasks(engine).delete(task);
  publish({ ...end, done: true });
}
