// Checkpoints: Docker's experimental routes (`docker checkpoint create/ls/rm`, `docker
// start --checkpoint`) mapped onto engine.checkpoints, and Pier's own /pier/… routes
// (checkpoint with export, restore from an uploaded archive) mounted from
// electron/engine/checkpoint/http.ts.
import type { Engine } from '../engine';
import type { ContainerRecord } from '../store/types';
import { type Route, json, readJson, noContent } from './context';
import { badRequest } from './errors';
import { getContainer } from './container-ref';
import { z } from 'zod';
import { parse } from './validate';
import { routes as httpRoutes } from '../checkpoint/http';

function area(engine: Engine) {
  return engine.checkpoints;
}

const CreateBody = z.looseObject({
  CheckpointID: z.string().min(1, 'a checkpoint name is required').max(128).regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, 'invalid checkpoint name'),
  CheckpointDir: z.string().max(4096).nullish(),
  Exit: z.boolean().nullish(),
});

export async function startFromCheckpoint(engine: Engine, r: ContainerRecord, name: string, dir?: string): Promise<void> {
  await area(engine).restore(r.id, { name, ...(dir ? { dir } : {}) });
}

export function checkpointRoutes(): Route[] {
  const routes: Route[] = [
    { method: 'POST', path: /^\/containers\/([^/]+)\/checkpoints$/, handler: async ({ engine, res, params, req }) => {
      const r = getContainer(engine, params[0]);
      const b = parse(CreateBody, await readJson(req, { required: true }), 'checkpoint options');
      await area(engine).create(r.id, { name: b.CheckpointID, ...(b.CheckpointDir ? { dir: b.CheckpointDir } : {}), leaveRunning: b.Exit === false });
      res.writeHead(201, { 'Content-Length': 0 });
      res.end();
    } },
    { method: 'GET', path: /^\/containers\/([^/]+)\/checkpoints$/, handler: async ({ engine, res, params, query }) => {
      const r = getContainer(engine, params[0]);
      if (query.get('dir')) throw badRequest('checkpoint-dir is not supported: checkpoints live in Pier\'s root');
      const list = await area(engine).list(r.id);
      json(res, 200, list.filter((c) => c.name).map((c) => ({ Name: c.name })));
    } },
    { method: 'DELETE', path: /^\/containers\/([^/]+)\/checkpoints\/([^/]+)$/, handler: async ({ engine, res, params, query }) => {
      const r = getContainer(engine, params[0]);
      if (!params[1]) throw badRequest('checkpoint name required');
      if (query.get('dir')) throw badRequest('checkpoint-dir is not supported: checkpoints live in Pier\'s root');
      await area(engine).remove(r.id, params[1]);
      noContent(res);
    } },
  ];
  return routes;
}

/** Pier's own checkpoint routes (checkpoint with export, restore from an upload). */
export function pierCheckpointRoutes(): Route[] {
  return httpRoutes();
}
