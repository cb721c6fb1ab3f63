// GET /containers/json and /containers/{id}/json: the container as Docker's API shows it,
// the list entry and the inspect document, with the Mounts and HostConfig echo they share.
import type { Engine } from '../engine';
import type { ContainerSummary } from '../../common/types';
import type { ContainerRecord } from '../store/types';
import { type Handler, type Route, json } from './context';
import { badRequest, notFound } from './errors';
import { filterValues, qbool, qfilters, qint } from './validate';
import { ZERO_TIME, humanDuration, unixSeconds } from './format';
import { healthSuffix, supervisionInspect } from './supervision';
import { hostConfigNet, listNetworkFields, networkSettings } from './networks';
import { dockerCommand, echoOf } from './echo';
import { resourcesHostConfig } from './resources';
import { ID, getContainer } from './container-ref';
import { isLive } from '../containers/states';

type C = Parameters<Handler>[0];

export const inspectRoutes: Route[] = [
  { method: 'GET', path: /^\/containers\/json$/, handler: listContainers },
  { method: 'GET', path: new RegExp(`^/containers/${ID}/json$`), handler: inspectHandler },
];

function listContainers({ engine, res, query }: C): void {
  const all = qbool(query, 'all'),
    limit = qint(query, 'limit');
  const f = qfilters(query);
  // as dockerd: stopped containers only with all, a limit, or a filter on status/exit code
  const stoppedToo = all || (limit ?? 0) > 0 || f.has('status') || f.has('exited');
  // filters first: a bad filter is an error whatever state the containers are in
  let list = engine.containers.list().filter((c) => matchFilters(engine, c, f) && (stoppedToo || isLive(c.status)));
  list.sort((a, b) => (a.created < b.created ? 1 : -1));
  if (limit && limit > 0) list = list.slice(0, limit);
  json(
    res,
    200,
    list.map((c) => containerSummary(engine, c)),
  );
}

function inspectHandler({ engine, res, params }: C): void {
  json(res, 200, inspectContainer(engine, getContainer(engine, params[0])));
}

function matchFilters(engine: Engine, c: ContainerSummary, f: Map<string, string[]>): boolean {
  for (const [k, vals] of f) {
    if (!vals.length) continue;
    const ok = filterValues(k, vals, (v) => {
      switch (k) {
        case 'id':
          return c.id.startsWith(v);
        case 'name':
          return new RegExp(v.replace(/^\//, '')).test(c.name);
        case 'status':
          return c.status === v;
        case 'label': {
          const [lk, lv] = v.split('=');
          return lk in c.labels && (lv === undefined || c.labels[lk] === lv);
        }
        case 'ancestor':
          return c.image === v || c.image.split(':')[0] === v || (!!c.imageId && c.imageId.includes(v));
        case 'exited':
          return c.status === 'exited' && String(c.exitCode) === v;
        case 'before':
        case 'since': {
          const o = engine.containers.list().find((x) => x.id.startsWith(v) || x.name === v);
          if (!o) throw notFound(`No such container: ${v}`);
          return k === 'before' ? c.created < o.created : c.created > o.created;
        }
        default:
          throw badRequest(`invalid filter '${k}'`);
      }
    });
    if (!ok) return false;
  }
  return true;
}

/** exec instances per engine, so inspect can list ExecIDs (set by exec.ts) */
export const engineExecs = new WeakMap<Engine, Map<string, { id: string; containerId: string; running: boolean }>>();

function statusText(c: ContainerSummary): string {
  const now = Date.now();
  switch (c.status) {
    case 'running':
      return `Up ${humanDuration(now - Date.parse(c.startedAt ?? c.created))}${healthSuffix(c)}`;
    case 'paused':
      return `Up ${humanDuration(now - Date.parse(c.startedAt ?? c.created))} (Paused)`;
    case 'exited':
      if (c.restarting)
        return `Restarting (${c.exitCode ?? 0}) ${humanDuration(now - Date.parse(c.finishedAt ?? c.created))} ago`;
      return c.finishedAt
        ? `Exited (${c.exitCode ?? 0}) ${humanDuration(now - Date.parse(c.finishedAt))} ago`
        : `Exited (${c.exitCode ?? 0})`;
    case 'removing':
      return 'Removal In Progress';
    default:
      return 'Created';
  }
}

function networkMode(engine: Engine, id: string): string {
  try {
    return hostConfigNet(engine.containers.get(id)).NetworkMode;
  } catch {
    return 'none';
  }
}

export function containerSummary(engine: Engine, c: ContainerSummary) {
  const rec = engine.containers.get(c.id);
  return {
    Id: c.id,
    Names: ['/' + c.name],
    Image: c.image,
    ImageID: c.imageId ?? '',
    Command: dockerCommand(rec.config.args),
    Created: unixSeconds(c.created),
    Labels: c.labels,
    State: c.restarting ? 'restarting' : c.status,
    Status: statusText(c),
    HostConfig: {
      NetworkMode: rec.config.netContainer
        ? networkMode(engine, c.id)
        : (echoOf(rec)?.NetworkMode ?? networkMode(engine, c.id)),
    },
    ...listNetworkFields(engine, rec),
    Mounts: mountsJson(engine, rec),
  };
}

export function inspectContainer(engine: Engine, r: ContainerRecord) {
  const c = r.config,
    s = r.state;
  const p = engine.containers.paths(r);
  const execIds = [...(engineExecs.get(engine)?.values() ?? [])]
    .filter((e) => e.containerId === r.id && e.running)
    .map((e) => e.id);
  const sup = supervisionInspect(r);
  return {
    Id: r.id,
    Created: r.created,
    Path: c.args[0] ?? '',
    Args: c.args.slice(1),
    State: stateJson(r, sup),
    Image: c.imageId ?? '',
    ResolvConfPath: '',
    HostnamePath: '',
    HostsPath: '',
    LogPath: p.logPath,
    Name: '/' + r.name,
    RestartCount: sup.restartCount,
    Driver: engine.snapshotter.kind,
    Platform: 'linux',
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    ExecIDs: execIds.length ? execIds : null,
    HostConfig: hostConfigJson(engine, r, sup),
    GraphDriver: { Name: engine.snapshotter.kind, Data: null },
    Mounts: mountsJson(engine, r),
    Config: configJson(r, sup),
    NetworkSettings: networkSettings(engine, r),
    Pier: { Bundle: p.bundle, ConmonPid: s.conmonPid, RootFs: c.rootfs ?? null, RestoredFrom: s.restoredFrom ?? null },
  };
}

type Supervision = ReturnType<typeof supervisionInspect>;

function stateJson(r: ContainerRecord, sup: Supervision) {
  const s = r.state;
  return {
    Status: s.status === 'removing' ? 'removing' : s.status,
    Running: isLive(s.status),
    Paused: s.status === 'paused',
    OOMKilled: !!s.oomKilled,
    Dead: false,
    Pid: isLive(s.status) ? s.pid : 0,
    ExitCode: s.exitCode ?? 0,
    Error: s.error ?? '',
    StartedAt: s.startedAt ?? ZERO_TIME,
    FinishedAt: s.finishedAt ?? ZERO_TIME,
    ...(s.restoredFrom ? { Checkpointed: true } : {}),
    ...sup.state,
  };
}

function hostConfigJson(engine: Engine, r: ContainerRecord, sup: Supervision) {
  const c = r.config;
  return {
    Binds: c.binds.map((b) => `${b.source}:${b.destination}${b.readOnly ? ':ro' : ''}`),
    AutoRemove: c.autoRemove,
    RestartPolicy: sup.restartPolicy,
    // k8s-file on disk; reported as json-file: clients (docker-py) read logs only from drivers they know
    LogConfig: { Type: 'json-file', Config: {} },
    ...hostConfigNet(r),
    ...hostConfigEcho(r),
    ConsoleSize: c.consoleSize ? [c.consoleSize.rows, c.consoleSize.cols] : [0, 0],
    ReadonlyRootfs: c.readOnlyRoot,
    Privileged: false,
    Runtime: engine.info().runtime.name,
    Init: false,
    ...resourcesHostConfig(c.resources),
  };
}

function configJson(r: ContainerRecord, sup: Supervision) {
  const c = r.config;
  const echo = echoOf(r);
  return {
    Hostname: c.hostname,
    Domainname: '',
    User: c.user,
    AttachStdin: echo?.AttachStdin ?? c.stdin,
    AttachStdout: echo?.AttachStdout ?? true,
    AttachStderr: echo?.AttachStderr ?? true,
    Tty: c.terminal,
    OpenStdin: c.stdin,
    StdinOnce: !!c.stdinOnce,
    Env: c.env,
    Cmd: c.cmd ?? c.args,
    Image: c.image ?? c.rootfs ?? '',
    Volumes: volumesField(r),
    WorkingDir: c.cwd,
    Entrypoint: c.entrypoint?.length ? c.entrypoint : null,
    OnBuild: null,
    Labels: c.labels,
    StopSignal: c.stopSignal,
    StopTimeout: c.stopTimeout,
    ...(sup.healthcheck ? { Healthcheck: sup.healthcheck } : {}),
    ...(c.net?.exposedPorts?.length
      ? { ExposedPorts: Object.fromEntries(c.net.exposedPorts.map((p) => [p, {}])) }
      : {}),
  };
}

/** Docker's Mounts list: binds, volumes (with their data directory) and tmpfs. */
function mountsJson(engine: Engine, r: ContainerRecord) {
  const out: Array<Record<string, unknown>> = r.config.binds.map((b) => ({
    Type: 'bind',
    Source: b.source,
    Destination: b.destination,
    Mode: b.readOnly ? 'ro' : '',
    RW: !b.readOnly,
    Propagation: 'rprivate',
  }));
  for (const m of r.config.mounts ?? []) {
    if (m.type === 'volume') {
      let src = '';
      try {
        src = engine.volumes.mountpoint(m.name);
      } catch {
        /* name validated at create */
      }
      out.push({
        Type: 'volume',
        Name: m.name,
        Source: src,
        Destination: m.destination,
        Driver: 'local',
        Mode: m.readOnly ? 'ro' : 'z',
        RW: !m.readOnly,
        Propagation: '',
      });
    } else
      out.push({
        Type: 'tmpfs',
        Source: '',
        Destination: m.destination,
        Mode: '',
        RW: !m.options.includes('ro'),
        Propagation: '',
      });
  }
  return out;
}

function volumesField(r: ContainerRecord): Record<string, object> | null {
  const vols = (r.config.mounts ?? []).filter((m) => m.type === 'volume' && m.anonymous);
  return vols.length ? Object.fromEntries(vols.map((m) => [m.destination, {}])) : null;
}

/** HostConfig fields reported as the client sent them, for containers created through the API. */
function hostConfigEcho(r: ContainerRecord) {
  const e = echoOf(r);
  // container mode is reported with the joined container's id, as dockerd does
  return e
    ? { ...(r.config.netContainer ? {} : { NetworkMode: e.NetworkMode }), Binds: e.Binds, PortBindings: e.PortBindings }
    : {};
}
