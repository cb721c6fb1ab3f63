// GET /containers/{id}/logs (multiplexed or raw, follow, tail, since/until) and
// POST /containers/{id}/resize (the terminal size conmon passes on).
import type { ServerResponse } from 'node:http';
import { type Handler, type Route } from './context';
import { badRequest } from './errors';
import { qbool, qtime } from './validate';
import { toRfc3339NanoUtc } from './format';
import { frame } from './attach';
import type { LogEntry } from '../conmon/logs';
import { ID, getContainer, sizeParams } from './container-ref';

type C = Parameters<Handler>[0];

export const logRoutes: Route[] = [
  { method: 'GET', path: new RegExp(`^/containers/${ID}/logs$`), handler: logs },
  { method: 'POST', path: new RegExp(`^/containers/${ID}/resize$`), handler: resize },
];

/** `tail`: a count, `all`, or a negative number (= all); undefined = all. */
function tailParam(query: URLSearchParams): number | undefined {
  const tailRaw = query.get('tail');
  if (!tailRaw || tailRaw === 'all') return undefined;
  if (!/^-?\d+$/.test(tailRaw)) throw badRequest(`invalid value for tail: "${tailRaw}"`);
  return Number(tailRaw) < 0 ? undefined : Number(tailRaw);
}

async function logs({ engine, res, params, query, req }: C): Promise<void> {
  const r = getContainer(engine, params[0]);
  const { opts, timestamps } = logOptions(query);
  const tty = r.config.terminal;
  // the client going away stops the reader (and closes the file) wherever it is
  const ac = new AbortController();
  const abort = () => ac.abort();
  req.socket.once('close', abort);
  res.writeHead(200, {
    'Content-Type': tty ? 'application/vnd.docker.raw-stream' : 'application/vnd.docker.multiplexed-stream',
  });
  res.flushHeaders();
  try {
    await sendLogs(res, engine.containers.logs(r.id, opts, ac.signal), { tty, timestamps, signal: ac.signal });
  } catch (e) {
    const msg = (e as Error).message;
    if (!ac.signal.aborted) res.write(tty ? Buffer.from(`error: ${msg}\n`) : frame(3, Buffer.from(msg + '\n')));
  } finally {
    req.socket.off('close', abort);
  }
  res.end();
}

/** The query's reader options (400 for a bad one) and whether lines get their timestamp. */
function logOptions(query: URLSearchParams) {
  const stdout = qbool(query, 'stdout'),
    stderr = qbool(query, 'stderr');
  if (!stdout && !stderr) throw badRequest('You must choose at least one stream');
  const tail = tailParam(query);
  const since = qtime(query, 'since'),
    until = qtime(query, 'until');
  const timestamps = qbool(query, 'timestamps'),
    follow = qbool(query, 'follow');
  return { opts: { stdout, stderr, tail, since: since || undefined, until: until || undefined, follow }, timestamps };
}

/** Writes entries as they come: raw for a tty, else in stream frames; waits for the client to drain. */
async function sendLogs(
  res: ServerResponse,
  entries: AsyncIterable<LogEntry>,
  o: { tty: boolean; timestamps: boolean; signal: AbortSignal },
): Promise<void> {
  for await (const e of entries) {
    if (o.signal.aborted) break;
    const stamp = o.timestamps ? Buffer.from(toRfc3339NanoUtc(e.time) + ' ') : Buffer.alloc(0);
    const payload = Buffer.concat([stamp, e.line, Buffer.from('\n')]);
    // entries read from one chunk go out as one write
    if (!res.writableCorked) {
      res.cork();
      process.nextTick(() => res.uncork());
    }
    if (!res.write(o.tty ? payload : frame(e.stream === 'stderr' ? 2 : 1, payload))) await drained(res, o.signal);
  }
}

/** Resolves when `res` drains or `signal` aborts, leaving no listener behind. */
function drained(res: ServerResponse, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = () => {
      res.off('drain', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    res.once('drain', done);
    signal.addEventListener('abort', done, { once: true });
  });
}

async function resize({ engine, res, params, query }: C): Promise<void> {
  const r = getContainer(engine, params[0]);
  const { h, w } = sizeParams(query);
  if (h && w) await engine.containers.resize(r.id, h, w);
  res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': 0 });
  res.end();
}
