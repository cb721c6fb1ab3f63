// /containers/{id}/stats (stream and one-shot, through the shared sampler), /top (ps_args)
// and /update (limits on a running container).
import type { Engine } from '../engine';
import type { RawSample } from '../stats/cgroup';
import { dockerStats } from '../stats/docker';
import { top } from '../stats/top';
import { cgroupVersion } from '../stats/host';
import { type Route, json, readJson } from './context';
import { ApiError } from './errors';
import { qbool } from './validate';
import { getContainer } from './container-ref';
import { toResources } from './resources';
import { requireCgroups } from '../runtime/rootless';
import { isLive, transition } from '../containers/states';

const ID = '([^/]+)';

/** Resolves with the next reading of one container (and its previous one), or undefined once it stops. */
function nextReading(engine: Engine, id: string, signal: AbortSignal): Promise<{ raw: RawSample; prev?: RawSample } | undefined> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (v: { raw: RawSample; prev?: RawSample } | undefined) => { if (done) return; done = true; off(); offEv(); resolve(v); };
    const off = engine.stats.watch([id], (rs) => { const r = rs.find((x) => x.id === id); if (r) finish(r); });
    const offEv = engine.events.subscribe((e) => { if (e.type === 'container' && e.id === id && (e.action === 'exited' || e.action === 'removed')) finish(undefined); });
    signal.addEventListener('abort', () => finish(undefined), { once: true });
  });
}

export function statsRoutes(): Route[] {
  return [
    { method: 'GET', path: new RegExp(`^/containers/${ID}/stats$`), handler: async ({ engine, res, params, query, req }) => {
      const r = getContainer(engine, params[0]);
      requireCgroups('stats');
      const stream = qbool(query, 'stream', true), oneShot = qbool(query, 'one-shot');
      if (oneShot && stream) throw new ApiError(400, 'cannot have stream=true and one-shot=true');
      const v2 = cgroupVersion() === 2;
      const ac = new AbortController();
      req.socket.once('close', () => ac.abort());
      const empty = () => dockerStats(r.name, r.id, undefined, undefined, v2);
      if (!stream) {
        if (!isLive(engine.containers.get(r.id).state.status)) return json(res, 200, empty());
        // one-shot: the first reading (no precpu); otherwise wait until a previous one exists
        let got = await nextReading(engine, r.id, ac.signal);
        while (got && !got.prev && !oneShot && !ac.signal.aborted) got = await nextReading(engine, r.id, ac.signal);
        return json(res, 200, got ? dockerStats(r.name, r.id, got.raw, oneShot ? undefined : got.prev, v2) : empty());
      }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.flushHeaders();
      if (!isLive(engine.containers.get(r.id).state.status)) { res.end(JSON.stringify(empty()) + '\n'); return; }
      await new Promise<void>((resolve) => {
        const off = engine.stats.watch([r.id], (rs) => {
          const x = rs.find((y) => y.id === r.id);
          if (x && !ac.signal.aborted) res.write(JSON.stringify(dockerStats(r.name, r.id, x.raw, x.prev, v2)) + '\n');
        });
        const offEv = engine.events.subscribe((e) => { if (e.type === 'container' && e.id === r.id && (e.action === 'exited' || e.action === 'removed')) stop(); });
        const stop = () => { off(); offEv(); resolve(); };
        ac.signal.addEventListener('abort', stop, { once: true });
      });
      if (!res.writableEnded) res.end();
    } },

    { method: 'GET', path: new RegExp(`^/containers/${ID}/top$`), handler: async ({ engine, res, params, query }) => {
      const r = getContainer(engine, params[0]);
      transition('top', r.state, r.id); // dockerd names the container by its id here
      const t = await top(r.state.pid, query.get('ps_args') || undefined);
      json(res, 200, { Titles: t.titles, Processes: t.processes });
    } },

    { method: 'POST', path: new RegExp(`^/containers/${ID}/update$`), handler: async ({ engine, res, params, req }) => {
      const r = getContainer(engine, params[0]);
      const body = await readJson(req) ?? {};
      const upd = toResources(body, 'update');
      if (!upd) return json(res, 200, { Warnings: [] });
      if (upd.shmSize || upd.ulimits || upd.oomKillDisable) throw new ApiError(400, 'update: --shm-size, --ulimit and --oom-kill-disable apply at create only');
      const { warnings } = await engine.containers.update(r.id, upd);
      json(res, 200, { Warnings: warnings });
    } },
  ];
}
