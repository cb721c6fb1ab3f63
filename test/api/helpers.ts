// Shared by the API tests: a real `pier serve` child process on an isolated root and
// socket, the real docker CLI pointed at it, and raw HTTP over the unix socket.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DOCKER = '/usr/local/bin/docker';

export interface PierServer {
  dir: string;
  root: string;
  runroot: string;
  socket: string;
  env: NodeJS.ProcessEnv;
  proc: ChildProcess;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export async function startPier(opts: { dir?: string; socket?: string } = {}): Promise<PierServer> {
  const dir = opts.dir ?? mkdtempSync(path.join(os.tmpdir(), 'pier-api-'));
  const root = path.join(dir, 'root'), runroot = path.join(dir, 'run');
  const socket = opts.socket ?? path.join(dir, 'docker.sock');
  const proc = spawn(process.execPath, [path.join(REPO, 'bin/pier.js'), 'serve', '--root', root, '--runroot', runroot, '--socket', socket], { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir /* not the repo: `npx pier` runs from anywhere */ });
  let out = '';
  proc.stdout!.on('data', (d) => { out += d; });
  proc.stderr!.on('data', (d) => { out += d; });
  await new Promise<void>((resolve, reject) => {
    // a server that never gets ready is stopped, so the test process can end
    const t = setTimeout(() => { proc.kill('SIGKILL'); reject(new Error(`pier serve did not start in 30s:\n${out}`)); }, 30_000);
    const check = () => { if (/engine ready/.test(out)) { clearTimeout(t); resolve(); } };
    proc.stdout!.on('data', check);
    proc.once('exit', (code) => { clearTimeout(t); reject(new Error(`pier serve exited (${code}):\n${out}`)); });
  });
  // an engine that dies under a test says why (its own output) instead of failing later as "cannot connect"
  let stopping = false;
  proc.once('exit', (code, sig) => { if (!stopping) process.stderr.write(`\n# pier serve exited unexpectedly (${code ?? sig}):\n${out.split('\n').map((l) => '#   ' + l).join('\n')}\n`); });
  const env: NodeJS.ProcessEnv = { ...process.env, DOCKER_HOST: `unix://${socket}`, DOCKER_CONFIG: path.join(dir, "docker-config") };
  delete env.DOCKER_API_VERSION; delete env.DOCKER_CONTEXT;
  return {
    dir, root, runroot, socket, env, proc, output: () => out,
    async stop(signal = 'SIGTERM') {
      stopping = true;
      if (proc.exitCode !== null || proc.signalCode) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill(signal);
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (proc.exitCode === null && !proc.signalCode) proc.kill('SIGKILL');
    },
  };
}

export interface Run { code: number; stdout: string; stderr: string }

export function docker(srv: { env: NodeJS.ProcessEnv; output?: () => string }, args: string[], o: { input?: string; timeout?: number } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const p = execFile(DOCKER, args, { env: srv.env, timeout: o.timeout ?? 60_000, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      const serverError = /received 5\d\d/.test(String(stderr));
      if (((err as { killed?: boolean } | null)?.killed || serverError) && srv.output) {
        process.stderr.write(`docker ${args.join(' ')} failed (timed out or a server error); pier serve said:\n${srv.output().split('\n').slice(-40).join('\n')}\n`);
      }
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
    if (o.input !== undefined) p.stdin!.end(o.input); else p.stdin!.end();
  });
}

export interface RawResponse { status: number; headers: http.IncomingHttpHeaders; body: string }

/** One HTTP request on the unix socket. */
export function request(socket: string, method: string, p: string, body?: string | Buffer, headers: Record<string, string | number> = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: socket, method, path: p, headers: { Host: 'api.moby.localhost', ...(body !== undefined ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } : {}), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body !== undefined) req.end(body); else req.end();
  });
}

export function cleanup(dir: string): void {
  if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
}

export async function testImages(): Promise<string> {
  const { buildTestImages } = await import('../../scripts/build-test-images');
  return (await buildTestImages()).dockerArchive;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function until<T>(fn: () => Promise<T | undefined | false> | T | undefined | false, ms = 10_000, what = 'condition'): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v as T;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** `pier serve` on a fresh root with the test images loaded (docker load); returns the load output too. */
export async function startPierWithImages(): Promise<PierServer & { loaded: string }> {
  const archive = await testImages();
  const srv = await startPier();
  const r = await docker(srv, ['load', '-i', archive]);
  if (r.code !== 0) { await srv.stop(); cleanup(srv.dir); throw new Error(`docker load failed: ${r.stderr}`); }
  return Object.assign(srv, { loaded: r.stdout });
}

/** Removes every container, stops the server and deletes its directory. */
export async function stopPier(srv: PierServer | undefined): Promise<void> {
  if (!srv) return;
  const ids = (await docker(srv, ['ps', '-aq'])).stdout.split('\n').filter(Boolean);
  if (ids.length) await docker(srv, ['rm', '-f', ...ids]);
  await srv.stop();
  cleanup(srv.dir);
}
