// The UI's RPC for volumes, commit and build on a real engine (conmon + runc, isolated root): volume rows with
// sizes and users, read-only browsing confined to the volume, build of a host folder with step/output events
// and cancel, "Save as image".
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { openEngine } from '../../electron/engine/open.ts';
import type { Engine } from '../../electron/engine/engine.ts';
import { connect, type RpcConnection } from '../../electron/rpc/dispatcher.ts';
import type { ServerMessage } from '../../electron/common/contract.ts';
import type { EngineEvent } from '../../electron/common/types.ts';
import { testDirs, type TestDirs } from '../helpers/rootfs.ts';

const skip = process.getuid?.() === 0 ? false : 'needs root for conmon/runc';
type Progress = Extract<EngineEvent, { type: 'progress' }>;

describe('volumes, commit and build over RPC', { skip }, () => {
  let dirs: TestDirs, engine: Engine, conn: RpcConnection;
  const got: ServerMessage[] = [];
  const events = () => got.flatMap((m) => (m.t === 'event' ? [m.payload] : []));
  const buildEvents = (task: string) => events().filter((e): e is Progress => e.type === 'progress' && e.kind === 'build' && e.task === task);
  const until = async <T>(fn: () => T | undefined | false, what: string, ms = 60_000): Promise<T> => {
    const t0 = Date.now();
    for (;;) {
      const v = fn();
      if (v) return v;
      if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const call = (m: string, p: unknown) => conn.call(m, p) as Promise<any>;
  const rejects = async (m: string, p: unknown, re: RegExp) => assert.rejects(conn.call(m, p), (e: Error) => { assert.match(e.message, re); return true; });

  before(async () => {
    dirs = testDirs('pier-vbr-');
    engine = await openEngine({ root: dirs.root, runroot: dirs.runroot });
    const { buildTestImages } = await import('../../scripts/build-test-images.ts');
    await engine.images!.load((await buildTestImages()).dockerArchive);
    conn = connect(engine, { send: (m) => got.push(m) });
  });
  after(async () => {
    conn.close();
    for (const c of engine.containers.list()) await engine.containers.remove(c.id, { force: true }).catch(() => undefined);
    await engine.images?.close().catch(() => undefined);
    await engine.close();
    dirs.cleanup();
  });

  test('volume rows, browse confined to the volume, in-use refusal, prune', async () => {
    const v = await call('volumes.create', { name: 'data1', labels: { team: 'a' } });
    assert.deepEqual([v.name, v.size, v.usedBy, v.anonymous], ['data1', 0, [], false]);
    await rejects('volumes.create', { name: 'data1' }, /already exists/);
    await rejects('volumes.create', { name: '../x' }, /invalid name/);
    const c = await call('containers.create', { image: 'pier-test/busybox', name: 'vuser', cmd: ['sh', '-c', 'mkdir -p /data/sub && echo hello > /data/sub/a.txt && ln -s /etc /data/esc && ln -s ../../../../.. /data/up'],
      volumes: [{ name: 'data1', destination: '/data' }], start: true, tty: false });
    assert.equal(await engine.containers.wait(c.id), 0);
    const row = (await call('volumes.list', {})).find((r: { name: string }) => r.name === 'data1');
    assert.deepEqual(row.usedBy.map((u: { name: string }) => u.name), ['vuser']);
    assert.equal(row.size > 0, true);
    const top = await call('volumes.browse', { name: 'data1', path: '' });
    assert.equal(top.kind, 'dir');
    assert.deepEqual(top.entries.map((e: { name: string; type: string }) => `${e.name}:${e.type}`), ['sub:dir', 'esc:symlink', 'up:symlink']);
    assert.equal(top.entries.find((e: { name: string }) => e.name === 'esc').target, '/etc');
    const file = await call('volumes.browse', { name: 'data1', path: 'sub/a.txt' });
    assert.deepEqual([file.kind, file.text, file.truncated, file.binary], ['file', 'hello\n', false, false]);
    // symlinks resolve inside the volume: /etc of the volume does not exist, "up" is the volume's own root
    await rejects('volumes.browse', { name: 'data1', path: 'esc/passwd' }, /does not exist/);
    await rejects('volumes.browse', { name: 'data1', path: 'up/etc/passwd' }, /does not exist/);
    await rejects('volumes.browse', { name: 'data1', path: '../../etc/passwd' }, /inside the volume/);
    await rejects('volumes.browse', { name: 'data1', path: 'esc' }, /does not exist/);
    assert.deepEqual((await call('volumes.browse', { name: 'data1', path: 'up/sub' })).entries.map((e: { name: string }) => e.name), ['a.txt']);
    await rejects('volumes.remove', { name: 'data1' }, /in use/);
    assert.deepEqual((await call('volumes.prune', { all: true })).deleted, []);
    await call('containers.remove', { id: c.id });
    await call('volumes.create', { name: 'data2' });
    const pruned = await call('volumes.prune', { all: true });
    assert.deepEqual(pruned.deleted.sort(), ['data1', 'data2']);
    assert.ok(events().some((e) => e.type === 'volume' && e.action === 'destroy' && e.id === 'data1'));
  });

  test('build a folder: steps and output as events, the image announced and runnable', async () => {
    const ctx = path.join(dirs.base, 'app');
    mkdirSync(path.join(ctx, 'skip'), { recursive: true });
    writeFileSync(path.join(ctx, 'Dockerfile'), 'FROM pier-test/busybox\nARG WHO=nobody\nCOPY hello.txt /hello.txt\nRUN echo "built by $WHO" > /by.txt && echo step-output\nCMD ["cat", "/by.txt"]\n');
    writeFileSync(path.join(ctx, 'hello.txt'), 'hi\n');
    writeFileSync(path.join(ctx, 'skip', 'big.bin'), 'x');
    writeFileSync(path.join(ctx, '.dockerignore'), 'skip\n');
    await rejects('images.build', { context: path.join(dirs.base, 'nope') }, /does not exist/);
    await rejects('images.build', { context: ctx, dockerfile: '../Dockerfile' }, /inside the folder/);
    await rejects('images.build', { context: ctx, tags: ['Bad Tag'] }, /invalid tags/);
    const { task, dockerfile } = await call('images.build', { context: ctx, tags: ['app:1'], buildArgs: { WHO: 'rpc' } });
    assert.equal(dockerfile, 'Dockerfile');
    const end = await until(() => buildEvents(task).find((e) => e.done), 'build end');
    assert.equal(end.error, undefined, end.error);
    const evs = buildEvents(task);
    assert.deepEqual(evs.filter((e) => /^Step /.test(e.status)).map((e) => `${e.current}/${e.total}`), ['1/5', '2/5', '3/5', '4/5', '5/5']);
    assert.match(evs.map((e) => e.text ?? '').join(''), /step-output/);
    assert.ok(events().some((e) => e.type === 'image' && e.action === 'built' && e.id === end.imageId));
    const img = (await call('images.list', {})).find((i: { repoTags: string[] }) => i.repoTags.includes('app:1'));
    assert.equal(img.id, end.imageId);
    const r = await engine.containers.create({ image: 'app:1' });
    await engine.containers.start(r.id);
    assert.equal(await engine.containers.wait(r.id), 0);
    let out = '';
    for await (const l of engine.containers.logs(r.id, {})) out += l.line.toString();
    assert.equal(out, 'built by rpc');
    const files = execFileSync('sh', ['-c', `ls ${path.join(dirs.root, 'build')} | grep ctx- || true`]).toString();
    assert.equal(files, '', 'context work dir removed');
  });

  test('a failing RUN names the step, command and exit code; cancel kills a running step', async () => {
    const ctx = path.join(dirs.base, 'fail');
    mkdirSync(ctx, { recursive: true });
    writeFileSync(path.join(ctx, 'Dockerfile'), 'FROM pier-test/busybox\nRUN exit 3\n');
    const { task } = await call('images.build', { context: ctx });
    const end = await until(() => buildEvents(task).find((e) => e.done), 'failed build');
    assert.match(end.error ?? '', /step 2\/2: The command '\/bin\/sh -c exit 3' returned a non-zero code: 3/);
    writeFileSync(path.join(ctx, 'Dockerfile'), 'FROM pier-test/busybox\nRUN echo started; sleep 60\nRUN echo never\n');
    const before = engine.containers.list().length;
    const b = await call('images.build', { context: ctx });
    await until(() => buildEvents(b.task).some((e) => /started/.test(e.text ?? '')), 'RUN started');
    await call('images.buildCancel', { task: b.task });
    const c = await until(() => buildEvents(b.task).find((e) => e.done), 'cancelled', 20_000);
    assert.match(c.error ?? '', /cancelled at step 2\/3/);
    assert.equal(engine.containers.list().length, before, 'the step container is removed');
    await rejects('images.buildCancel', { task: b.task }, /no running build/);
    const fifo = path.join(dirs.base, 'fifo-ctx');
    mkdirSync(fifo);
    writeFileSync(path.join(fifo, 'Dockerfile'), 'FROM pier-test/busybox\n');
    execFileSync('mkfifo', [path.join(fifo, 'pipe')]);
    const f = await call('images.build', { context: fifo });
    const fe = await until(() => buildEvents(f.task).find((e) => e.done), 'fifo refusal');
    assert.match(fe.error ?? '', /pipe is a named pipe/);
  });

  test('Save as image: a running container paused, the new image holds its change', async () => {
    const c = await call('containers.create', { image: 'pier-test/busybox', name: 'saver', cmd: ['sh', '-c', 'echo saved > /state.txt; echo ready; while :; do sleep 0.2; done'], start: true, tty: false });
    for (let t0 = Date.now(); !(await call('containers.logs', { id: c.id })).some((l: { text: string }) => l.text === 'ready');) {
      if (Date.now() - t0 > 10_000) throw new Error('container never said ready');
      await new Promise((r) => setTimeout(r, 20));
    }
    const img = await call('containers.commit', { id: 'saver', ref: 'saved/app:v1', comment: 'from rpc', author: 'me', changes: ['ENV MODE=saved'] });
    assert.deepEqual(img.repoTags, ['saved/app:v1']);
    assert.ok(events().some((e) => e.type === 'container' && e.action === 'paused' && e.id === c.id));
    const ins = await call('images.inspect', { ref: 'saved/app:v1' });
    assert.ok(JSON.stringify(ins).includes('MODE=saved'));
    await rejects('containers.commit', { id: 'saver', ref: 'UPPER/x' }, /invalid ref/);
    await rejects('containers.commit', { id: 'nosuch' }, /nosuch/);
    const r = await engine.containers.create({ image: 'saved/app:v1', cmd: ['cat', '/state.txt'] });
    await engine.containers.start(r.id);
    assert.equal(await engine.containers.wait(r.id), 0);
    let out = '';
    for await (const l of engine.containers.logs(r.id, {})) out += l.line.toString();
    assert.equal(out, 'saved');
  });
});
