// Web mode: serves the built renderer and the RPC contract over a WebSocket, on
// loopback by default, behind a random token (see guard.ts). Same engine, same
// dispatcher as the Electron main process.
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from 'ws';
import type { Engine } from '../engine/engine';
import { WS_PATH } from '../common/contract';
import { serveWsClient } from '../rpc/ws';
import { allowedHosts, check, newToken, tokenCookie, type Guard } from './guard';
import { serveStatic } from './static';

export interface WebServerOptions {
  /** HOST:PORT (PORT 0 = any free port); default 127.0.0.1:0 */
  listen?: string;
  /** directory of the built renderer; default <repo>/out/renderer */
  staticDir?: string;
  /** fixed token (tests); default random */
  token?: string;
}
export interface WebServer { url: string; token: string; port: number; close(): Promise<void> }

const DEFAULT_STATIC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../out/renderer');

export function parseListen(listen: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(listen.trim());
  if (!m) throw new Error(`--web: "${listen}" is not HOST:PORT (for example 127.0.0.1:8080)`);
  const port = Number(m[3]);
  if (port > 65535) throw new Error(`--web: port ${port} is out of range`);
  return { host: m[1] ?? m[2], port };
}

function securityHeaders(hostPort: string): Record<string, string> {
  return {
    'content-security-policy': `default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self' ws://${hostPort}; worker-src 'self' blob:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'; object-src 'none'`,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'cross-origin-opener-policy': 'same-origin',
  };
}

export async function startWebServer(engine: Engine, opts: WebServerOptions = {}): Promise<WebServer> {
  const { host, port: wantPort } = parseListen(opts.listen ?? '127.0.0.1:0');
  const staticDir = opts.staticDir ?? DEFAULT_STATIC;
  const token = opts.token ?? newToken();
  const guard: Guard = { hosts: new Set(), token };
  let headers: Record<string, string> = {};

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const v = check(guard, req, url.searchParams.get('token'));
    if (!v.ok) {
      res.writeHead(v.status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      res.end(v.status === 401 ? '401 Unauthorized\n' : `403 Forbidden (${v.reason})\n`);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') { res.writeHead(405, { allow: 'GET, HEAD' }); res.end(); return; }
    if (url.searchParams.has('token')) {
      // trade the URL token for a cookie, and drop it from the address bar and history
      url.searchParams.delete('token');
      res.writeHead(303, { 'set-cookie': tokenCookie(token), location: url.pathname + url.search, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' });
      res.end();
      return;
    }
    serveStatic(staticDir, url.pathname, res, headers).catch((e) => { res.writeHead(500); res.end(String((e as Error).message)); });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20, perMessageDeflate: false });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const v = check(guard, req, null);
    if (url.pathname !== WS_PATH || !v.ok) {
      const status = url.pathname !== WS_PATH ? '404 Not Found' : v.ok ? '200 OK' : v.status === 401 ? '401 Unauthorized' : '403 Forbidden';
      socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveWsClient(engine, ws));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(wantPort, host, () => { server.off('error', reject); resolve(); });
  });
  const port = (server.address() as import('node:net').AddressInfo).port;
  for (const h of allowedHosts(host, port)) guard.hosts.add(h);
  const shownHost = host.includes(':') ? `[${host}]` : host;
  headers = securityHeaders(`${shownHost}:${port}`);

  return {
    url: `http://${shownHost}:${port}/?token=${token}`,
    token,
    port,
    async close() {
      for (const c of wss.clients) c.terminate();
      wss.close();
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

