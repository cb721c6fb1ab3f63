// /images/…: list, create (pull: image-pull.ts), load, get (save), inspect, history, tag, remove,
// prune — one named handler each.
import { imageEvent, pruneEvents, removalEvents } from '../images/events';
import type { ServerResponse } from 'node:http';
import { clientShortName } from '../images/reference';
import type { Engine } from '../engine';
import type { ImageRecord, ImageService } from '../images/index';
import { type Handler, type Route, json } from './context';
import { ApiError, badRequest } from './errors';
import { qbool, qfilters, filterValues } from './validate';
import { jsonStream, pullImage } from './image-pull';

type C = Parameters<Handler>[0];

function images(engine: Engine): ImageService {
  return engine.images;
}

const familiar = (t: string) => clientShortName(t);
const short = (d: string) => d.replace(/^sha256:/, '').slice(0, 12);

export function imageSummary(i: ImageRecord) {
  return {
    Id: i.id,
    ParentId: i.parent ?? '',
    RepoTags: i.repoTags.map(familiar),
    RepoDigests: i.repoDigests.map(familiar),
    Created: Math.floor(Date.parse(i.created) / 1000) || 0,
    Size: i.size,
    SharedSize: -1,
    VirtualSize: i.size,
    Labels: i.config.config?.Labels ?? {},
    Containers: -1,
  };
}

function inspectImage(i: ImageRecord) {
  return {
    Id: i.id,
    RepoTags: i.repoTags.map(familiar),
    RepoDigests: i.repoDigests.map(familiar),
    Parent: i.parent ?? '',
    Comment: i.config.history?.at(-1)?.comment ?? '',
    Created: i.created,
    DockerVersion: '',
    Author: (i.config as { author?: string }).author ?? '',
    Config: imageConfigJson(i),
    Architecture: i.config.architecture ?? '',
    Os: i.config.os ?? 'linux',
    Size: i.size,
    VirtualSize: i.size,
    GraphDriver: { Name: 'overlay', Data: null },
    RootFS: { Type: 'layers', Layers: i.layers },
    Metadata: { LastTagTime: '0001-01-01T00:00:00Z' },
  };
}

/** The image's run config in a container config's shape, as dockerd shows it. */
function imageConfigJson(i: ImageRecord) {
  const c = (i.config.config ?? {}) as NonNullable<ImageRecord['config']['config']> & {
    OnBuild?: string[];
    Healthcheck?: object;
    Shell?: string[];
  };
  return {
    Hostname: '',
    Domainname: '',
    User: c.User ?? '',
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    Tty: false,
    OpenStdin: false,
    StdinOnce: false,
    Env: c.Env ?? null,
    Cmd: c.Cmd ?? null,
    Image: '',
    Volumes: c.Volumes ?? null,
    WorkingDir: c.WorkingDir ?? '',
    Entrypoint: c.Entrypoint ?? null,
    OnBuild: c.OnBuild ?? null,
    Labels: c.Labels ?? null,
    ...(c.Healthcheck ? { Healthcheck: c.Healthcheck } : {}),
    ...(c.Shell ? { Shell: c.Shell } : {}),
    ...(c.ExposedPorts ? { ExposedPorts: c.ExposedPorts } : {}),
    ...(c.StopSignal ? { StopSignal: c.StopSignal } : {}),
  };
}

export function imageRoutes(): Route[] {
  return [
    { method: 'GET', path: /^\/images\/json$/, handler: listImages },
    { method: 'POST', path: /^\/images\/create$/, handler: pullImage },
    { method: 'POST', path: /^\/images\/load$/, handler: loadImages },
    {
      method: 'GET',
      path: /^\/images\/get$/,
      handler: ({ engine, res, query }) => saveImages(engine, res, query.getAll('names')),
    },
    {
      method: 'GET',
      path: /^\/images\/(.+)\/get$/,
      handler: ({ engine, res, params }) => saveImages(engine, res, [params[0]]),
    },
    { method: 'GET', path: /^\/images\/(.+)\/json$/, handler: inspectHandler },
    { method: 'GET', path: /^\/images\/(.+)\/history$/, handler: history },
    { method: 'POST', path: /^\/images\/(.+)\/tag$/, handler: tag },
    { method: 'DELETE', path: /^\/images\/(.+)$/, handler: remove },
    { method: 'POST', path: /^\/images\/prune$/, handler: prune },
  ];
}

async function listImages({ engine, res, query }: C): Promise<void> {
  const f = qfilters(query);
  const listed = await images(engine).list();
  // like dockerd: untagged images that are another image's parent (build steps) only with all=1
  const parents = new Set(listed.map((i) => i.parent).filter(Boolean));
  const all = qbool(query, 'all') ? listed : listed.filter((i) => i.repoTags.length || !parents.has(i.id));
  const used = new Map<string, number>();
  for (const c of engine.containers.list()) if (c.imageId) used.set(c.imageId, (used.get(c.imageId) ?? 0) + 1);
  const out = all.filter((i) => matchFilters(i, f));
  json(
    res,
    200,
    out.map((i) => ({ ...imageSummary(i), Containers: used.get(i.id) ?? 0 })),
  );
}

function matchFilters(i: ImageRecord, f: Map<string, string[]>): boolean {
  for (const [k, vals] of f) {
    if (!vals.length) continue;
    const labels = i.config.config?.Labels ?? {};
    const ok = filterValues(k, vals, (v) => {
      switch (k) {
        case 'dangling':
          return (v === 'true' || v === '1') === (i.repoTags.length === 0);
        case 'label': {
          const [lk, lv] = v.split('=');
          return lk in labels && (lv === undefined || labels[lk] === lv);
        }
        case 'reference': {
          const re = new RegExp(
            '^' +
              v
                .replace(/[.+^${}()|[\]\\]/g, '\\$&')
                .replace(/\*/g, '[^/]*')
                .replace(/\?/g, '.') +
              '$',
          );
          return i.repoTags.map(familiar).some((t) => re.test(t) || re.test(t.split(':')[0]));
        }
        default:
          throw badRequest(`invalid filter '${k}'`);
      }
    });
    if (!ok) return false;
  }
  return true;
}

async function loadImages({ engine, res, req }: C): Promise<void> {
  const loaded = await images(engine).load(req);
  for (const i of loaded) imageEvent(engine.events, 'loaded', i);
  const s = jsonStream(res);
  for (const i of loaded) {
    if (i.repoTags.length) for (const t of i.repoTags) s.send({ stream: `Loaded image: ${familiar(t)}\n` });
    else s.send({ stream: `Loaded image ID: ${i.id}\n` });
  }
  res.end();
}

async function inspectHandler({ engine, res, params }: C): Promise<void> {
  json(res, 200, inspectImage(await images(engine).inspect(params[0])));
}

async function history({ engine, res, params }: C): Promise<void> {
  const svc = images(engine);
  const img = await svc.inspect(params[0]);
  const h = await svc.history(params[0]);
  json(
    res,
    200,
    h.map((x, k) => ({
      Id: k === 0 ? img.id : '<missing>',
      Created: Math.floor(Date.parse(x.created) / 1000) || 0,
      CreatedBy: x.createdBy,
      Tags: k === 0 ? img.repoTags.map(familiar) : null,
      Size: x.size,
      Comment: x.comment ?? '',
    })),
  );
}

async function tag({ engine, res, params, query }: C): Promise<void> {
  const repo = query.get('repo');
  if (!repo) throw badRequest('repository name (repo) is required');
  const t = query.get('tag');
  // clients send names expanded with their default domain; Pier's local names carry none
  const newName = localName(t ? `${repo}:${t}` : repo);
  await images(engine).tag(params[0], newName);
  imageEvent(engine.events, 'tagged', await images(engine).inspect(newName), newName);
  res.writeHead(201, { 'Content-Length': 0 });
  res.end();
}

async function remove({ engine, res, params, query }: C): Promise<void> {
  const svc = images(engine);
  const force = qbool(query, 'force');
  await engine.containers.settled(); // an auto-removed container's snapshot may still be going
  const inUse = inUseBy(engine);
  const img = await svc.inspect(params[0]);
  const users = engine.containers.list().filter((c) => c.imageId === img.id);
  if (users.length && !force) {
    throw new ApiError(
      409,
      `conflict: unable to remove repository reference "${params[0]}" (must force) - container ${users[0].id.slice(0, 12)} is using its referenced image ${short(img.id)}`,
    );
  }
  const r = await svc.remove(params[0], { force, inUse });
  removalEvents(engine.events, img, r);
  json(res, 200, [...r.untagged.map((u) => ({ Untagged: familiar(u) })), ...r.deleted.map((d) => ({ Deleted: d }))]);
}

async function prune({ engine, res, query }: C): Promise<void> {
  const f = qfilters(query);
  const dangling = f.get('dangling')?.[0];
  const before = await images(engine).list();
  await engine.containers.settled();
  const r = await images(engine).prune({ inUse: inUseBy(engine), all: dangling === 'false' || dangling === '0' });
  pruneEvents(engine.events, before, r);
  json(res, 200, { ImagesDeleted: r.deleted.map((d) => ({ Deleted: d })), SpaceReclaimed: r.spaceReclaimed });
}

/** The name as the user typed it (see clientShortName). */
export function localName(ref: string): string {
  return clientShortName(ref);
}

/** The name create should use: as given if stored, else its short form if that is what is stored. */
export async function resolveImageName(engine: Engine, name: string): Promise<string> {
  const has = (n: string) =>
    engine.images.inspect(n).then(
      () => true,
      () => false,
    );
  if (await has(name)) return name;
  const short = clientShortName(name);
  return short !== name && (await has(short)) ? short : name;
}

function inUseBy(engine: Engine): (id: string) => boolean {
  const ids = new Set(
    engine.containers
      .list()
      .map((c) => c.imageId)
      .filter(Boolean),
  );
  return (id) => ids.has(id);
}

async function saveImages(engine: Engine, res: ServerResponse, names: string[]): Promise<void> {
  const svc = images(engine);
  if (!names.length) throw badRequest('no images named (?names=)');
  for (const n of names) await svc.inspect(n); // 404 before the stream starts
  res.writeHead(200, { 'Content-Type': 'application/x-tar' });
  try {
    await svc.save(names, res);
  } catch (e) {
    res.destroy(e as Error);
    return;
  }
  res.end();
}
