// The engine's one untrusted-tar core (electron/engine/tar/): the reading loop's limits and early stop over
// compressed input, and the writer's policy switches that each archive kind relies on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { readTar } from '../../electron/engine/tar/read';
import { extractTar, type ExtractPolicy } from '../../electron/engine/tar/extract';
import { loadNativeGuard, nativeGuardReason } from '../../electron/engine/path-guard';
import { packTar, type TarEntry } from '../helpers/tar';

const scratch = () => fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), 'pier-tar-'));
const many = (n: number): TarEntry[] => Array.from({ length: n }, (_, i) => ({ name: `f${i}`, data: 'x' }));

test('readTar: zstd input, early stop tears the pipeline down, entry limit refuses a bomb', async () => {
  const dir = scratch();
  try {
    const file = path.join(dir, 'a.tar.zst');
    fs.writeFileSync(file, execFileSync('zstd', ['-q', '-c'], { input: await packTar(many(500)) }));
    const seen: string[] = [];
    const r = await readTar(file, (h) => (seen.push(h.name), seen.length === 3 ? 'stop' : undefined));
    assert.deepEqual([r.compression, seen], ['zstd', ['f0', 'f1', 'f2']]);
    await assert.rejects(
      readTar(file, () => undefined, { maxEntries: 100, tooMany: (m) => new Error(`bomb ${m}`) }),
      /bomb 100/,
    );
    const all = await readTar(file, () => undefined);
    assert.equal(all.entries, 500);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('extractTar: strict names, single entries, symlink allow-list, byte limit; nothing lands outside', async () => {
  const dir = scratch();
  const canary = path.join(dir, 'canary');
  fs.mkdirSync(canary);
  const strict: ExtractPolicy = {
    label: 'test archive',
    reject: (entry, why) => new Error(`${entry}: ${why}`),
    names: 'strict',
    duplicates: 'reject',
    symlinks: (rel, link) => rel === 'ok' && link === 'target',
    hardLinks: false,
    fifos: false,
    devices: 'reject',
    metadata: false,
    maxBytes: 10,
  };
  const cases: Array<[string, TarEntry[], Partial<ExtractPolicy>, RegExp]> = [
    ['dotdot inside', [{ name: 'a/../b', data: 'x' }], {}, /contains "\.\."/],
    ['dotdot out (lenient)', [{ name: '../canary/pwn', data: 'x' }], { names: 'lenient' }, /climbs out/],
    [
      'twice',
      [
        { name: 'f', data: 'x' },
        { name: 'f', data: 'y' },
      ],
      {},
      /appears twice/,
    ],
    ['symlink not allowed', [{ name: 'l', type: 'symlink', linkname: canary }], {}, /symlinks are not allowed/],
    [
      'write through an allowed link',
      [
        { name: 'ok', type: 'symlink', linkname: 'target' },
        { name: 'ok/x', data: 'x' },
      ],
      {},
      /is a symlink/,
    ],
    ['bytes', [{ name: 'big', data: 'x'.repeat(11) }], {}, /unpacks to more than 10 bytes/],
    [
      'hard link',
      [
        { name: 'f', data: 'x' },
        { name: 'h', type: 'link', linkname: 'f' },
      ],
      {},
      /hard links are not allowed/,
    ],
    ['fifo', [{ name: 'p', type: 'fifo' }], {}, /fifo/],
  ];
  try {
    for (const [label, entries, over, why] of cases) {
      const file = path.join(dir, 'x.tar');
      fs.writeFileSync(file, await packTar(entries));
      const dest = fs.mkdtempSync(path.join(dir, 'd-'));
      await assert.rejects(extractTar(file, dest, { ...strict, ...over }), why, label);
      assert.deepEqual(fs.readdirSync(canary), [], `${label}: canary untouched`);
    }
    const ok = path.join(dir, 'ok.tar');
    fs.writeFileSync(
      ok,
      await packTar([
        { name: 'ok', type: 'symlink', linkname: 'target' },
        { name: 'd/f', data: 'hi' },
      ]),
    );
    const dest = fs.mkdtempSync(path.join(dir, 'ok-'));
    const r = await extractTar(ok, dest, strict);
    assert.deepEqual([r.entries, r.bytes, fs.readlinkSync(path.join(dest, 'ok'))], [2, 2, 'target']);
    assert.equal(
      fs.statSync(path.join(dest, 'd')).mode & 0o777,
      0o700,
      'implicit parents are private without metadata',
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the native guard reports whether it is in use, and why not', async () => {
  const g = await loadNativeGuard();
  if (!g) assert.match(nativeGuardReason() ?? '', /\w/, 'an inactive guard names its reason');
  else assert.equal(nativeGuardReason(), undefined);
});
