// POST /containers/create: the request body (Config + HostConfig) turned into Pier's create
// options, mounts and network included, and dockerd's answer for a name already in use.
import type { Engine } from '../engine';
import type { CreateContainerOptions, MountRequest } from '../../common/types';
import { type Handler, type Route, json, readJson } from './context';
import { ApiError, badRequest, toApiError } from './errors';
import { CreateContainerSchema, parse } from './validate';
import { resolveImageName } from './images';
import { healthcheckFromBody, restartPolicyFromBody } from './supervision';
import { networkCreateOptions } from './networks';
import { anonymousVolumes, parseBindString, parseMountObject, parseTmpfsMap } from '../volumes/index';
import { echoFromBody } from './echo';
import { toResources } from './resources';
import { checkName } from './container-ref';

type C = Parameters<Handler>[0];
type CreateBody = ReturnType<typeof parse<typeof CreateContainerSchema>>;

export const createRoutes: Route[] = [{ method: 'POST', path: /^\/containers\/create$/, handler: createContainer }];

async function createContainer({ engine, res, query, req }: C): Promise<void> {
  const name = query.get('name') || undefined;
  if (name !== undefined) checkName(name);
  const body = parse(CreateContainerSchema, await readJson(req, { required: true }), 'container config');
  const { opts, warnings } = toCreateOptions(body, name?.replace(/^\//, ''));
  if (opts.image) opts.image = await resolveImageName(engine, opts.image);
  const exposed = opts.image
    ? Object.keys((await engine.images.inspect(opts.image).catch(() => undefined))?.config.config?.ExposedPorts ?? {})
    : [];
  Object.assign(opts, networkCreateOptions(engine, body.HostConfig ?? {}, body, exposed));
  try {
    const rec = await engine.containers.create(opts);
    json(res, 201, { Id: rec.id, Warnings: [...warnings, ...engine.containers.takeWarnings(rec.id)] });
  } catch (e) {
    throw nameInUse(engine, e, name) ?? e;
  }
}

/** dockerd's 409 for a taken name, naming the container that has it; undefined for other errors. */
function nameInUse(engine: Engine, e: unknown, name: string | undefined): ApiError | undefined {
  const ae = toApiError(e);
  if (ae.status !== 409 || !/already in use/.test(ae.message) || !name) return undefined;
  const bare = name.replace(/^\//, '');
  const other = engine.containers.list().find((c) => c.name === bare);
  return new ApiError(
    409,
    `Conflict. The container name "/${bare}" is already in use by container "${other?.id ?? ''}". You have to remove (or rename) that container to be able to reuse that name.`,
  );
}

/** Binds, Config.Volumes, HostConfig.Mounts and Tmpfs as mount requests; host binds first. */
function mountRequests(body: CreateBody): {
  binds: Array<{ source: string; destination: string; readOnly?: boolean }>;
  mounts: MountRequest[];
} {
  const hc = body.HostConfig ?? {};
  const binds: Array<{ source: string; destination: string; readOnly?: boolean }> = [];
  const mounts: MountRequest[] = [];
  const reqs = [
    ...(hc.Binds ?? []).map(parseBindString),
    ...(hc.Mounts ?? []).map(parseMountObject),
    ...parseTmpfsMap(hc.Tmpfs),
  ];
  const taken = new Set(reqs.map((r) => r.target));
  for (const r of reqs) {
    if (r.type === 'bind') binds.push({ source: r.source!, destination: r.target, readOnly: r.readOnly });
    else mounts.push(r);
  }
  // `-v /path`: an anonymous volume unless another mount already covers the path (moby does the same)
  for (const r of anonymousVolumes(body.Volumes)) if (!taken.has(r.target)) mounts.push(r);
  return { binds, mounts };
}

function toCreateOptions(
  body: CreateBody,
  name: string | undefined,
): { opts: CreateContainerOptions; warnings: string[] } {
  const hc = body.HostConfig ?? {};
  const warnings: string[] = [];
  if (!body.Image) throw badRequest('config: Image is required');
  if (hc.Privileged) warnings.push('Pier does not run privileged containers; --privileged was ignored');
  const cs = hc.ConsoleSize;
  let m: ReturnType<typeof mountRequests>;
  try {
    m = mountRequests(body);
  } catch (e) {
    throw badRequest((e as Error).message);
  }
  return {
    warnings,
    opts: {
      name,
      image: body.Image,
      cmd: body.Cmd,
      entrypoint: body.Entrypoint,
      env: body.Env ?? undefined,
      workingDir: body.WorkingDir || undefined,
      user: body.User || undefined,
      tty: !!body.Tty,
      openStdin: !!body.OpenStdin,
      stdinOnce: !!body.StdinOnce,
      hostname: body.Hostname || undefined,
      readOnly: !!hc.ReadonlyRootfs,
      binds: m.binds,
      mounts: m.mounts,
      volumesFrom: hc.VolumesFrom ?? undefined,
      labels: body.Labels ?? undefined,
      stopSignal: body.StopSignal || undefined,
      stopTimeout: body.StopTimeout ?? undefined,
      autoRemove: !!hc.AutoRemove,
      restartPolicy: restartPolicyFromBody(hc.RestartPolicy),
      healthcheck: healthcheckFromBody(body.Healthcheck),
      echo: { ...echoFromBody(body) },
      consoleSize: cs && cs[0] > 0 && cs[1] > 0 ? { rows: cs[0], cols: cs[1] } : undefined,
      resources: toResources(hc, 'HostConfig'),
    },
  };
}
