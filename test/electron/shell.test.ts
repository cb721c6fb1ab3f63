// Electron tier: Playwright `_electron` launches the real Pier shell (built main + preload +
// renderer) on an isolated engine root, with a real container running under conmon.
// Runs only where an Electron binary exists (ELECTRON_OVERRIDE_DIST_PATH, or
// node_modules/electron/dist after `npx install-electron`); otherwise every test is skipped
// with the reason printed. Needs an X display: uses $DISPLAY or starts Xvfb.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { testDirs, type TestDirs } from '../helpers/rootfs';
import type { TrayItem } from '../../electron/main/core/tray-menu';
import type { PierBridge } from '../../electron/common/bridge';

/** window.pier in the page (every call resolves with {ok, result} | {ok: false, error: {code, message}}) */
type W = { pier: PierBridge };

const root = path.resolve(import.meta.dirname, '../..');

function electronBinary(): { path?: string; reason?: string } {
  const dirs = [process.env.ELECTRON_OVERRIDE_DIST_PATH, path.join(root, 'node_modules/electron/dist')].filter(Boolean) as string[];
  for (const d of dirs) {
    const p = path.join(d, process.platform === 'darwin' ? 'Electron.app/Contents/MacOS/Electron' : 'electron');
    if (existsSync(p) && statSync(p).isFile()) return { path: p };
  }
  return { reason: `no Electron binary (looked in ${dirs.join(', ')}); set ELECTRON_OVERRIDE_DIST_PATH or run \`npx install-electron\` where the network allows` };
}

const bin = electronBinary();
const SKIP = bin.reason;
if (SKIP) console.log(`# electron tier skipped: ${SKIP}`);

let xvfb: ChildProcess | undefined;
let display = process.env.DISPLAY;
let dirs: TestDirs | undefined;
let userData = '';
let app: ElectronApplication | undefined;
let page: Page | undefined;
let containerId = '';
const NAME = `e2e-${process.pid}`;

async function startXvfb(): Promise<string> {
  for (let n = 90; n < 110; n++) {
    if (existsSync(`/tmp/.X11-unix/X${n}`)) continue;
    const p = spawn('Xvfb', [`:${n}`, '-screen', '0', '1400x900x24', '-nolisten', 'tcp'], { stdio: 'ignore' });
    // ready once its socket exists; gone when the display was taken meanwhile
    await waitFor(async () => existsSync(`/tmp/.X11-unix/X${n}`) || p.exitCode !== null || undefined);
    if (p.exitCode === null) { xvfb = p; return `:${n}`; }
  }
  throw new Error('could not start Xvfb');
}

async function withEngine<T>(fn: (e: import('../../electron/engine/engine').Engine) => Promise<T>): Promise<T> {
  const { openEngine } = await import('../../electron/engine/open');
  const e = await openEngine({ root: dirs!.root, runroot: dirs!.runroot });
  try { return await fn(e); } finally { await e.close(); }
}

function launchEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('ELECTRON_RUN_AS_NODE')) env[k] = v;
  return { ...env, DISPLAY: display!, PIER_E2E: '1', PIER_ROOT: dirs!.root, PIER_RUNROOT: dirs!.runroot, PIER_SOCKET: path.join(dirs!.runroot, 'docker.sock'), PIER_USER_DATA: userData, ...extra };
}

before(async () => {
  if (SKIP) return;
  if (!existsSync(path.join(root, 'out/main/index.js')) || !existsSync(path.join(root, 'out/renderer/index.html'))) {
    const b = spawnSync(process.execPath, [path.join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], { cwd: root, stdio: 'inherit', timeout: 300_000 });
    assert.equal(b.status, 0, 'electron-vite build failed');
  }
  if (!display) display = await startXvfb();
  dirs = testDirs('pier-el-');
  userData = mkdtempSync(path.join(os.tmpdir(), 'pier-ud-'));
  // a real container, created and started by the engine under plain Node, left running
  containerId = await withEngine(async (e) => {
    const r = await e.containers.create({ name: NAME, rootfs: dirs!.rootfs, cmd: ['sh', '-c', 'echo ready; while true; do sleep 1; done'], tty: false });
    await e.containers.start(r.id);
    return r.id;
  });
  app = await _electron.launch({ executablePath: bin.path, args: [root], env: launchEnv(), timeout: 90_000 });
  app.process().stdout?.on('data', (d) => process.stdout.write(`# [pier] ${d}`));
  app.process().stderr?.on('data', (d) => process.stdout.write(`# [pier!] ${d}`));
  page = await app.firstWindow();
  await page.waitForLoadState('domcontentloaded');
});

after(async () => {
  if (SKIP) return;
  if (app) await app.close().catch(() => undefined);
  if (dirs && containerId) await withEngine((e) => e.containers.remove(containerId, { force: true })).catch(() => undefined);
  xvfb?.kill();
  dirs?.cleanup();
  if (userData) rmSync(userData, { recursive: true, force: true });
});

test('the window loads the renderer over pier://app with a sandboxed, isolated preload', { skip: SKIP }, async () => {
  assert.match(page!.url(), /^pier:\/\/app\//);
  const g = await page!.evaluate(() => ({
    require: typeof (globalThis as Record<string, unknown>).require,
    process: typeof (globalThis as Record<string, unknown>).process,
    pier: Object.keys((window as unknown as { pier: object }).pier).sort(),
  }));
  assert.equal(g.require, 'undefined');
  assert.equal(g.process, 'undefined');
  for (const k of ['invoke', 'on', 'onStream', 'startDrag', 'getPathForFile', 'drop', 'exportArchive', 'shellInfo']) assert.ok(g.pier.includes(k), k);
  const prefs = await app!.evaluate(() => {
    const p = (globalThis as unknown as { __pier: { webPreferences: Record<string, unknown> } }).__pier.webPreferences;
    return { contextIsolation: p.contextIsolation, sandbox: p.sandbox, nodeIntegration: p.nodeIntegration, webviewTag: p.webviewTag };
  });
  assert.deepEqual(prefs, { contextIsolation: true, sandbox: true, nodeIntegration: false, webviewTag: false });
});

test('navigation away, new windows and unknown channels are refused', { skip: SKIP }, async () => {
  await page!.evaluate(() => { location.href = 'https://example.com/'; });
  await page!.waitForTimeout(500);
  assert.match(page!.url(), /^pier:\/\/app\//);
  assert.equal(await page!.evaluate(() => window.open('https://example.com/') === null), true);
  assert.equal(app!.windows().length, 1);
  const err = await page!.evaluate(() => (window as unknown as W).pier.invoke('containers.nuke' as 'containers.list', {}));
  assert.ok(!err.ok && /unknown method/.test(err.error.message), JSON.stringify(err));
  // the error's code crosses contextBridge as data (a rejected Error would arrive with its message only)
  const bad = await page!.evaluate(() => (window as unknown as W).pier.invoke('containers.stop', { id: '../../x' }));
  assert.deepEqual(bad.ok ? 'resolved' : [bad.error.code, /invalid id/.test(bad.error.message)], ['EINVAL', true]);
});

test('sees the running container in the list (re-adopted from the store)', { skip: SKIP }, async () => {
  const listed = await page!.evaluate(() => (window as unknown as W).pier.invoke('containers.list', {}));
  assert.ok(listed.ok, JSON.stringify(listed));
  const mine = listed.result.find((c) => c.id === containerId);
  assert.equal(mine?.status, 'running');
  await page!.locator(`[role="row"][data-id="${containerId}"]`).waitFor({ timeout: 20_000 });
  assert.ok(await page!.getByText(NAME).first().isVisible());
});

test('close-to-tray reports whether a tray host exists, and what closing does', { skip: SKIP }, async () => {
  const info = await page!.evaluate(() => (window as unknown as W).pier.shellInfo());
  assert.ok(info.ok, JSON.stringify(info));
  console.log(`# tray host: ${info.result.close.trayHost}; ${info.result.close.explanation}`);
  assert.equal(info.result.close.action, info.result.close.trayHost === true ? 'hide' : 'quit');
});

test('the tray menu template, read through the main process, has the container submenu', { skip: SKIP }, async () => {
  const template = await app!.evaluate(() => (globalThis as unknown as { __pier: { tray: { template: unknown } } }).__pier.tray.template) as TrayItem[];
  assert.match(template[0].label!, /^1 running/);
  const sub = template.find((i) => i.id === `container:${containerId}`);
  assert.ok(sub, 'container submenu');
  const labels = sub!.submenu!.map((i) => i.label);
  for (const l of ['Open Terminal', 'Logs', 'Stop', 'Pause', 'Remove…']) assert.ok(labels.includes(l), l);
  assert.deepEqual(template.slice(-2).map((i) => i.label), ['Show Pier', 'Quit (containers keep running)']);
  // pause from the tray: the engine acts, the menu is rebuilt (debounced) with Resume
  await app!.evaluate((_e, id) => (globalThis as unknown as { __pier: { trayAction(a: unknown): Promise<void> } }).__pier.trayAction({ kind: 'container', op: 'pause', id, name: 'x' }), containerId);
  const paused = await waitFor(async () => {
    const t = await app!.evaluate(() => (globalThis as unknown as { __pier: { tray: { template: TrayItem[] } } }).__pier.tray.template);
    return t.find((i) => i.id === `container:${containerId}`)?.submenu?.some((i) => i.label === 'Resume') ? t : undefined;
  });
  assert.match(paused[0].label!, /1 paused/);
  await app!.evaluate((_e, id) => (globalThis as unknown as { __pier: { trayAction(a: unknown): Promise<void> } }).__pier.trayAction({ kind: 'container', op: 'unpause', id, name: 'x' }), containerId);
});

test('opens a terminal: an exec session through window.pier, bytes in and out', { skip: SKIP }, async () => {
  const out = await page!.evaluate(async (id) => {
    const pier = (window as unknown as W).pier;
    const call = async (m: string, p: unknown): Promise<{ id: string }> => {
      const r = await pier.invoke(m as 'sessions.exec', p as never);
      if (!r.ok) throw new Error(`${m}: ${r.error.code} ${r.error.message}`);
      return r.result as { id: string };
    };
    const s = await call('sessions.exec', { id, cmd: ['sh'], tty: true, rows: 24, cols: 80 });
    let text = '';
    const off = pier.onStream('session', (p) => { if (p.session === s.id && p.data) text += new TextDecoder().decode(p.data); });
    await call('sessions.watch', { session: s.id });
    await call('sessions.write', { session: s.id, data: 'echo pier-$((6*7))\n' });
    for (let i = 0; i < 100 && !text.includes('pier-42'); i++) await new Promise((r) => setTimeout(r, 100));
    await call('sessions.close', { session: s.id });
    off();
    return text;
  }, containerId);
  assert.match(out, /pier-42/);
  // the tray's "Open Terminal" navigates the window to the container's terminal
  await app!.evaluate((_e, id) => (globalThis as unknown as { __pier: { trayAction(a: unknown): Promise<void> } }).__pier.trayAction({ kind: 'container', op: 'terminal', id, name: 'x' }), containerId);
  await page!.locator('.xterm').first().waitFor({ timeout: 20_000 });
});

test('drag: an unknown or path-shaped id is refused; a real archive starts a native drag', { skip: SKIP }, async (t) => {
  const notice = await page!.evaluate(() => new Promise<string>((resolve) => {
    const pier = (window as unknown as { pier: { onNotice(fn: (n: { message: string }) => void): () => void; startDrag(id: string): void } }).pier;
    const off = pier.onNotice((n) => { off(); resolve(n.message); });
    pier.startDrag('cp-does-not-exist');
  }));
  assert.match(notice, /not found/);
  const pathErr = await page!.evaluate(() => { try { (window as unknown as { pier: { startDrag(id: string): void } }).pier.startDrag('/etc/passwd'); return 'sent'; } catch (e) { return (e as Error).message; } });
  assert.match(pathErr, /archive id/);
  assert.equal(await app!.evaluate(() => (globalThis as unknown as { __pier: { archives: { lastDrag?: unknown } } }).__pier.archives.lastDrag ?? null), null);

  const cp = await page!.evaluate((id) => (window as unknown as W).pier.invoke('checkpoints.create', { id, leaveRunning: true, export: true })
    .then((r) => (r.ok ? r.result : { error: r.error.message })), containerId) as { id?: string; archive?: string; error?: string };
  if (cp.error || !cp.archive) { t.skip(`no checkpoint archive on this host: ${cp.error ?? 'no archive path'}`); return; }
  await app!.evaluate(() => (globalThis as unknown as { __pier: { archives: { index: { refresh(): Promise<void> } } } }).__pier.archives.index.refresh());
  await page!.evaluate((id) => (window as unknown as { pier: { startDrag(id: string): void } }).pier.startDrag(id), cp.id!);
  const drag = await waitFor(() => app!.evaluate(() => (globalThis as unknown as { __pier: { archives: { lastDrag?: { id: string; file: string } } } }).__pier.archives.lastDrag));
  assert.equal(drag.id, cp.id);
  assert.equal(drag.file, cp.archive);
});

test('drop: a non-archive is refused with the reason, nothing runs', { skip: SKIP }, async () => {
  const dropped = await page!.evaluate(() => (window as unknown as W).pier.drop(['/etc/hostname']));
  assert.ok(dropped.ok, JSON.stringify(dropped));
  const rs = dropped.result;
  assert.equal(rs[0].ok, false);
  assert.equal(rs[0].kind, 'rejected');
  assert.match(rs[0].message, /hostname/);
});

test('a second instance focuses the first and exits', { skip: SKIP }, async () => {
  const r = spawnSync(bin.path!, [root, '--no-sandbox'], { env: launchEnv(), timeout: 30_000 });
  assert.equal(r.status, 0, String(r.stderr));
  assert.equal(app!.windows().length, 1);
});

test('quitting leaves the container running', { skip: SKIP }, async () => {
  const stdout: string[] = [];
  app!.process().stdout?.on('data', (d) => stdout.push(String(d)));
  await app!.close();
  app = undefined;
  assert.match(stdout.join(''), /keep running|keeps running/);
  const status = await withEngine(async (e) => e.containers.inspect(containerId).status);
  assert.equal(status, 'running');
});

async function waitFor<T>(fn: () => Promise<T | undefined | null>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 200));
  }
}
