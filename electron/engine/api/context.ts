// Per-request context and the route table type shared by the resource modules.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Engine } from '../engine';
import { ApiError, badRequest } from './errors';

export const API_VERSION = '1.50';
export const MIN_API_VERSION = '1.24';
export const SERVER_VERSION = '28.2.2-pier';
export const PIER_VERSION = '0.1.0';
/** JSON bodies larger than this are refused with 413 */
export const MAX_JSON_BODY = 1 << 20;

/** State the API keeps beyond the engine (exec instances, counters). */
export interface ApiState {
  execs: Map<string, import('./exec').ExecInstance>;
}

export interface Ctx {
  engine: Engine;
  state: ApiState;
  req: IncomingMessage;
  /** undefined for hijacked (upgraded) requests */
  res?: ServerResponse;
  params: string[];
  query: URLSearchParams;
  /** negotiated version as a number (1.50 → 1.5 is wrong; 1.50 → 150) */
  version: number;
}

/** Raw stream after a hijack (Upgrade: tcp → 101) or a plain request served as a raw stream (200). */
export interface Hijack {
  socket: Duplex;
  /** bytes the client sent after the request headers (body, then stdin) */
  head: Buffer;
  upgraded: boolean;
  /** set once the response head went out: later errors go on the stream as text */
  started?: boolean;
}

export type Handler = (ctx: Ctx & { res: ServerResponse }) => Promise<void> | void;
export type HijackHandler = (ctx: Ctx, hj: Hijack) => Promise<void>;
export interface Route { method: string; path: RegExp; handler?: Handler; hijack?: HijackHandler }

export function versionNumber(v: string): number {
  const [a, b] = v.split('.');
  return Number(a) * 100 + Number(b ?? 0);
}

/** Headers moby sends on every response. */
export function commonHeaders(): Record<string, string> {
  return {
    'Api-Version': API_VERSION,
    'Ostype': 'linux',
    'Server': `Docker/${SERVER_VERSION} (linux)`,
    'Docker-Experimental': 'true',
  };
}

/** Reads a JSON body (≤ MAX_JSON_BODY). Empty body → undefined. */
export async function readJson(req: IncomingMessage, opts: { required?: boolean } = {}): Promise<unknown> {
  const len = Number(req.headers['content-length'] ?? NaN);
  if (len > MAX_JSON_BODY) throw new ApiError(413, `request body too large: ${len} bytes (limit ${MAX_JSON_BODY})`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_JSON_BODY) throw new ApiError(413, `request body too large: more than ${MAX_JSON_BODY} bytes`);
    chunks.push(c as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text.trim()) {
    if (opts.required) throw badRequest('invalid JSON: the request body is empty');
    return undefined;
  }
  const ct = String(req.headers['content-type'] ?? '');
  if (ct && !/^application\/json\b/i.test(ct) && !/^text\/plain\b/i.test(ct)) throw badRequest(`unsupported Content-Type header (${ct}): must be 'application/json'`);
  try { return JSON.parse(text); } catch (e) { throw badRequest(`invalid JSON: ${(e as Error).message}`); }
}

/** Writes JSON with status. */
export function json(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value) + '\n';
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

export function noContent(res: ServerResponse, status = 204): void {
  res.writeHead(status);
  res.end();
}
