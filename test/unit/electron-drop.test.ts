// Drop-to-restore/load classification, on real archives built here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import tar from 'tar-stream';
import { classifyArchive, classifyEntries, sniffCompression } from '../../electron/main/core/drop';

const dir = mkdtempSync(path.join(os.tmpdir(), 'pier-drop-'));

async function makeTar(entries: Array<[string, string | null]>): Promise<Buffer> {
  const pack = tar.pack();
  for (const [name, body] of entries) {
    if (body === null) pack.entry({ name, type: 'directory' });
    else pack.entry({ name }, body);
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
const write = (name: string, data: Buffer | string) => { const p = path.join(dir, name); writeFileSync(p, data); return p; };

const checkpointEntries: Array<[string, string | null]> = [
  ['checkpoint', null], ['checkpoint/inventory.img', 'x'], ['checkpoint/pages-1.img', 'y'.repeat(5000)],
  ['config.dump', '{"id":"abc"}'], ['spec.dump', '{"ociVersion":"1.0.2"}'], ['network.status', '[]'],
];

test('podman-layout checkpoint archive (tar.gz and plain tar) → restore', async () => {
  const t = await makeTar(checkpointEntries);
  assert.deepEqual(await classifyArchive(write('cp.tar.gz', zlib.gzipSync(t))), { ok: true, kind: 'checkpoint', format: 'podman-checkpoint', compression: 'gzip' });
  assert.deepEqual(await classifyArchive(write('cp.tar', t)), { ok: true, kind: 'checkpoint', format: 'podman-checkpoint', compression: 'none' });
  const dotted = await makeTar([['./config.dump', '{}'], ['./spec.dump', '{}']]);
  assert.equal((await classifyArchive(write('dotted.tar', dotted))).ok, true);
});

test('zstd checkpoint archives (podman and Pier default): zlib where it has zstd, else the zstd program', async (t) => {
  const tarball = await makeTar(checkpointEntries);
  const z = zlib as unknown as { zstdCompressSync?: (b: Buffer) => Buffer };
  let zst: Buffer | undefined;
  if (z.zstdCompressSync) zst = z.zstdCompressSync(tarball);
  else {
    const r = spawnSync('zstd', ['-q', '-c'], { input: tarball });
    if (r.status === 0) zst = r.stdout;
  }
  if (!zst) { t.skip('neither zlib zstd nor the zstd program here'); return; }
  assert.deepEqual(await classifyArchive(write('cp.tar.zst', zst)), { ok: true, kind: 'checkpoint', format: 'podman-checkpoint', compression: 'zstd' });
  const broken = await classifyArchive(write('broken.tar.zst', Buffer.concat([zst.subarray(0, 8), Buffer.alloc(600, 9)])));
  assert.equal(broken.ok, false);
  assert.match((broken as { message: string }).message, /broken\.tar\.zst/);
  // decisive entries first, then a damaged tail: only a classifier that stops early (child killed) says ok
  const noise = () => randomBytes(20_000).toString('base64');
  const big = await makeTar([...checkpointEntries, ...Array.from({ length: 300 }, (_, i) => [`rootfs/f${i}`, noise()] as [string, string])]);
  const bz: Buffer = z.zstdCompressSync ? z.zstdCompressSync(big) : spawnSync('zstd', ['-q', '-c'], { input: big }).stdout;
  const damaged = Buffer.concat([bz.subarray(0, bz.length >> 1), Buffer.alloc(4096, 0x5a)]);
  assert.equal((await classifyArchive(write('big.tar.zst', damaged))).ok, true);
});

test('docker-archive and OCI layout → image load', async () => {
  const docker = await makeTar([['abc/layer.tar', 'l'], ['manifest.json', '[]'], ['repositories', '{}']]);
  assert.deepEqual(await classifyArchive(write('img.tar', docker)), { ok: true, kind: 'image', format: 'docker-archive', compression: 'none' });
  const oci = await makeTar([['oci-layout', '{"imageLayoutVersion":"1.0.0"}'], ['blobs', null], ['index.json', '{}']]);
  assert.deepEqual(await classifyArchive(write('oci.tar.gz', zlib.gzipSync(oci))), { ok: true, kind: 'image', format: 'oci-layout', compression: 'gzip' });
});

test('unknown file types, other archives, broken archives, folders: refused with the reason', async () => {
  const cases: Array<[string, RegExp]> = [
    [write('notes.txt', 'hello world\n'.repeat(100)), /not a checkpoint or image archive/],
    [write('tiny.tar.gz', 'x'), /not an archive \(1 bytes\)/],
    [write('pic.png', readFileSync(new URL('../../assets/icon.png', import.meta.url))), /not a checkpoint or image archive/],
    [write('other.tar', await makeTar([['README', 'x'], ['src/main.c', 'int main(){}']])), /neither a checkpoint .* it holds README, src\/main.c/],
    [write('broken.tar.gz', Buffer.concat([zlib.gzipSync(await makeTar(checkpointEntries)).subarray(0, 30), Buffer.alloc(600, 7)])), /damaged archive/],
    [write('backup.tar.xz', Buffer.concat([Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), Buffer.alloc(600)])), /xz-compressed/],
    [path.join(dir, 'missing.tar'), /cannot read it \(ENOENT\)/],
  ];
  mkdirSync(path.join(dir, 'folder'));
  cases.push([path.join(dir, 'folder'), /is a folder/]);
  for (const [p, re] of cases) {
    const r = await classifyArchive(p);
    assert.equal(r.ok, false, p);
    assert.match((r as { message: string }).message, re, p);
    assert.ok((r as { message: string }).message.includes(path.basename(p)), 'names the file');
  }
});

test('truncated tar with a valid start: the entries seen decide, or it is refused', async () => {
  const t = await makeTar([['README', 'x'.repeat(3000)], ['config.dump', '{}'], ['spec.dump', '{}']]);
  const r = await classifyArchive(write('trunc.tar', t.subarray(0, 1024)));
  assert.equal(r.ok, false);
});

test('sniff and entry rules', () => {
  assert.equal(sniffCompression(Buffer.from([0x1f, 0x8b, 8])), 'gzip');
  assert.equal(sniffCompression(Buffer.from('BZh91AY')), 'bzip2');
  assert.equal(sniffCompression(Buffer.from('hello')), undefined);
  assert.equal(classifyEntries(new Set(['config.dump'])), undefined, 'config.dump alone is not enough');
  assert.equal(classifyEntries(new Set(['oci-layout'])), undefined);
});
