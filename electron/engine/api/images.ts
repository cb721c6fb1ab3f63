// /images/…: list, create (pull, with Docker's progress JSON stream), load, get (save),
// inspect, history, tag, remove, prune. Needs the engine's image area.
import { imageEvent, pruneEvents, removalEvents } from '../images/events';
import type { ServerResponse } from 'node:http';
import { clientShortName } from '../images/reference';
import type { Engine } from '../engine';
import type { ImageRecord, ImageService, ImageProgress } from '../images/index';
import { type Route, json } from './context';
import { ApiError, badRequest, toApiError } from './errors';
import { qbool, qfilters, filterValues } from './validate';


function images(engine: Engine): ImageService {
  return engine.images;
}

const familiar = (t: string) => clientShortName(t);
const short = (d: string) => d.replace(/^sha256:/, '').slice(0, 12);

export function imageSummary(i: ImageRecord) {
  return {
    Id: i.id, ParentId: i.parent ?? '', RepoTags: i.repoTags.map(familiar), RepoDigests: i.repoDigests.map(familiar),
    Created: Math.floor(Date.parse(i.created) / 1000) || 0, Size: i.size, SharedSize: -1, VirtualSize: i.size,
    Labels: i.config.config?.Labels ?? {}, Containers: -1,
  };
}

function inspectImage(i: ImageRecord) {
  const c = i.config.config ?? {};
  return {
    Id: i.id, RepoTags: i.repoTags.map(familiar), RepoDigests: i.repoDigests.map(familiar), Parent: i.parent ?? '',
    Comment: i.config.history?.at(-1)?.comment ?? '',
    Created: i.created, DockerVersion: '', Author: (i.config as { author?: string }).author ?? '',
    Config: {
      Hostname: '', Domainname: '', User: c.User ?? '', AttachStdin: false, AttachStdout: false, AttachStderr: false, Tty: false,
      OpenStdin: false, StdinOnce: false, Env: c.Env ?? null, Cmd: c.Cmd ?? null, Image: '', Volumes: c.Volumes ?? null,
      WorkingDir: c.WorkingDir ?? '', Entrypoint: c.Entrypoint ?? null, OnBuild: (c as { OnBuild?: string[] }).OnBuild ?? null, Labels: c.Labels ?? null,
      ...((c as { Healthcheck?: object }).Healthcheck ? { Healthcheck: (c as { Healthcheck?: object }).Healthcheck } : {}),
      ...((c as { Shell?: string[] }).Shell ? { Shell: (c as { Shell?: string[] }).Shell } : {}),
      ...(c.ExposedPorts ? { ExposedPorts: c.ExposedPorts } : {}), ...(c.StopSignal ? { StopSignal: c.StopSignal } : {}),
    },
    Architecture: i.config.architecture ?? '', Os: i.config.os ?? 'linux', Size: i.size, VirtualSize: i.size,
    GraphDriver: { Name: 'overlay', Data: null },
    RootFS: { Type: 'layers', Layers: i.layers },
    Metadata: { LastTagTime: '0001-01-01T00:00:00Z' },
  };
}

/** Streams JSON messages, one per line (Docker's streamformatter uses \r\n). */
function jsonStream(res: ServerResponse): { send: (o: unknown) => void; ok: () => boolean } {
  let ok = true;
  res.on('close', () => { ok = false; });
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.flushHeaders();
  return { send: (o) => { if (ok) res.write(JSON.stringify(o) + '\r\n'); }, ok: () => ok };
}

function progressBar(cur: number, total: number): string {
  const w = 50, n = total ? Math.min(w, Math.floor((cur / total) * w)) : 0;
  const fmt = (b: number) => (b >= 1e6 ? `${(b / 1e6).toFixed(2)}MB` : b >= 1e3 ? `${(b / 1e3).toFixed(2)}kB` : `${b}B`);
  return `[${'='.repeat(Math.max(0, n - 1))}${n ? '>' : ''}${' '.repeat(w - n)}] ${fmt(cur)}/${fmt(total)}`;
}

/** ImageProgress → Docker's pull progress messages. */
function pullMessage(p: ImageProgress): Record<string, unknown> | undefined {
  if (!p.layer) return undefined;
  const id = short(p.layer);
  switch (p.status) {
    case 'exists': return { status: 'Already exists', progressDetail: {}, id };
    case 'downloading':
      if (!p.current) return { status: 'Pulling fs layer', progressDetail: {}, id };
      return { status: 'Downloading', progressDetail: { current: p.current, total: p.total }, progress: progressBar(p.current, p.total ?? 0), id };
    case 'verifying': return { status: 'Verifying Checksum', progressDetail: {}, id };
    case 'extracting': return { status: 'Extracting', progressDetail: {}, id };
    case 'done': return { status: 'Pull complete', progressDetail: {}, id };
    default: return { status: p.status, progressDetail: {}, id };
  }
}

export function imageRoutes(): Route[] {
  return [
    { method: 'GET', path: /^\/images\/json$/, handler: async ({ engine, res, query }) => {
      const f = qfilters(query);
      const listed = await images(engine).list();
      // like dockerd: untagged images that are another image's parent (build steps) only with all=1
      const parents = new Set(listed.map((i) => i.parent).filter(Boolean));
      const all = qbool(query, 'all') ? listed : listed.filter((i) => i.repoTags.length || !parents.has(i.id));
      const used = new Map<string, number>();
      for (const c of engine.containers.list()) if (c.imageId) used.set(c.imageId, (used.get(c.imageId) ?? 0) + 1);
      const out = all.filter((i) => {
        for (const [k, vals] of f) {
          if (!vals.length) continue;
          const labels = i.config.config?.Labels ?? {};
          const ok = filterValues(k, vals, (v) => {
            switch (k) {
              case 'dangling': return (v === 'true' || v === '1') === (i.repoTags.length === 0);
              case 'label': { const [lk, lv] = v.split('='); return lk in labels && (lv === undefined || labels[lk] === lv); }
              case 'reference': {
                const re = new RegExp('^' + v.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '.') + '$');
                return i.repoTags.map(familiar).some((t) => re.test(t) || re.test(t.split(':')[0]));
              }
              default: throw badRequest(`invalid filter '${k}'`);
            }
          });
          if (!ok) return false;
        }
        return true;
      });
      json(res, 200, out.map((i) => ({ ...imageSummary(i), Containers: used.get(i.id) ?? 0 })));
    } },

    { method: 'POST', path: /^\/images\/create$/, handler: async ({ engine, res, query, req }) => {
      const svc = images(engine);
      req.resume();
      if (query.get('fromSrc')) throw new ApiError(501, 'importing a root filesystem (fromSrc) is not supported; use docker load');
      const from = query.get('fromImage');
      if (!from) throw badRequest('fromImage is required');
      const tag = query.get('tag');
      const ref = tag ? (tag.startsWith('sha256:') ? `${from}@${tag}` : `${from}:${tag}`) : from;
      let auth: { username: string; password: string } | undefined;
      const xra = req.headers['x-registry-auth'];
      if (typeof xra === 'string' && xra) {
        try {
          const a = JSON.parse(Buffer.from(xra.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8')) as { username?: string; password?: string };
          if (a.username && a.password) auth = { username: a.username, password: a.password };
        } catch { /* empty or malformed auth: anonymous, as moby */ }
      }
      const had = await svc.inspect(ref).then(() => true, () => false);
      const ac = new AbortController();
      res.on('close', () => { if (!res.writableFinished) ac.abort(); });
      const name = familiar(ref);
      // errors before anything streams are plain HTTP errors (404 for an unknown repository)
      let stream: ReturnType<typeof jsonStream> | undefined;
      const start = () => { if (!stream) { stream = jsonStream(res); stream.send({ status: `Pulling from ${familiar(from)}`, id: tag ?? 'latest' }); } return stream; };
      try {
        const rec = await svc.pull(ref, { signal: ac.signal, auth, onProgress: (p) => { const m = pullMessage(p); if (m) start().send(m); } });
        imageEvent(engine.events, 'pulled', rec, name);
        const s = start();
        const dg = rec.repoDigests[0]?.split('@')[1];
        if (dg) s.send({ status: `Digest: ${dg}` });
        s.send({ status: had ? `Status: Image is up to date for ${name}` : `Status: Downloaded newer image for ${name}` });
        res.end();
      } catch (e) {
        if (!stream) throw e;
        const msg = toApiError(e).message;
        stream.send({ errorDetail: { message: msg }, error: msg });
        res.end();
      }
    } },

    { method: 'POST', path: /^\/images\/load$/, handler: async ({ engine, res, req }) => {
      const svc = images(engine);
      const loaded = await svc.load(req);
      for (const i of loaded) imageEvent(engine.events, 'loaded', i);
      const s = jsonStream(res);
      for (const i of loaded) {
        if (i.repoTags.length) for (const t of i.repoTags) s.send({ stream: `Loaded image: ${familiar(t)}\n` });
        else s.send({ stream: `Loaded image ID: ${i.id}\n` });
      }
      res.end();
    } },

    { method: 'GET', path: /^\/images\/get$/, handler: async ({ engine, res, query }) => saveImages(engine, res, query.getAll('names')) },
    { method: 'GET', path: /^\/images\/(.+)\/get$/, handler: async ({ engine, res, params }) => saveImages(engine, res, [params[0]]) },

    { method: 'GET', path: /^\/images\/(.+)\/json$/, handler: async ({ engine, res, params }) => {
      json(res, 200, inspectImage(await images(engine).inspect(params[0])));
    } },

    { method: 'GET', path: /^\/images\/(.+)\/history$/, handler: async ({ engine, res, params }) => {
      const svc = images(engine);
      const img = await svc.inspect(params[0]);
      const h = await svc.history(params[0]);
      json(res, 200, h.map((x, k) => ({
        Id: k === 0 ? img.id : '<missing>', Created: Math.floor(Date.parse(x.created) / 1000) || 0, CreatedBy: x.createdBy,
        Tags: k === 0 ? img.repoTags.map(familiar) : null, Size: x.size, Comment: x.comment ?? '',
      })));
    } },

    { method: 'POST', path: /^\/images\/(.+)\/tag$/, handler: async ({ engine, res, params, query }) => {
      const repo = query.get('repo');
      if (!repo) throw badRequest('repository name (repo) is required');
      const tag = query.get('tag');
      // clients send names expanded with their default domain; Pier's local names carry none
      const newName = localName(tag ? `${repo}:${tag}` : repo);
      await images(engine).tag(params[0], newName);
      imageEvent(engine.events, 'tagged', await images(engine).inspect(newName), newName);
      res.writeHead(201, { 'Content-Length': 0 });
      res.end();
    } },

    { method: 'DELETE', path: /^\/images\/(.+)$/, handler: async ({ engine, res, params, query }) => {
      const svc = images(engine);
      const force = qbool(query, 'force');
      const inUse = inUseBy(engine);
      const img = await svc.inspect(params[0]);
      const users = engine.containers.list().filter((c) => c.imageId === img.id);
      if (users.length && !force) {
        throw new ApiError(409, `conflict: unable to remove repository reference "${params[0]}" (must force) - container ${users[0].id.slice(0, 12)} is using its referenced image ${short(img.id)}`);
      }
      const r = await svc.remove(params[0], { force, inUse });
      removalEvents(engine.events, img, r);
      json(res, 200, [...r.untagged.map((u) => ({ Untagged: familiar(u) })), ...r.deleted.map((d) => ({ Deleted: d }))]);
    } },

    { method: 'POST', path: /^\/images\/prune$/, handler: async ({ engine, res, query }) => {
      const f = qfilters(query);
      const dangling = f.get('dangling')?.[0];
      const before = await images(engine).list();
      const r = await images(engine).prune({ inUse: inUseBy(engine), all: dangling === 'false' || dangling === '0' });
      pruneEvents(engine.events, before, r);
      json(res, 200, { ImagesDeleted: r.deleted.map((d) => ({ Deleted: d })), SpaceReclaimed: r.spaceReclaimed });
    } },
  ];
}

/** The name as the user typed it (see clientShortName). */
export function localName(ref: string): string {
  return clientShortName(ref);
}

/** The name create should use: as given if stored, else its short form if that is what is stored. */
export async function resolveImageName(engine: Engine, name: string): Promise<string> {
  const has = (n: string) => engine.images.inspect(n).then(() => true, () => false);
  if (await has(name)) return name;
  const short = clientShortName(name);
  return short !== name && (await has(short)) ? short : name;
}

function inUseBy(engine: Engine): (id: string) => boolean {
  const ids = new Set(engine.containers.list().map((c) => c.imageId).filter(Boolean));
  return (id) => ids.has(id);
}

async function saveImages(engine: Engine, res: ServerResponse, names: string[]): Promise<void> {
  const svc = images(engine);
  if (!names.length) throw badRequest('no images named (?names=)');
  for (const n of names) await svc.inspect(n); // 404 before the stream starts
  res.writeHead(200, { 'Content-Type': 'application/x-tar' });
  try { await svc.save(names, res); } catch (e) { res.destroy(e as Error); return; }
  res.end();
}
