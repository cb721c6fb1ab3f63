// Pure parts of the checkpoint area: archive name checks, compression detection, the
// safe extractor (on a scratch dir, with a canary), capability reasons, podman's
// config.dump mapping, CRIU log lines and image parsing, the CLI's socket choice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import * as tar from 'tar-stream';
import { checkEntryName, compressionOf, extractArchive, writeArchive } from '../../electron/engine/checkpoint/archive';
import { capabilityOf, criuVersionOk } from '../../electron/engine/checkpoint/capability';
import { meaningfulCriuLines } from '../../electron/engine/checkpoint/errors';
import { adaptForeignSpec, configFromForeign, makeConfigDump, podmanImageName } from '../../electron/engine/checkpoint/podman';
import { decodeFields, rootDirMode } from '../../electron/engine/checkpoint/criu-image';
import { statusOf } from '../../electron/engine/checkpoint/http';
import { socketPath } from '../../electron/cli-checkpoint';
import type { RuntimeInfo } from '../../electron/engine/runtime/discovery';
import type { ContainerRecord } from '../../electron/engine/store/types';
import type { OciSpec } from '../../electron/engine/spec/spec';

const scratch = () => fs.mkdtempSync(path.join(os.tmpdir(), 'pier-cpu-'));

test('entry names: relative names pass; absolute, "..", NUL are rejected', () => {
  assert.deepEqual(checkEntryName('checkpoint/inventory.img'), ['checkpoint', 'inventory.img']);
  assert.deepEqual(checkEntryName('./config.dump'), ['config.dump']);
  assert.deepEqual(checkEntryName('checkpoint/'), ['checkpoint']);
  assert.match(checkEntryName('/etc/passwd') as string, /absolute/);
  assert.match(checkEntryName('../x') as string, /"\.\."/);
  assert.match(checkEntryName('a/../../x') as string, /"\.\."/);
  assert.match(checkEntryName('a/..') as string, /"\.\."/);
  assert.match(checkEntryName('a\0b') as string, /NUL/);
});

test('compression is detected from magic bytes', () => {
  assert.equal(compressionOf(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0])), 'zstd');
  assert.equal(compressionOf(zlib.gzipSync('x')), 'gzip');
  assert.equal(compressionOf(Buffer.from('config.dump')), 'none');
  assert.equal(compressionOf(Buffer.alloc(0)), 'none');
});

async function tarOf(entries: Array<{ name: string; type?: string; data?: string; linkname?: string }>): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => { chunks.push(c as Buffer); });
  const end = new Promise<void>((r) => pack.on('end', () => r()));
  for (const e of entries) {
    await new Promise<void>((res, rej) => {
      const h = { name: e.name, type: (e.type ?? 'file') as tar.Header['type'], mode: 0o644, linkname: e.linkname };
      if (!e.type || e.type === 'file') pack.entry(h, Buffer.from(e.data ?? ''), (err) => (err ? rej(err) : res()));
      else pack.entry(h, (err) => (err ? rej(err) : res()));
    });
  }
  pack.finalize();
  await end;
  return Buffer.concat(chunks);
}

test('extractor: good archive round-trips (zstd, gzip, none); hostile entries reject it and the canary is untouched', async () => {
  const dir = scratch();
  try {
    const src = path.join(dir, 'src');
    fs.mkdirSync(path.join(src, 'checkpoint'), { recursive: true });
    fs.writeFileSync(path.join(src, 'config.dump'), '{}');
    fs.writeFileSync(path.join(src, 'checkpoint', 'inventory.img'), Buffer.alloc(3000, 7));
    for (const c of ['zstd', 'gzip', 'none'] as const) {
      const file = path.join(dir, `a-${c}`);
      await writeArchive(src, file, c);
      const out = path.join(dir, `out-${c}`);
      fs.mkdirSync(out);
      const r = await extractArchive(file, out, { label: c });
      assert.equal(r.compression, c);
      assert.deepEqual(fs.readFileSync(path.join(out, 'checkpoint', 'inventory.img')), Buffer.alloc(3000, 7));
    }
    const canary = path.join(dir, 'canary');
    fs.mkdirSync(canary);
    const bad: Array<[string, Array<{ name: string; type?: string; data?: string; linkname?: string }>, RegExp]> = [
      ['dotdot', [{ name: '../canary/pwn', data: 'x' }], /"\.\."/],
      ['absolute', [{ name: `${canary}/pwn`, data: 'x' }], /absolute/],
      ['symlink then write through it', [{ name: 'l', type: 'symlink', linkname: canary }, { name: 'l/pwn', data: 'x' }], /symlink/],
      ['checkpoint/parent to elsewhere', [{ name: 'checkpoint/parent', type: 'symlink', linkname: canary }], /symlink/],
      ['hard link', [{ name: 'h', type: 'link', linkname: '/etc/passwd' }], /hard link/],
      ['block device', [{ name: 'b', type: 'block-device' }], /block-device/],
      ['file then dir over it', [{ name: 'f', data: 'x' }, { name: 'f/g', data: 'y' }], /not a directory/],
      ['duplicate file', [{ name: 'f', data: 'x' }, { name: 'f', data: 'y' }], /appears twice/],
    ];
    for (const [label, entries, why] of bad) {
      const file = path.join(dir, 'bad.tar');
      fs.writeFileSync(file, await tarOf(entries));
      const out = fs.mkdtempSync(path.join(dir, 'x-'));
      await assert.rejects(extractArchive(file, out, { label }), (e: Error) => { assert.match(e.message, why, label); return true; });
      assert.deepEqual(fs.readdirSync(canary), [], `${label}: canary untouched`);
    }
    // the one symlink CRIU makes is allowed
    const ok = path.join(dir, 'ok.tar');
    fs.writeFileSync(ok, await tarOf([{ name: 'checkpoint/parent', type: 'symlink', linkname: '../pre-checkpoint' }]));
    const out = fs.mkdtempSync(path.join(dir, 'ok-'));
    await extractArchive(ok, out, { label: 'ok' });
    assert.equal(fs.readlinkSync(path.join(out, 'checkpoint', 'parent')), '../pre-checkpoint');
    // truncated and garbage inputs
    const good = zlib.gzipSync(await tarOf([{ name: 'a', data: 'x'.repeat(5000) }]));
    fs.writeFileSync(path.join(dir, 't.gz'), good.subarray(0, good.length - 20));
    await assert.rejects(extractArchive(path.join(dir, 't.gz'), fs.mkdtempSync(path.join(dir, 't-')), { label: 't.gz' }), /not a valid gzip/);
    fs.writeFileSync(path.join(dir, 'g'), 'garbage'.repeat(100));
    await assert.rejects(extractArchive(path.join(dir, 'g'), fs.mkdtempSync(path.join(dir, 'g-')), { label: 'g' }), /not a valid|empty|not a tar/);
  } finally { fs.rmSync(dir, { recursive: true, force: true }); }
});

const info = (o: { checkpoint?: boolean; criu?: Partial<NonNullable<RuntimeInfo['criu']>> | null; name?: string; version?: string } = {}): RuntimeInfo => ({
  conmon: { name: 'conmon', path: '/usr/bin/conmon', version: '2.1.6' },
  runtime: { name: o.name ?? 'runc', path: `/usr/bin/${o.name ?? 'runc'}`, version: o.version ?? '1.1.5', jsonLog: true, checkpoint: o.checkpoint ?? true },
  runtimes: [],
  criu: o.criu === null ? undefined : { name: 'criu', path: '/usr/local/sbin/criu', version: '4.1.1', works: true, memDirtyTrack: false, ...(o.criu ?? {}) },
});

test('capability: the reason names the problem and the fix', () => {
  const crun = capabilityOf(info({ name: 'crun', version: '1.8.1', checkpoint: false }));
  assert.equal(crun.supported, false);
  assert.equal(crun.reason, 'crun 1.8.1 was built without CRIU support (it has no "checkpoint" command): use runc');
  const none = capabilityOf(info({ criu: null }));
  assert.equal(none.code, 'ENOCRIU');
  assert.match(none.reason!, /CRIU not found: install criu/);
  const old = capabilityOf(info({ criu: { version: '3.10' } }));
  assert.match(old.reason!, /CRIU 3\.10 .* too old \(need 3\.11/);
  const broken = capabilityOf(info({ criu: { works: false, reason: 'criu check failed: vdso: Unexpected rt vDSO area bounds' } }));
  assert.match(broken.reason!, /vDSO/);
  const ok = capabilityOf(info());
  assert.equal(ok.supported, true);
  assert.equal(ok.preDump, false);
  assert.match(ok.preDumpReason!, /mem_dirty_track/);
  assert.equal(capabilityOf(info({ criu: { memDirtyTrack: true } })).preDump, true);
  assert.ok(criuVersionOk('4.1.1') && criuVersionOk('3.11') && !criuVersionOk('3.9') && criuVersionOk('unknown'));
});

test('CRIU log: the meaningful lines, without timestamps', () => {
  const log = [
    '(00.000037) File /run/criu.kdat does not exist',
    '(00.044555) Error (criu/util.c:1533): rlimit: Can\'t setup RLIMIT_NOFILE for self: Operation not permitted',
    '(00.098221)     16: Error (criu/files-reg.c:2294): File . has bad mode 040555 (expect 040755)',
    '(00.098228)     16: Error (criu/files.c:1394): Can\'t open root',
    '(00.099531) Error (criu/cr-restore.c:2320): Restoring FAILED.',
  ].join('\n');
  const lines = meaningfulCriuLines(log);
  assert.ok(lines.includes('Error (criu/files-reg.c:2294): File . has bad mode 040555 (expect 040755)'));
  assert.ok(lines.includes('Error (criu/cr-restore.c:2320): Restoring FAILED.'));
  assert.ok(!lines.some((l) => l.includes('RLIMIT_NOFILE')), 'benign noise dropped');
  assert.ok(!lines.some((l) => l.includes('kdat')));
});

test('CRIU image: root directory mode from files.img', async () => {
  // hand-built files.img: magics, one entry {type=1, id=2, reg=3 {id=1, flags=2, pos=3, name=6 "/", mode=10 040555}}
  const varint = (n: number) => { const b: number[] = []; do { let x = n & 0x7f; n = Math.floor(n / 128); if (n) x |= 0x80; b.push(x); } while (n); return Buffer.from(b); };
  const field = (f: number, v: number | Buffer) => (typeof v === 'number' ? Buffer.concat([varint(f * 8), varint(v)]) : Buffer.concat([varint(f * 8 + 2), varint(v.length), v]));
  const reg = Buffer.concat([field(1, 5), field(2, 0), field(3, 0), field(6, Buffer.from('/')), field(10, 0o40555)]);
  const entry = Buffer.concat([field(1, 1), field(2, 5), field(3, reg)]);
  const len = Buffer.alloc(4); len.writeUInt32LE(entry.length);
  const dir = scratch();
  try {
    fs.writeFileSync(path.join(dir, 'files.img'), Buffer.concat([Buffer.alloc(8), len, entry]));
    assert.equal(await rootDirMode(dir), 0o555);
    assert.equal(decodeFields(reg).get(10)?.[0], 0o40555);
    assert.equal(await rootDirMode(path.join(dir, 'nope')), undefined);
  } finally { fs.rmSync(dir, { recursive: true, force: true }); }
});

const rec: ContainerRecord = {
  id: 'a'.repeat(64), name: 'web', created: '2026-01-01T00:00:00.000Z',
  config: { image: 'pier-test/busybox:latest', imageId: 'sha256:' + 'b'.repeat(64), args: ['sh', '-c', 'x'], entrypoint: [], cmd: ['sh', '-c', 'x'], env: ['A=1'], cwd: '/', user: '', terminal: false, stdin: false, hostname: 'web', readOnlyRoot: false, binds: [], network: 'none', labels: { l: '1' }, stopSignal: 'SIGTERM', stopTimeout: 10, autoRemove: false },
  state: { status: 'running', initialized: true, pid: 1, conmonPid: 2 },
};

test('config.dump: what podman 4.3 needs, plus Pier\'s own config', () => {
  const spec = { ociVersion: '1.0.2-dev', process: { args: ['sh'], env: [], terminal: false }, root: { path: '/x', readonly: false }, hostname: 'web', mounts: [], linux: {} } as OciSpec;
  const c = makeConfigDump(rec, spec, { leaveRunning: true }, '/logs/ctr.log');
  assert.equal(c.id, rec.id);
  assert.equal(c.name, 'web');
  assert.equal(c.rootfsImageID, 'b'.repeat(64));
  assert.equal(c.rootfsImageName, 'localhost/pier-test/busybox:latest');
  assert.equal(c.stopSignal, 15);
  assert.equal(c.runtime, 'runc');
  assert.equal(c.logDriver, 'k8s-file');
  assert.deepEqual(c.pier!.config, rec.config);
  assert.equal(podmanImageName('busybox'), 'localhost/busybox');
  assert.equal(podmanImageName('registry.example:5000/a/b:1'), 'registry.example:5000/a/b:1');
  assert.equal(podmanImageName('localhost:5000/a:1'), 'localhost:5000/a:1');
});

test('podman archives: config mapped to Pier; podman-managed mounts re-pointed into the bundle', () => {
  const spec = {
    ociVersion: '1.0.2-dev', hostname: 'abc',
    process: { args: ['/bin/busybox', 'sh', '-c', 'x'], env: ['PATH=/bin'], terminal: false, cwd: '/tmp', user: { uid: 0, gid: 0 } },
    root: { path: '/var/lib/containers/storage/overlay/x/merged', readonly: false },
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      { destination: '/dev/shm', type: 'bind', source: '/var/lib/containers/.../shm', options: ['bind'] },
      { destination: '/etc/hostname', type: 'bind', source: '/run/containers/.../hostname', options: ['bind'] },
      { destination: '/data', type: 'bind', source: '/srv/data', options: ['bind', 'ro'] },
    ],
    linux: { cgroupsPath: '/libpod_parent/libpod-x', namespaces: [{ type: 'pid' }, { type: 'network' }] },
  } as unknown as OciSpec;
  const { config } = configFromForeign({ id: 'f'.repeat(64), name: 'pc1', rootfsImageID: 'b'.repeat(64), rootfsImageName: 'localhost/pier-test/busybox:latest', entrypoint: ['/bin/busybox'], command: ['sh', '-c', 'x'], stopSignal: 15, stopTimeout: 10 }, spec);
  assert.equal(config.imageId, 'sha256:' + 'b'.repeat(64));
  assert.deepEqual(config.args, ['/bin/busybox', 'sh', '-c', 'x']);
  assert.equal(config.network, 'none');
  assert.equal(config.cwd, '/tmp');
  assert.deepEqual(config.binds, [{ source: '/srv/data', destination: '/data', readOnly: true }]);
  const { spec: s, files } = adaptForeignSpec(spec, '/new/root', '/b/ext');
  assert.equal(s.root.path, '/new/root');
  assert.equal((s.linux as Record<string, unknown>).cgroupsPath, undefined);
  assert.equal(s.mounts.find((m) => m.destination === '/dev/shm')!.source, '/b/ext/dev_shm');
  assert.equal(s.mounts.find((m) => m.destination === '/etc/hostname')!.source, '/b/ext/etc_hostname');
  assert.equal(s.mounts.find((m) => m.destination === '/data')!.source, '/srv/data');
  assert.deepEqual(files.map((f) => [f.destination, f.dir]), [['/dev/shm', true], ['/etc/hostname', false]]);
  assert.equal(files[1].content, 'abc\n');
  assert.equal(spec.root.path, '/var/lib/containers/storage/overlay/x/merged', 'the dump itself is not modified');
});

test('HTTP status per error code; CLI socket: --socket, DOCKER_HOST unix://, default', () => {
  assert.equal(statusOf({ code: 'ENOTFOUND' }), 404);
  assert.equal(statusOf({ code: 'ECONFLICT' }), 409);
  assert.equal(statusOf({ code: 'EBADARCHIVE' }), 400);
  assert.equal(statusOf({ code: 'ENOCRIU' }), 501);
  assert.equal(statusOf({ code: 'ECRIU' }), 500);
  assert.equal(socketPath('/x.sock', { DOCKER_HOST: 'unix:///y.sock' }), '/x.sock');
  assert.equal(socketPath(undefined, { DOCKER_HOST: 'unix:///y.sock' }), '/y.sock');
  assert.match(socketPath(undefined, { DOCKER_HOST: 'tcp://1.2.3.4:2375' }), /docker\.sock$/);
});
