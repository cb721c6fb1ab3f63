// GET /events: the engine's event bus as Docker event messages, one JSON object per
// line, headers flushed at once. `since` replays from the last 1024 events seen since
// the API server started (Pier keeps no event log on disk); `until` ends the stream;
// filters type/event/container/image/label/scope.
import type { ServerResponse } from 'node:http';
import type { EngineEvent } from '../../common/types';
import { type Route } from './context';
import { badRequest } from './errors';
import { qfilters, qtime, filterValues } from './validate';

const CONTAINER_ACTIONS: Record<string, string> = {
  created: 'create', started: 'start', exited: 'die', paused: 'pause', unpaused: 'unpause', removed: 'destroy',
  renamed: 'rename', restored: 'restore', checkpointed: 'checkpoint', killed: 'kill', stopped: 'stop', oom: 'oom', updated: 'update',
  committed: 'commit',
};
const IMAGE_ACTIONS: Record<string, string> = { pulled: 'pull', removed: 'delete', tagged: 'tag', untagged: 'untag', loaded: 'load', pruned: 'prune' };

/** A reference without its tag or digest (dockerd's `name` of a pull event). */
function repoOf(ref: string): string {
  const noDigest = ref.split('@')[0];
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > slash ? noDigest.slice(0, colon) : noDigest;
}

export function toDockerEvent(e: EngineEvent): Record<string, unknown> | undefined {
  const timeNano = BigInt(Math.round(e.time)) * 1_000_000n;
  const time = Math.floor(e.time / 1000);
  if (e.type === 'container') {
    const action = e.action === 'health_status' ? `health_status: ${e.health}` : CONTAINER_ACTIONS[e.action];
    if (!action) return undefined;
    const attrs: Record<string, string> = { name: e.name, ...(e.container?.labels ?? {}) };
    if (e.container?.image) attrs.image = e.container.image;
    if (e.exitCode !== undefined) attrs.exitCode = String(e.exitCode);
    // as dockerd's commit event: the new image, its reference and the comment
    if (e.commit) Object.assign(attrs, { comment: e.commit.comment ?? '', imageID: e.commit.imageId, imageRef: e.commit.ref ?? '' });
    return { status: action, id: e.id, from: attrs.image ?? '', Type: 'container', Action: action, Actor: { ID: e.id, Attributes: attrs }, scope: 'local', time, timeNano: Number(timeNano) };
  }
  if (e.type === 'image') {
    const action = IMAGE_ACTIONS[e.action];
    if (!action) return undefined;
    if (e.action === 'pruned') {
      return { Type: 'image', Action: action, Actor: { ID: '', Attributes: { reclaimed: String(e.reclaimed ?? 0) } }, scope: 'local', time, timeNano: Number(timeNano) };
    }
    // as dockerd: a pull names the reference, every other action the image ID; tag's name is the new name
    const id = e.action === 'pulled' && e.ref ? e.ref : e.id;
    const name = e.action === 'pulled' && e.ref ? repoOf(e.ref) : e.action === 'tagged' && e.ref ? e.ref : e.id;
    const attrs: Record<string, string> = { name, ...(e.labels ?? {}) };
    return { status: action, id, Type: 'image', Action: action, Actor: { ID: id, Attributes: attrs }, scope: 'local', time, timeNano: Number(timeNano) };
  }
  if (e.type === 'network') {
    const attrs: Record<string, string> = { name: e.name, type: 'bridge', ...(e.container ? { container: e.container } : {}) };
    return { Type: 'network', Action: e.action, Actor: { ID: e.id, Attributes: attrs }, scope: 'local', time, timeNano: Number(timeNano) };
  }
  if (e.type === 'volume') {
    const attrs: Record<string, string> = { driver: 'local' };
    if (e.container) attrs.container = e.container;
    if (e.action === 'mount') Object.assign(attrs, { destination: e.destination ?? '', 'read/write': String(!e.readOnly), propagation: '' });
    return { Type: 'volume', Action: e.action, Actor: { ID: e.id, Attributes: attrs }, scope: 'local', time, timeNano: Number(timeNano) };
  }
  return undefined;
}

function matches(ev: Record<string, unknown>, f: Map<string, string[]>): boolean {
  const actor = ev.Actor as { ID: string; Attributes: Record<string, string> };
  for (const [k, vals] of f) {
    if (!vals.length) continue;
    const ok = filterValues(k, vals, (v) => {
      switch (k) {
        case 'type': return ev.Type === v;
        case 'event': return ev.Action === v;
        case 'container': return (ev.Type === 'container' && (actor.ID.startsWith(v) || actor.Attributes.name === v)) || ((ev.Type === 'network' || ev.Type === 'volume') && !!actor.Attributes.container?.startsWith(v));
        case 'network': return ev.Type === 'network' && (actor.ID.startsWith(v) || actor.Attributes.name === v);
        case 'volume': return ev.Type === 'volume' && actor.ID === v;
        case 'image': return actor.Attributes.image === v || (ev.Type === 'image' && actor.ID === v);
        case 'label': { const [lk, lv] = v.split('='); return lk in actor.Attributes && (lv === undefined || actor.Attributes[lk] === lv); }
        case 'scope': return v === 'local';
        default: throw badRequest(`invalid filter '${k}'`);
      }
    });
    if (!ok) return false;
  }
  return true;
}

const RECENT = 1024;

/** Routes for /events; keeps the last RECENT events from the server's start so `since` can replay them. */
export function eventRoutes(engine: import('../engine').Engine): Route[] {
  const recent: EngineEvent[] = [];
  engine.events.subscribe((e) => { recent.push(e); if (recent.length > RECENT) recent.shift(); });
  return [{ method: 'GET', path: /^\/events$/, handler: async ({ engine, res, query, req }) => {
    const f = qfilters(query);
    for (const k of f.keys()) if (!['type', 'event', 'container', 'image', 'label', 'scope', 'network', 'volume'].includes(k)) throw badRequest(`invalid filter '${k}'`);
    const since = qtime(query, 'since'), until = qtime(query, 'until');
    const r: ServerResponse = res;
    r.writeHead(200, { 'Content-Type': 'application/json' });
    r.flushHeaders();
    const send = (e: EngineEvent) => {
      const ev = toDockerEvent(e);
      if (ev && matches(ev, f)) r.write(JSON.stringify(ev) + '\n');
    };
    if (since !== undefined) for (const e of [...recent]) if (e.time / 1000 >= since && (until === undefined || e.time / 1000 <= until)) send(e);
    if (until !== undefined && until * 1000 <= Date.now()) { r.end(); return; }
    await new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => { off(); if (timer) clearTimeout(timer); if (!r.writableEnded) r.end(); resolve(); };
      const off = engine.events.subscribe((e) => { if (since === undefined || e.time / 1000 >= since) send(e); });
      req.socket.once('close', done);
      if (until !== undefined) timer = setTimeout(done, Math.max(0, until * 1000 - Date.now()));
    });
  } }];
}
