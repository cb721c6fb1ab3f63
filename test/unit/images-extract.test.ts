// Malicious layer corpus: every escape (.., absolute names, symlink traversal planted
// earlier in the same layer, hard links to outside files, device nodes, whiteout
// tricks) in several entry orders. A canary directory beside the target proves that
// nothing was written, replaced or deleted outside the layer directory.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { extractLayer, materializeOpaque, applyLayer, type ExtractResult } from '../../electron/engine/images/extract';
import { cleanName } from '../../electron/engine/tar/guard';
import { WorkerPool } from '../../electron/engine/images/workers';
import { packTar } from '../helpers/tar';

type E = { name: string; type?: 'file' | 'directory' | 'symlink' | 'link' | 'character-device' | 'block-device' | 'fifo'; data?: string; linkname?: string; mode?: number; devmajor?: number; devminor?: number };

/** Layer entries: files default to "x", all dated 2001-09-09. */
function tarOf(entries: E[]): Promise<Buffer> {
  return packTar(entries.map((e) => ({ ...e, data: e.data ?? 'x', mtime: new Date(1e12) })));
}

let base: string;
let outside: string; // holds the canary; sibling of every target
const CANARY = 'canary: must never change\n';

function snapshotOutside(): string {
  const walk = (d: string): string[] => fs.readdirSync(d).sort().flatMap((n) => {
    const p = path.join(d, n);
    const st = fs.lstatSync(p);
    return st.isDirectory() ? [n + '/', ...walk(p).map((x) => `${n}/${x}`)] : [`${n}:${st.size}:${st.mode}:${st.nlink}`];
  });
  return walk(outside).join('\n');
}

let n = 0;
async function run(entries: E[], opts: { gzip?: boolean } = {}): Promise<{ dest: string; res?: ExtractResult; err?: Error & { code?: string } }> {
  const dir = path.join(base, `case-${++n}`);
  const dest = path.join(dir, 'layer');
  fs.mkdirSync(dest, { recursive: true });
  const file = path.join(dir, 'blob');
  const t = await tarOf(entries);
  fs.writeFileSync(file, opts.gzip ? zlib.gzipSync(t) : t);
  const before = snapshotOutside();
  try {
    const res = await extractLayer({ file, dest, label: `case ${n}`, whiteoutMode: process.getuid?.() === 0 ? 'overlay' : 'list' });
    return { dest, res };
  } catch (err) {
    return { dest, err: err as Error & { code?: string } };
  } finally {
    assert.equal(fs.readFileSync(path.join(outside, 'canary'), 'utf8'), CANARY, 'canary content changed');
    assert.equal(snapshotOutside(), before, 'something outside the layer changed');
    assert.ok(!fs.existsSync('/pier-escape'), 'absolute path written on the host');
  }
}

/** Every permutation of a small list (the corpus stays small: ≤ 4 entries). */
function orders<T>(xs: T[]): T[][] {
  if (xs.length <= 1) return [xs];
  return xs.flatMap((x, i) => orders([...xs.slice(0, i), ...xs.slice(i + 1)]).map((rest) => [x, ...rest]));
}

before(() => {
  base = fs.mkdtempSync(path.join(os.tmpdir(), 'pier-extract-'));
  base = fs.realpathSync(base);
  outside = path.join(base, 'outside');
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, 'canary'), CANARY);
});
after(() => fs.rmSync(base, { recursive: true, force: true }));

describe('cleanName', () => {
  test('normalises and detects climbing out', () => {
    assert.deepEqual(cleanName('./a/b/'), ['a', 'b']);
    assert.deepEqual(cleanName('/etc/passwd'), ['etc', 'passwd']);
    assert.deepEqual(cleanName('a/../b'), ['b']);
    assert.equal(cleanName('../x'), null);
    assert.equal(cleanName('a/../../x'), null);
    assert.deepEqual(cleanName('./'), []);
  });
});

describe('malicious layers', () => {
  test('".." escapes are rejected, in every position', async () => {
    for (const name of ['../canary', '../outside/canary', 'a/../../outside/canary', './../outside/new', 'a/b/../../../outside/x']) {
      for (const ord of orders<E>([{ name: 'a/', type: 'directory' }, { name, data: 'pwned' }])) {
        const r = await run(ord);
        assert.equal(r.err?.code, 'EBADARCHIVE', `${name} must be rejected`);
        assert.match(r.err!.message, /climbs out/);
      }
    }
  });

  test('absolute names are neutralised: they land inside the layer', async () => {
    const r = await run([{ name: '/pier-escape', data: 'inside' }, { name: `/${path.relative('/', outside)}/canary`, data: 'pwned' }]);
    assert.equal(r.err, undefined);
    assert.equal(fs.readFileSync(path.join(r.dest, 'pier-escape'), 'utf8'), 'inside');
    assert.equal(fs.readFileSync(path.join(r.dest, path.relative('/', outside), 'canary'), 'utf8'), 'pwned');
  });

  test('writing through a symlink planted in the same layer is rejected, whatever the order', async () => {
    for (const target of [outside, '../../outside', '/']) {
      const entries: E[] = [
        { name: 'lnk', type: 'symlink', linkname: target },
        { name: 'lnk/canary', data: 'pwned' },
        { name: 'dir/', type: 'directory' },
      ];
      for (const ord of orders(entries)) {
        const r = await run(ord);
        const iLink = ord.findIndex((e) => e.name === 'lnk'), iFile = ord.findIndex((e) => e.name === 'lnk/canary');
        if (iLink < iFile) {
          assert.equal(r.err?.code, 'EBADARCHIVE');
          assert.match(r.err!.message, /symlink/);
        } else {
          // The file came first (lnk/ became a directory): the symlink replaces that directory in the layer.
          assert.equal(r.err, undefined, r.err?.message);
          assert.ok(fs.lstatSync(path.join(r.dest, 'lnk')).isSymbolicLink());
        }
      }
    }
  });

  test('nested symlink chains and directory-then-symlink swaps are rejected', async () => {
    const r1 = await run([
      { name: 'a', type: 'symlink', linkname: 'b' },
      { name: 'b', type: 'symlink', linkname: outside },
      { name: 'a/canary', data: 'pwned' },
    ]);
    assert.equal(r1.err?.code, 'EBADARCHIVE');
    const r2 = await run([
      { name: 'd/', type: 'directory' },
      { name: 'd/x', data: 'fine' },
      { name: 'd', type: 'symlink', linkname: outside },
      { name: 'd/canary', data: 'pwned' },
    ]);
    assert.equal(r2.err?.code, 'EBADARCHIVE');
  });

  test('a regular file over a planted symlink replaces the link, never writes through it', async () => {
    for (const ord of orders<E>([{ name: 'x', type: 'symlink', linkname: path.join(outside, 'canary') }, { name: 'x', data: 'replaced' }])) {
      const r = await run(ord);
      assert.equal(r.err, undefined);
    }
    const r = await run([{ name: 'x', type: 'symlink', linkname: path.join(outside, 'canary') }, { name: 'x', data: 'replaced' }]);
    assert.equal(fs.readFileSync(path.join(r.dest, 'x'), 'utf8'), 'replaced');
  });

  test('hard links to outside files are rejected', async () => {
    const cases: E[][] = [
      [{ name: 'hl', type: 'link', linkname: '../outside/canary' }],
      [{ name: 'hl', type: 'link', linkname: path.join(outside, 'canary') }], // absolute: taken inside the layer, where it does not exist
      [{ name: 's', type: 'symlink', linkname: outside }, { name: 'hl', type: 'link', linkname: 's/canary' }],
      [{ name: 's', type: 'symlink', linkname: '..' }, { name: 'hl', type: 'link', linkname: 's/outside/canary' }],
      [{ name: 'd/', type: 'directory' }, { name: 'hl', type: 'link', linkname: 'd' }],
    ];
    for (const c of cases) {
      for (const ord of orders(c)) {
        const r = await run(ord);
        assert.equal(r.err?.code, 'EBADARCHIVE', JSON.stringify(ord));
        assert.ok(!r.res, 'must not succeed');
      }
    }
  });

  test('a hard link to a planted symlink, then a file over it, never reaches the outside', async () => {
    const r = await run([
      { name: 's', type: 'symlink', linkname: path.join(outside, 'canary') },
      { name: 'hl', type: 'link', linkname: 's' },
      { name: 'hl', data: 'replaced' },
    ]);
    assert.equal(r.err, undefined);
    assert.equal(fs.readFileSync(path.join(r.dest, 'hl'), 'utf8'), 'replaced');
  });

  test('hard links inside the layer work', async () => {
    const r = await run([{ name: 'a', data: 'same' }, { name: 'b', type: 'link', linkname: 'a' }, { name: 'c/d', type: 'link', linkname: './a' }]);
    assert.equal(r.err, undefined);
    assert.equal(fs.statSync(path.join(r.dest, 'a')).ino, fs.statSync(path.join(r.dest, 'b')).ino);
    assert.equal(fs.statSync(path.join(r.dest, 'a')).nlink, 3);
  });

  test('device nodes are skipped, fifos created', async () => {
    const r = await run([
      { name: 'dev/', type: 'directory' },
      { name: 'dev/sda', type: 'block-device', devmajor: 8, devminor: 0 },
      { name: 'dev/mem', type: 'character-device', devmajor: 1, devminor: 1 },
      { name: 'dev/fifo', type: 'fifo' },
    ]);
    assert.equal(r.err, undefined);
    assert.ok(!fs.existsSync(path.join(r.dest, 'dev/sda')));
    assert.ok(!fs.existsSync(path.join(r.dest, 'dev/mem')));
    assert.ok(fs.lstatSync(path.join(r.dest, 'dev/fifo')).isFIFO());
    assert.deepEqual(r.res!.skipped.sort(), ['dev/mem (character-device)', 'dev/sda (block-device)']);
  });

  test('whiteouts cannot reach outside the layer', async () => {
    for (const c of [
      [{ name: 'lnk', type: 'symlink', linkname: outside }, { name: 'lnk/.wh.canary', data: '' }],
      [{ name: 'lnk', type: 'symlink', linkname: outside }, { name: 'lnk/.wh..wh..opq', data: '' }],
      [{ name: 'a/.wh...', data: '' }],
      [{ name: '../outside/.wh.canary', data: '' }],
    ] as E[][]) {
      const r = await run(c);
      assert.equal(r.err?.code, 'EBADARCHIVE', JSON.stringify(c));
    }
  });

  test('gzip layers: a truncated stream is rejected', async () => {
    const dir = path.join(base, 'trunc');
    fs.mkdirSync(path.join(dir, 'layer'), { recursive: true });
    const gz = zlib.gzipSync(await tarOf([{ name: 'a', data: 'x'.repeat(100000) }]));
    fs.writeFileSync(path.join(dir, 'blob'), gz.subarray(0, gz.length >> 1));
    await assert.rejects(extractLayer({ file: path.join(dir, 'blob'), dest: path.join(dir, 'layer'), label: 'trunc', whiteoutMode: 'list' }), { code: 'EBADARCHIVE' });
  });

  test('digest and diff id are verified', async () => {
    const dir = path.join(base, 'dg');
    fs.mkdirSync(path.join(dir, 'layer'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'blob'), zlib.gzipSync(await tarOf([{ name: 'a', data: 'x' }])));
    await assert.rejects(extractLayer({ file: path.join(dir, 'blob'), dest: path.join(dir, 'layer'), label: 'dg', whiteoutMode: 'list', expectDigest: 'sha256:' + '0'.repeat(64) }), { code: 'EDIGEST' });
    fs.rmSync(path.join(dir, 'layer'), { recursive: true }); fs.mkdirSync(path.join(dir, 'layer'));
    await assert.rejects(extractLayer({ file: path.join(dir, 'blob'), dest: path.join(dir, 'layer'), label: 'dg', whiteoutMode: 'list', expectDiffId: 'sha256:' + '1'.repeat(64) }), { code: 'EDIGEST' });
  });

  test('the worker pool runs the same extraction off the main thread', async () => {
    const pool = new WorkerPool(1);
    try {
      const dir = path.join(base, 'pool');
      fs.mkdirSync(path.join(dir, 'layer'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'blob'), await tarOf([{ name: 'lnk', type: 'symlink', linkname: outside }, { name: 'lnk/canary', data: 'pwned' }]));
      await assert.rejects(pool.extract({ file: path.join(dir, 'blob'), dest: path.join(dir, 'layer'), label: 'pool', whiteoutMode: 'list' }), { code: 'EBADARCHIVE' });
      assert.equal(fs.readFileSync(path.join(outside, 'canary'), 'utf8'), CANARY);
    } finally { await pool.close(); }
  });
});

describe('whiteouts and opaque directories', () => {
  test('opaque directories become explicit whiteouts against the parent chain; copy application honours them', async () => {
    const l1 = await run([
      { name: 'etc/a', data: 'a' }, { name: 'etc/b', data: 'b' }, { name: 'etc/sub/c', data: 'c' }, { name: 'etc/gone', data: 'g' },
      { name: 'opt/x', data: 'x' },
    ]);
    const l2 = await run([{ name: 'etc/.wh.gone', data: '' }, { name: 'opt/.wh.x', data: '' }]);
    const l3 = await run([{ name: 'etc/.wh..wh..opq', data: '' }, { name: 'etc/b', data: 'B' }, { name: 'etc/sub/new', data: 'n' }, { name: 'opt/y', data: 'y' }]);
    assert.deepEqual(l3.res!.opaque, ['etc']);
    const mode = process.getuid?.() === 0 ? 'overlay' : 'list';
    const lowers = [{ dir: l2.dest, whiteouts: l2.res!.whiteouts }, { dir: l1.dest, whiteouts: l1.res!.whiteouts }];
    const added = materializeOpaque(l3.dest, l3.res!.opaque, lowers, mode);
    // a is hidden; b replaced by a file; sub is a dir on both sides → its lower children hidden; gone was already deleted.
    assert.deepEqual(added.sort(), ['etc/a', 'etc/sub/c']);
    const target = path.join(base, 'applied');
    fs.mkdirSync(target);
    applyLayer(target, { dir: l1.dest, whiteouts: l1.res!.whiteouts });
    applyLayer(target, { dir: l2.dest, whiteouts: l2.res!.whiteouts });
    applyLayer(target, { dir: l3.dest, whiteouts: [...l3.res!.whiteouts, ...added] });
    const list = (d: string): string[] => fs.readdirSync(path.join(target, d)).sort();
    assert.deepEqual(list('etc'), ['b', 'sub']);
    assert.deepEqual(list('etc/sub'), ['new']);
    assert.deepEqual(list('opt'), ['y']);
    assert.equal(fs.readFileSync(path.join(target, 'etc/b'), 'utf8'), 'B');
  });
});
