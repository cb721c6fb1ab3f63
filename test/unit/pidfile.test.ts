// Reading conmon's pidfile never fails a create: missing, unreadable or garbage gives undefined.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readPidFile } from '../../electron/engine/runtime/conmon-runtime';

test('readPidFile: a PID, or undefined for missing, directory, empty, garbage, zero, negative, huge', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pier-pid-'));
  try {
    const f = (name: string, text: string) => { const p = path.join(dir, name); writeFileSync(p, text); return p; };
    assert.equal(await readPidFile(f('ok', '4242')), 4242);
    assert.equal(await readPidFile(f('nl', '4242\n')), 4242);
    assert.equal(await readPidFile(path.join(dir, 'missing')), undefined);
    mkdirSync(path.join(dir, 'isdir'));
    assert.equal(await readPidFile(path.join(dir, 'isdir')), undefined);
    for (const bad of ['', 'abc', '12x', '0', '-5', '1e5', '99999999999', '4242 4243']) assert.equal(await readPidFile(f('bad', bad)), undefined, JSON.stringify(bad));
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
