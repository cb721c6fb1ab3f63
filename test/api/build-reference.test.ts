// The same Dockerfile built by Pier (docker build → pier serve) and by podman build (buildah, isolated root):
// the saved images give the same files (type, mode, owner, content) and the same config fields.
// podman's RUN leaves the empty mount points it created (/etc/hosts, /etc/resolv.conf, /run) in its layer;
// those are ignored.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync, lstatSync, readdirSync, readlinkSync } from 'node:fs';
import crypto from 'node:crypto';
import path from 'node:path';
import { startPierWithImages, stopPier, docker, testImages, DOCKER, type PierServer } from './helpers';

const hasPodman = spawnSync('podman', ['--version'], { stdio: 'ignore' }).status === 0;
const skip = !existsSync(DOCKER) ? `${DOCKER} not installed` : process.getuid?.() !== 0 ? 'needs root' : !hasPodman ? 'podman not installed' : undefined;
let srv: PierServer;
const IGNORED = new Set(['etc/hosts', 'etc/resolv.conf', 'etc/hostname', 'run']);

/** Unpacks a docker-archive's layers in order into `dir` (no deletions in this Dockerfile); returns its config. */
function flatten(archive: string, dir: string): { config: Record<string, unknown> } {
  const x = `${dir}.x`;
  mkdirSync(x, { recursive: true });
  mkdirSync(dir, { recursive: true });
  execFileSync('tar', ['-xf', archive, '-C', x]);
  const m = JSON.parse(readFileSync(path.join(x, 'manifest.json'), 'utf8'))[0];
  for (const l of m.Layers as string[]) execFileSync('tar', ['-xpf', path.join(x, l), '-C', dir, '--exclude=.wh.*']);
  return { config: JSON.parse(readFileSync(path.join(x, m.Config), 'utf8')).config };
}

function listing(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const n of readdirSync(path.join(dir, rel)).sort()) {
      const r = rel ? `${rel}/${n}` : n;
      if (IGNORED.has(r)) continue;
      const st = lstatSync(path.join(dir, r));
      const what = st.isDirectory() ? 'd' : st.isSymbolicLink() ? `l:${readlinkSync(path.join(dir, r))}` : `f:${crypto.createHash('sha256').update(readFileSync(path.join(dir, r))).digest('hex').slice(0, 16)}`;
      out.push(`${r} ${what} ${(st.mode & 0o7777).toString(8)} ${st.uid}:${st.gid}`);
      if (st.isDirectory()) walk(r);
    }
  };
  walk('');
  return out;
}

describe('build compared with podman build', { skip }, () => {
  before(async () => { srv = await startPierWithImages(); });
  after(async () => {
    await stopPier(srv);
  });

  test('same files and config', async () => {
    const ctx = path.join(srv.dir, 'refctx');
    mkdirSync(path.join(ctx, 'src', 'sub'), { recursive: true });
    writeFileSync(path.join(ctx, 'src', 'a.txt'), 'a\n');
    writeFileSync(path.join(ctx, 'src', 'sub', 'b.sh'), '#!/bin/sh\necho b\n', { mode: 0o755 });
    writeFileSync(path.join(ctx, 'Dockerfile'), [
      'FROM pier-test/busybox AS build', 'RUN mkdir -p /out && echo compiled > /out/bin.txt',
      'FROM pier-test/busybox', 'ARG V=1', 'ENV APP=/app VERSION=$V', 'WORKDIR /app', 'COPY src/ ./src/',
      'COPY --from=build /out/bin.txt /app/bin.txt', 'COPY --chown=1000:1000 src/a.txt /home/a.txt',
      'RUN echo "built $VERSION" > /app/out.txt && ln -s /app/out.txt /app/link', 'USER 1000', 'EXPOSE 8080/tcp',
      'LABEL org.example=ref', 'STOPSIGNAL SIGINT', 'CMD ["cat", "/app/out.txt"]', '',
    ].join('\n'));
    const pierOut = path.join(srv.dir, 'pier.tar');
    const r = await docker(srv, ['build', '--network', 'host', '-t', 'ref:pier', ctx], { timeout: 120_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await docker(srv, ['save', '-o', pierOut, 'ref:pier'])).code, 0);
    const P = ['--root', path.join(srv.dir, 'podman'), '--runroot', path.join(srv.dir, 'podman-run'), '--runtime', 'runc', '--cgroup-manager', 'cgroupfs', '--events-backend', 'file'];
    const podOut = path.join(srv.dir, 'podman.tar');
    try {
      execFileSync('podman', [...P, 'load', '-q', '-i', await testImages()], { stdio: 'ignore' });
      execFileSync('podman', [...P, 'build', '--network', 'host', '-q', '-t', 'ref:podman', ctx], { stdio: 'ignore', timeout: 120_000 });
      execFileSync('podman', [...P, 'save', '-q', '-o', podOut, 'ref:podman']);
    } finally {
      spawnSync('podman', [...P, 'system', 'reset', '-f'], { stdio: 'ignore' });
    }
    const a = flatten(pierOut, path.join(srv.dir, 'fs-pier'));
    const b = flatten(podOut, path.join(srv.dir, 'fs-podman'));
    assert.deepEqual(listing(path.join(srv.dir, 'fs-pier')), listing(path.join(srv.dir, 'fs-podman')));
    for (const k of ['Env', 'Cmd', 'WorkingDir', 'User', 'ExposedPorts', 'StopSignal', 'Entrypoint']) {
      assert.deepEqual(a.config[k], b.config[k], `config ${k}`);
    }
    assert.equal((a.config.Labels as Record<string, string>)['org.example'], 'ref');
    assert.equal((b.config.Labels as Record<string, string>)['org.example'], 'ref');
  });
});
