// Pier's Docker-compatible API on a unix socket (DESIGN.md §1, reference/docker-api.md).
// Node's http server; attach and exec start are hijacked in the 'upgrade' event (raw
// `101 UPGRADED`) or served as a raw 200 stream without Upgrade. Versioned (/v1.NN/…)
// and unversioned paths; 400 outside [1.24, 1.50].
import { performance } from 'node:perf_hooks';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import net from 'node:net';
import { chmod, lstat, mkdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import type { Engine } from '../engine';
import { ApiError, sendError, toApiError, logServerError } from './errors';
import { API_VERSION, MIN_API_VERSION, commonHeaders, versionNumber, type ApiState, type Ctx, type Hijack, type Route } from './context';
import { systemRoutes } from './system';
import { statsRoutes } from './stats';
import { containerRoutes } from './containers';
import { execRoutes } from './exec';
import { imageRoutes } from './images';
import { eventRoutes } from './events';
import { attachRoutes } from './attach';
import { checkpointRoutes, pierCheckpointRoutes } from './checkpoints';
import { archiveRoutes } from './archive';
import { isSystemEngine } from '../runtime/rootless';
import { shareWithGroup } from './socket-group';
import { networkRoutes } from './networks';
import { volumeRoutes } from './volumes';
import { buildRoutes } from './build';
import { boundBody, serverTimeouts } from './timeouts';

export interface ApiServerOptions {
  socketPath: string;
  /** socket file mode; default 0600, or 0660 when running as root (DESIGN.md §4) */
  mode?: number;
  /** takes upgrades the Docker API does not serve (the RPC WebSocket, see rpc/ws.ts); true = taken */
  upgrade?: (req: IncomingMessage, socket: Duplex, head: Buffer) => boolean;
}

export interface ApiServer { socketPath: string; close(): Promise<void>; /** who may connect (system engine) */ access?: string }

const VERSIONED = /^\/v(\d+\.\d+)(\/.*)$/;

export async function startApiServer(engine: Engine, opts: ApiServerOptions): Promise<ApiServer> {
  const socketPath = path.resolve(opts.socketPath);
  const mode = opts.mode ?? (isSystemEngine() ? 0o660 : 0o600);
  const state: ApiState = { execs: new Map() };
  const routes: Route[] = [
    ...systemRoutes(), ...eventRoutes(engine), ...attachRoutes(), ...execRoutes(), ...checkpointRoutes(),
    ...archiveRoutes(), ...statsRoutes(), ...containerRoutes(), ...networkRoutes(), ...imageRoutes(), ...volumeRoutes(), ...buildRoutes(), ...pierCheckpointRoutes(),
  ];

  const debug = !!process.env.PIER_API_DEBUG;
  function resolve(req: IncomingMessage): { route: Route; ctx: Ctx } {
    if (debug) {
      const t0 = performance.now();
      const line = `${req.method} ${req.url}${req.headers.upgrade ? ' [upgrade]' : ''}`;
      process.stderr.write(`pier api: ${(t0 % 100000).toFixed(1)} ${line}\n`);
      req.socket.once('close', () => process.stderr.write(`pier api: ${(performance.now() % 100000).toFixed(1)} done ${line} (${(performance.now() - t0).toFixed(1)} ms)\n`));
    }
    const url = new URL(req.url ?? '/', 'http://pier');
    let p = url.pathname;
    let version = versionNumber(API_VERSION);
    const m = VERSIONED.exec(p);
    if (m) {
      const v = versionNumber(m[1]);
      if (v > versionNumber(API_VERSION)) throw new ApiError(400, `client version ${m[1]} is too new. Maximum supported API version is ${API_VERSION}`);
      if (v < versionNumber(MIN_API_VERSION)) throw new ApiError(400, `client version ${m[1]} is too old. Minimum supported API version is ${MIN_API_VERSION}, please upgrade your client to a newer version`);
      version = v;
      p = m[2];
    }
    if (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);
    const method = req.method === 'HEAD' ? 'HEAD' : req.method ?? 'GET';
    let pathMatched = false;
    for (const route of routes) {
      const pm = route.path.exec(p);
      if (!pm) continue;
      pathMatched = true;
      if (route.method !== method && !(method === 'HEAD' && route.method === 'GET')) continue;
      const params = pm.slice(1).map((s) => decodeURIComponent(s));
      return { route, ctx: { engine, state, req, params, query: url.searchParams, version } };
    }
    if (pathMatched) throw new ApiError(405, `method ${method} not allowed for ${p}`);
    throw new ApiError(404, `page not found`);
  }

  const server = http.createServer(serverTimeouts(), (req: IncomingMessage, res: ServerResponse) => {
    boundBody(req);
    for (const [k, v] of Object.entries(commonHeaders())) res.setHeader(k, v);
    res.on('error', () => undefined);
    if (debug) {
      const t0 = performance.now();
      res.once('finish', () => process.stderr.write(`pier api: ${(performance.now() % 100000).toFixed(1)} answered ${req.method} ${req.url} (${(performance.now() - t0).toFixed(1)} ms)\n`));
    }
    let resolved;
    try { resolved = resolve(req); } catch (e) { drain(req); sendError(res, e); return; }
    const { route, ctx } = resolved;
    if (route.hijack && !route.handler) {
      // a stream endpoint called without Upgrade: moby still streams (raw, then EOF)
      req.socket.removeAllListeners('timeout');
      const sock = req.socket;
      const hj: Hijack = { socket: sock, head: Buffer.alloc(0), upgraded: false };
      void route.hijack(ctx, hj).catch((e) => (hj.started ? streamError(sock, e) : sendError(res, e)));
      return;
    }
    Promise.resolve()
      .then(() => route.handler!({ ...ctx, res }))
      .catch((e) => { drain(req); sendError(res, e); });
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    if (opts.upgrade?.(req, socket, head)) return;
    let resolved;
    try { resolved = resolve(req); } catch (e) { rawError(socket, e); return; }
    const { route, ctx } = resolved;
    if (!route.hijack) { rawError(socket, new ApiError(400, `${req.url} cannot be upgraded`)); return; }
    const hj: Hijack = { socket, head, upgraded: true };
    void route.hijack(ctx, hj).catch((e) => (hj.started ? streamError(socket, e) : rawError(socket, e)));
  });

  server.on('clientError', (err, socket) => {
    if (socket.writable) socket.end(`HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${(err as Error).message}`);
    else socket.destroy();
  });

  const sockets = new Set<net.Socket>();
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });

  await mkdir(path.dirname(socketPath), { recursive: true, mode: 0o700 });
  await replaceStaleSocket(socketPath);
  const oldMask = process.umask(0o777 & ~mode);
  try {
    await new Promise<void>((res, rej) => {
      server.once('error', rej);
      server.listen({ path: socketPath, backlog: 4096 }, () => { server.off('error', rej); res(); });
    });
  } finally { process.umask(oldMask); }
  await chmod(socketPath, mode);
  const access = opts.mode === undefined ? await shareWithGroup(socketPath) : undefined;
  const ino = (await lstat(socketPath)).ino;

  return {
    socketPath, access,
    async close() {
      const closed = new Promise<void>((res) => server.close(() => res()));
      for (const s of sockets) s.destroy();
      await closed;
      // remove the socket file only if it is still ours
      const st = await lstat(socketPath).catch(() => undefined);
      if (st && st.ino === ino) await unlink(socketPath).catch(() => undefined);
    },
  };
}

/** A socket left by a crashed engine is replaced; a live one (something accepts) is never stolen. */
async function replaceStaleSocket(p: string): Promise<void> {
  const st = await lstat(p).catch(() => undefined);
  if (!st) return;
  if (!st.isSocket()) throw Object.assign(new Error(`${p} exists and is not a socket: refusing to replace it`), { code: 'EEXIST' });
  const live = await new Promise<boolean>((res) => {
    const c = net.connect(p);
    const t = setTimeout(() => { c.destroy(); res(true); }, 2000);
    c.once('connect', () => { clearTimeout(t); c.destroy(); res(true); });
    c.once('error', (e: NodeJS.ErrnoException) => { clearTimeout(t); res(e.code !== 'ECONNREFUSED' && e.code !== 'ENOENT'); });
  });
  if (live) throw Object.assign(new Error(`another engine is serving the API on ${p}: stop it first or use --socket`), { code: 'EADDRINUSE' });
  await unlink(p).catch((e: NodeJS.ErrnoException) => { if (e.code !== 'ENOENT') throw e; });
}

function drain(req: IncomingMessage): void {
  if (!req.complete) req.resume();
}

/** An error after the stream started: plain text on the stream, then EOF (as moby). */
function streamError(socket: Duplex, e: unknown): void {
  logServerError(toApiError(e), 'stream');
  if (socket.writable) socket.end(`Error: ${toApiError(e).message}\n`); else socket.destroy();
}

/** An error before the hijack completes: a plain HTTP response on the raw socket. */
export function rawError(socket: Duplex, e: unknown): void {
  const ae = toApiError(e);
  logServerError(ae, 'upgrade');
  if (!socket.writable) { socket.destroy(); return; }
  const body = JSON.stringify({ message: ae.message }) + '\n';
  const hdr = Object.entries(commonHeaders()).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  socket.end(`HTTP/1.1 ${ae.status} ${http.STATUS_CODES[ae.status] ?? 'Error'}\r\n${hdr}Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
