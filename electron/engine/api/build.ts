// POST /commit (and, with the builder, POST /build).
import type { Route } from './context';
import { json, readJson } from './context';
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

export function buildRoutes(): Route[] {
  return [
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
