// Issue 11, item 18: PUT /containers/X/archive creates missing parent directories as dockerd does (compared with
// the reference dockerd), a failed upload leaves nothing it wrote (and puts back what it replaced), and a full
// disk leaves no temp files, partial files or empty directories (engine root on a small tmpfs).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmdirSync, statfsSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tar from 'tar-stream';
import { startPier, stopPier, docker, request, testImages, DOCKER, type PierServer } from './helpers';
import { startDockerd, dockerdSkipReason } from '../helpers/dockerd';

const skip = !existsSync(DOCKER) ? `${DOCKER} not installed` : process.getuid?.() !== 0 ? 'needs root (conmon + runc, mount)' : undefined;

type Entry = { name: string; type?: 'file' | 'directory'; data?: string | Buffer; uid?: number; mode?: number };
async function tarOf(entries: Entry[]): Promise<Buffer> {
  const p = tar.pack();
  const chunks: Buffer[] = [];
  p.on('data', (c) => { chunks.push(c as Buffer); });
  const ended = new Promise<void>((r) => p.on('end', () => r()));
  for (const e of entries) p.entry({ name: e.name, type: e.type ?? 'file', uid: e.uid ?? 0, gid: e.uid ?? 0, mode: e.mode ?? 0o644 }, e.data ?? '');
  p.finalize();
  await ended;
  return Buffer.concat(chunks);
}
const put = (srv: { socket: string }, c: string, dir: string, body: Buffer, q = '') =>
  request(srv.socket, 'PUT', `/containers/${c}/archive?path=${encodeURIComponent(dir)}${q}`, body, { 'Content-Type': 'application/x-tar' });
const sh = async (srv: { env: NodeJS.ProcessEnv }, c: string, script: string) => (await docker(srv, ['exec', c, 'sh', '-c', script])).stdout;

/** Parent directories made for entries whose parents the archive does not list. */
async function parentsScenario(srv: { env: NodeJS.ProcessEnv; socket: string }, c: string): Promise<string> {
  let r = await put(srv, c, '/tmp', await tarOf([{ name: 'a/b/c.txt', data: 'hi', mode: 0o600 }]));
  assert.equal(r.status, 200, r.body);
  r = await put(srv, c, '/tmp', await tarOf([{ name: 'x/y/', type: 'directory', mode: 0o700 }, { name: 'x/y/z', data: 'q' }]));
  assert.equal(r.status, 200, r.body);
  r = await put(srv, c, '/nope/x', await tarOf([{ name: 'f', data: 'x' }]));
  return `${r.status}\n` + await sh(srv, c, 'stat -c "%n %a %u:%g %F" /tmp/a /tmp/a/b /tmp/a/b/c.txt /tmp/x /tmp/x/y /tmp/x/y/z');
}

describe('archive upload', { skip }, () => {
  let srv: PierServer;
  let mnt: string;
  before(async () => {
    // the engine's root on a small filesystem of its own, so that a full disk can be made
    mnt = mkdtempSync(path.join(os.tmpdir(), 'pier-cp-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=96m', 'tmpfs', mnt]);
    srv = await startPier({ dir: mnt });
    const l = await docker(srv, ['load', '-i', await testImages()]);
    assert.equal(l.code, 0, l.stderr);
    const r = await docker(srv, ['run', '-d', '--name', 'cp1', '--network', 'none', 'pier-test/busybox', 'sleep', '600']);
    assert.equal(r.code, 0, r.stderr);
  });
  after(async () => {
    await stopPier(srv).catch(() => undefined);
    execFileSync('umount', ['-l', mnt]);
    rmdirSync(mnt);
  });

  test('missing parent directories are created as dockerd creates them', async () => {
    const pier = await parentsScenario(srv, 'cp1');
    assert.match(pier, /^404\n/);
    assert.match(pier, /\/tmp\/a 755 0:0 directory/);
    const why = dockerdSkipReason();
    if (why) return;
    const ref = await startDockerd({ bridge: 'piercp1', subnet: '172.31.244' });
    try {
      assert.equal((await docker(ref, ['load', '-i', await testImages()])).code, 0);
      assert.equal((await docker(ref, ['run', '-d', '--name', 'cp1', '--network', 'none', 'pier-test/busybox', 'sleep', '600'])).code, 0);
      const expected = await parentsScenario(ref, 'cp1');
      // directories: same modes and owners; the file's owner differs on purpose (Pier: root unless copyUIDGID)
      const dirs = (s: string) => s.split('\n').filter((l) => !l.includes('c.txt') && !l.endsWith('/z 644 0:0 regular file'));
      assert.deepEqual(dirs(pier), dirs(expected));
    } finally { await ref.stop(); }
  });

  test('a failed upload leaves nothing it wrote and puts back what it replaced', async () => {
    await sh(srv, 'cp1', 'mkdir -p /keep && echo original > /keep/file && chmod 700 /keep');
    const body = await tarOf([
      { name: 'keep/', type: 'directory', mode: 0o755 }, { name: 'keep/file', data: 'replaced\n' },
      { name: 'new1/deep/f', data: 'x' }, { name: 'etc', data: 'not a directory' },
    ]);
    const r = await put(srv, 'cp1', '/', body, '&noOverwriteDirNonDir=1');
    assert.equal(r.status, 400, r.body);
    assert.equal(await sh(srv, 'cp1', 'cat /keep/file; stat -c %a /keep; ls -d /new1 2>&1; ls -A /keep; ls -A / | grep pier-cp'),
      'original\n700\nls: /new1: No such file or directory\nfile\n');
  });

  test('a full disk leaves no temp file, partial file or empty directory', async () => {
    const S = 8 << 20;
    const data = Buffer.alloc(S, 'z');
    const free = () => { const s = statfsSync(mnt); return s.bavail * s.bsize; };
    const filler = path.join(mnt, 'filler');
    const before = await sh(srv, 'cp1', 'find / -xdev | sort');
    try {
      // room for the staged copy but not for the extracted file, then not even for the staged copy
      for (const room of [S + (S >> 1), S >> 1]) {
        rmSync(filler, { force: true });
        writeFileSync(filler, Buffer.alloc(Math.max(0, free() - room)));
        const r = await put(srv, 'cp1', '/tmp', await tarOf([{ name: 'full/deeper/big', data }]));
        assert.equal(r.status, 500, r.body);
        assert.match(JSON.parse(r.body).message, /no space left on device/i);
        const leftovers = execFileSync('find', [mnt, '(', '-name', '*.tmp-*', '-o', '-name', 'upload-*', '-o', '-name', '.pier-cp-*', '-o', '-name', 'full', ')'], { encoding: 'utf8' });
        assert.equal(leftovers, '', `left behind with ${room} bytes free`);
        rmSync(filler, { force: true });
        assert.equal(await sh(srv, 'cp1', 'find / -xdev | sort'), before);
      }
    } finally { rmSync(filler, { force: true }); }
    assert.deepEqual(readdirSync(path.join(mnt, 'root', 'tmp')).filter((n) => n.startsWith('upload-')), []);
  });
});
