// docker build (classic builder protocol, the CLI here has no buildx) against `pier serve`: a multi-stage
// Dockerfile with ARG, ENV, WORKDIR, COPY (--from, --chown, --chmod, globs), RUN (shell, heredoc), USER,
// .dockerignore; the layer cache (unchanged rebuild runs no RUN; one changed file reruns only later steps);
// failures and hostile contexts.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { startPierWithImages, stopPier, docker, request, DOCKER, type PierServer } from './helpers';
import { packTar } from '../helpers/tar';

const skipAll = !existsSync(DOCKER) ? `${DOCKER} not installed` : process.getuid?.() !== 0 ? 'needs root (conmon + runc)' : undefined;
let srv: PierServer;
let ctx: string;

const DOCKERFILE = [
  'ARG BASE=pier-test/busybox',
  'FROM ${BASE} AS build',
  'ARG GREETING=hi',
  'ENV APP=/app',
  'WORKDIR $APP',
  'COPY src/ ./src/',
  'RUN echo "$GREETING from build" > out.txt && cat src/*.txt >> out.txt',
  'RUN <<EOF',
  'echo heredoc >> out.txt',
  'EOF',
  '',
  'FROM pier-test/busybox',
  'COPY --from=build /app/out.txt /final/out.txt',
  'COPY --chown=1000:1000 --chmod=600 src/*.txt /final/',
  'COPY . /ctx/',
  'USER 1000',
  'EXPOSE 8080',
  'LABEL stage=final',
  'CMD ["cat", "/final/out.txt"]',
].join('\n') + '\n';

async function ok(args: string[]): Promise<string> {
  const r = await docker(srv, args, { timeout: 120_000 });
  assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

/** POST /build with a raw tar; the JSON messages. */
async function rawBuild(tar: Buffer, q = 't=hostile:1'): Promise<{ status: number; messages: Array<Record<string, unknown>>; body: string }> {
  const r = await request(srv.socket, 'POST', `/build?${q}`, tar, { 'Content-Type': 'application/x-tar' });
  const messages = r.status === 200 ? r.body.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, unknown>) : [];
  return { status: r.status, messages, body: r.body };
}

describe('docker build', { skip: skipAll }, () => {
  before(async () => {
    process.env.PIER_BUILD_CONTEXT_MAX = String(20 << 20); // read by pier serve: a small limit for the huge-file case
    srv = await startPierWithImages();
    delete process.env.PIER_BUILD_CONTEXT_MAX;
    ctx = path.join(srv.dir, 'ctx');
    mkdirSync(path.join(ctx, 'src'), { recursive: true });
    mkdirSync(path.join(ctx, 'ignored'));
    writeFileSync(path.join(ctx, 'Dockerfile'), DOCKERFILE);
    writeFileSync(path.join(ctx, 'src', 'a.txt'), 'a\n');
    writeFileSync(path.join(ctx, 'src', 'b.txt'), 'b\n');
    writeFileSync(path.join(ctx, 'ignored', 'secret'), 'secret\n');
    writeFileSync(path.join(ctx, 'debug.log'), 'log\n');
    writeFileSync(path.join(ctx, '.dockerignore'), 'ignored\n*.log\n');
  });
  after(() => stopPier(srv));

  test('multi-stage build: steps, the result runs with its files and config', async () => {
    const out = await ok(['build', '-t', 'built:1', '--build-arg', 'GREETING=hello', ctx]);
    assert.match(out, /^Step 1\/16 : ARG BASE=pier-test\/busybox$/m);
    assert.match(out, /^Step 10\/16 : COPY --from=build \/app\/out.txt \/final\/out.txt$/m);
    assert.match(out, /Running in [0-9a-f]{12}/);
    assert.match(out, /Successfully built [0-9a-f]{12}\nSuccessfully tagged built:1\n/);
    assert.equal(await ok(['run', '--rm', 'built:1']), 'hello from build\na\nb\nheredoc\n');
    const files = await ok(['run', '--rm', 'built:1', 'sh', '-c', 'id -u; ls -ln /final | tail -n +2 | awk \'{print $1, $3, $4, $9}\'; ls -A /ctx']);
    assert.equal(files, '1000\n-rw------- 1000 1000 a.txt\n-rw------- 1000 1000 b.txt\n-rw-r--r-- 0 0 out.txt\n.dockerignore\nDockerfile\nsrc\n');
    const insp = JSON.parse(await ok(['image', 'inspect', 'built:1']))[0];
    assert.equal(insp.Config.User, '1000');
    assert.deepEqual(insp.Config.Cmd, ['cat', '/final/out.txt']);
    assert.deepEqual(insp.Config.ExposedPorts, { '8080/tcp': {} });
    assert.equal(insp.Config.Labels.stage, 'final');
    // intermediate containers are gone; of the step images only the build stage's last one is listed (as dockerd)
    assert.equal((await ok(['ps', '-aq'])).trim(), '');
    assert.equal((await ok(['images'])).match(/<none>/g)?.length, 2);
    assert.ok((await ok(['images', '-a'])).match(/<none>/g)!.length >= 12);
  });

  test('unchanged rebuild runs no RUN; one changed file reruns only the later steps', async () => {
    const again = await ok(['build', '-t', 'built:1', '--build-arg', 'GREETING=hello', ctx]);
    assert.doesNotMatch(again, /Running in/);
    assert.equal(again.match(/Using cache/g)?.length, 13);
    writeFileSync(path.join(ctx, 'src', 'b.txt'), 'B changed\n');
    const changed = await ok(['build', '-t', 'built:2', '--build-arg', 'GREETING=hello', ctx]);
    const steps = changed.split(/^Step /m).slice(1);
    const cachedStep = (n: number) => /Using cache/.test(steps[n - 1]);
    assert.ok(cachedStep(3) && cachedStep(4) && cachedStep(5), changed);
    assert.ok(!cachedStep(6) && !cachedStep(7), changed);
    assert.equal(await ok(['run', '--rm', 'built:2']), 'hello from build\na\nB changed\nheredoc\n');
  });

  test('a failing RUN names the step, the command and the exit code', async () => {
    const dir = path.join(srv.dir, 'failing');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'Dockerfile'), 'FROM pier-test/busybox\nRUN echo before\nRUN sh -c "exit 3"\n');
    const r = await docker(srv, ['build', '--force-rm', dir]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr + r.stdout, /step 3\/3: The command '\/bin\/sh -c sh -c "exit 3"' returned a non-zero code: 3/);
    assert.equal((await ok(['ps', '-aq'])).trim(), '');
  });

  test('hostile contexts: clear errors, nothing written outside', async () => {
    const outside = path.join(path.dirname(srv.root), 'escaped');
    const climb = await rawBuild(await packTar([{ name: 'Dockerfile', data: 'FROM pier-test/busybox\n' }, { name: `../../../../../../..${outside}`, data: 'x' }]));
    assert.equal(climb.status, 400, climb.body);
    assert.match(climb.body, /climbs out/);
    assert.equal(existsSync(outside), false);

    const link = await rawBuild(await packTar([
      { name: 'Dockerfile', data: 'FROM pier-test/busybox\nCOPY escape/passwd /x\n' },
      { name: 'escape', type: 'symlink', linkname: '/etc' },
    ]));
    assert.equal(link.status, 200);
    assert.match(String(link.messages.at(-1)?.error), /file not found in build context/);

    const dev = await rawBuild(await packTar([{ name: 'Dockerfile', data: 'FROM pier-test/busybox\n' }, { name: 'null', type: 'character-device', devmajor: 1, devminor: 3 }]));
    assert.equal(dev.status, 400);
    assert.match(dev.body, /device files cannot be copied/);

    const url = await rawBuild(await packTar([{ name: 'Dockerfile', data: 'FROM pier-test/busybox\nADD http://127.0.0.1:1/x /x\n' }]));
    assert.match(String(url.messages.at(-1)?.error), /downloading URLs is not supported/);

    const huge = await rawBuild(await packTar([{ name: 'Dockerfile', data: 'FROM pier-test/busybox\n' }, { name: 'big', data: Buffer.alloc(21 << 20) }]));
    assert.equal(huge.status, 400);
    assert.match(huge.body, /larger than the limit|unpacks to more than/);

    const noDockerfile = await rawBuild(await packTar([{ name: 'other', data: 'x' }]));
    assert.match(String(noDockerfile.messages.at(-1)?.error ?? noDockerfile.body), /Cannot locate specified Dockerfile: Dockerfile/);

    // nothing left behind: no build directories, no tagged image
    assert.deepEqual(readdirSync(path.join(srv.root, 'build')).filter((n) => n.startsWith('ctx-')), []);
    assert.equal((await ok(['images', '-q', 'hostile'])).trim(), '');
  });
});
