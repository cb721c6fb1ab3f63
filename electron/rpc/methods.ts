// Maps each contract method to Engine calls. Params arrive already validated by
// validateCall (contract.ts); results are plain data (DTOs).
import { imageEvent, removalEvents } from '../engine/images/events';
import { randomUUID } from 'node:crypto';
import type { Engine } from '../engine/engine';
import type { MethodName, Params, Result, ImageSummary, SystemInfo, NetworkSummary } from '../common/contract';
import type { ContainerSummary, CreateContainerOptions } from '../common/types';
import { notAvailable, RpcFailure } from './errors';
import { readLogLines, type LogFollows } from './logs';
import type { SessionViewers } from './sessions';
import { removeStack } from './stacks';
import { limitsInfo, type StatsWatches } from './stats';
import { top } from '../engine/stats/top';
import { transition } from '../engine/containers/states';
import { rootlessSummary } from '../engine/runtime/rootless';

function rootlessInfo(): { rootless?: boolean; warnings?: string[] } {
  const r = rootlessSummary();
  return r.rootless ? { rootless: true, warnings: r.warnings } : {};
}
import { diskUsage } from './df';
import { startBuild, cancelBuild } from './builds';
import { browseVolume, volumeRow, volumeRows } from './volumes';
import { commitContainer } from '../engine/images/commit';
import { savePathGuardSetting } from '../engine/path-guard';

export interface Ctx { engine: Engine; logs: LogFollows; viewers: SessionViewers; stats: StatsWatches }
type Handler<M extends MethodName> = (ctx: Ctx, p: Params<M>) => Promise<Result<M>> | Result<M>;
type Handlers = { [M in MethodName]: Handler<M> };

/** The checkpoint area as the UI needs it (engine/checkpoint lands separately). */
function images(ctx: Ctx) {
  return ctx.engine.images;
}
function checkpoints(ctx: Ctx) {
  return ctx.engine.checkpoints;
}
function network(ctx: Ctx) {
  const s = ctx.engine.network;
  if (!s) throw notAvailable('networks', 'bridge networks need a rootful engine with netavark (this one runs rootless or with PIER_NETWORK=off)');
  return s;
}
function toNetwork(ctx: Ctx, name: string): NetworkSummary {
  const s = network(ctx), n = s.get(name);
  const containers = s.activeOn(n.name).flatMap((a) => a.endpoints.filter((e) => e.network === n.name)
    .map((e) => ({ id: a.containerId, name: a.containerName, ip: e.ip, mac: e.mac })));
  return { id: n.id, name: n.name, subnet: n.subnet, gateway: n.gateway, bridge: n.bridge, internal: n.internal, dns: n.dnsEnabled, isDefault: !!n.isDefault, created: n.created, labels: n.labels, containers };
}
const summary = (ctx: Ctx, id: string): ContainerSummary => ctx.engine.containers.inspect(id);
const asSummary = (ctx: Ctx, r: ContainerSummary | { id: string }): ContainerSummary => ('status' in r ? r : summary(ctx, r.id));
const toImage = (r: { id: string; repoTags: string[]; size: number; created: string }): ImageSummary => ({ id: r.id, repoTags: r.repoTags, size: r.size, created: r.created });

export const handlers: Handlers = {
  'containers.list': (ctx) => ctx.engine.containers.list(),
  'containers.inspect': (ctx, p) => ctx.engine.containers.get(p.id),
  'containers.create': async (ctx, p) => {
    const { image, start, networkAliases, volumes, ...rest } = p;
    const o: CreateContainerOptions = { ...rest };
    if (volumes?.length) o.mounts = volumes.map((v) => ({ type: 'volume', source: v.name, target: v.destination, readOnly: v.readOnly }));
    if (networkAliases?.length && o.network) o.networks = { [o.network]: { aliases: networkAliases } };
    // an absolute path is a rootfs directory (works without the image service)
    if (image?.startsWith('/')) o.rootfs = image; else o.image = image;
    const r = await ctx.engine.containers.create(o);
    if (start) await ctx.engine.containers.start(r.id);
    return summary(ctx, r.id);
  },
  'containers.start': async (ctx, p) => { await ctx.engine.containers.start(p.id); return summary(ctx, p.id); },
  'containers.stop': async (ctx, p) => { await ctx.engine.containers.stop(p.id, p.timeout); return summary(ctx, p.id); },
  'containers.restart': async (ctx, p) => { await ctx.engine.containers.restart(p.id); return summary(ctx, p.id); },
  'containers.kill': async (ctx, p) => { await ctx.engine.containers.kill(p.id, p.signal); return summary(ctx, p.id); },
  'containers.pause': async (ctx, p) => { await ctx.engine.containers.pause(p.id); return summary(ctx, p.id); },
  'containers.unpause': async (ctx, p) => { await ctx.engine.containers.unpause(p.id); return summary(ctx, p.id); },
  'containers.remove': async (ctx, p) => { await ctx.engine.containers.remove(p.id, { force: p.force }); },
  'containers.rename': async (ctx, p) => { await ctx.engine.containers.rename(p.id, p.name); return summary(ctx, p.id); },
  'containers.logs': (ctx, p) => readLogLines(ctx.engine, p.id, p.tail),
  'containers.followLogs': (ctx, p) => ({ stream: ctx.logs.open(p.id, p.tail) }),
  'stacks.followLogs': (ctx, p) => ({ stream: ctx.logs.openStack(p.project, p.tail) }),
  'stacks.remove': (ctx, p) => removeStack(ctx.engine, p.project, !!p.volumes),
  'streams.close': (ctx, p) => { if (!ctx.stats.close(p.stream)) ctx.logs.close(p.stream); },
  'containers.top': (ctx, p) => {
    const r = ctx.engine.containers.get(p.id);
    transition('top', r.state, r.name);
    return top(r.state.pid, p.psArgs);
  },
  'containers.update': async (ctx, p) => {
    const { record, warnings } = await ctx.engine.containers.update(p.id, p.resources);
    return { container: summary(ctx, record.id), warnings };
  },
  'stats.watch': (ctx, p) => ctx.stats.open(p.ids),
  'system.limits': () => limitsInfo(),

  'images.list': async (ctx) => {
    // as docker images: untagged images that are another image's parent (build steps) are not listed
    const all = await images(ctx).list();
    const parents = new Set(all.map((i) => i.parent).filter(Boolean));
    return all.filter((i) => i.repoTags.length || !parents.has(i.id)).map(toImage);
  },
  'images.pull': async (ctx, p) => {
    const task = `pull-${randomUUID()}`;
    const bus = ctx.engine.events;
    try {
      const r = await images(ctx).pull(p.ref, { onProgress: (pr) => bus.publish({ type: 'progress', task, kind: 'pull', ref: p.ref, status: pr.status, layer: pr.layer, current: pr.current, total: pr.total }) });
      bus.publish({ type: 'progress', task, kind: 'pull', ref: p.ref, status: 'done', done: true });
      imageEvent(bus, 'pulled', r, p.ref);
      return toImage(r);
    } catch (e) {
      bus.publish({ type: 'progress', task, kind: 'pull', ref: p.ref, status: 'failed', done: true, error: (e as Error).message });
      throw e;
    }
  },
  'images.remove': async (ctx, p) => {
    await ctx.engine.containers.settled(); // an auto-removed container's snapshot may still be going
    const inUse = (id: string) => ctx.engine.containers.list().some((c) => c.imageId === id);
    const img = await images(ctx).inspect(p.ref);
    const r = await images(ctx).remove(p.ref, { force: p.force, inUse });
    removalEvents(ctx.engine.events, img, r);
  },
  'images.inspect': (ctx, p) => images(ctx).inspect(p.ref),
  'images.load': async (ctx, p) => {
    const rs = await images(ctx).load(p.path);
    for (const r of rs) imageEvent(ctx.engine.events, 'loaded', r);
    return rs.map(toImage);
  },

  'containers.commit': async (ctx, p) => {
    const rec = await commitContainer(ctx.engine, { container: p.id, repo: p.ref, comment: p.comment, author: p.author, pause: p.pause ?? true, changes: p.changes });
    ctx.engine.events.publish({ type: 'image', action: 'committed', id: rec.id, ref: p.ref });
    return toImage(rec);
  },
  'images.build': (ctx, p) => startBuild(ctx.engine, p),
  'images.buildCancel': (ctx, p) => cancelBuild(ctx.engine, p.task),

  'volumes.list': (ctx) => volumeRows(ctx.engine),
  'volumes.inspect': (ctx, p) => volumeRow(ctx.engine, ctx.engine.volumes.inspect(p.name)),
  'volumes.create': async (ctx, p) => {
    if (ctx.engine.volumes.has(p.name)) throw new RpcFailure('ECONFLICT', `a volume named ${p.name} already exists`);
    return volumeRow(ctx.engine, await ctx.engine.volumes.create({ name: p.name, labels: p.labels }));
  },
  'volumes.remove': (ctx, p) => ctx.engine.volumes.remove(p.name, { force: p.force }),
  'volumes.prune': (ctx, p) => ctx.engine.volumes.prune({ all: p.all }),
  'volumes.browse': (ctx, p) => browseVolume(ctx.engine, p.name, p.path),

  'checkpoints.list': (ctx, p) => checkpoints(ctx).list(p.id),
  'checkpoints.create': (ctx, p) => { const { id, ...o } = p; return checkpoints(ctx).create(id, o); },
  'checkpoints.restore': async (ctx, p) => asSummary(ctx, await checkpoints(ctx).restore(p.checkpoint, { name: p.name })),
  'checkpoints.import': async (ctx, p) => asSummary(ctx, await checkpoints(ctx).import(p.path, { name: p.name })),
  'checkpoints.remove': (ctx, p) => checkpoints(ctx).remove(p.checkpoint),

  'sessions.attach': async (ctx, p) => (await ctx.viewers.manager().attach(p.id, { rows: p.rows, cols: p.cols })).info(),
  'sessions.exec': async (ctx, p) => (await ctx.viewers.manager().exec(p.id, { cmd: p.cmd, tty: p.tty ?? true, stdin: true, attach: true, rows: p.rows, cols: p.cols })).info(),
  'sessions.host': async (ctx, p) => (await ctx.viewers.manager().host({ rows: p.rows, cols: p.cols })).info(),
  'sessions.list': (ctx) => ctx.viewers.manager().list(),
  'sessions.watch': (ctx, p) => ctx.viewers.watch(p.session),
  'sessions.unwatch': (ctx, p) => { ctx.viewers.unwatch(p.session); },
  'sessions.write': (ctx, p) => ctx.viewers.manager().get(p.session).write(p.binary ? Buffer.from(p.data, 'latin1') : p.data),
  'sessions.resize': (ctx, p) => ctx.viewers.manager().get(p.session).resize(p.rows, p.cols),
  'sessions.ack': (ctx, p) => { ctx.viewers.ack(p.session, p.bytes); },
  'sessions.close': async (ctx, p) => { ctx.viewers.unwatch(p.session); await ctx.viewers.manager().get(p.session).close(); },

  'system.info': async (ctx) => ({ ...systemInfo(ctx), pathGuard: await ctx.engine.pathGuard() }),
  'system.pathGuard': async (ctx, p) => {
    savePathGuardSetting(ctx.engine.opts.root, p.allowJs);
    return ctx.engine.pathGuard();
  },
  'system.df': (ctx) => diskUsage(ctx.engine),

  'networks.list': (ctx) => network(ctx).list().map((n) => toNetwork(ctx, n.name)),
  'networks.create': async (ctx, p) => toNetwork(ctx, (await network(ctx).create(p)).name),
  'networks.remove': async (ctx, p) => { await network(ctx).remove(p.name); },
  'networks.connect': async (ctx, p) => { await network(ctx).connect(p.id, p.network, { aliases: p.aliases }); },
  'networks.disconnect': async (ctx, p) => { await network(ctx).disconnect(p.id, p.network); },
};

function systemInfo(ctx: Ctx): SystemInfo {
  const i = ctx.engine.info();
  const list = ctx.engine.containers.list();
  const count = (s: string) => list.filter((c) => c.status === s).length;
  const snap = ctx.engine.snapshotter;
  return {
    version: '0.1.0',
    root: ctx.engine.opts.root,
    runtime: i.runtimes.map((r) => ({ name: r.name, path: r.path, version: r.version, works: r.works, reason: r.reason })),
    conmon: { path: i.conmon.path, version: i.conmon.version },
    criu: i.criu ? { path: i.criu.path, version: i.criu.version, works: i.criu.works, reason: i.criu.reason } : undefined,
    snapshotter: snap ? { kind: snap.kind, reason: snap.reason } : undefined,
    containers: { total: list.length, running: count('running'), paused: count('paused'), exited: count('exited') + count('created') },
    apiSocket: ctx.engine.apiSocket,
    ...rootlessInfo(),
  };
}
