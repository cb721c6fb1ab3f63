// How long the API waits for a client that sends nothing (measured on the reference dockerd 20.10: a connection
// that sends no request, half a request line or header, or stays idle after a response is closed after 5 min;
// Go's default header limit is 1 MiB). Unlike dockerd, a request body that stops arriving is also dropped after
// the same idle time (dockerd waits forever). Streams (events, logs -f, attach, exec) are never timed out: only
// the receipt of a request is. PIER_API_IDLE_TIMEOUT_MS overrides the idle time (tests, tuning).
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

export const MAX_HEADER_BYTES = 1 << 20;

export function idleTimeoutMs(): number {
  const v = Number(process.env.PIER_API_IDLE_TIMEOUT_MS);
  return Number.isInteger(v) && v > 0 ? v : 300_000;
}

/** Options for http.createServer: headers and keep-alive idle bounded by the idle time, no total request limit. */
export function serverTimeouts(): { keepAliveTimeout: number; headersTimeout: number; requestTimeout: number; maxHeaderSize: number; connectionsCheckingInterval: number } {
  const idle = idleTimeoutMs();
  return { keepAliveTimeout: idle, headersTimeout: idle, requestTimeout: 0, maxHeaderSize: MAX_HEADER_BYTES, connectionsCheckingInterval: Math.min(30_000, Math.max(100, idle / 10)) };
}

/** Drops the connection when a request body stops arriving for the idle time; cleared once the body is read. */
export function boundBody(req: IncomingMessage): void {
  if (req.complete || !(Number(req.headers['content-length']) > 0 || req.headers['transfer-encoding'])) return;
  const socket = req.socket;
  socket.setTimeout(idleTimeoutMs(), () => { if (!req.complete) socket.destroy(); });
  const clear = () => socket.setTimeout(0);
  req.once('end', clear);
  req.once('close', clear);
}

/** The same bound for a body read from a hijacked socket (Node does not parse upgrade bodies). */
export function boundHijackBody(socket: Duplex, done: Promise<unknown>): void {
  const s = socket as Duplex & { setTimeout?: (ms: number, cb?: () => void) => void };
  if (!s.setTimeout) return;
  s.setTimeout(idleTimeoutMs(), () => socket.destroy());
  const clear = () => s.setTimeout!(0);
  done.then(clear, clear);
}
