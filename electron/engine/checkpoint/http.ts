// Pier's own HTTP routes for checkpoints, mounted by the API server (electron/engine/api):
//   POST /pier/containers/{id}/checkpoint?export=1&leaveRunning=1&tcpEstablished=1&fileLocks=1&keep=1&compress=zstd|gzip|none
//        export=1: 200, body = the archive (application/octet-stream), headers X-Pier-Checkpoint (id)
//                  and X-Pier-Archive-Compression; otherwise 201, body = the CheckpointSummary JSON
//   POST /pier/restore?name=NAME&tcpEstablished=1&fileLocks=1     body = an archive (Pier's or podman's)
//        201, body = {"Id": …, "Name": …, "Container": ContainerSummary}
// Paths may carry a Docker API version prefix (/v1.41/pier/…). Errors are {"message", "code"}
// with 400 (bad input or archive), 404 (no such container), 409 (state or name conflict),
// 501 (this host cannot checkpoint) or 500 (CRIU failed).
import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { Engine } from '../engine';
import type { Compression } from './archive';
import { assertContainerName } from '../../common/names';

const CHECKPOINT_RE = /^(?:\/v[0-9.]+)?\/pier\/containers\/([^/]+)\/checkpoint\/?$/;
const RESTORE_RE = /^(?:\/v[0-9.]+)?\/pier\/restore\/?$/;

const flag = (q: URLSearchParams, k: string) => { const v = q.get(k); return v !== null && v !== '0' && v !== 'false' && v !== ''; };

export function statusOf(e: unknown): number {
  switch ((e as { code?: string }).code) {
    case 'ENOTFOUND': return 404;
    case 'ECONFLICT': case 'ESTATE': case 'EINCONSISTENT': return 409;
    case 'EBADARCHIVE': case 'EINVAL': return 400;
    case 'ENOCRIU': case 'ENOTSUP': return 501;
    default: return 500;
  }
}

function sendError(res: ServerResponse, e: unknown): void {
  const body = JSON.stringify({ message: (e as Error).message, code: (e as { code?: string }).code ?? 'EINTERNAL' });
  if (res.headersSent) { res.destroy(e as Error); return; }
  res.writeHead(statusOf(e), { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, v: unknown): void {
  const body = JSON.stringify(v);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function service(engine: Engine) {
  return engine.checkpoints;
}

/** POST /pier/containers/{id}/checkpoint */
export async function handleCheckpoint(engine: Engine, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    const url = new URL(req.url ?? '/', 'http://pier');
    const m = url.pathname.match(CHECKPOINT_RE);
    if (!m) throw Object.assign(new Error(`not a checkpoint route: ${url.pathname}`), { code: 'EINVAL' });
    const q = url.searchParams;
    const compress = (q.get('compress') ?? 'zstd') as Compression;
    if (!['zstd', 'gzip', 'none'].includes(compress)) throw Object.assign(new Error(`compress must be zstd, gzip or none (got "${compress}")`), { code: 'EINVAL' });
    req.resume();
    const cps = service(engine);
    const exp = flag(q, 'export');
    const summary = await cps.create(decodeURIComponent(m[1]), {
      leaveRunning: flag(q, 'leaveRunning'), tcpEstablished: flag(q, 'tcpEstablished'), fileLocks: flag(q, 'fileLocks'),
      preDump: flag(q, 'preDump'), keep: flag(q, 'keep'), export: exp, compression: compress,
    });
    if (!exp || !summary.archive) { sendJson(res, 201, summary); return; }
    res.writeHead(200, {
      'Content-Type': 'application/octet-stream', 'Content-Length': String(summary.archiveSize ?? fs.statSync(summary.archive).size),
      'X-Pier-Checkpoint': summary.id, 'X-Pier-Archive-Compression': compress,
    });
    await pipeline(fs.createReadStream(summary.archive), res);
  } catch (e) {
    sendError(res, e);
  }
}

/** POST /pier/restore (body = archive) */
export async function handleRestore(engine: Engine, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    const url = new URL(req.url ?? '/', 'http://pier');
    if (!RESTORE_RE.test(url.pathname)) throw Object.assign(new Error(`not a restore route: ${url.pathname}`), { code: 'EINVAL' });
    const q = url.searchParams;
    const name = q.get('name') || undefined;
    if (name !== undefined) assertContainerName(name);
    const c = await service(engine).import(req, { name, tcpEstablished: flag(q, 'tcpEstablished'), fileLocks: flag(q, 'fileLocks'), keep: flag(q, 'keep') });
    sendJson(res, 201, { Id: c.id, Name: c.name, Container: c });
  } catch (e) {
    req.resume();
    sendError(res, e);
  }
}

/** Route table for servers that match method + path themselves. */
export const checkpointHttpRoutes = [
  { method: 'POST', pattern: CHECKPOINT_RE, handler: handleCheckpoint },
  { method: 'POST', pattern: RESTORE_RE, handler: handleRestore },
] as const;

/**
 * The same two routes in the API server's Route shape ({method, path, handler(ctx)}),
 * picked up by electron/engine/api/checkpoints.ts (pierCheckpointRoutes). Paths are
 * matched after the server strips the version prefix.
 */
export function routes(): Array<{ method: string; path: RegExp; handler: (ctx: { engine: Engine; req: IncomingMessage; res: ServerResponse }) => Promise<void> }> {
  return [
    { method: 'POST', path: /^\/pier\/containers\/([^/]+)\/checkpoint\/?$/, handler: ({ engine, req, res }) => handleCheckpoint(engine, req, res) },
    { method: 'POST', path: /^\/pier\/restore\/?$/, handler: ({ engine, req, res }) => handleRestore(engine, req, res) },
  ];
}
