// /volumes: create, list (filters dangling/name/label/driver), inspect, remove (409 in use), prune.
import type { Engine } from '../engine';
import type { VolumeInfo } from '../volumes/index';
import { labelMatch } from '../volumes/index';
import { type Route, json, noContent, readJson } from './context';
import { badRequest, conflict, notFound, toApiError } from './errors';
import { parse, qbool, qfilters, filterValues } from './validate';
import { z } from 'zod';

const CreateVolumeSchema = z.looseObject({
  Name: z.string().max(255).nullish(),
  Driver: z.string().max(64).nullish(),
  DriverOpts: z.record(z.string().max(256), z.string().max(4096)).nullish(),
  Labels: z.record(z.string().max(4096), z.string().max(1 << 16)).nullish(),
});

export function volumeJson(v: VolumeInfo, size?: number) {
  return {
    CreatedAt: v.createdAt.replace(/\.\d+Z$/, 'Z'), Driver: 'local', Labels: v.labels, Mountpoint: v.mountpoint, Name: v.name,
    Options: Object.keys(v.options).length ? v.options : null, Scope: 'local',
    ...(size !== undefined ? { UsageData: { Size: size, RefCount: v.usedBy.length } } : {}),
  };
}

function filterVolumes(list: VolumeInfo[], f: Map<string, string[]>): VolumeInfo[] {
  for (const k of f.keys()) if (!['dangling', 'name', 'label', 'driver'].includes(k)) throw badRequest(`invalid filter '${k}'`);
  return list.filter((v) => [...f].every(([k, vals]) => !vals.length || filterValues(k, vals, (x) => {
    switch (k) {
      case 'dangling': {
        if (!['true', 'false', '1', '0'].includes(x)) throw badRequest(`invalid filter 'dangling=${x}'`);
        return (x === 'true' || x === '1') === (v.usedBy.length === 0);
      }
      case 'name': return v.name.includes(x);
      case 'label': return labelMatch(v.labels, x);
      default: return x === 'local';
    }
  })));
}

function volumeError(e: unknown): never {
  const ae = toApiError(e);
  if ((e as { code?: string }).code === 'ENOTFOUND') throw notFound(ae.message);
  if ((e as { code?: string }).code === 'EINUSE') throw conflict(ae.message);
  throw ae;
}

export function volumeRoutes(): Route[] {
  return [
    { method: 'GET', path: /^\/volumes$/, handler: ({ engine, res, query }) => {
      json(res, 200, { Volumes: filterVolumes(engine.volumes.list(), qfilters(query)).map((v) => volumeJson(v)), Warnings: null });
    } },
    { method: 'POST', path: /^\/volumes\/create$/, handler: async ({ engine, res, req }) => {
      const body = parse(CreateVolumeSchema, (await readJson(req)) ?? {}, 'volume config');
      if (body.Driver && body.Driver !== 'local') throw badRequest(`volume driver "${body.Driver}" is not available: Pier has the local driver only`);
      const v = await engine.volumes.create({ name: body.Name || undefined, labels: body.Labels ?? undefined, options: body.DriverOpts ?? undefined }).catch(volumeError);
      json(res, 201, volumeJson(v));
    } },
    { method: 'POST', path: /^\/volumes\/prune$/, handler: async ({ engine, res, query }) => {
      const f = qfilters(query);
      for (const k of f.keys()) if (!['label', 'label!', 'all'].includes(k)) throw badRequest(`invalid filter '${k}'`);
      // API ≥ 1.42 prunes anonymous volumes only, unless all=true
      const all = (f.get('all') ?? []).some((x) => x === 'true' || x === '1');
      const r = await engine.volumes.prune({ all, labels: f.get('label'), notLabels: f.get('label!') });
      json(res, 200, { VolumesDeleted: r.deleted, SpaceReclaimed: r.bytes });
    } },
    { method: 'GET', path: /^\/volumes\/([^/]+)$/, handler: ({ engine, res, params }) => {
      let v: VolumeInfo;
      try { v = engine.volumes.inspect(params[0]); } catch (e) { volumeError(e); }
      json(res, 200, volumeJson(v));
    } },
    { method: 'DELETE', path: /^\/volumes\/([^/]+)$/, handler: async ({ engine, res, params, query }) => {
      await engine.volumes.remove(params[0], { force: qbool(query, 'force') }).catch(volumeError);
      noContent(res);
    } },
  ];
}

/** Volumes as /system/df lists them (with sizes). */
export async function dfVolumes(engine: Engine): Promise<unknown[]> {
  return Promise.all(engine.volumes.list().map(async (v) => volumeJson(v, await engine.volumes.size(v.name))));
}
