// Starts Debian's docker-registry (distribution 2.x) on 127.0.0.1 with a temporary
// config and storage directory; anonymous, or basic auth through an htpasswd file
// made with `htpasswd -Bbn` (apache2-utils). `stop()` kills it and removes the files.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';

export interface TestRegistry {
  /** `127.0.0.1:PORT` */
  host: string;
  url: string;
  storage: string;
  auth?: { username: string; password: string };
  /** Copies an image into the registry with skopeo. `src` is a skopeo reference (e.g. `oci:DIR:tag`). */
  push(src: string, name: string): void;
  /** Path of a blob's data file in the registry's storage. */
  blobFile(digest: string): string;
  stop(): Promise<void>;
}

export const REGISTRY_BIN = '/usr/bin/docker-registry';
export function registryAvailable(): string | undefined {
  if (!fs.existsSync(REGISTRY_BIN)) return `${REGISTRY_BIN} not installed (Debian package docker-registry)`;
  try { execFileSync('skopeo', ['--version'], { stdio: 'ignore' }); } catch { return 'skopeo not installed'; }
  return undefined;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export async function startRegistry(opts: { auth?: { username: string; password: string } } = {}): Promise<TestRegistry> {
  const why = registryAvailable();
  if (why) throw new Error(why);
  reapStale();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pier-registry-'));
  fs.writeFileSync(path.join(dir, 'owner.pid'), String(process.pid));
  const storage = path.join(dir, 'storage');
  fs.mkdirSync(storage);
  let authYaml = '';
  if (opts.auth) {
    const line = execFileSync('htpasswd', ['-Bbn', opts.auth.username, opts.auth.password], { encoding: 'utf8' }).trim();
    fs.writeFileSync(path.join(dir, 'htpasswd'), line + '\n');
    authYaml = `auth:\n  htpasswd:\n    realm: pier-test\n    path: ${path.join(dir, 'htpasswd')}\n`;
  }
  let child: ChildProcess | undefined;
  let port = 0;
  let log = '';
  for (let attempt = 0; attempt < 5; attempt++) {
    port = await freePort();
    fs.writeFileSync(path.join(dir, 'config.yml'), [
      'version: 0.1',
      'log:',
      '  level: warn',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${storage}`,
      '  delete:',
      '    enabled: true',
      '  redirect:',
      '    disable: true',
      'http:',
      `  addr: 127.0.0.1:${port}`,
      '  secret: pier-test-secret',
      authYaml,
    ].join('\n'));
    child = spawn(REGISTRY_BIN, ['serve', path.join(dir, 'config.yml')], { stdio: ['ignore', 'pipe', 'pipe'] });
    fs.writeFileSync(path.join(dir, 'registry.pid'), String(child.pid));
    log = '';
    child.stdout!.on('data', (d) => { log += d; });
    child.stderr!.on('data', (d) => { log += d; });
    if (await waitReady(`http://127.0.0.1:${port}/v2/`, child)) break;
    child.kill('SIGKILL');
    child = undefined;
  }
  if (!child) { fs.rmSync(dir, { recursive: true, force: true }); throw new Error(`docker-registry did not start: ${log.slice(-2000)}`); }
  const proc = child;
  const host = `127.0.0.1:${port}`;
  return {
    host,
    url: `http://${host}`,
    storage,
    auth: opts.auth,
    push(src, name) {
      const args = ['copy', '--insecure-policy', '--dest-tls-verify=false'];
      if (opts.auth) args.push('--dest-creds', `${opts.auth.username}:${opts.auth.password}`);
      execFileSync('skopeo', [...args, src, `docker://${host}/${name}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    },
    blobFile(digest) {
      const hex = digest.replace(/^sha256:/, '');
      return path.join(storage, 'docker', 'registry', 'v2', 'blobs', 'sha256', hex.slice(0, 2), hex, 'data');
    },
    async stop() {
      if (proc.exitCode === null) {
        const gone = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        const t = setTimeout(() => proc.kill('SIGKILL'), 3000);
        await gone;
        clearTimeout(t);
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Registries left by a test process that died before stop(): killed (by their recorded pid) and removed. */
function reapStale(): void {
  for (const n of fs.readdirSync(os.tmpdir())) {
    if (!n.startsWith('pier-registry-')) continue;
    const dir = path.join(os.tmpdir(), n);
    const read = (f: string) => { try { return Number(fs.readFileSync(path.join(dir, f), 'utf8')); } catch { return 0; } };
    const owner = read('owner.pid');
    if (!owner || fs.existsSync(`/proc/${owner}`)) continue;
    const pid = read('registry.pid');
    try {
      if (pid && fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dir)) process.kill(pid, 'SIGKILL');
    } catch { /* already gone */ }
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function waitReady(url: string, child: ChildProcess): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) return false;
    try {
      const r = await fetch(url);
      await r.body?.cancel();
      if (r.status === 200 || r.status === 401) return true;
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}
