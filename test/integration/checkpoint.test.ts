// Checkpoint/restore with real CRIU (runc + conmon), export/import archives, podman
// interop both ways, hostile archives with a canary, and the CLI over a unix socket.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { execFileSync, spawnSync } from 'node:child_process';
import * as tar from 'tar-stream';
import { openEngine } from '../../electron/engine/open';
import type { Engine } from '../../electron/engine/engine';
import type { EngineEvent } from '../../electron/common/types';
import { handleCheckpoint, handleRestore } from '../../electron/engine/checkpoint/http';
import { checkpointCommand } from '../../electron/cli-checkpoint';
import { packTar as packEntries } from '../helpers/tar';
import { testDirs, type TestDirs } from '../helpers/rootfs';
import { until, readIfExists } from '../helpers/wait';
import { buildTestImages, type TestImages } from '../../scripts/build-test-images';

let d: TestDirs;
let engine: Engine;
let imgs: TestImages;
let imageRef: string;
const events: EngineEvent[] = [];
const COUNTER = 'echo before > /marker; i=0; while true; do i=$((i+1)); echo $i; echo $i > /tmp/counter; sleep 0.1; done';
const hasPodman = spawnSync('podman', ['--version']).status === 0;

before(async () => {
  d = testDirs('pier-cpt-');
  engine = await openEngine({ root: d.root, runroot: d.runroot });
  engine.events.subscribe((e) => events.push(e));
  imgs = await buildTestImages();
  const loaded = await engine.images!.load(imgs.dockerArchive);
  imageRef = loaded.find((i) => i.repoTags.some((t) => t.includes('busybox')))!.repoTags[0];
});
after(async () => {
  for (const c of engine.containers.list()) await engine.containers.remove(c.id, { force: true }).catch(() => undefined);
  await engine.close();
  d.cleanup();
});

/** Root filesystem path of a container as the host sees it. */
function rootOf(id: string): string {
  const r = engine.containers.get(id);
  return r.config.rootfs ?? engine.snapshotter!.diffDir(id)!; // upper dir holds every file the container wrote
}
/** The counter's value (the writer truncates before it writes: an empty read is read again). */
async function counterFile(id: string): Promise<number> {
  const file = path.join(rootOf(id), 'tmp/counter');
  return until(async () => { const s = (await readIfExists(file))?.trim(); return s ? Number(s) : undefined; }, `${file} to hold a number`);
}
/** The counter of a container whose dump ended it: empty (0) when the dump came between truncate and write. */
const dumpedCount = (id: string) => Number(fs.readFileSync(path.join(rootOf(id), 'tmp/counter'), 'utf8').trim());
/** Waits until the counter went past `n`. */
const countsPast = (id: string, n: number) => until(async () => (await counterFile(id)) > n, `the counter of ${id} to pass ${n}`);

async function loggedNumbers(id: string): Promise<number[]> {
  const out: number[] = [];
  for await (const l of engine.containers.logs(id, {})) {
    const t = l.line.toString().trim();
    if (/^\d+$/.test(t)) out.push(Number(t));
  }
  return out;
}

/** The logged numbers once the log shows the counter a few steps past `n`. */
const loggedPast = (id: string, n: number) => until(async () => { const nums = await loggedNumbers(id); return (nums.at(-1) ?? 0) > n + 2 && nums; }, `the log of ${id} to pass ${n + 2}`);

async function counter(name: string, o: { rootfs?: string } = {}) {
  const c = await engine.containers.create({ name, ...(o.rootfs ? { rootfs: o.rootfs } : { image: imageRef }), entrypoint: [], cmd: ['sh', '-c', COUNTER] });
  await engine.containers.start(c.id);
  await countsPast(c.id, 2);
  return c.id;
}

function assertContinues(nums: number[], dumped: number) {
  assert.ok(nums.length > 3, 'the container logged numbers');
  for (let i = 1; i < nums.length; i++) assert.equal(nums[i], nums[i - 1] + 1, `counter continues without restarting (…${nums.slice(Math.max(0, i - 3), i + 2).join(',')}…)`);
  assert.ok(nums[nums.length - 1] > dumped, `counter went on past the dumped value ${dumped}`);
}

const cps = () => engine.checkpoints!;

test('capability: CRIU works here; pre-dump is refused up front when the kernel lacks mem_dirty_track', async () => {
  const cap = cps().capability();
  assert.equal(cap.supported, true, cap.reason);
  assert.equal(cap.runtime.checkpoint, true);
  if (!cap.criu!.memDirtyTrack) {
    assert.equal(cap.preDump, false);
    assert.match(cap.preDumpReason!, /mem_dirty_track/);
    const id = await counter('predump');
    await assert.rejects(cps().create(id, { preDump: true }), (e: Error & { code?: string }) => e.code === 'ENOTSUP' && /mem_dirty_track/.test(e.message));
    assert.equal(engine.containers.inspect(id).status, 'running', 'refused before touching the container');
    assert.equal((await cps().list(id)).length, 0);
    await engine.containers.remove(id, { force: true });
  }
});

test('CRIU missing or broken: a clear error naming the fix, and the container is untouched', async () => {
  for (const [criuPath, why] of [['/nonexistent/criu', /CRIU not found: install criu/], ['/bin/false', /criu check failed/]] as const) {
    const dd = testDirs('pier-cpt-nocriu-');
    const e2 = await openEngine({ root: dd.root, runroot: dd.runroot, criuPath });
    try {
      const cap = e2.checkpoints!.capability();
      assert.equal(cap.supported, false);
      assert.match(cap.reason!, why);
      const c = await e2.containers.create({ name: 'nocriu', rootfs: dd.rootfs, cmd: ['sleep', '100'] });
      await e2.containers.start(c.id);
      await assert.rejects(e2.checkpoints!.create(c.id), (err: Error & { code?: string }) => err.code === 'ENOCRIU' && why.test(err.message) && /cannot checkpoint container nocriu/.test(err.message));
      assert.equal(e2.containers.inspect(c.id).status, 'running');
      await assert.rejects(e2.checkpoints!.import(path.join(dd.base, 'whatever.tar')), (err: Error & { code?: string }) => err.code === 'ENOCRIU');
      await e2.containers.remove(c.id, { force: true });
    } finally {
      await e2.close();
      dd.cleanup();
    }
  }
});

test('pre-dump then dump restores correctly (only where the kernel tracks dirty memory)', async (t) => {
  if (!cps().capability().preDump) { t.skip(`pre-dump unsupported here: ${cps().capability().preDumpReason}`); return; }
  const id = await counter('predump2', { rootfs: d.rootfs });
  const pre = await cps().create(id, { preDump: true });
  assert.equal(pre.options.preDump, true);
  const cp = await cps().create(id, {});
  const dumped = dumpedCount(id);
  await cps().restore(cp.id);
  assertContinues(await loggedPast(id, dumped), dumped);
  await engine.containers.remove(id, { force: true });
});

test('counter (rootfs dir): checkpoint stops it, restore in place continues the count, files kept', async () => {
  const id = await counter('cnt1', { rootfs: d.rootfs });
  events.length = 0;
  const cp = await cps().create(id);
  assert.equal(engine.containers.inspect(id).status, 'exited');
  const dumped = dumpedCount(id);
  assert.ok(cp.size > 0);
  assert.deepEqual((await cps().list('cnt1')).map((c) => c.id), [cp.id]);
  const r = await cps().restore(cp.id);
  assert.equal(r.status, 'running');
  await countsPast(id, dumped);
  assertContinues(await loggedPast(id, dumped), dumped);
  assert.equal(fs.readFileSync(path.join(d.rootfs, 'marker'), 'utf8'), 'before\n');
  // events: progress for checkpoint and restore, container actions checkpointed + restored
  assert.ok(events.some((e) => e.type === 'progress' && e.kind === 'checkpoint' && e.done && !e.error));
  assert.ok(events.some((e) => e.type === 'progress' && e.kind === 'restore' && e.done && !e.error));
  assert.ok(events.some((e) => e.type === 'container' && e.action === 'checkpointed' && e.id === id));
  assert.ok(events.some((e) => e.type === 'container' && e.action === 'restored' && e.id === id));
  // restoring while it runs is refused with the reason
  await assert.rejects(cps().restore(cp.id), /running/);
  await engine.containers.remove(id, { force: true });
});

test('leave-running keeps it running; checkpoint of a stopped or tty container is refused', async () => {
  const id = await counter('cnt2');
  const cp = await cps().create(id, { leaveRunning: true });
  assert.equal(cp.options.leaveRunning, true);
  assert.equal(engine.containers.inspect(id).status, 'running');
  await countsPast(id, await counterFile(id)); // still counting
  await engine.containers.stop(id, 0);
  await assert.rejects(cps().create(id), (e: Error & { code?: string }) => e.code === 'ESTATE' && /not running/.test(e.message));
  const tty = await engine.containers.create({ name: 'tty1', image: imageRef, entrypoint: [], cmd: ['sleep', '100'], tty: true });
  await engine.containers.start(tty.id);
  await assert.rejects(cps().create(tty.id), (e: Error & { code?: string }) => e.code === 'ENOTSUP' && /tty/.test(e.message));
  for (const c of [id, tty.id]) await engine.containers.remove(c, { force: true });
});

test('leave-running is refused when the container writes to a host directory a checkpoint does not keep', { timeout: 120_000 }, async () => {
  const held = fs.mkdtempSync(path.join(d.base, 'held-'));
  const writer = 'exec 3>>/data/held; i=0; while :; do i=$((i+1)); echo $i >&3; sleep 0.05; done';
  const img = await engine.containers.create({ name: 'held-bind', image: imageRef, entrypoint: [], cmd: ['sh', '-c', writer], binds: [{ source: held, destination: '/data' }] });
  const dir = await engine.containers.create({ name: 'held-root', rootfs: d.rootfs, entrypoint: [], cmd: ['sh', '-c', writer.replaceAll('/data/', '/tmp/')] });
  for (const [c, file] of [[img, path.join(held, 'held')], [dir, path.join(d.rootfs, 'tmp/held')]] as const) {
    await engine.containers.start(c.id);
    await until(async () => await readIfExists(file), 'the writer to open its file');
    await assert.rejects(cps().create(c.id, { leaveRunning: true }), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'EINCONSISTENT', e.message);
      console.log(`# ${e.message}`);
      assert.match(e.message, new RegExp(`container ${c.name} cannot be made consistent with leave-running: it holds \\S*held open for writing`));
      return true;
    });
    assert.equal(engine.containers.inspect(c.id).status, 'running', 'thawed: it goes on running');
    const size = fs.statSync(file).size;
    await until(() => fs.statSync(file).size > size, 'the writer to go on');
    assert.equal((await cps().list(c.id)).length, 0, 'no checkpoint recorded');
    // without leave-running the files stay as they were at the dump: allowed, and restorable
    const cp = await cps().create(c.id);
    await cps().restore(cp.id);
    const after = fs.statSync(file).size;
    await until(() => fs.statSync(file).size > after, 'the restored writer to go on');
    await engine.containers.remove(c.id, { force: true });
  }
});

test('export (zstd, gzip, none), remove the container, import: same counter and files', async () => {
  for (const compression of ['zstd', 'gzip', 'none'] as const) {
    const name = `exp-${compression}`;
    const id = await counter(name);
    const cp = await cps().create(id, { export: true, compression });
    assert.ok(cp.archive && fs.existsSync(cp.archive), 'archive written');
    const head = fs.readFileSync(cp.archive).subarray(0, 4);
    if (compression === 'zstd') assert.equal(head.readUInt32LE(0), 0xfd2fb528);
    if (compression === 'gzip') assert.deepEqual([...head.subarray(0, 2)], [0x1f, 0x8b]);
    const dumped = dumpedCount(id);
    // the name lies about the content: detection must use the bytes
    const copy = path.join(d.base, `${name}.tar.gz`);
    fs.copyFileSync(cp.archive, copy);
    await engine.containers.remove(id, { force: true });
    events.length = 0;
    const r = await cps().import(copy);
    assert.equal(r.name, name);
    assert.equal(r.status, 'running');
    assert.equal(fs.readFileSync(path.join(rootOf(r.id), 'marker'), 'utf8'), 'before\n', 'file from before the checkpoint is there');
    await countsPast(r.id, dumped);
    assertContinues(await loggedPast(r.id, dumped), dumped);
    assert.ok(events.some((e) => e.type === 'progress' && e.kind === 'import' && e.done && !e.error));
    await engine.containers.remove(r.id, { force: true });
  }
});

test('archive layout matches podman export (config.dump, spec.dump, checkpoint/, rootfs-diff.tar, …)', async () => {
  const id = await counter('layout');
  const cp = await cps().create(id, { leaveRunning: true, export: true, compression: 'none' });
  const names: string[] = [];
  const ex = tar.extract();
  const done = (async () => { for await (const e of ex) { names.push(e.header.name); e.resume(); } })();
  fs.createReadStream(cp.archive!).pipe(ex);
  await done;
  for (const n of ['config.dump', 'spec.dump', 'checkpoint/', 'checkpoint/inventory.img', 'checkpoint/descriptors.json', 'rootfs-diff.tar', 'network.status', 'stats-dump', 'ctr.log']) assert.ok(names.includes(n), `${n} in ${names.join(' ')}`);
  assert.ok(names.every((n) => !n.startsWith('/') && !n.startsWith('./') && !n.includes('..')));
  const cfg = JSON.parse(fs.readFileSync(path.join(cps().dataDir(cp.id), 'config.dump'), 'utf8'));
  assert.equal(cfg.id, id);
  assert.equal(cfg.name, 'layout');
  assert.match(cfg.rootfsImageName, /pier-test\/busybox/);
  await engine.containers.remove(id, { force: true });
});

test('import: a name in use is refused (nothing created); --name restores a second copy', async () => {
  const id = await counter('dup');
  const cp = await cps().create(id, { leaveRunning: true, export: true });
  const before = engine.containers.list().length;
  const cpsBefore = (await cps().list()).length;
  await assert.rejects(cps().import(cp.archive!), (e: Error & { code?: string }) => e.code === 'ECONFLICT' && /"dup" is already in use/.test(e.message));
  assert.equal(engine.containers.list().length, before);
  assert.equal((await cps().list()).length, cpsBefore);
  const r = await cps().import(cp.archive!, { name: 'dup2' });
  assert.equal(r.status, 'running');
  assert.equal(engine.containers.inspect(id).status, 'running');
  await countsPast(r.id, 0);
  // restore by checkpoint id under a new name, too
  const r3 = await cps().restore(cp.id, { name: 'dup3' });
  assert.equal(r3.status, 'running');
  for (const c of [id, r.id, r3.id]) await engine.containers.remove(c, { force: true });
});

test('remove checkpoints; Docker-style named checkpoints', async () => {
  const id = await counter('named');
  const cp = await cps().create(id, { leaveRunning: true, name: 'first' });
  await assert.rejects(cps().create(id, { leaveRunning: true, name: 'first' }), /already has a checkpoint named "first"/);
  assert.equal((await cps().byName(id, 'first')).id, cp.id);
  await engine.containers.stop(id, 0);
  const r = await cps().restore(id, { name: 'first' });
  assert.equal(r.id, id);
  assert.equal(r.status, 'running');
  await cps().remove(id, 'first');
  await assert.rejects(cps().get(cp.id), (e: Error & { code?: string }) => e.code === 'ENOTFOUND');
  assert.ok(!fs.existsSync(path.join(d.root, 'checkpoints', cp.id)));
  await engine.containers.remove(id, { force: true });
});

test('TCP: an established connection fails the dump with CRIU\'s reason; with tcpEstablished it is dumped and restored', async (t) => {
  // a server and a client inside the container (network none still has lo)
  // the client connects again until the server listens (a refused nc ends its counter with SIGPIPE)
  const cmd = 'sleep 100000 | nc -l -p 7777 > /tmp/received & '
    + 'until { i=0; while true; do i=$((i+1)); echo $i; echo $i > /tmp/counter; sleep 0.1; done | nc 127.0.0.1 7777; }; do sleep 0.05; done';
  const c = await engine.containers.create({ name: 'tcp1', rootfs: d.rootfs, entrypoint: [], cmd: ['sh', '-c', cmd] });
  await engine.containers.start(c.id);
  const receivedFile = path.join(d.rootfs, 'tmp/received');
  const receivedLines = async () => ((await readIfExists(receivedFile)) ?? '').trim().split('\n').filter(Boolean).length;
  await until(async () => (await receivedLines()) > 0, 'the server to receive over the connection');
  await assert.rejects(cps().create(c.id, { leaveRunning: true }), (e: Error & { code?: string }) => {
    assert.equal(e.code, 'ECRIU');
    assert.match(e.message, /checkpoint of container tcp1 failed: .*CRIU dump\.log: .*(tcp-established|TCP|tcp|sockets)/i);
    console.log(`# dump without tcpEstablished: ${e.message}`);
    return true;
  });
  assert.equal(engine.containers.inspect(c.id).status, 'running', 'a failed leave-running dump leaves it running');
  assert.equal((await cps().list(c.id)).length, 0, 'no checkpoint recorded');
  let cp;
  try {
    cp = await cps().create(c.id, { tcpEstablished: true });
  } catch (e) {
    // CRIU 4.1.1 cannot read some socket options on very new kernels (6.18: "Can't get 1:16 opt")
    assert.match((e as Error).message, /CRIU dump\.log: /, 'the failure carries CRIU\'s reason');
    if (!/Operation not supported/.test((e as Error).message)) throw e;
    await engine.containers.remove(c.id, { force: true });
    t.skip(`CRIU cannot dump TCP sockets on this kernel: ${(e as Error).message}`);
    return;
  }
  assert.equal(cp.options.tcpEstablished, true);
  const dumped = dumpedCount(c.id);
  const received = await receivedLines();
  await cps().restore(cp.id); // the dump's --tcp-established is passed to the restore
  assert.equal(engine.containers.inspect(c.id).status, 'running');
  await countsPast(c.id, dumped); // the client counts on
  await until(async () => (await receivedLines()) > received, 'the server to receive over the restored connection');
  await engine.containers.remove(c.id, { force: true });
});

// ------------------------------------------------------------------ hostile archives

/** Hostile archive entries: every entry mode 0644, devices as 1:3 (/dev/null). */
function packTar(entries: Array<{ name: string; type?: 'file' | 'directory' | 'symlink' | 'link' | 'character-device' | 'fifo'; data?: Buffer | string; linkname?: string }>): Promise<Buffer> {
  return packEntries(entries.map((e) => ({ ...e, mode: 0o644, ...((e.type ?? 'file') === 'file' ? {} : { devmajor: 1, devminor: 3 }) })));
}

/** The entries of a real Pier archive (uncompressed), to build corrupt variants from. */
async function realEntries(): Promise<Array<{ name: string; type: 'file' | 'directory'; data?: Buffer }>> {
  const id = await counter('src');
  const cp = await cps().create(id, { leaveRunning: true, export: true, compression: 'none' });
  const out: Array<{ name: string; type: 'file' | 'directory'; data?: Buffer }> = [];
  const ex = tar.extract();
  const done = (async () => {
    for await (const e of ex) {
      const bufs: Buffer[] = [];
      for await (const c of e) bufs.push(c as Buffer);
      out.push({ name: e.header.name, type: e.header.type as 'file' | 'directory', data: Buffer.concat(bufs) });
    }
  })();
  fs.createReadStream(cp.archive!).pipe(ex);
  await done;
  await engine.containers.remove(id, { force: true });
  await cps().remove(cp.id);
  return out;
}

test('hostile and corrupt archives are rejected; the canary proves nothing escaped and nothing is left', async () => {
  const canary = fs.mkdtempSync(path.join(os.tmpdir(), 'pier-canary-'));
  fs.writeFileSync(path.join(canary, 'keep'), 'untouched');
  const snapshot = () => JSON.stringify(fs.readdirSync(canary).sort().map((n) => [n, fs.readFileSync(path.join(canary, n), 'utf8')]));
  const canaryBefore = snapshot();
  const etcBefore = fs.readdirSync('/etc').length;
  const real = await realEntries();
  const without = (n: string) => real.filter((e) => e.name !== n);
  const rel = path.relative(path.join(d.root, 'checkpoints', 'x'), canary); // ../../…/canary
  const containersBefore = engine.containers.list().length;
  const cpsBefore = (await cps().list()).length;
  const cases: Array<[string, Buffer, RegExp]> = [
    ['dotdot', await packTar([...real, { name: `../${path.basename(canary)}/pwn`, data: 'x' }]), /"\.\."/],
    ['deep dotdot', await packTar([{ name: `checkpoint/../../../../../../../..${canary}/pwn`, data: 'x' }, ...real]), /"\.\."/],
    ['absolute', await packTar([{ name: `${canary}/pwn`, data: 'x' }, ...real]), /absolute/],
    ['symlink escape', await packTar([{ name: 'checkpoint/esc', type: 'symlink', linkname: canary }, { name: 'checkpoint/esc/pwn', data: 'x' }, ...real]), /symlink/],
    ['relative symlink escape', await packTar([{ name: 'x', type: 'symlink', linkname: rel }, { name: 'x/pwn', data: 'x' }, ...real]), /symlink/],
    ['hardlink', await packTar([...real, { name: 'passwd', type: 'link', linkname: '/etc/passwd' }]), /hard link/],
    ['device', await packTar([{ name: 'null', type: 'character-device' }, ...real]), /character-device/],
    ['fifo', await packTar([{ name: 'f', type: 'fifo' }, ...real]), /fifo/],
    ['rootfs-diff symlink escape', await packTar([...without('rootfs-diff.tar'), { name: 'rootfs-diff.tar', data: await packTar([{ name: 'tmp', type: 'directory' }, { name: 'tmp/esc', type: 'symlink', linkname: canary }, { name: 'tmp/esc/pwn', data: 'x' }]) }]), /symlink/],
    ['rootfs-diff dotdot', await packTar([...without('rootfs-diff.tar'), { name: 'rootfs-diff.tar', data: await packTar([{ name: `../../../../../../../../..${canary}/pwn`, data: 'x' }]) }]), /rejected|climbs/],
    ['deleted.files escape', await packTar([...without('deleted.files'), { name: 'deleted.files', data: JSON.stringify([`/../../../../../../../..${canary}/keep`]) }]), /climbs out/],
    ['no inventory', await packTar(without('checkpoint/inventory.img')), /inventory\.img is missing/],
    ['bad config.dump', await packTar([...without('config.dump'), { name: 'config.dump', data: '{not json' }]), /config\.dump/],
    ['not a tar', Buffer.from('hello, this is not an archive at all'.repeat(40)), /not a valid|not a tar|empty/],
    ['corrupt CRIU images', await packTar(real.map((e) => (e.name.startsWith('checkpoint/core-') || e.name.startsWith('checkpoint/pstree') ? { ...e, data: Buffer.alloc(e.data!.length || 16, 0x41) } : e))), /restore of container hostile failed: .*CRIU restore\.log: .*Error/],
  ];
  const good = zlib.gzipSync(await packTar(real));
  cases.push(['truncated gzip', good.subarray(0, Math.floor(good.length / 2)), /truncated|not a valid|unexpected end/i]);
  const zst = execFileSync('zstd', ['-q', '-c'], { input: await packTar(real) });
  cases.push(['truncated zstd', zst.subarray(0, Math.floor(zst.length / 2)), /zstd|truncated|not a valid/i]);
  for (const [label, data, why] of cases) {
    const file = path.join(d.base, `hostile-${label.replace(/\W+/g, '-')}.tar`);
    fs.writeFileSync(file, data);
    await assert.rejects(cps().import(file, { name: 'hostile' }), (e: Error & { code?: string }) => {
      assert.match(e.message, why, `${label}: ${e.message}`);
      assert.ok(['EBADARCHIVE', 'ECRIU'].includes(e.code ?? ''), `${label}: code ${e.code}`);
      return true;
    }, label);
    assert.equal(snapshot(), canaryBefore, `${label}: canary untouched`);
    assert.equal(engine.containers.list().length, containersBefore, `${label}: no container left behind`);
    assert.equal((await cps().list()).length, cpsBefore, `${label}: no checkpoint left behind`);
    assert.deepEqual(fs.readdirSync(path.join(d.root, 'checkpoints')).filter((n) => n.startsWith('.')), [], `${label}: no staging left`);
  }
  assert.ok(!fs.existsSync(path.join(path.dirname(canary), 'pwn')));
  assert.equal(fs.readdirSync('/etc').length, etcBefore);
  fs.rmSync(canary, { recursive: true, force: true });
});

// ------------------------------------------------------------------ podman interop

test('podman restores an archive exported by Pier (the counter continues there)', { skip: hasPodman ? undefined : 'podman not installed' }, async () => {
  execFileSync('podman', ['load', '-q', '-i', imgs.dockerArchive]);
  const name = `pier2podman-${process.pid}`;
  spawnSync('podman', ['rm', '-f', name]);
  const id = await counter(name);
  const cp = await cps().create(id, { export: true });
  const dumped = dumpedCount(id);
  try {
    const r = spawnSync('podman', ['container', 'restore', '--import', cp.archive!], { encoding: 'utf8' });
    assert.equal(r.status, 0, `podman restore: ${r.stderr}`);
    assert.equal(execFileSync('podman', ['inspect', '-f', '{{.State.Status}}', name], { encoding: 'utf8' }).trim(), 'running');
    assert.equal(execFileSync('podman', ['exec', name, 'cat', '/marker'], { encoding: 'utf8' }), 'before\n');
    const now = await until(() => { const n = Number(execFileSync('podman', ['exec', name, 'cat', '/tmp/counter'], { encoding: 'utf8' }).trim()); return n > dumped && n; }, 'podman\'s counter to count on');
    assert.ok(now < dumped + 100, `podman counter ${now} continues from ${dumped}`);
  } finally {
    spawnSync('podman', ['rm', '-f', name]);
    await engine.containers.remove(id, { force: true });
  }
});

test('Pier restores an archive exported by podman (the counter continues here)', { skip: hasPodman ? undefined : 'podman not installed' }, async () => {
  execFileSync('podman', ['load', '-q', '-i', imgs.dockerArchive]);
  const name = `podman2pier-${process.pid}`;
  spawnSync('podman', ['rm', '-f', name]);
  const file = path.join(d.base, 'podman-export.tar.gz'); // podman 4.3 writes zstd whatever the name
  execFileSync('podman', ['run', '-d', '--name', name, '--network', 'none', 'localhost/pier-test/busybox:latest', 'sh', '-c', COUNTER]);
  try {
    await until(() => Number(execFileSync('podman', ['exec', name, 'cat', '/tmp/counter'], { encoding: 'utf8' }).trim()) > 2, 'podman\'s counter to count');
    execFileSync('podman', ['container', 'checkpoint', '--export', file, name]);
  } finally { spawnSync('podman', ['rm', '-f', name]); }
  const dumped = Number(execFileSync('sh', ['-c', `zstd -dc ${file} | tar -xOf - rootfs-diff.tar | tar -xOf - tmp/counter`], { encoding: 'utf8' }).trim());
  const r = await cps().import(file, { name: 'frompodman' });
  assert.equal(r.status, 'running');
  assert.equal(fs.readFileSync(path.join(rootOf(r.id), 'marker'), 'utf8'), 'before\n');
  const nums = await loggedPast(r.id, dumped); // ctr.log came along: podman's lines, then ours
  assertContinues(nums, dumped);
  assert.equal(nums[0], 1);
  await engine.containers.remove(r.id, { force: true });
});

// ------------------------------------------------------------------ CLI over the socket

test('pier checkpoint --export / pier restore --import over a unix socket', async () => {
  const sock = path.join(d.base, 'api.sock');
  const srv = http.createServer((req, res) => {
    const u = req.url ?? '';
    if (req.method === 'POST' && /\/pier\/containers\/[^/]+\/checkpoint/.test(u)) void handleCheckpoint(engine, req, res);
    else if (req.method === 'POST' && /\/pier\/restore/.test(u)) void handleRestore(engine, req, res);
    else { res.writeHead(404); res.end(); }
  });
  await new Promise<void>((r) => srv.listen(sock, r));
  const log = console.log, err = console.error;
  const out: string[] = [];
  console.log = (...a: unknown[]) => { out.push(a.join(' ')); };
  console.error = (...a: unknown[]) => { out.push('ERR ' + a.join(' ')); };
  try {
    const id = await counter('cli1');
    const file = path.join(d.base, 'cli1.tar.zst');
    assert.equal(await checkpointCommand('checkpoint', ['cli1', '--export', file, '--leave-running', '--socket', sock]), 0, out.join('\n'));
    assert.ok(fs.statSync(file).size > 1000);
    assert.equal(engine.containers.inspect(id).status, 'running');
    assert.equal(await checkpointCommand('restore', ['--import', file, '--name', 'cli2', '--socket', sock]), 0, out.join('\n'));
    assert.equal(engine.containers.inspect('cli2').status, 'running');
    // errors come back with the reason and a non-zero exit
    assert.equal(await checkpointCommand('restore', ['--import', file, '--name', 'cli2', '--socket', sock]), 1);
    assert.match(out.join('\n'), /ERR pier restore: the container name "cli2" is already in use/);
    assert.equal(await checkpointCommand('checkpoint', ['nosuch', '--export', path.join(d.base, 'x.tar'), '--socket', sock]), 1);
    assert.match(out.join('\n'), /no such container: nosuch/);
    assert.ok(!fs.existsSync(path.join(d.base, 'x.tar')));
    assert.equal(await checkpointCommand('restore', ['--import', file, '--socket', path.join(d.base, 'nope.sock')]), 1);
    assert.match(out.join('\n'), /cannot reach the Pier engine/);
    for (const c of ['cli1', 'cli2']) await engine.containers.remove(c, { force: true });
  } finally {
    console.log = log; console.error = err;
    srv.close();
  }
});
