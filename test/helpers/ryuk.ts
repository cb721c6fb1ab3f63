// Builds the Ryuk stand-in (test/fixtures/ryuk: one static C binary, FROM scratch) for testcontainers and loads
// it into a Docker-API server with `docker build`. No registry is reachable here, so Ryuk's image cannot be
// pulled; the stand-in speaks the same protocol (see ryuk.c).
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const FIXTURE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'ryuk');
export const RYUK_IMAGE = 'pier-test/ryuk:1';

/** Why the stand-in cannot be built here, or undefined. */
export function ryukSkipReason(): string | undefined {
  try { execFileSync('gcc', ['--version'], { stdio: 'ignore' }); } catch { return 'gcc not installed (builds the Ryuk stand-in)'; }
  if (!fs.existsSync('/usr/lib/x86_64-linux-gnu/libc.a') && !fs.existsSync('/usr/lib/libc.a')) return 'no static libc (libc6-dev)';
  return undefined;
}

/** A build context directory with the compiled binary and the Dockerfile; cached by the source's hash. */
export function ryukContext(): string {
  const src = fs.readFileSync(path.join(FIXTURE, 'ryuk.c'));
  const dockerfile = fs.readFileSync(path.join(FIXTURE, 'Dockerfile'));
  const hash = crypto.createHash('sha256').update(src).update(dockerfile).digest('hex').slice(0, 16);
  const dir = path.join(os.tmpdir(), `pier-ryuk-${hash}`);
  if (fs.existsSync(path.join(dir, 'ryuk'))) return dir;
  const tmp = `${dir}.tmp-${process.pid}`;
  fs.mkdirSync(tmp, { recursive: true });
  execFileSync('gcc', ['-static', '-O2', '-s', '-o', path.join(tmp, 'ryuk'), path.join(FIXTURE, 'ryuk.c')]);
  fs.copyFileSync(path.join(FIXTURE, 'Dockerfile'), path.join(tmp, 'Dockerfile'));
  fs.rmSync(dir, { recursive: true, force: true });
  fs.renameSync(tmp, dir);
  return dir;
}

/** Builds RYUK_IMAGE into the server the docker CLI environment `env` points at. */
export function buildRyukImage(env: NodeJS.ProcessEnv, docker = '/usr/local/bin/docker'): string {
  execFileSync(docker, ['build', '-q', '-t', RYUK_IMAGE, ryukContext()], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  return RYUK_IMAGE;
}
