// Adapter tier, bad path: the built main started with --hidden while another engine holds
// the root. The window exists but stays hidden (tray only), the tray and every call say
// why the engine is not running, and quitting still works. Plain Node + fake electron.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { register } from 'node:module';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { builtMainSkipReason, mainJs } from '../helpers/electron-build';
import path from 'node:path';

const SKIP = builtMainSkipReason();
if (SKIP) console.log(`# electron-main (hidden, engine locked) skipped: ${SKIP}`);

let E: any;
let P: any;
let base = '';
let holder: ChildProcess | undefined;
const trusted = { url: 'pier://app/index.html', parent: null };

async function waitFor<T>(fn: () => T | undefined | null | false, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

before(async () => {
  if (SKIP) return;
  base = mkdtempSync(path.join(os.tmpdir(), 'pier-fh-'));
  const rootDir = path.join(base, 'root');
  mkdirSync(rootDir, { recursive: true });
  // holds engine.lock as an engine does: an flock on it (kept by sleep through fd 9) and its PID inside
  const lockFile = path.join(rootDir, 'engine.lock');
  holder = spawn('sh', ['-c', 'exec 9>>"$0"; flock -x 9; printf %s $$ > "$0"; echo locked; exec sleep 120', lockFile], { stdio: ['ignore', 'pipe', 'ignore'] });
  await new Promise<void>((resolve) => holder!.stdout!.on('data', (b) => { if (String(b).includes('locked')) resolve(); }));
  // no session bus: no tray host can be seen, as on a desktop without StatusNotifierWatcher
  delete process.env.DBUS_SESSION_BUS_ADDRESS;
  delete process.env.PIER_CLOSE_TO_TRAY;
  Object.assign(process.env, { PIER_E2E: '1', PIER_HIDDEN: '1', PIER_ROOT: rootDir, PIER_RUNROOT: path.join(base, 'run'), PIER_USER_DATA: path.join(base, 'ud') });
  register(new URL('../electron/fake-electron-hook.mjs', import.meta.url));
  E = await import('electron' as string);
  await import(mainJs);
  P = await waitFor(() => (globalThis as any).__pier, 30_000);
});

after(() => {
  holder?.kill();
  if (base) rmSync(base, { recursive: true, force: true });
});

test('--hidden without a tray host: the window is shown anyway; closing it would quit', { skip: SKIP }, async () => {
  const win = E.BrowserWindow.all[0];
  assert.ok(win);
  assert.equal(win.webContents.url, 'pier://app/index.html');
  assert.equal(P.args.hidden, true);
  await waitFor(() => win.visible, 5000);
  const info = await E.ipcMain.invoke('shell:info', trusted, win.webContents, {});
  assert.deepEqual(info.result.close, {
    setting: 'auto', trayHost: false, action: 'quit',
    explanation: 'no tray host (StatusNotifierWatcher) on this desktop: closing the window quits Pier (containers keep running); --close-to-tray=on keeps it in the tray',
  });
  E.app.emit('second-instance', {}, [], '/');
  assert.equal(win.visible, true);
});

test('root held by another engine: tray, calls and the window all say why', { skip: SKIP }, async () => {
  assert.match(P.host.error, new RegExp(`in use by another Pier engine \\(PID ${holder!.pid}\\)`));
  const template = P.tray.template;
  assert.match(template[0].label, /^Engine not running: root .* is in use by another Pier engine/);
  assert.deepEqual(template.slice(-2).map((i: any) => i.label), ['Show Pier', 'Quit (containers keep running)']);
  assert.match(E.Tray.all[0].image.path, /tray\/idle\.png$/);
  const wc = E.BrowserWindow.all[0].webContents;
  const r = await E.ipcMain.invoke('rpc:containers.list', trusted, wc, {});
  assert.equal(r.ok, false);
  assert.equal(r.error.code, 'ENOENGINE');
  assert.match(r.error.message, /engine is not running: root .* in use/);
  assert.ok(wc.sent.some(([ch, n]: [string, any]) => ch === 'push:notice' && n.title === 'Engine not running'));
  const info = await E.ipcMain.invoke('shell:info', trusted, wc, {});
  assert.equal(info.result.engine.ok, false);
  // a malformed call is still refused by the schema first
  const bad = await E.ipcMain.invoke('rpc:containers.stop', trusted, wc, { id: 7 });
  assert.equal(bad.error.code, 'EINVAL');
});

test('quit works without an engine, and the other engine keeps its lock', { skip: SKIP }, async () => {
  E.app.quit();
  await waitFor(() => E.app.quitted, 10_000);
  assert.ok(existsSync(path.join(process.env.PIER_ROOT!, 'engine.lock')), 'the holder\'s lock is untouched');
});
