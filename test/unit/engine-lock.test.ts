// engine.lock is an flock: the kernel frees it when the holder dies, a stale PID in the file means nothing,
// and a live holder's PID is named in the error. Also the per-container lock used with `pier container cleanup`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { lockFile, lockRoot } from '../../electron/engine/store/lock';

const lockTs = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../electron/engine/store/lock.ts');

/** A separate process that takes the root lock and says so. */
async function holder(root: string) {
  const code = `const { lockRoot } = await import(${JSON.stringify(lockTs)}); lockRoot(${JSON.stringify(root)}); console.log('locked'); setInterval(() => {}, 1e6);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (b) => { if (String(b).includes('locked')) resolve(); });
    child.once('exit', (c) => reject(new Error(`holder exited (${c})`)));
  });
  return child;
}

test('a live holder is named; SIGKILLing it frees the root at once', async () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'pier-lock-'));
  try {
    const child = await holder(root);
    assert.throws(() => lockRoot(root), (e: Error & { code?: string }) => e.code === 'ELOCKED' && e.message.includes(`PID ${child.pid}`));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const lock = lockRoot(root); // no delay, no stale-PID guessing
    assert.equal(readFileSync(path.join(root, 'engine.lock'), 'utf8'), String(process.pid));
    assert.throws(() => lockRoot(root), /in use by another Pier engine/, 'a second lock in the same process is refused too');
    lock.release();
    lockRoot(root).release();
  } finally { rmSync(root, { recursive: true, force: true }); }
});

test('a lock file naming a live but unrelated PID does not block start-up', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'pier-lock-'));
  try {
    writeFileSync(path.join(root, 'engine.lock'), '1'); // PID 1 is alive and is not an engine
    const lock = lockRoot(root);
    lock.release();
  } finally { rmSync(root, { recursive: true, force: true }); }
});

test('container locks exclude each other and hand over in order', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pier-lock-'));
  try {
    const file = path.join(dir, 'c.lock');
    const a = await lockFile(file);
    const order: string[] = [];
    const b = lockFile(file).then((l) => { order.push('b'); return l; });
    await new Promise((r) => setTimeout(r, 100));
    order.push('a-release');
    a.release();
    (await b).release();
    assert.deepEqual(order, ['a-release', 'b']);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
