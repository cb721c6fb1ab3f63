// The path-guard policy (engine/path-guard.ts), the worker's location in a packaged app, and the built worker
// bundle started the way a packaged app starts it: from a directory outside any asar, with and without its addon.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { workerLocation } from '../../electron/engine/images/workers';
import { pathGuardInfo, pathGuardPolicy, setPathGuardPolicy, loadPathGuardSetting, savePathGuardSetting, selectGuard } from '../../electron/engine/path-guard';
import { handlers, type Ctx } from '../../electron/rpc/methods';
import { packTar } from '../helpers/tar';

const root = path.resolve(import.meta.dirname, '../..');
const tmp = () => mkdtempSync(path.join(process.env.TMPDIR || os.tmpdir(), 'pier-guard-'));

test('workerLocation: sources use unpack-worker.ts; a bundle uses ../worker/unpack-worker.mjs, never inside an asar', () => {
  assert.equal(workerLocation('file:///src/electron/engine/images/workers.ts').pathname, '/src/electron/engine/images/unpack-worker.ts');
  assert.equal(workerLocation('file:///opt/Pier/resources/app.asar/out/main/index.js').pathname, '/opt/Pier/resources/app.asar.unpacked/out/worker/unpack-worker.mjs');
  assert.equal(workerLocation('file:///repo/out/main/server-x1.js').pathname, '/repo/out/worker/unpack-worker.mjs');
  assert.equal(workerLocation('file:///a/.vite/build/index.js').pathname, '/a/.vite/worker/unpack-worker.mjs');
});

test('policy: require refuses without the native guard unless allowed; prefer and off never refuse', () => {
  const saved = pathGuardPolicy();
  try {
    setPathGuardPolicy({ mode: 'require', allowJs: false });
    assert.deepEqual(pathGuardInfo({ native: false, reason: 'addon missing' }), { native: false, reason: 'addon missing', mode: 'require', allowJs: false, refusing: true });
    assert.equal(pathGuardInfo({ native: true }).refusing, false);
    setPathGuardPolicy({ allowJs: true });
    assert.equal(pathGuardInfo({ native: false, reason: 'x' }).refusing, false);
    setPathGuardPolicy({ mode: 'prefer', allowJs: false });
    assert.equal(pathGuardInfo({ native: false, reason: 'x' }).refusing, false);
  } finally { setPathGuardPolicy(saved); }
});

test('selectGuard: with the addon built here the native guard is selected whatever the mode', async () => {
  const saved = pathGuardPolicy();
  try {
    setPathGuardPolicy({ mode: 'require', allowJs: false });
    const g = await selectGuard('test layer');
    assert.equal(typeof g, 'function');
    const d = tmp();
    mkdirSync(path.join(d, 'a'));
    assert.equal(g!(d, 'a/../../a'), path.join(d, 'a'), 'resolved inside the root');
    rmSync(d, { recursive: true });
  } finally { setPathGuardPolicy(saved); }
});

test('the opt-in is stored in the engine root, read back, and set through system.pathGuard', async () => {
  const saved = pathGuardPolicy();
  const d = tmp();
  try {
    setPathGuardPolicy({ mode: 'require', allowJs: false });
    loadPathGuardSetting(d);
    assert.equal(pathGuardPolicy().allowJs, false, 'no file: not allowed');
    savePathGuardSetting(d, true);
    assert.deepEqual(JSON.parse(readFileSync(path.join(d, 'path-guard.json'), 'utf8')), { allowJs: true });
    setPathGuardPolicy({ allowJs: false });
    loadPathGuardSetting(d);
    assert.equal(pathGuardPolicy().allowJs, true);
    writeFileSync(path.join(d, 'path-guard.json'), '{"allowJs":"yes"}');
    loadPathGuardSetting(d);
    assert.equal(pathGuardPolicy().allowJs, false, 'only a real true allows');
    // the RPC handler: saves, then answers the probe under the new policy
    const engine = { opts: { root: d }, pathGuard: async () => pathGuardInfo({ native: false, reason: 'addon missing' }) };
    const ctx = { engine } as unknown as Ctx;
    const on = await handlers['system.pathGuard'](ctx, { allowJs: true });
    assert.equal(on.refusing, false);
    assert.equal(on.allowJs, true);
    const off = await handlers['system.pathGuard'](ctx, { allowJs: false });
    assert.equal(off.refusing, true);
    assert.deepEqual(JSON.parse(readFileSync(path.join(d, 'path-guard.json'), 'utf8')), { allowJs: false });
    assert.deepEqual(readdirSync(d).sort(), ['path-guard.json'], 'no temporary file left');
  } finally { setPathGuardPolicy(saved); rmSync(d, { recursive: true, force: true }); }
});

type Reply = { result?: unknown; error?: { message: string; code?: string } };
/** Runs tasks in the built worker bundle at `dir/worker/unpack-worker.mjs`, one after another. */
function startWorker(dir: string) {
  const w = new Worker(path.join(dir, 'worker', 'unpack-worker.mjs'));
  let seq = 0;
  return {
    run(task: object, policy: object): Promise<Reply> {
      const id = ++seq;
      return new Promise((resolve, reject) => {
        const onMsg = (m: Reply & { id: number }) => { if (m.id === id) { w.off('message', onMsg); resolve(m); } };
        w.on('message', onMsg);
        w.once('error', reject);
        w.postMessage({ id, task, policy });
      });
    },
    close: () => w.terminate(),
  };
}

const built = existsSync(path.join(root, 'out/worker/unpack-worker.mjs'));

test('built worker bundle, copied out of the tree without its addon: says why, refuses under require, extracts once allowed', { skip: !built && 'out/ not built: run `npx electron-vite build` first' }, async () => {
  const d = tmp();
  cpSync(path.join(root, 'out/worker/unpack-worker.mjs'), path.join(d, 'worker/unpack-worker.mjs'));
  const layer = path.join(d, 'layer.tar');
  writeFileSync(layer, await packTar([{ name: 'etc/', type: 'directory' }, { name: 'etc/hello', data: 'hi\n' }]));
  const w = startWorker(d);
  try {
    const require = { mode: 'require', allowJs: false };
    const probe = await w.run({ kind: 'guard' }, require);
    assert.equal((probe.result as { native: boolean }).native, false);
    assert.match((probe.result as { reason: string }).reason, /^the native addon did not load: Cannot find module '.*\/worker\/build\/Release\/pier_native.node'$/);
    mkdirSync(path.join(d, 'dest'));
    const task = { kind: 'extract', task: { file: layer, dest: path.join(d, 'dest'), label: 'image x layer 1', whiteoutMode: 'list' } };
    const refused = await w.run(task, require);
    assert.equal(refused.error?.code, 'EGUARD');
    assert.match(refused.error!.message, /^image x layer 1: refused: Pier's native path guard is not available \(the native addon did not load: Cannot find module [^\n]*\), and this app does not extract untrusted archives without it\. Reinstall Pier, or allow the JavaScript path guard in System → Path guard\.$/);
    assert.deepEqual(readdirSync(path.join(d, 'dest')), [], 'nothing written');
    const allowed = await w.run(task, { mode: 'require', allowJs: true });
    assert.equal(allowed.error, undefined);
    assert.equal(readFileSync(path.join(d, 'dest/etc/hello'), 'utf8'), 'hi\n');
    rmSync(path.join(d, 'dest'), { recursive: true });
    mkdirSync(path.join(d, 'dest'));
    const preferred = await w.run(task, { mode: 'prefer', allowJs: false });
    assert.equal(preferred.error, undefined, 'prefer: the pure-JS guard, with the warning');
  } finally { await w.close(); rmSync(d, { recursive: true, force: true }); }
});

test('built worker bundle with its addon beside it: native guard, and a symlink escape is still rejected', { skip: !built && 'out/ not built' }, async () => {
  if (!existsSync(path.join(root, 'out/worker/build/Release/pier_native.node'))) assert.fail('out/worker has no addon copy: the build step must put it there');
  const d = tmp();
  cpSync(path.join(root, 'out/worker'), path.join(d, 'worker'), { recursive: true });
  const layer = path.join(d, 'layer.tar');
  writeFileSync(layer, await packTar([{ name: 'link', type: 'symlink', linkname: '/' }, { name: 'link/escaped', data: 'x' }]));
  const w = startWorker(d);
  try {
    const policy = { mode: 'require', allowJs: false };
    assert.deepEqual((await w.run({ kind: 'guard' }, policy)).result, { native: true });
    mkdirSync(path.join(d, 'dest'));
    const r = await w.run({ kind: 'extract', task: { file: layer, dest: path.join(d, 'dest'), label: 'evil', whiteoutMode: 'list' } }, policy);
    assert.equal(r.error?.code, 'EBADARCHIVE');
    assert.match(r.error!.message, /evil: entry "link\/escaped" rejected: its parent "link" is a symlink/);
    assert.ok(!existsSync('/escaped'));
  } finally { await w.close(); rmSync(d, { recursive: true, force: true }); }
});
