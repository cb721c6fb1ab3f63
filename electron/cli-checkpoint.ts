// `pier checkpoint` and `pier restore`: talk to the running engine over its API socket.
//   pier checkpoint CONTAINER --export FILE [--leave-running] [--tcp-established] [--file-locks] [--compress zstd|gzip|none] [--socket PATH]
//   pier restore --import FILE [--name NAME] [--tcp-established] [--file-locks] [--socket PATH]
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pipeline } from 'node:stream/promises';
import { defaultPaths } from './engine/paths';

export function socketPath(opt?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (opt) return opt;
  const dh = env.DOCKER_HOST;
  if (dh?.startsWith('unix://')) return dh.slice('unix://'.length);
  return defaultPaths().socket;
}

function request(socket: string, urlPath: string, body?: NodeJS.ReadableStream): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: socket, path: urlPath, method: 'POST', headers: body ? { 'Content-Type': 'application/octet-stream', 'Transfer-Encoding': 'chunked' } : { 'Content-Length': '0' } }, resolve);
    req.on('error', (e: NodeJS.ErrnoException) => reject(e.code === 'ENOENT' || e.code === 'ECONNREFUSED'
      ? new Error(`cannot reach the Pier engine at ${socket} (${e.code}): start it with "pier serve", or pass --socket PATH / set DOCKER_HOST=unix://PATH`)
      : e));
    if (body) pipeline(body, req).catch(reject);
    else req.end();
  });
}

async function readJson(res: http.IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString();
  try { return JSON.parse(text) as Record<string, unknown>; } catch { return { message: text.trim() || `HTTP ${res.statusCode}` }; }
}

export async function checkpointCommand(cmd: 'checkpoint' | 'restore', argv: string[]): Promise<number> {
  try {
    if (cmd === 'checkpoint') {
      const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: {
        export: { type: 'string', short: 'e' }, 'leave-running': { type: 'boolean', short: 'R' }, 'tcp-established': { type: 'boolean' },
        'file-locks': { type: 'boolean' }, compress: { type: 'string', short: 'c' }, keep: { type: 'boolean', short: 'k' }, socket: { type: 'string' },
      } });
      if (positionals.length !== 1) { console.error('usage: pier checkpoint CONTAINER --export FILE [--leave-running] [--tcp-established] [--file-locks] [--compress zstd|gzip|none] [--socket PATH]'); return 2; }
      const q = new URLSearchParams();
      if (values.export) q.set('export', '1');
      if (values['leave-running']) q.set('leaveRunning', '1');
      if (values['tcp-established']) q.set('tcpEstablished', '1');
      if (values['file-locks']) q.set('fileLocks', '1');
      if (values.keep) q.set('keep', '1');
      if (values.compress) q.set('compress', values.compress);
      const res = await request(socketPath(values.socket), `/pier/containers/${encodeURIComponent(positionals[0])}/checkpoint?${q}`);
      if ((res.statusCode ?? 500) >= 300) { console.error(`pier checkpoint: ${(await readJson(res)).message}`); return 1; }
      if (!values.export) { const s = await readJson(res); console.log(s.id); return 0; }
      const file = path.resolve(values.export);
      const tmp = `${file}.part-${process.pid}`;
      try {
        await pipeline(res, fs.createWriteStream(tmp, { mode: 0o600 }));
        fs.renameSync(tmp, file);
      } catch (e) { fs.rmSync(tmp, { force: true }); throw e; }
      console.log(positionals[0]);
      return 0;
    }
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: {
      import: { type: 'string', short: 'i' }, name: { type: 'string', short: 'n' }, 'tcp-established': { type: 'boolean' },
      'file-locks': { type: 'boolean' }, keep: { type: 'boolean', short: 'k' }, socket: { type: 'string' },
    } });
    if (!values.import || positionals.length) { console.error('usage: pier restore --import FILE [--name NAME] [--tcp-established] [--file-locks] [--socket PATH]'); return 2; }
    if (!fs.existsSync(values.import)) { console.error(`pier restore: ${values.import}: no such file`); return 1; }
    const q = new URLSearchParams();
    if (values.name) q.set('name', values.name);
    if (values['tcp-established']) q.set('tcpEstablished', '1');
    if (values['file-locks']) q.set('fileLocks', '1');
    if (values.keep) q.set('keep', '1');
    const res = await request(socketPath(values.socket), `/pier/restore?${q}`, fs.createReadStream(values.import));
    const body = await readJson(res);
    if ((res.statusCode ?? 500) >= 300) { console.error(`pier restore: ${body.message}`); return 1; }
    console.log(body.Id);
    return 0;
  } catch (e) {
    console.error(`pier ${cmd}: ${(e as Error).message}`);
    return 1;
  }
}
