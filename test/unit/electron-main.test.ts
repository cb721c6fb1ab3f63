// Adapter tier: the BUILT main process (out/main/index.js) running under plain Node with a
// recording fake `electron` (test/electron/fake-electron.mjs), on a real engine with a real
// container on an isolated root. Exercises the wiring a unit test of core/ cannot: IPC
// binding and sender checks, the pier:// protocol, the tray rebuilt from engine events,
// startDrag's call shape, drops, navigation/permission policy, notifications, window state,
// hide-on-close, second instance, and quit leaving containers running.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { register } from 'node:module';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { builtMainSkipReason, mainJs, repoRoot } from '../helpers/electron-build';
import path from 'node:path';
import { testDirs, type TestDirs } from '../helpers/rootfs';
import type { TrayItem } from '../../electron/main/core/tray-menu';

const root = repoRoot;
function skipReason(): string | undefined {
  const built = builtMainSkipReason();
  if (built) return built;
  if (process.getuid?.() !== 0) return 'needs root (conmon + runc containers)';
  for (const b of ['conmon', 'runc']) { try { execFileSync('sh', ['-c', `command -v ${b}`]); } catch { return `${b} not installed`; } }
  return undefined;
}
const SKIP = skipReason();
if (SKIP) console.log(`# electron-main adapter tests skipped: ${SKIP}`);

type Fake = any;
let E: Fake;
let P: Fake;
let dirs: TestDirs;
let userData = '';
let cid = '';
const NAME = `fake-e-${process.pid}`;
const logs: string[] = [];
const trusted = { url: 'pier://app/index.html', parent: null };

async function engine<T>(fn: (e: import('../../electron/engine/engine').Engine) => Promise<T>): Promise<T> {
  const { openEngine } = await import('../../electron/engine/open');
  const e = await openEngine({ root: dirs.root, runroot: dirs.runroot });
  try { return await fn(e); } finally { await e.close(); }
}
async function waitFor<T>(fn: () => T | undefined | null | false | Promise<T | undefined | null | false>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}
const win = () => E.BrowserWindow.all[0];
const wc = () => win().webContents;
const call = (method: string, params: unknown, frame: unknown = trusted, sender: unknown = wc()) => E.ipcMain.invoke(`rpc:${method}`, frame, sender, params);
const trayTemplate = (): TrayItem[] => P.tray.template;

before(async () => {
  if (SKIP) return;
  dirs = testDirs('pier-fm-');
  userData = mkdtempSync(path.join(os.tmpdir(), 'pier-fm-ud-'));
  cid = await engine(async (e) => {
    const r = await e.containers.create({ name: NAME, rootfs: dirs.rootfs, cmd: ['sh', '-c', 'while true; do sleep 1; done'] });
    await e.containers.start(r.id);
    return r.id;
  });
  // close-to-tray forced on: this machine has no tray host (auto would quit on close)
  Object.assign(process.env, { PIER_E2E: '1', PIER_CLOSE_TO_TRAY: 'on', PIER_ROOT: dirs.root, PIER_RUNROOT: dirs.runroot, PIER_SOCKET: path.join(dirs.runroot, 'docker.sock'), PIER_USER_DATA: userData });
  const orig = console.log;
  console.log = (...a: unknown[]) => { logs.push(a.join(' ')); orig(...a); };
  register(new URL('../electron/fake-electron-hook.mjs', import.meta.url));
  E = await import('electron' as string);
  await import(mainJs);
  P = await waitFor(() => (globalThis as any).__pier, 30_000);
});

after(async () => {
  if (SKIP) return;
  await engine(async (e) => {
    for (const id of [cid, restoredId].filter(Boolean)) await e.containers.remove(id, { force: true }).catch(() => undefined);
  }).catch(() => undefined);
  dirs.cleanup();
  rmSync(userData, { recursive: true, force: true });
});

test('lifecycle: sandbox, pier:// scheme, single-instance, engine up, API socket, window shown', { skip: SKIP }, async () => {
  assert.ok(E.calls.some((c: unknown[]) => c[0] === 'enableSandbox'));
  assert.deepEqual(E.protocol.privileged.map((s: any) => s.scheme), ['pier']);
  assert.equal(P.host.error, undefined, `engine error: ${P.host.error}`);
  assert.equal(P.host.root, dirs.root);
  assert.equal(E.app.paths.userData, userData);
  if (existsSync(path.join(root, 'electron/engine/api/server.ts'))) {
    assert.equal(P.host.apiError, undefined);
    assert.equal(P.host.socket, path.join(dirs.runroot, 'docker.sock'));
    assert.ok(existsSync(P.host.socket), 'Docker API socket exists');
  }
  assert.equal(E.BrowserWindow.all.length, 1);
  assert.equal(wc().url, 'pier://app/index.html');
  await waitFor(() => win().visible);
  const wp = win().opts.webPreferences;
  assert.equal(wp.preload, path.join(root, 'out/preload/index.cjs'));
  assert.ok(existsSync(wp.preload));
  assert.deepEqual([wp.contextIsolation, wp.sandbox, wp.nodeIntegration, wp.webviewTag, wp.webSecurity], [true, true, false, false, true]);
  assert.ok(existsSync(win().opts.icon));
});

test('pier:// serves the renderer with the CSP header, nothing outside it', { skip: SKIP }, async () => {
  const h = E.protocol.handlers.get('pier');
  const ok = await h(new Request('pier://app/index.html'));
  if (existsSync(path.join(root, 'out/renderer/index.html'))) {
    assert.equal(ok.status, 200);
    assert.match(ok.headers.get('content-security-policy'), /script-src 'self'/);
    assert.match(await ok.text(), /<html/i);
  }
  assert.equal((await h(new Request('pier://app/a/..%2f..%2f..%2fmain%2findex.js'))).status, 404);
  assert.equal((await h(new Request('pier://evil/index.html'))).status, 404);
  assert.equal((await h(new Request('pier://app/index.html', { method: 'POST', body: 'x' }))).status, 405);
});

test('IPC: exactly the contract channels; sender frame and params checked before anything runs', { skip: SKIP }, async () => {
  const { methods } = await import('../../electron/common/contract');
  const rpc = [...E.ipcMain.handlers.keys()].filter((k: string) => k.startsWith('rpc:'));
  assert.deepEqual(rpc.sort(), Object.keys(methods).map((m) => `rpc:${m}`).sort());
  const list = await call('containers.list', {});
  assert.equal(list.ok, true);
  assert.equal(list.result.find((c: any) => c.id === cid)?.status, 'running');
  for (const [frame, sender, why] of [
    [{ url: 'https://evil.example/', parent: null }, wc(), 'other origin'],
    [{ url: 'pier://app/index.html', parent: {} }, wc(), 'sub-frame'],
    [null, wc(), 'no frame'],
    [trusted, { id: 999 }, 'not a Pier window'],
  ] as const) {
    const r = await call('containers.stop', { id: cid }, frame, sender);
    assert.deepEqual(r, { ok: false, error: { code: 'EFORBIDDEN', message: 'IPC from an untrusted frame was refused' } }, why);
  }
  const bad = await call('containers.stop', { id: '$(reboot)' });
  assert.equal(bad.ok, false);
  assert.equal(bad.error.code, 'EINVAL');
  assert.match(bad.error.message, /invalid id/);
  await assert.rejects(E.ipcMain.invoke('rpc:containers.nuke', trusted, wc(), {}), /No handler registered/);
  const missing = await call('containers.start', { id: 'no-such-container' });
  assert.equal(missing.ok, false);
  assert.match(missing.error.message, /no-such-container/);
  // still running: nothing executed
  assert.equal((await call('containers.inspect', { id: cid })).result.status ?? (await call('containers.list', {})).result.find((c: any) => c.id === cid).status, 'running');
});

test('tray: rebuilt from engine events (debounced) with counts and per-container submenus', { skip: SKIP }, async () => {
  const tray = E.Tray.all[0];
  assert.ok(tray, 'tray created');
  assert.match(trayTemplate()[0].label!, /^1 running/);
  assert.match(tray.image.path, /tray\/running\.png$/);
  const sub = trayTemplate().find((i) => i.id === `container:${cid}`)!;
  assert.deepEqual(sub.submenu!.filter((i) => i.action).map((i) => i.label), ['Open Terminal', 'Logs', 'Stop', 'Pause', 'Checkpoint && Export…', 'Remove…']);
  const before = P.tray.rebuilds;
  const r = await call('containers.pause', { id: cid });
  assert.equal(r.ok, true, JSON.stringify(r));
  await waitFor(() => trayTemplate().find((i) => i.id === `container:${cid}`)?.submenu?.some((i) => i.label === 'Resume'));
  assert.match(trayTemplate()[0].label!, /1 paused/);
  assert.ok(P.tray.rebuilds > before);
  // the renderer got the event, payload only, on the push channel
  assert.ok(wc().sent.some(([ch, m]: [string, any]) => ch === 'push:message' && m.t === 'event' && m.payload?.action === 'paused' && m.payload?.id === cid));
  // click "Resume" in the tray: the engine acts
  const resume = trayTemplate().find((i) => i.id === `container:${cid}`)!.submenu!.find((i) => i.label === 'Resume')!;
  const electronMenu = tray.menus.at(-1).template;
  const eSub = electronMenu.find((i: any) => i.id === `container:${cid}`).submenu.find((i: any) => i.label === 'Resume');
  assert.deepEqual(resume.action, { kind: 'container', op: 'unpause', id: cid, name: NAME });
  eSub.click();
  await waitFor(async () => (await call('containers.list', {})).result.find((c: any) => c.id === cid)?.status === 'running');
  // "Open Terminal" navigates the window
  const term = tray.menus.at(-1).template.find((i: any) => i.id === `container:${cid}`).submenu.find((i: any) => i.label === 'Open Terminal');
  term.click();
  await waitFor(() => wc().sent.some(([ch, t]: [string, any]) => ch === 'push:navigate' && t.view === 'terminal' && t.id === cid));
  assert.deepEqual(tray.menus.at(-1).template.slice(-2).map((i: any) => i.label), ['Show Pier', 'Quit (containers keep running)']);
});

let restoredId = '';
test('real checkpoint: tray "Checkpoint & Export…" → archive saved; drag it out; drop it back → restored', { skip: SKIP, timeout: 120_000 }, async (t) => {
  const info = await call('system.info', {});
  if (!info.ok || !info.result.criu?.works) { t.skip(`CRIU not usable here: ${info.result?.criu?.reason ?? info.error?.message ?? 'no criu'}`); return; }
  const dest = path.join(userData, 'from-tray.tar.gz');
  E.dialog.nextSave = { canceled: false, filePath: dest };
  // the menu is rebuilt (debounced) after the unpause of the previous test
  const item = await waitFor(() => {
    const i = E.Tray.all[0].menus.at(-1).template.find((x: any) => x.id === `container:${cid}`).submenu.find((x: any) => x.label === 'Checkpoint && Export…');
    return i.enabled && i;
  });
  item.click();
  await waitFor(() => existsSync(dest), 90_000);
  const cps = (await call('checkpoints.list', { id: cid })).result as Array<{ id: string; archive?: string; archiveSize?: number }>;
  const cp = cps.find((c) => c.archive);
  assert.ok(cp, 'checkpoint with an archive');
  assert.equal(readFileSync(dest).length, cp!.archiveSize, 'exported copy is complete');
  assert.equal((await call('containers.list', {})).result.find((c: any) => c.id === cid).status, 'running', 'leave-running');
  // drag the archive out: the index was refreshed by the checkpoint event
  await waitFor(() => P.archives.index.get(cp!.id)?.archive);
  const drags = wc().drags.length;
  E.ipcMain.emitSend('shell:start-drag', trusted, wc(), { archive: cp!.id });
  assert.equal(wc().drags.length, drags + 1);
  assert.equal(wc().drags.at(-1).file, cp!.archive);
  // drop the exported copy back onto the window: classified by content, restored as a new container
  const name = `restored-${process.pid}`;
  const r = await E.ipcMain.invoke('shell:drop', trusted, wc(), { paths: [dest], name });
  assert.equal(r.ok, true, JSON.stringify(r));
  assert.equal(r.result[0].kind, 'checkpoint');
  assert.equal(r.result[0].ok, true, r.result[0].message);
  restoredId = r.result[0].result.id;
  assert.equal(r.result[0].result.name, name);
  assert.equal(r.result[0].result.status, 'running');
  // the archive is kept after drag and export
  assert.ok(existsSync(cp!.archive!));
});

test('drag: path or unknown id refused with a notice; a real archive → startDrag({file, icon}) synchronously', { skip: SKIP }, async () => {
  const drags = wc().drags.length;
  const before = wc().sent.filter(([ch]: [string]) => ch === 'push:notice').length;
  E.ipcMain.emitSend('shell:start-drag', trusted, wc(), { archive: '/etc/passwd' });
  E.ipcMain.emitSend('shell:start-drag', trusted, wc(), { archive: 'cp-unknown' });
  E.ipcMain.emitSend('shell:start-drag', { url: 'https://evil/', parent: null }, wc(), { archive: 'cp-unknown' });
  assert.equal(wc().drags.length, drags);
  const notices = await waitFor(() => { const n = wc().sent.filter(([ch]: [string]) => ch === 'push:notice'); return n.length >= before + 2 && n.slice(before); });
  assert.match(notices.map(([, n]: [string, any]) => n.message).join('\n'), /not a path/);
  assert.match(notices.map(([, n]: [string, any]) => n.message).join('\n'), /cp-unknown not found/);
  const file = path.join(userData, 'cp-1.tar.gz');
  writeFileSync(file, Buffer.alloc(4096, 1));
  P.host.checkpoints = async () => [{ id: 'cp-1', container: cid, containerName: NAME, created: '2026-11-28T00:00:00Z', size: 4096, options: {}, archive: file, archiveSize: 4096 }];
  await P.archives.index.refresh();
  E.ipcMain.emitSend('shell:start-drag', trusted, wc(), { archive: 'cp-1' });
  assert.equal(wc().drags.length, drags + 1, 'startDrag called in the same tick');
  assert.equal(wc().drags.at(-1).file, file);
  assert.match(wc().drags.at(-1).icon.path, /assets\/drag-archive\.png$/);
  assert.ok(existsSync(wc().drags.at(-1).icon.path));
  rmSync(file);
  E.ipcMain.emitSend('shell:start-drag', trusted, wc(), { archive: 'cp-1' });
  assert.equal(wc().drags.length, drags + 1, 'deleted archive: no drag');
  await waitFor(() => wc().sent.some(([ch, n]: [string, any]) => ch === 'push:notice' && /was deleted/.test(n.message)));
  delete P.host.checkpoints;
});

test('export: cancelled dialog is null; a chosen path gets a complete copy and progress events', { skip: SKIP }, async () => {
  const file = path.join(userData, 'cp-2.tar.gz');
  writeFileSync(file, Buffer.alloc(300_000, 7));
  P.host.checkpoints = async () => [{ id: 'cp-2', container: cid, containerName: NAME, created: '2026-11-28T00:00:00Z', size: 1, options: {}, archive: file, archiveSize: 300_000 }];
  await P.archives.index.refresh();
  E.dialog.nextSave = { canceled: true };
  assert.deepEqual(await E.ipcMain.invoke('shell:export-archive', trusted, wc(), { archive: 'cp-2' }), { ok: true, result: null });
  const dest = path.join(userData, 'exported.tar.gz');
  E.dialog.nextSave = { canceled: false, filePath: dest };
  assert.deepEqual(await E.ipcMain.invoke('shell:export-archive', trusted, wc(), { archive: 'cp-2' }), { ok: true, result: dest });
  assert.equal(readFileSync(dest).length, 300_000);
  await waitFor(() => wc().sent.some(([ch, m]: [string, any]) => ch === 'push:message' && m.payload?.type === 'progress' && m.payload.kind === 'export' && m.payload.done));
  const badId = await E.ipcMain.invoke('shell:export-archive', trusted, wc(), { archive: '../../etc/passwd' });
  assert.equal(badId.ok, false);
  delete P.host.checkpoints;
});

test('drop: non-archives are refused with the reason and nothing runs', { skip: SKIP }, async () => {
  const txt = path.join(userData, 'notes.txt');
  writeFileSync(txt, 'hello\n'.repeat(50));
  const r = await E.ipcMain.invoke('shell:drop', trusted, wc(), { paths: [txt, '/nonexistent/x.tar'] });
  assert.equal(r.ok, true);
  assert.deepEqual(r.result.map((x: any) => [x.kind, x.ok]), [['rejected', false], ['rejected', false]]);
  assert.match(r.result[0].message, /notes\.txt is not a checkpoint or image archive/);
  const rel = await E.ipcMain.invoke('shell:drop', trusted, wc(), { paths: ['relative.tar'] });
  assert.equal(rel.ok, false);
  assert.match(rel.error.message, /absolute path/);
  const n = (await call('containers.list', {})).result.length;
  assert.equal(n, restoredId ? 2 : 1, 'nothing created');
});

test('drop a folder → Build dialog data; the build through IPC streams steps and ends in Images', { skip: SKIP, timeout: 120_000 }, async () => {
  const dir = path.join(userData, 'drop-app');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'Dockerfile'), 'FROM scratch\nCOPY hello.txt /hello.txt\nLABEL from=drop\n');
  writeFileSync(path.join(dir, 'hello.txt'), 'hi\n');
  const bare = path.join(userData, 'bare-folder');
  mkdirSync(bare, { recursive: true });
  const r = await E.ipcMain.invoke('shell:drop', trusted, wc(), { paths: [dir, bare] });
  assert.equal(r.ok, true);
  assert.deepEqual(r.result[0], { path: dir, kind: 'folder', ok: true, message: 'build drop-app', result: { context: dir, dockerfile: 'Dockerfile' } });
  assert.equal(r.result[1].kind, 'rejected');
  assert.match(r.result[1].message, /bare-folder is a folder without a Dockerfile/);
  // the native folder picker: cancelled → null; chosen → the folder and its Dockerfile
  E.dialog.nextOpen = { canceled: true, filePaths: [] };
  assert.deepEqual(await E.ipcMain.invoke('shell:choose-folder', trusted, wc(), {}), { ok: true, result: null });
  E.dialog.nextOpen = { canceled: false, filePaths: [dir] };
  assert.deepEqual(await E.ipcMain.invoke('shell:choose-folder', trusted, wc(), {}), { ok: true, result: { context: dir, dockerfile: 'Dockerfile' } });
  // what the Build dialog then sends: images.build on the dropped folder; progress arrives as pushed events
  const before = wc().sent.length;
  const b = await call('images.build', { context: dir, dockerfile: 'Dockerfile', tags: ['dropped/app:1'] });
  assert.equal(b.ok, true, JSON.stringify(b));
  const progress = () => wc().sent.slice(before).map(([ch, m]: [string, any]) => (ch === 'push:message' ? m.payload : undefined))
    .filter((p: any) => p?.type === 'progress' && p.kind === 'build' && p.task === b.result.task);
  const end = await waitFor(() => progress().find((p: any) => p.done), 60_000);
  assert.equal(end.error, undefined, end.error);
  assert.deepEqual(progress().filter((p: any) => /^Step /.test(p.status)).map((p: any) => `${p.current}/${p.total}`), ['1/3', '2/3', '3/3']);
  const list = await call('images.list', {});
  assert.ok(list.result.some((i: any) => i.repoTags.includes('dropped/app:1') && i.id === end.imageId));
  const bad = await call('images.build', { context: 'relative/dir' });
  assert.equal(bad.ok, false);
  assert.match(bad.error.message, /absolute path/);
});

test('navigation, new windows, external links and permissions', { skip: SKIP }, async () => {
  const nav = (url: string) => { const e = { url, prevented: false, preventDefault() { this.prevented = true; } }; wc().emit('will-navigate', e); return e.prevented; };
  assert.equal(nav('pier://app/index.html'), false);
  assert.equal(nav('https://docs.podman.io/'), true);
  assert.equal(nav('file:///etc/passwd'), true);
  assert.deepEqual(wc().openHandler({ url: 'https://example.com/x' }), { action: 'deny' });
  assert.deepEqual(wc().openHandler({ url: 'javascript:alert(1)' }), { action: 'deny' });
  assert.deepEqual(E.shell.opened, ['https://docs.podman.io/', 'https://example.com/x']);
  const ext = await E.ipcMain.invoke('shell:open-external', trusted, wc(), { url: 'smb://host/share' });
  assert.equal(ext.ok, false);
  const ask = (permission: string, requestingUrl: string, isMainFrame = true) => {
    let granted: boolean | undefined;
    E.session.defaultSession.permissionRequest(wc(), permission, (g: boolean) => { granted = g; }, { requestingUrl, isMainFrame });
    return granted;
  };
  assert.equal(ask('media', 'pier://app/index.html'), false);
  assert.equal(ask('clipboard-read', 'pier://app/index.html'), true, 'paste in the terminal');
  assert.equal(ask('clipboard-sanitized-write', 'pier://app/index.html'), true, 'copy from the terminal');
  assert.equal(ask('clipboard-read', 'https://evil.example/'), false);
  assert.equal(ask('clipboard-read', 'pier://app/index.html', false), false, 'not from a subframe');
  const check = (permission: string, origin: string) =>
    E.session.defaultSession.permissionCheck(wc(), permission, origin, { requestingUrl: origin, isMainFrame: true });
  assert.equal(check('notifications', 'pier://app'), false);
  assert.equal(check('clipboard-read', 'pier://app'), true);
  assert.equal(check('clipboard-read', 'https://evil.example'), false);
  const dl = (url: string) => { const e = { prevented: false, preventDefault() { this.prevented = true; } }; E.session.defaultSession['on_will-download'](e, { getURL: () => url }); return e.prevented; };
  assert.equal(dl('blob:pier://app/1234'), false, 'logs download from the app');
  assert.equal(dl('https://example.com/payload.sh'), true);
  const info = await E.ipcMain.invoke('shell:info', trusted, wc(), {});
  assert.equal(info.result.engine.ok, true);
});

test('notifications: an unexpected exit notifies; clicking opens the container', { skip: SKIP }, async () => {
  const before = E.Notification.shown.length;
  P.host.publish({ type: 'container', action: 'exited', id: cid, name: NAME, exitCode: 3 });
  P.host.publish({ type: 'container', action: 'exited', id: cid, name: NAME, exitCode: 0 });
  const n = await waitFor(() => E.Notification.shown.length > before && E.Notification.shown.at(-1));
  assert.equal(E.Notification.shown.length, before + 1);
  assert.equal(n.opts.title, `${NAME} stopped`);
  assert.match(n.opts.body, /exited with code 3/);
  n.emit('click');
  assert.ok(wc().sent.some(([ch, t]: [string, any]) => ch === 'push:navigate' && t.view === 'logs' && t.id === cid));
});

test('window: state saved on move; close hides to the tray; a second instance shows it', { skip: SKIP }, async () => {
  win().setBounds({ x: 222, y: 111, width: 1000, height: 700 });
  const file = path.join(userData, 'window-state.json');
  const saved = await waitFor(() => existsSync(file) && JSON.parse(readFileSync(file, 'utf8')), 5000);
  assert.deepEqual([saved.x, saved.y, saved.width, saved.height], [222, 111, 1000, 700]);
  const info = await E.ipcMain.invoke('shell:info', trusted, wc(), {});
  assert.deepEqual([info.result.close.setting, info.result.close.action], ['on', 'hide']);
  win().close();
  assert.equal(win().destroyed, false, 'hidden, not destroyed');
  assert.equal(win().visible, false);
  E.app.emit('second-instance', {}, [], '/');
  assert.equal(win().visible, true);
});

test('System: the bundled main finds the bundled image worker, whose probe reports the native path guard', { skip: SKIP }, async () => {
  const r = await call('system.info', {});
  assert.equal(r.ok, true, JSON.stringify(r.error));
  // not packaged: prefer (a packaged app sets PIER_PATH_GUARD=require before the engine starts)
  assert.deepEqual(r.result.pathGuard, { native: true, mode: 'prefer', allowJs: false, refusing: false });
  assert.ok(logs.some((l) => /^pier: path guard native \(openat2\)$/.test(l)), 'start-up probe printed');
});

test('host terminal: the shell runs in a utility process; killing it ends the shell with the reason, a new one works', { skip: SKIP }, async () => {
  const output = (sid: string) => Buffer.concat(wc().sent.filter(([ch, m]: [string, any]) => ch === 'push:message' && m.t === 'stream' && m.kind === 'session' && m.payload.session === sid && m.payload.data)
    .map(([, m]: [string, any]) => Buffer.from(m.payload.data))).toString();
  const ended = (sid: string) => wc().sent.some(([ch, m]: [string, any]) => ch === 'push:message' && m.t === 'stream' && m.payload?.session === sid && m.payload.end);
  const open = async () => {
    const r = await call('sessions.host', { rows: 24, cols: 80 });
    assert.equal(r.ok, true, JSON.stringify(r.error));
    assert.equal((await call('sessions.watch', { session: r.result.id })).ok, true);
    return r.result.id as string;
  };
  const sid = await open();
  const forks = E.calls.filter((c: unknown[]) => c[0] === 'utilityProcess.fork');
  assert.equal(forks.length, 1);
  assert.equal(forks[0][1], path.join(root, 'out/main/pty-host.js'), 'the bundled pty host entry beside index.js');
  assert.equal(forks[0][2], 'Pier terminal host');
  await call('sessions.write', { session: sid, data: 'echo "in-$((40+2))"\n' });
  await waitFor(() => output(sid).includes('in-42'));
  const hostPid = E.utilityProcess.forked[0].pid;
  assert.notEqual(hostPid, process.pid);
  process.kill(hostPid, 'SIGKILL');
  await waitFor(() => ended(sid));
  assert.match(output(sid), /\[Pier: the terminal host process exited with code 1; this shell ended\. Open a new terminal to continue\.\]/);
  const list = await call('sessions.list', {});
  assert.ok(!list.result.some((x: any) => x.id === sid), 'the ended shell is gone from the list');
  const w = await call('sessions.write', { session: sid, data: 'x' });
  assert.equal(w.ok, false);
  // main (engine, API socket) is still up, and a new terminal gets a new host
  assert.equal((await call('containers.list', {})).ok, true);
  const sid2 = await open();
  assert.equal(E.calls.filter((c: unknown[]) => c[0] === 'utilityProcess.fork').length, 2);
  await call('sessions.write', { session: sid2, data: 'echo again\n' });
  await waitFor(() => output(sid2).includes('again'));
  await call('sessions.close', { session: sid2 });
});

test('quit: `pier --quit` from the desktop file quits the running Pier; containers keep running', { skip: SKIP }, async () => {
  E.app.emit('second-instance', {}, ['/opt/Pier/pier', '--quit'], '/');
  await waitFor(() => E.app.quitted, 15_000);
  assert.ok(logs.some((l) => /containers? keeps? running: .*fake-e-/.test(l)), logs.join('\n'));
  assert.ok(E.Tray.all[0].destroyed);
  const st = await engine(async (e) => [cid, restoredId].filter(Boolean).map((id) => e.containers.inspect(id).status));
  assert.deepEqual(st, st.map(() => 'running'));
});
