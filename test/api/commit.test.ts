// docker commit against `pier serve`: the upper directory as one layer (whiteouts, opaque directories),
// --change instructions, author/message, pause of a running container, and the round trip (run the result).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { startPierWithImages, stopPier, docker, DOCKER, type PierServer } from './helpers';

const IMG = 'pier-test/busybox';
const skipAll = !existsSync(DOCKER) ? `${DOCKER} not installed` : process.getuid?.() !== 0 ? 'needs root (conmon + runc)' : undefined;
let srv: PierServer;

async function ok(args: string[]): Promise<string> {
  const r = await docker(srv, args);
  assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** The entries of the top layer of a saved image. */
async function topLayerEntries(image: string): Promise<string[]> {
  const dir = path.join(srv.dir, `save-${Date.now()}`);
  mkdirSync(dir);
  await ok(['save', '-o', path.join(dir, 'img.tar'), image]);
  execFileSync('tar', ['-xf', 'img.tar'], { cwd: dir });
  const m = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'))[0];
  return execFileSync('tar', ['-tf', m.Layers.at(-1)], { cwd: dir }).toString().trim().split('\n');
}

describe('docker commit', { skip: skipAll }, () => {
  before(async () => { srv = await startPierWithImages(); });
  after(() => stopPier(srv));

  test('changes, whiteouts and opaque directories round-trip into a new image', async () => {
    await ok(['run', '--name', 'c1', IMG, 'sh', '-c',
      'echo hi > /etc/pier/new.txt; rm /etc/pier/delete-me.txt; mkdir -p /opt/app; echo app > /opt/app/a; rm -rf /etc/pier; mkdir /etc/pier; echo only > /etc/pier/only.txt; rm /etc/group']);
    const since = String(Math.floor(Date.now() / 1000) - 1);
    const id = (await ok(['commit', '-a', 'Pier Tester', '-m', 'first commit',
      '-c', 'CMD ["cat", "/etc/pier/only.txt"]', '-c', 'ENV COMMITTED=yes', '-c', 'EXPOSE 8080', '-c', 'LABEL stage=committed',
      '-c', 'WORKDIR /opt/app', '-c', 'VOLUME /data', '-c', 'STOPSIGNAL SIGINT', 'c1', 'committed:v1'])).trim();
    assert.match(id, /^sha256:[0-9a-f]{64}$/);
    // as dockerd: a container event `commit` naming the new image
    const events = await ok(['events', '--filter', 'container=c1', '--filter', 'event=commit', '--since', since,
      '--until', String(Math.floor(Date.now() / 1000) + 1), '--format',
      '{{.Type}} {{.Action}}|{{.Actor.Attributes.imageID}}|{{.Actor.Attributes.imageRef}}|{{.Actor.Attributes.comment}}|{{.Actor.Attributes.name}}']);
    assert.equal(events, `container commit|${id}|committed:v1|first commit|c1\n`);
    const insp = JSON.parse(await ok(['image', 'inspect', 'committed:v1']))[0];
    assert.equal(insp.Author, 'Pier Tester');
    assert.equal(insp.Comment, 'first commit');
    assert.deepEqual(insp.Config.Cmd, ['cat', '/etc/pier/only.txt']);
    assert.ok(insp.Config.Env.includes('COMMITTED=yes'));
    assert.ok(insp.Config.Env.includes('PIER_TEST=busybox'));
    assert.deepEqual(insp.Config.ExposedPorts, { '8080/tcp': {} });
    assert.equal(insp.Config.Labels.stage, 'committed');
    assert.equal(insp.Config.Labels['org.pier.test'], 'busybox');
    assert.equal(insp.Config.WorkingDir, '/opt/app');
    assert.deepEqual(insp.Config.Volumes, { '/data': {} });
    assert.equal(insp.Config.StopSignal, 'SIGINT');
    const base = JSON.parse(await ok(['image', 'inspect', IMG]))[0];
    assert.equal(insp.RootFS.Layers.length, base.RootFS.Layers.length + 1);
    assert.equal(insp.Parent, base.Id);
    const hist = await ok(['history', '--no-trunc', '--format', '{{.Comment}}|{{.CreatedBy}}', 'committed:v1']);
    assert.match(hist.split('\n')[0], /^first commit\|\/bin\/busybox sh -c echo hi/);

    const entries = await topLayerEntries('committed:v1');
    assert.ok(entries.includes('etc/.wh.group'), entries.join(' '));
    assert.ok(entries.includes('etc/pier/.wh..wh..opq'), entries.join(' '));
    assert.ok(entries.includes('opt/app/a'));

    // the committed image runs with its new defaults and files
    assert.equal(await ok(['run', '--rm', 'committed:v1']), 'only\n');
    const files = await ok(['run', '--rm', 'committed:v1', 'sh', '-c', 'pwd; ls /etc/pier; cat a; test -e /etc/group || echo no-group']);
    assert.equal(files, '/opt/app\nonly.txt\napp\nno-group\n');
    await ok(['rm', 'c1']);
  });

  test('a running container is paused during commit and keeps running', async () => {
    await ok(['run', '-d', '--name', 'c2', IMG, 'sh', '-c', 'echo live > /live.txt; while true; do sleep 1; done']);
    // the file exists before the commit reads the upper directory
    for (let i = 0; i < 100 && (await docker(srv, ['exec', 'c2', 'cat', '/live.txt'])).code !== 0; i++) await new Promise((r) => setTimeout(r, 50));
    const events = docker(srv, ['events', '--filter', 'container=c2', '--filter', 'event=pause', '--filter', 'event=unpause', '--format', '{{.Action}}', '--since', String(Math.floor(Date.now() / 1000) - 1), '--until', String(Math.floor(Date.now() / 1000) + 4)]);
    await ok(['commit', 'c2', 'committed:live']);
    assert.equal(JSON.parse(await ok(['inspect', 'c2']))[0].State.Status, 'running');
    assert.equal((await events).stdout, 'pause\nunpause\n');
    assert.equal(await ok(['run', '--rm', 'committed:live', 'cat', '/live.txt']), 'live\n');
    await ok(['rm', '-f', 'c2']);
  });

  test('commit of a missing container and bad changes are clear errors', async () => {
    const missing = await docker(srv, ['commit', 'no-such-container', 'x:y']);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /No such container: no-such-container/);
    await ok(['create', '--name', 'c3', IMG, 'true']);
    const bad = await docker(srv, ['commit', '-c', 'RUN echo no', 'c3', 'x:y']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /RUN is not a valid change for commit/);
    const images = await ok(['images', '-q', 'x']);
    assert.equal(images, '');
    await ok(['rm', 'c3']);
  });
});
