// Drag-out request validation and archive checks (pure; real files for stat).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, statSync, unlinkSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ArchiveIndex, checkArchive, exportFileName, parseDragRequest } from '../../electron/main/core/drag';
import type { CheckpointSummary } from '../../electron/common/contract';

const dir = mkdtempSync(path.join(os.tmpdir(), 'pier-drag-'));
const cp = (id: string, archive?: string, extra: Partial<CheckpointSummary> = {}): CheckpointSummary => ({ id, container: 'c0ffee', containerName: 'web', created: '2026-11-28T10:11:12Z', size: 10, options: {}, archive, ...extra });
const stat = (p: string) => statSync(p);

test('request must carry an archive id, never a path or anything else', () => {
  assert.deepEqual(parseDragRequest({ archive: 'cp-1234' }), { ok: true, id: 'cp-1234' });
  for (const bad of [{ archive: '/var/lib/pier/checkpoints/x.tar.gz' }, { archive: '../../etc/passwd' }, { archive: 'file:///etc/passwd' }, '/etc/shadow', { archive: 'C:\\x' }]) {
    const r = parseDragRequest(bad);
    assert.equal(r.ok, false);
    assert.match((r as { message: string }).message, /not a path/, JSON.stringify(bad));
  }
  for (const bad of [undefined, null, 42, {}, { archive: '' }, { archive: 'UPPER' }, { archive: 'a'.repeat(65) }, { archive: ['cp-1'] }]) {
    const r = parseDragRequest(bad);
    assert.equal(r.ok, false, JSON.stringify(bad));
    assert.equal((r as { code: string }).code, 'EINVAL');
  }
});

test('unknown id, no archive yet, deleted archive, empty and incomplete files are refused with the reason', () => {
  assert.match((checkArchive('cp-x', undefined, stat) as { message: string }).message, /cp-x not found/);
  assert.equal((checkArchive('cp-1', cp('cp-1'), stat) as { code: string }).code, 'ENOARCHIVE');
  const gone = path.join(dir, 'gone.tar.gz');
  writeFileSync(gone, 'x'.repeat(100));
  unlinkSync(gone);
  const del = checkArchive('cp-2', cp('cp-2', gone), stat);
  assert.equal(del.ok, false);
  assert.equal((del as { code: string }).code, 'EDELETED');
  assert.match((del as { message: string }).message, /was deleted/);
  const empty = path.join(dir, 'empty.tar.gz');
  writeFileSync(empty, '');
  assert.equal((checkArchive('cp-3', cp('cp-3', empty), stat) as { code: string }).code, 'EINCOMPLETE');
  const part = path.join(dir, 'part.tar.gz');
  writeFileSync(part, 'x'.repeat(10));
  assert.match((checkArchive('cp-4', cp('cp-4', part, { archiveSize: 100 }), stat) as { message: string }).message, /10 of 100 bytes/);
  const d = path.join(dir, 'adir');
  mkdirSync(d);
  assert.match((checkArchive('cp-5', cp('cp-5', d), stat) as { message: string }).message, /not a regular file/);
  assert.equal((checkArchive('cp-6', cp('cp-6', 'relative.tar'), stat) as { code: string }).code, 'EINVAL');
});

test('an existing archive resolves to its file', () => {
  const f = path.join(dir, 'web-cp.tar.gz');
  writeFileSync(f, 'x'.repeat(2048));
  assert.deepEqual(checkArchive('cp-7', cp('cp-7', f, { archiveSize: 2048 }), stat), { ok: true, id: 'cp-7', file: f, size: 2048, name: 'web-cp.tar.gz' });
});

test('index: synchronous lookup after refresh; concurrent refreshes share one list call; list errors keep the old index', async () => {
  let calls = 0;
  let fail = false;
  const idx = new ArchiveIndex(async () => { calls++; if (fail) throw new Error('engine gone'); return [cp('cp-a', '/x/a.tar.gz'), cp('cp-b')]; });
  assert.equal(idx.get('cp-a'), undefined);
  await Promise.all([idx.refresh(), idx.refresh()]);
  assert.equal(calls, 1);
  assert.equal(idx.get('cp-a')!.archive, '/x/a.tar.gz');
  assert.equal(idx.size, 2);
  fail = true;
  await idx.refresh();
  assert.equal(idx.size, 2);
});

test('export file name: container, time, the archive extension, no path characters', () => {
  assert.equal(exportFileName(cp('cp-1', '/v/cp-1.tar.zst')), 'web-2026-11-28-10-11-12.tar.zst');
  assert.equal(exportFileName(cp('cp-1', '/v/cp-1.tar.gz', { containerName: '../evil name' })), '.._evil_name-2026-11-28-10-11-12.tar.gz');
  assert.equal(exportFileName(cp('cp-1', undefined)), 'web-2026-11-28-10-11-12.tar.gz');
});
