// Serves the built renderer (out/renderer) and nothing outside it.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ServerResponse } from 'node:http';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.json': 'application/json', '.woff2': 'font/woff2', '.map': 'application/json',
};

export async function serveStatic(dir: string, urlPath: string, res: ServerResponse, headers: Record<string, string>): Promise<void> {
  let rel: string;
  try { rel = decodeURIComponent(urlPath); } catch { rel = '/'; }
  let file = path.resolve(dir, '.' + path.posix.normalize('/' + rel));
  if (!file.startsWith(path.resolve(dir) + path.sep)) file = path.join(dir, 'index.html');
  let st = await stat(file).catch(() => undefined);
  if (!st?.isFile()) { file = path.join(dir, 'index.html'); st = await stat(file).catch(() => undefined); }
  if (!st?.isFile()) {
    res.writeHead(503, { ...headers, 'content-type': 'text/plain; charset=utf-8' });
    res.end(`The Pier renderer is not built (no ${path.join(dir, 'index.html')}): run \`npm run build:web\`.\n`);
    return;
  }
  const body = await readFile(file);
  const ext = path.extname(file);
  const cache = ext === '.html' ? 'no-store' : 'private, max-age=3600';
  res.writeHead(200, { ...headers, 'content-type': TYPES[ext] ?? 'application/octet-stream', 'content-length': String(body.length), 'cache-control': cache });
  res.end(body);
}
