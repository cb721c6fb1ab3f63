// Errors as the Docker API reports them: `{"message": "..."}` with the status codes
// clients branch on (404 → pull / next object type, 409 conflict, 304 redundant
// start/stop, 400 bad parameter, 500 other). Engine errors carry a `code`; this is the
// one place that maps codes to statuses.
import type { ServerResponse } from 'node:http';

export class ApiError extends Error {
  constructor(readonly status: number, message: string) { super(message); this.name = 'ApiError'; }
}

export const badRequest = (m: string) => new ApiError(400, m);
export const notFound = (m: string) => new ApiError(404, m);
export const conflict = (m: string) => new ApiError(409, m);

const STATUS_BY_CODE: Record<string, number> = {
  ENOTFOUND: 404, ENOIMAGE: 404, ENOEXECID: 404,
  ECONFLICT: 409, ESTATE: 409, EINUSE: 409,
  EINVAL: 400, ENOUSER: 400, EBADREF: 400, EBADARCHIVE: 400, ENOEXEC: 400,
  EFORBIDDEN: 403, ENOSPC: 500, EPORTALLOC: 500,
  EAUTH: 401, EDIGEST: 500, EREGISTRY: 500,
};

/** Status + message for anything thrown by a handler or the engine. */
export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  const err = e as { code?: string; message?: string; status?: number };
  const message = err?.message || String(e);
  if (err?.code && STATUS_BY_CODE[err.code]) return new ApiError(STATUS_BY_CODE[err.code], message);
  // the runtime's own message for the rest (ERUNTIME, EPERM, unknown)
  return new ApiError(500, message);
}

/** Writes the error as JSON if the response has not started; else ends it. */
/** Server-side failures (5xx) are also written to the engine's stderr: clients often show only the status. */
export function logServerError(ae: ApiError, where: string): void {
  if (ae.status >= 500) process.stderr.write(`pier: ${where}: ${ae.status} ${ae.message}\n`);
}

export function sendError(res: ServerResponse, e: unknown): void {
  const ae = toApiError(e);
  logServerError(ae, `${res.req?.method ?? ''} ${res.req?.url ?? ''}`);
  if (res.headersSent) { res.destroy(); return; }
  const body = JSON.stringify({ message: ae.message }) + '\n';
  res.writeHead(ae.status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}
