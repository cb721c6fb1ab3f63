// /containers/…: list, create, inspect, start/stop/restart/kill, wait, pause/unpause,
// remove, logs, resize, top, stats, rename, prune. Attach is in attach.ts.
import type { ServerResponse } from 'node:http';
import type { Engine } from '../engine';
import type { ContainerSummary, CreateContainerOptions } from '../../common/types';
import type { ContainerRecord } from '../store/types';
import { type Route, json, noContent, readJson } from './context';
import { ApiError, badRequest, notFound, toApiError } from './errors';
import { CreateContainerSchema, StopBodySchema, parse, qbool, qfilters, qint, qtime, filterValues } from './validate';
import { ZERO_TIME, humanDuration, toRfc3339NanoUtc, unixSeconds } from './format';
import { frame } from './attach';
import { parseSignal } from '../containers/signals';
import { isLive, transition } from '../containers/states';
import { resolveImageName } from './images';
import { healthcheckFromBody, healthSuffix, restartPolicyFromBody, supervisionInspect } from './supervision';
import { hostConfigNet, listNetworkFields, networkCreateOptions, networkSettings } from './networks';
import { anonymousVolumes, parseBindString, parseMountObject, parseTmpfsMap } from '../volumes/index';
import type { MountRequest } from '../../common/types';
import { dockerCommand, echoFromBody, echoOf } from './echo';
import { resourcesHostConfig, toResources } from './resources';
import { containerNameProblem } from '../../common/names';

/** Docker's name check and message; a leading '/' is accepted (the caller strips it). */
function checkName(name: string): void {
  if (containerNameProblem(name.replace(/^\//, ''))) {
    throw badRequest(`Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  }
}

const ID = '([^/]+)';

/** Looks a container up by id, id prefix or name (with or without the leading slash); 404 naming it. */
export function getContainer(engine: Engine, ref: string): ContainerRecord {
  try { return engine.containers.get(ref.replace(/^\//, '')); } catch (e) {
    const ae = toApiError(e);
    if (ae.status === 404) throw notFound(`No such container: ${ref}`);
    throw e;
  }
}

function statusText(c: ContainerSummary): string {
  const now = Date.now();
  switch (c.status) {
    case 'running': return `Up ${humanDuration(now - Date.parse(c.startedAt ?? c.created))}${healthSuffix(c)}`;
    case 'paused': return `Up ${humanDuration(now - Date.parse(c.startedAt ?? c.created))} (Paused)`;
    case 'exited': if (c.restarting) return `Restarting (${c.exitCode ?? 0}) ${humanDuration(now - Date.parse(c.finishedAt ?? c.created))} ago`;
      return c.finishedAt ? `Exited (${c.exitCode ?? 0}) ${humanDuration(now - Date.parse(c.finishedAt))} ago` : `Exited (${c.exitCode ?? 0})`;
    case 'removing': return 'Removal In Progress';
    default: return 'Created';
  }
}

function networkMode(engine: Engine, id: string): string {
  try { return hostConfigNet(engine.containers.get(id)).NetworkMode; } catch { return 'none'; }
}

export function containerSummary(engine: Engine, c: ContainerSummary) {
  const rec = engine.containers.get(c.id);
  return {
    Id: c.id, Names: ['/' + c.name], Image: c.image, ImageID: c.imageId ?? '', Command: dockerCommand(rec.config.args),
    Created: unixSeconds(c.created),
    Labels: c.labels, State: c.restarting ? 'restarting' : c.status, Status: statusText(c),
    HostConfig: { NetworkMode: rec.config.netContainer ? networkMode(engine, c.id) : echoOf(rec)?.NetworkMode ?? networkMode(engine, c.id) }, ...listNetworkFields(engine, rec),
    Mounts: mountsJson(engine, rec),
  };
}

export function inspectContainer(engine: Engine, r: ContainerRecord) {
  const c = r.config, s = r.state;
  const p = engine.containers.paths(r);
  const execIds = [...(engineExecs.get(engine)?.values() ?? [])].filter((e) => e.containerId === r.id && e.running).map((e) => e.id);
  const sup = supervisionInspect(r);
  const echo = echoOf(r);
  return {
    Id: r.id, Created: r.created, Path: c.args[0] ?? '', Args: c.args.slice(1),
    State: {
      Status: s.status === 'removing' ? 'removing' : s.status, Running: isLive(s.status), Paused: s.status === 'paused',
      OOMKilled: !!s.oomKilled, Dead: false, Pid: isLive(s.status) ? s.pid : 0, ExitCode: s.exitCode ?? 0, Error: s.error ?? '',
      StartedAt: s.startedAt ?? ZERO_TIME, FinishedAt: s.finishedAt ?? ZERO_TIME,
      ...(s.restoredFrom ? { Checkpointed: true } : {}),
      ...sup.state,
    },
    Image: c.imageId ?? '', ResolvConfPath: '', HostnamePath: '', HostsPath: '', LogPath: p.logPath, Name: '/' + r.name,
    RestartCount: sup.restartCount, Driver: engine.snapshotter.kind, Platform: 'linux', MountLabel: '', ProcessLabel: '', AppArmorProfile: '',
    ExecIDs: execIds.length ? execIds : null,
    HostConfig: {
      Binds: c.binds.map((b) => `${b.source}:${b.destination}${b.readOnly ? ':ro' : ''}`), AutoRemove: c.autoRemove,
      RestartPolicy: sup.restartPolicy, LogConfig: { Type: 'json-file', Config: {} } /* k8s-file on disk; reported as json-file: clients (docker-py) read logs only from drivers they know */,
      ...hostConfigNet(r), ...hostConfigEcho(r),
      ConsoleSize: c.consoleSize ? [c.consoleSize.rows, c.consoleSize.cols] : [0, 0], ReadonlyRootfs: c.readOnlyRoot, Privileged: false,
      Runtime: engine.info().runtime.name, Init: false,
      ...resourcesHostConfig(c.resources),
    },
    GraphDriver: { Name: engine.snapshotter.kind, Data: null },
    Mounts: mountsJson(engine, r),
    Config: {
      Hostname: c.hostname, Domainname: '', User: c.user, AttachStdin: echo?.AttachStdin ?? c.stdin,
      AttachStdout: echo?.AttachStdout ?? true, AttachStderr: echo?.AttachStderr ?? true,
      Tty: c.terminal, OpenStdin: c.stdin, StdinOnce: !!c.stdinOnce, Env: c.env, Cmd: c.cmd ?? c.args, Image: c.image ?? c.rootfs ?? '',
      Volumes: volumesField(r), WorkingDir: c.cwd, Entrypoint: c.entrypoint?.length ? c.entrypoint : null, OnBuild: null, Labels: c.labels,
      StopSignal: c.stopSignal, StopTimeout: c.stopTimeout, ...(sup.healthcheck ? { Healthcheck: sup.healthcheck } : {}),
      ...(c.net?.exposedPorts?.length ? { ExposedPorts: Object.fromEntries(c.net.exposedPorts.map((p) => [p, {}])) } : {}),
    },
    NetworkSettings: networkSettings(engine, r),
    Pier: { Bundle: p.bundle, ConmonPid: s.conmonPid, RootFs: c.rootfs ?? null, RestoredFrom: s.restoredFrom ?? null },
  };
}

/** exec instances per engine, so inspect can list ExecIDs (set by exec.ts) */
export const engineExecs = new WeakMap<Engine, Map<string, { id: string; containerId: string; running: boolean }>>();

/** Docker's Mounts list: binds, volumes (with their data directory) and tmpfs. */
function mountsJson(engine: Engine, r: ContainerRecord) {
  const out: Array<Record<string, unknown>> = r.config.binds.map((b) => ({ Type: 'bind', Source: b.source, Destination: b.destination, Mode: b.readOnly ? 'ro' : '', RW: !b.readOnly, Propagation: 'rprivate' }));
  for (const m of r.config.mounts ?? []) {
    if (m.type === 'volume') {
      let src = '';
      try { src = engine.volumes.mountpoint(m.name); } catch { /* name validated at create */ }
      out.push({ Type: 'volume', Name: m.name, Source: src, Destination: m.destination, Driver: 'local', Mode: m.readOnly ? 'ro' : 'z', RW: !m.readOnly, Propagation: '' });
    } else out.push({ Type: 'tmpfs', Source: '', Destination: m.destination, Mode: '', RW: !m.options.includes('ro'), Propagation: '' });
  }
  return out;
}

function volumesField(r: ContainerRecord): Record<string, object> | null {
  const vols = (r.config.mounts ?? []).filter((m) => m.type === 'volume' && m.anonymous);
  return vols.length ? Object.fromEntries(vols.map((m) => [m.destination, {}])) : null;
}

/** Binds, Config.Volumes, HostConfig.Mounts and Tmpfs as mount requests; host binds first. */
function mountRequests(body: ReturnType<typeof parse<typeof CreateContainerSchema>>): { binds: Array<{ source: string; destination: string; readOnly?: boolean }>; mounts: MountRequest[] } {
  const hc = body.HostConfig ?? {};
  const binds: Array<{ source: string; destination: string; readOnly?: boolean }> = [];
  const mounts: MountRequest[] = [];
  const reqs = [...(hc.Binds ?? []).map(parseBindString), ...(hc.Mounts ?? []).map(parseMountObject), ...parseTmpfsMap(hc.Tmpfs)];
  const taken = new Set(reqs.map((r) => r.target));
  for (const r of reqs) {
    if (r.type === 'bind') binds.push({ source: r.source!, destination: r.target, readOnly: r.readOnly });
    else mounts.push(r);
  }
  // `-v /path`: an anonymous volume unless another mount already covers the path (moby does the same)
  for (const r of anonymousVolumes(body.Volumes)) if (!taken.has(r.target)) mounts.push(r);
  return { binds, mounts };
}

export function toCreateOptions(body: ReturnType<typeof parse<typeof CreateContainerSchema>>, name: string | undefined): { opts: CreateContainerOptions; warnings: string[] } {
  const hc = body.HostConfig ?? {};
  const warnings: string[] = [];
  if (!body.Image) throw badRequest('config: Image is required');
  if (hc.Privileged) warnings.push('Pier does not run privileged containers; --privileged was ignored');
  const cs = hc.ConsoleSize;
  let m: ReturnType<typeof mountRequests>;
  try { m = mountRequests(body); } catch (e) { throw badRequest((e as Error).message); }
  return {
    warnings,
    opts: {
      name, image: body.Image, cmd: body.Cmd, entrypoint: body.Entrypoint, env: body.Env ?? undefined,
      workingDir: body.WorkingDir || undefined, user: body.User || undefined, tty: !!body.Tty, openStdin: !!body.OpenStdin,
      stdinOnce: !!body.StdinOnce, hostname: body.Hostname || undefined, readOnly: !!hc.ReadonlyRootfs,
      binds: m.binds, mounts: m.mounts, volumesFrom: hc.VolumesFrom ?? undefined, labels: body.Labels ?? undefined, stopSignal: body.StopSignal || undefined,
      stopTimeout: body.StopTimeout ?? undefined, autoRemove: !!hc.AutoRemove,
      restartPolicy: restartPolicyFromBody(hc.RestartPolicy), healthcheck: healthcheckFromBody(body.Healthcheck),
      echo: { ...echoFromBody(body) },
      consoleSize: cs && cs[0] > 0 && cs[1] > 0 ? { rows: cs[0], cols: cs[1] } : undefined,
      resources: toResources(hc, 'HostConfig'),
    },
  };
}

function matchFilters(engine: Engine, c: ContainerSummary, f: Map<string, string[]>): boolean {
  for (const [k, vals] of f) {
    if (!vals.length) continue;
    const ok = filterValues(k, vals, (v) => {
      switch (k) {
        case 'id': return c.id.startsWith(v);
        case 'name': return new RegExp(v.replace(/^\//, '')).test(c.name);
        case 'status': return c.status === v;
        case 'label': { const [lk, lv] = v.split('='); return lk in c.labels && (lv === undefined || c.labels[lk] === lv); }
        case 'ancestor': return c.image === v || c.image.split(':')[0] === v || (!!c.imageId && c.imageId.includes(v));
        case 'exited': return c.status === 'exited' && String(c.exitCode) === v;
        case 'before': case 'since': {
          const o = engine.containers.list().find((x) => x.id.startsWith(v) || x.name === v);
          if (!o) throw notFound(`No such container: ${v}`);
          return k === 'before' ? c.created < o.created : c.created > o.created;
        }
        default: throw badRequest(`invalid filter '${k}'`);
      }
    });
    if (!ok) return false;
  }
  return true;
}

function flush(res: ServerResponse, status: number, ct: string): void {
  res.writeHead(status, { 'Content-Type': ct });
  res.flushHeaders();
}

export function containerRoutes(): Route[] {
  return [
    { method: 'GET', path: /^\/containers\/json$/, handler: ({ engine, res, query }) => {
      const all = qbool(query, 'all'), limit = qint(query, 'limit');
      const f = qfilters(query);
      // as dockerd: stopped containers only with all, a limit, or a filter on status/exit code
      const stoppedToo = all || (limit ?? 0) > 0 || f.has('status') || f.has('exited');
      // filters first: a bad filter is an error whatever state the containers are in
      let list = engine.containers.list().filter((c) => matchFilters(engine, c, f) && (stoppedToo || isLive(c.status)));
      list.sort((a, b) => (a.created < b.created ? 1 : -1));
      if (limit && limit > 0) list = list.slice(0, limit);
      json(res, 200, list.map((c) => containerSummary(engine, c)));
    } },

    { method: 'POST', path: /^\/containers\/create$/, handler: async ({ engine, res, query, req }) => {
      const name = query.get('name') || undefined;
      if (name !== undefined) checkName(name);
      const body = parse(CreateContainerSchema, await readJson(req, { required: true }), 'container config');
      const { opts, warnings } = toCreateOptions(body, name?.replace(/^\//, ''));
      if (opts.image) opts.image = await resolveImageName(engine, opts.image);
      const exposed = opts.image ? Object.keys((await engine.images.inspect(opts.image).catch(() => undefined))?.config.config?.ExposedPorts ?? {}) : [];
      Object.assign(opts, networkCreateOptions(engine, body.HostConfig ?? {}, body, exposed));
      try {
        const rec = await engine.containers.create(opts);
        json(res, 201, { Id: rec.id, Warnings: [...warnings, ...engine.containers.takeWarnings(rec.id)] });
      } catch (e) {
        const ae = toApiError(e);
        if (ae.status === 409 && /already in use/.test(ae.message) && name) {
          const other = engine.containers.list().find((c) => c.name === name.replace(/^\//, ''));
          throw new ApiError(409, `Conflict. The container name "/${name.replace(/^\//, '')}" is already in use by container "${other?.id ?? ''}". You have to remove (or rename) that container to be able to reuse that name.`);
        }
        throw e;
      }
    } },

    { method: 'GET', path: new RegExp(`^/containers/${ID}/json$`), handler: ({ engine, res, params }) => {
      json(res, 200, inspectContainer(engine, getContainer(engine, params[0])));
    } },

    { method: 'POST', path: new RegExp(`^/containers/${ID}/start$`), handler: async ({ engine, res, params, query, req }) => {
      const r = getContainer(engine, params[0]);
      drainBody(req);
      const cp = query.get('checkpoint');
      if (cp) {
        const { startFromCheckpoint } = await import('./checkpoints');
        await startFromCheckpoint(engine, r, cp, query.get('checkpoint-dir') || undefined);
        return noContent(res);
      }
      if (transition('start', r.state, r.name) === 'noop') return noContent(res, 304);
      try { await engine.containers.start(r.id); } catch (e) {
        if (r.config.autoRemove) await engine.containers.remove(r.id, { force: true }).catch(() => undefined);
        throw e;
      }
      noContent(res);
    } },

    { method: 'POST', path: new RegExp(`^/containers/${ID}/stop$`), handler: async ({ engine, res, params, query, req }) => {
      const r = getContainer(engine, params[0]);
      const body = parse(StopBodySchema, await readJson(req) ?? {}, 'stop options');
      const t = qint(query, 't') ?? body.t ?? undefined;
      if (t !== undefined && t < -1) throw badRequest(`invalid value for t: ${t} (seconds to wait, or -1 for the container's own timeout)`);
      // `signal` is sent instead of the container's stop signal
      const sig = query.get('signal') || undefined;
      if (sig) { try { parseSignal(sig); } catch (e) { throw badRequest((e as Error).message); } }
      if (transition('stop', r.state, r.name) === 'noop') return noContent(res, 304);
      await engine.containers.stop(r.id, t === -1 ? undefined : t, sig);
      noContent(res);
    } },

    { method: 'POST', path: new RegExp(`^/containers/${ID}/restart$`), handler: async ({ engine, res, params, query, req }) => {
      const r = getContainer(engine, params[0]);
      drainBody(req);
      const t = qint(query, 't');
      if (t !== undefined && t < -1) throw badRequest(`invalid value for t: ${t} (seconds to wait, or -1 for the container's own timeout)`);
      await engine.containers.restart(r.id, t === -1 ? undefined : t);
      noContent(res);
    } },

    { method: 'POST', path: new RegExp(`^/containers/${ID}/kill$`), handler: async ({ engine, res, params, query }) => {
      const r = getContainer(engine, params[0]);
      const sig = query.get('signal') || 'SIGKILL';
      try { await engine.containers.kill(r.id, sig); } catch (e) {
        const ae = toApiError(e);
        // current dockerd's wording (API ≥ 1.42): the full id
        const reason = isLive(engine.containers.get(r.id).state.status) ? ae.message : `container ${r.id} is not running`;
        if (ae.status === 409) throw new ApiError(409, `Cannot kill container: ${params[0]}: ${reason}`);
        throw e;
      }
      noContent(res);
    } },

    { method: 'POST', path: new RegExp(`^/containers/${ID}/(pause|unpause)$`), handler: async ({ engine, res, params }) => {
      const r = getContainer(engine, params[0]);
      if (params[1] === 'pause') await engine.containers.pause(r.id); else await engine.containers.unpause(r.id);
      noContent(res);
    } },

    { method: 'POST', path: new RegExp(`^/containers/${ID}/wait$`), handler: async ({ engine, res, params, query, req }) => {
      const r = getContainer(engine, params[0]);
      const cond = query.get('condition') || 'not-running';
      if (cond !== 'not-running' && cond !== 'next-exit' && cond !== 'removed') throw badRequest(`invalid condition: "${cond}" (use not-running, next-exit or removed)`);
      const waiting = engine.containers.wait(r.id, cond);
      flush(res, 200, 'application/json');
      let gone = false;
      req.socket.once('close', () => { gone = true; });
      let code: number, error: { Message: string } | null = null;
      try { code = await waiting; } catch (e) { code = -1; error = { Message: (e as Error).message }; }
      if (!gone) res.end(JSON.stringify({ StatusCode: code, Error: error }) + '\n');
    } },

    { method: 'DELETE', path: new RegExp(`^/containers/${ID}$`), handler: async ({ engine, res, params, query }) => {
      const r = getContainer(engine, params[0]);
      const force = qbool(query, 'force');
      if (qbool(query, 'link')) throw badRequest('links are not supported');
      await engine.containers.remove(r.id, { force, volumes: qbool(query, 'v') });
      noContent(res);
    } },

    { method: 'GET', path: new RegExp(`^/containers/${ID}/logs$`), handler: async ({ engine, res, params, query, req }) => {
      const r = getContainer(engine, params[0]);
      const stdout = qbool(query, 'stdout'), stderr = qbool(query, 'stderr');
      if (!stdout && !stderr) throw badRequest('You must choose at least one stream');
      const tailRaw = query.get('tail');
      let tail: number | undefined;
      if (tailRaw && tailRaw !== 'all') {
        if (!/^-?\d+$/.test(tailRaw)) throw badRequest(`invalid value for tail: "${tailRaw}"`);
        tail = Number(tailRaw) < 0 ? undefined : Number(tailRaw);
      }
      const since = qtime(query, 'since'), until = qtime(query, 'until');
      const timestamps = qbool(query, 'timestamps'), follow = qbool(query, 'follow');
      const tty = r.config.terminal;
      // the client going away stops the reader (and closes the file) wherever it is
      const ac = new AbortController();
      const abort = () => ac.abort();
      req.socket.once('close', abort);
      res.writeHead(200, { 'Content-Type': tty ? 'application/vnd.docker.raw-stream' : 'application/vnd.docker.multiplexed-stream' });
      res.flushHeaders();
      try {
        for await (const e of engine.containers.logs(r.id, { stdout, stderr, tail, since: since || undefined, until: until || undefined, follow }, ac.signal)) {
          if (ac.signal.aborted) break;
          const payload = Buffer.concat([timestamps ? Buffer.from(toRfc3339NanoUtc(e.time) + ' ') : Buffer.alloc(0), e.line, Buffer.from('\n')]);
          // entries read from one chunk go out as one write
          if (!res.writableCorked) { res.cork(); process.nextTick(() => res.uncork()); }
          if (!res.write(tty ? payload : frame(e.stream === 'stderr' ? 2 : 1, payload))) await drained(res, ac.signal);
        }
      } catch (e) {
        if (!ac.signal.aborted) res.write(tty ? Buffer.from(`error: ${(e as Error).message}\n`) : frame(3, Buffer.from((e as Error).message + '\n')));
      } finally {
        req.socket.off('close', abort);
      }
      res.end();
    } },

    { method: 'POST', path: new RegExp(`^/containers/${ID}/resize$`), handler: async ({ engine, res, params, query }) => {
      const r = getContainer(engine, params[0]);
      const { h, w } = sizeParams(query);
      if (h && w) await engine.containers.resize(r.id, h, w);
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': 0 });
      res.end();
    } },

    { method: 'POST', path: new RegExp(`^/containers/${ID}/rename$`), handler: async ({ engine, res, params, query }) => {
      const r = getContainer(engine, params[0]);
      const name = query.get('name');
      if (!name) throw badRequest('rename: the new name is required (?name=)');
      checkName(name);
      await engine.containers.rename(r.id, name.replace(/^\//, ''));
      noContent(res);
    } },

    { method: 'POST', path: /^\/containers\/prune$/, handler: async ({ engine, res, query }) => {
      const f = qfilters(query);
      const deleted: string[] = [];
      for (const c of engine.containers.list()) {
        if (c.status !== 'exited' && c.status !== 'created') continue;
        const labels = f.get('label');
        if (labels && !labels.every((l) => { const [k, v] = l.split('='); return k in c.labels && (v === undefined || c.labels[k] === v); })) continue;
        try { await engine.containers.remove(c.id); deleted.push(c.id); } catch { /* raced with a start: skip */ }
      }
      json(res, 200, { ContainersDeleted: deleted, SpaceReclaimed: 0 });
    } },
  ];
}

export function sizeParams(query: URLSearchParams): { h: number; w: number } {
  const h = qint(query, 'h'), w = qint(query, 'w');
  if (h === undefined || w === undefined || h < 0 || w < 0 || h > 65535 || w > 65535) throw badRequest(`invalid terminal size: h=${query.get('h')} w=${query.get('w')} (both required, 0-65535; 0 changes nothing)`);
  return { h, w };
}

function drainBody(req: import('node:http').IncomingMessage): void { req.resume(); }
/** Resolves when `res` drains or `signal` aborts, leaving no listener behind. */
function drained(res: ServerResponse, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = () => { res.off('drain', done); signal.removeEventListener('abort', done); resolve(); };
    res.once('drain', done);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** HostConfig fields reported as the client sent them, for containers created through the API. */
function hostConfigEcho(r: ContainerRecord) {
  const e = echoOf(r);
  // container mode is reported with the joined container's id, as dockerd does
  return e ? { ...(r.config.netContainer ? {} : { NetworkMode: e.NetworkMode }), Binds: e.Binds, PortBindings: e.PortBindings } : {};
}
