// POST /commit and POST /build (the classic builder's protocol: a tar context in, a JSON progress stream out).
import fsp from 'node:fs/promises';
import path from 'node:path';
import crypto from 'node:crypto';
import type { Route } from './context';
import { json, readJson } from './context';
import { Builder } from '../build/builder';
import { spool, unpackContext, applyDockerignore, DEFAULT_LIMITS } from '../build/context';
import type { WorkerPool } from '../images/workers';
import { badRequest, notFound, toApiError } from './errors';
import { qbool } from './validate';
import { commitContainer } from '../images/commit';
import type { ImageConfig } from '../build/instructions';
import { localName } from './images';

const CONFIG_KEYS = ['Cmd', 'Entrypoint', 'Env', 'ExposedPorts', 'Labels', 'User', 'WorkingDir', 'Volumes', 'StopSignal', 'OnBuild', 'Healthcheck', 'Shell'] as const;

/** The config fields a commit body may set (others are ignored, as dockerd merges only these). */
function configOverrides(body: unknown): Partial<ImageConfig> {
  if (!body || typeof body !== 'object') return {};
  const out: Record<string, unknown> = {};
  for (const k of CONFIG_KEYS) {
    const v = (body as Record<string, unknown>)[k];
    if (v === undefined || v === null) continue;
    const list = Array.isArray(v) && v.every((x) => typeof x === 'string');
    const obj = typeof v === 'object' && !Array.isArray(v);
    const ok = ['Cmd', 'Entrypoint', 'Env', 'OnBuild', 'Shell'].includes(k) ? list : ['ExposedPorts', 'Labels', 'Volumes', 'Healthcheck'].includes(k) ? obj : typeof v === 'string';
    if (!ok) throw badRequest(`invalid commit config: ${k} has the wrong type`);
    if (k === 'Cmd' && !(v as string[]).length) continue;
    out[k] = v;
  }
  return out as Partial<ImageConfig>;
}

function jsonParam(q: URLSearchParams, key: string): Record<string, string> | undefined {
  const v = q.get(key);
  if (!v) return undefined;
  let o: unknown;
  try { o = JSON.parse(v); } catch { throw badRequest(`invalid ${key}: not JSON`); }
  if (!o || typeof o !== 'object' || Array.isArray(o)) throw badRequest(`invalid ${key}: expected a JSON object`);
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(o as Record<string, unknown>)) if (typeof x === 'string') out[k] = x; else if (x !== null) throw badRequest(`invalid ${key}: "${k}" must be a string`);
  return out;
}

export function buildRoutes(): Route[] {
  return [
    { method: 'POST', path: /^\/build$/, handler: async ({ engine, res, query, req }) => {
      if (query.get('remote')) { req.resume(); throw badRequest('building from a remote URL is not supported: send the context as a tar'); }
      const dockerfile = query.get('dockerfile') || 'Dockerfile';
      const opts = {
        dockerfile, tags: query.getAll('t').filter(Boolean).map(localName), buildArgs: jsonParam(query, 'buildargs'),
        target: query.get('target') || undefined, labels: jsonParam(query, 'labels'), noCache: qbool(query, 'nocache'),
        pull: qbool(query, 'pull'), rm: qbool(query, 'rm', true), forceRm: qbool(query, 'forcerm'), network: query.get('networkmode') || undefined,
      };
      const quiet = qbool(query, 'q');
      const work = path.join(engine.opts.root, 'build', `ctx-${crypto.randomBytes(8).toString('hex')}`);
      await fsp.mkdir(path.join(work, 'context'), { recursive: true, mode: 0o700 });
      try {
        await spool(req, path.join(work, 'context.tar'), DEFAULT_LIMITS.maxCompressed);
        await unpackContext((engine.images as unknown as { pool: WorkerPool }).pool, path.join(work, 'context.tar'), path.join(work, 'context'));
        await fsp.rm(path.join(work, 'context.tar'), { force: true });
        await applyDockerignore(path.join(work, 'context'), [dockerfile, '.dockerignore']);
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.flushHeaders();
        const send = (o: unknown) => { if (!res.writableEnded) res.write(JSON.stringify(o) + '\r\n'); };
        try {
          const rec = await new Builder(engine, { ...opts, contextDir: path.join(work, 'context') }, (line) => { if (!quiet) send({ stream: line }); }).run();
          engine.events.publish({ type: 'image', action: 'built', id: rec.id, ref: opts.tags[0] });
          send({ aux: { ID: rec.id } });
          if (quiet) send({ stream: rec.id + '\n' });
          else {
            send({ stream: `Successfully built ${rec.id.slice(7, 19)}\n` });
            for (const t of opts.tags) send({ stream: `Successfully tagged ${t.includes(':') ? t : `${t}:latest`}\n` });
          }
        } catch (e) {
          const m = toApiError(e).message;
          send({ errorDetail: { message: m }, error: m });
        }
        // the context is gone before the client sees the end of the stream
        await fsp.rm(work, { recursive: true, force: true });
        res.end();
      } finally {
        await fsp.rm(work, { recursive: true, force: true });
      }
    } },
    { method: 'POST', path: /^\/commit$/, handler: async ({ engine, res, query, req }) => {
      const container = query.get('container');
      if (!container) throw badRequest('commit: the container is required (?container=)');
      const body = await readJson(req);
      const repo = query.get('repo') ? localName(query.get('repo')!) : undefined, tag = query.get('tag') || undefined;
      if (tag && !repo) throw badRequest('commit: a tag needs a repository (?repo=)');
      try {
        const rec = await commitContainer(engine, {
          container: container.replace(/^\//, ''), repo, tag, comment: query.get('comment') || undefined, author: query.get('author') || undefined,
          pause: qbool(query, 'pause', true), changes: query.getAll('changes').flatMap((c) => c.split('\n')).filter((c) => c.trim()),
          config: configOverrides(body),
        });
        json(res, 201, { Id: rec.id });
      } catch (e) {
        const ae = toApiError(e);
        if (ae.status === 404 && /container/.test(ae.message)) throw notFound(`No such container: ${container}`);
        throw e;
      }
    } },
  ];
}
