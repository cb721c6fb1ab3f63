// POST /containers/{id}/start|stop|restart|kill|pause|unpause|wait|rename, DELETE
// /containers/{id} and POST /containers/prune: the state changes, with dockerd's codes
// (304 when already there, 409 for a conflicting state) and messages.
import type { IncomingMessage } from 'node:http';
import { type Handler, type Route, json, noContent, readJson } from './context';
import { ApiError, badRequest, toApiError } from './errors';
import { StopBodySchema, parse, qbool, qfilters, qint } from './validate';
import { parseSignal } from '../containers/signals';
import { startFromCheckpoint } from './checkpoints';
import { ID, checkName, getContainer } from './container-ref';
import { isLive, transition } from '../containers/states';

type C = Parameters<Handler>[0];

export const lifecycleRoutes: Route[] = [
  { method: 'POST', path: new RegExp(`^/containers/${ID}/start$`), handler: start },
  { method: 'POST', path: new RegExp(`^/containers/${ID}/stop$`), handler: stop },
  { method: 'POST', path: new RegExp(`^/containers/${ID}/restart$`), handler: restart },
  { method: 'POST', path: new RegExp(`^/containers/${ID}/kill$`), handler: kill },
  { method: 'POST', path: new RegExp(`^/containers/${ID}/(pause|unpause)$`), handler: pauseOrUnpause },
  { method: 'POST', path: new RegExp(`^/containers/${ID}/wait$`), handler: wait },
  { method: 'DELETE', path: new RegExp(`^/containers/${ID}$`), handler: remove },
  { method: 'POST', path: new RegExp(`^/containers/${ID}/rename$`), handler: rename },
  { method: 'POST', path: /^\/containers\/prune$/, handler: prune },
];

function drainBody(req: IncomingMessage): void {
  req.resume();
}

/** `t`: seconds to wait before killing, -1 for the container's own timeout (→ undefined). */
function checkTimeout(t: number | undefined): number | undefined {
  if (t !== undefined && t < -1)
    throw badRequest(`invalid value for t: ${t} (seconds to wait, or -1 for the container's own timeout)`);
  return t === -1 ? undefined : t;
}

async function start({ engine, res, params, query, req }: C): Promise<void> {
  const r = getContainer(engine, params[0]);
  drainBody(req);
  const cp = query.get('checkpoint');
  if (cp) {
    await startFromCheckpoint(engine, r, cp, query.get('checkpoint-dir') || undefined);
    return noContent(res);
  }
  if (transition('start', r.state, r.name) === 'noop') return noContent(res, 304);
  try {
    await engine.containers.start(r.id);
  } catch (e) {
    if (r.config.autoRemove) await engine.containers.remove(r.id, { force: true }).catch(() => undefined);
    throw e;
  }
  noContent(res);
}

async function stop({ engine, res, params, query, req }: C): Promise<void> {
  const r = getContainer(engine, params[0]);
  const body = parse(StopBodySchema, (await readJson(req)) ?? {}, 'stop options');
  const t = checkTimeout(qint(query, 't') ?? body.t ?? undefined);
  // `signal` is sent instead of the container's stop signal
  const sig = query.get('signal') || undefined;
  if (sig) {
    try {
      parseSignal(sig);
    } catch (e) {
      throw badRequest((e as Error).message);
    }
  }
  if (transition('stop', r.state, r.name) === 'noop') return noContent(res, 304);
  await engine.containers.stop(r.id, t, sig);
  noContent(res);
}

async function restart({ engine, res, params, query, req }: C): Promise<void> {
  const r = getContainer(engine, params[0]);
  drainBody(req);
  const t = checkTimeout(qint(query, 't'));
  await engine.containers.restart(r.id, t);
  noContent(res);
}

async function kill({ engine, res, params, query }: C): Promise<void> {
  const r = getContainer(engine, params[0]);
  const sig = query.get('signal') || 'SIGKILL';
  try {
    await engine.containers.kill(r.id, sig);
  } catch (e) {
    const ae = toApiError(e);
    // current dockerd's wording (API ≥ 1.42): the full id
    const reason = isLive(engine.containers.get(r.id).state.status) ? ae.message : `container ${r.id} is not running`;
    if (ae.status === 409) throw new ApiError(409, `Cannot kill container: ${params[0]}: ${reason}`);
    throw e;
  }
  noContent(res);
}

async function pauseOrUnpause({ engine, res, params }: C): Promise<void> {
  const r = getContainer(engine, params[0]);
  if (params[1] === 'pause') await engine.containers.pause(r.id);
  else await engine.containers.unpause(r.id);
  noContent(res);
}

/** Answers 200 at once (headers flushed), the status line when the condition is met. */
async function wait({ engine, res, params, query, req }: C): Promise<void> {
  const r = getContainer(engine, params[0]);
  const cond = query.get('condition') || 'not-running';
  if (cond !== 'not-running' && cond !== 'next-exit' && cond !== 'removed')
    throw badRequest(`invalid condition: "${cond}" (use not-running, next-exit or removed)`);
  const waiting = engine.containers.wait(r.id, cond);
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.flushHeaders();
  let gone = false;
  req.socket.once('close', () => {
    gone = true;
  });
  let code: number,
    error: { Message: string } | null = null;
  try {
    code = await waiting;
  } catch (e) {
    code = -1;
    error = { Message: (e as Error).message };
  }
  if (!gone) res.end(JSON.stringify({ StatusCode: code, Error: error }) + '\n');
}

async function remove({ engine, res, params, query }: C): Promise<void> {
  const r = getContainer(engine, params[0]);
  const force = qbool(query, 'force');
  if (qbool(query, 'link')) throw badRequest('links are not supported');
  await engine.containers.remove(r.id, { force, volumes: qbool(query, 'v') });
  noContent(res);
}

async function rename({ engine, res, params, query }: C): Promise<void> {
  const r = getContainer(engine, params[0]);
  const name = query.get('name');
  if (!name) throw badRequest('rename: the new name is required (?name=)');
  checkName(name);
  await engine.containers.rename(r.id, name.replace(/^\//, ''));
  noContent(res);
}

async function prune({ engine, res, query }: C): Promise<void> {
  const labels = qfilters(query).get('label');
  const hasLabels = (have: Record<string, string>) =>
    !labels ||
    labels.every((l) => {
      const [k, v] = l.split('=');
      return k in have && (v === undefined || have[k] === v);
    });
  const deleted: string[] = [];
  for (const c of engine.containers.list()) {
    if ((c.status !== 'exited' && c.status !== 'created') || !hasLabels(c.labels)) continue;
    try {
      await engine.containers.remove(c.id);
      deleted.push(c.id);
    } catch {
      /* raced with a start: skip */
    }
  }
  json(res, 200, { ContainersDeleted: deleted, SpaceReclaimed: 0 });
}
