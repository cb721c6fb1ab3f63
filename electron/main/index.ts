// Pier's Electron main process: single instance, the engine hosted here, the window,
// the tray, drag-and-drop, notifications. The parts that can be pure live in core/
// (unit-tested under Node); this file wires them to Electron.
import path from 'node:path';
import { app, BrowserWindow, dialog, Menu, type MenuItemConstructorOptions } from 'electron';
import { parseShellArgs } from './core/args';
import { PUSH, type NavigateTarget, type ShellInfo } from '../common/channels';
import { trustedOrigins } from './core/security';
import { quitMessage } from './core/quit';
import { closeAction, closeExplanation, startHidden } from './core/close';
import { probeTrayHost } from './tray-host';
import type { TrayAction } from './core/tray-menu';
import { SelectedEngine, openLink } from './engine-select';
import { choiceFromArg, rootRefusal, type EngineChoice } from './core/engine-choice';
import { loadChoice, saveChoice } from './engine-choice-file';
import { registerAppScheme, serveRenderer } from './protocol';
import { hardenSessions, hardenWebContents } from './hardening';
import { createMainWindow, showWindow } from './window';
import { IpcBinding, sendNotice } from './ipc';
import { Archives } from './archives';
import { PierTray } from './tray';
import { Notifier } from './notifier';
import { RENDERER_DIR, devServerUrl } from './paths';
import { utilityLauncher } from './pty-launcher';

const args = parseShellArgs(process.argv.slice(1), process.env);
// As root the window cannot run (Chromium refuses root with its sandbox, and Pier keeps the sandbox): say so and
// how to reach the system engine. (The recording fake electron of the adapter tests sets PIER_E2E and runs as root.)
const asRoot = process.getuid?.() === 0 && process.env.PIER_E2E !== '1';
if (asRoot) console.error(`pier: ${rootRefusal()}`);
// A packaged app without its native path guard is a broken install: untrusted archives are refused until the user
// allows the pure-JS guard (engine/path-guard.ts). Set before the engine (or a `pier serve` child) starts.
if (app.isPackaged && !process.env.PIER_PATH_GUARD) process.env.PIER_PATH_GUARD = 'require';
const devServer = devServerUrl(app.isPackaged);
if (args.userData) app.setPath('userData', args.userData);

app.enableSandbox();
registerAppScheme();

let win: BrowserWindow | undefined;
let quitting = false;
const busy = new Set<string>();
const host = new SelectedEngine();
const archives = new Archives(host);
const origins = () => trustedOrigins(devServer);
const notifier = new Notifier(() => !!win && !win.isDestroyed() && win.isVisible(), (t) => navigate(t));
let trayHost: boolean | undefined;
const trayPresence = () => ({ created: !!tray, host: trayHost });
const info = (): ShellInfo => ({
  platform: process.platform, version: app.getVersion(), hidden: !win?.isVisible(),
  engine: { ok: host.ok, root: host.root, socket: host.socket, error: host.error ?? host.apiError, label: host.current?.label, choice: host.current?.choice, warnings: host.warnings },
  close: { setting: args.closeToTray, trayHost, action: closeAction(args.closeToTray, trayPresence()), explanation: closeExplanation(args.closeToTray, trayPresence()) },
});
const ipc = new IpcBinding({ host, archives, origins, markUserStop: (id) => notifier.markUserStop(id), info, setEngine: (c) => switchEngine(c) });

/** Saves the choice and restarts the app on it (containers keep running; windows come back). */
async function switchEngine(choice: EngineChoice): Promise<void> {
  await saveChoice(app.getPath('userData'), choice);
  console.log(`pier: switching engine: ${JSON.stringify(choice)}`);
  app.relaunch({ args: process.argv.slice(1).filter((a) => !a.startsWith('--engine')) });
  app.quit();
}

async function askSocket(): Promise<void> {
  const r = await dialog.showOpenDialog({ title: 'Connect to a Pier engine socket', properties: ['openFile', 'showHiddenFiles'], defaultPath: '/run/pier' });
  if (r.canceled || !r.filePaths[0]) return;
  await switchEngine({ kind: 'socket', path: r.filePaths[0] });
}
let tray: PierTray | undefined;
let trayConn: ReturnType<SelectedEngine['connect']> | undefined;

function navigate(t: NavigateTarget): void {
  showWindow(win);
  if (win && !win.isDestroyed()) win.webContents.send(PUSH.navigate, t);
}

async function trayAction(a: TrayAction): Promise<void> {
  if (a.kind === 'show') return showWindow(win);
  if (a.kind === 'quit') { app.quit(); return; }
  if (a.kind === 'engine') return a.choice === 'other' ? askSocket() : switchEngine(a.choice);
  const { op, id, name } = a;
  if (op === 'terminal') return navigate({ view: 'terminal', id });
  if (op === 'logs') return navigate({ view: 'logs', id });
  trayConn ??= host.connect(() => undefined);
  if (op === 'remove') {
    const r = await dialog.showMessageBox({ type: 'warning', buttons: ['Remove', 'Cancel'], defaultId: 1, cancelId: 1, title: 'Remove container', message: `Remove container ${name}?`, detail: 'Its writable layer and logs are deleted. A running container is stopped first.' });
    if (r.response !== 0) return;
  }
  busy.add(id);
  tray?.schedule();
  try {
    switch (op) {
      case 'start': await trayConn.call('containers.start', { id }); break;
      case 'stop': notifier.markUserStop(id); await trayConn.call('containers.stop', { id }); break;
      case 'pause': await trayConn.call('containers.pause', { id }); break;
      case 'unpause': await trayConn.call('containers.unpause', { id }); break;
      case 'remove': notifier.markUserStop(id); await trayConn.call('containers.remove', { id, force: true }); break;
      case 'checkpoint-export': {
        const cp = await trayConn.call('checkpoints.create', { id, leaveRunning: true, export: true }) as { id: string };
        await archives.index.refresh();
        busy.delete(id);
        tray?.schedule();
        await archives.exportArchive(win && win.isVisible() ? win : undefined, cp.id);
        break;
      }
    }
  } catch (e) {
    notifier.show({ title: `${name}: ${op} failed`, body: (e as Error).message, target: { view: 'containers', id }, urgency: 'normal' });
    sendNotice(win?.webContents, { level: 'error', title: `${name}: ${op} failed`, message: (e as Error).message });
  } finally {
    busy.delete(id);
    tray?.schedule();
  }
}

function appMenu(): void {
  const template: MenuItemConstructorOptions[] = [
    { label: 'Pier', submenu: [{ label: 'Hide Window', accelerator: 'CmdOrCtrl+W', click: () => win?.hide() }, { type: 'separator' }, { label: 'Quit (containers keep running)', accelerator: 'CmdOrCtrl+Q', click: () => app.quit() }] },
    { role: 'editMenu' },
    { label: 'View', submenu: [{ role: 'reload' }, { role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, { role: 'togglefullscreen' }, ...(devServer ? [{ role: 'toggleDevTools' } as MenuItemConstructorOptions] : [])] },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

async function start(): Promise<void> {
  hardenSessions(origins);
  hardenWebContents(origins);
  serveRenderer(RENDERER_DIR, devServer);
  ipc.bind();
  appMenu();

  const saved = await loadChoice(app.getPath('userData'));
  if (saved.problem) console.error(`pier: ${saved.problem}`);
  const choice = choiceFromArg(args.engine) ?? saved.choice;
  host.set(await openLink(choice, {
    root: args.root, runroot: args.runroot, socket: args.socket, noApi: args.noApi, ptyLauncher: utilityLauncher,
    cli: path.join(app.getAppPath(), 'bin', 'pier.js'), execPath: process.execPath, log: (l) => console.log(`pier engine: ${l}`),
  }));
  console.log(`pier: engine: ${host.current?.label}`);
  if (host.error) console.error(`pier: engine not started: ${host.error}`);
  if (host.apiError) console.error(`pier: ${host.apiError}`);
  else if (host.socket) console.log(`pier: Docker API on unix://${host.socket}`);

  tray = new PierTray({ containers: () => host.containers(), busy: () => busy, engineError: () => host.error, checkpointSupported: () => host.checkpointSupported, engine: () => host.current && { label: host.current.label, choice: host.current.choice }, onAction: (a) => void trayAction(a) });
  // without a tray, closing the window quits (the tray is never the only way back)
  try { tray.create(); } catch (e) { tray = undefined; console.error(`pier: no tray: ${(e as Error).message}`); }
  host.subscribe((e) => {
    if (e.type === 'container' || (e.type === 'progress' && e.done)) tray?.schedule();
    if ((e.type === 'container' && (e.action === 'checkpointed' || e.action === 'removed')) || (e.type === 'progress' && e.done && (e.kind === 'checkpoint' || e.kind === 'export'))) void archives.index.refresh();
    notifier.handle(e);
  });
  void archives.index.refresh();

  trayHost = await probeTrayHost();
  console.log(`pier: ${closeExplanation(args.closeToTray, trayPresence())}`);
  const hideOnClose = () => !quitting && closeAction(args.closeToTray, trayPresence()) === 'hide';
  const show = !startHidden(args.hidden, closeAction(args.closeToTray, trayPresence()));
  if (args.hidden && show) console.log('pier: --hidden ignored: without a visible tray the window is the only way in');
  const w = await createMainWindow({ userData: app.getPath('userData'), devServer, show, hideOnClose });
  win = w.win;
  ipc.attach(win);
  if (host.error) sendNotice(win.webContents, { level: 'error', title: 'Engine not running', message: host.error });

  if (process.env.PIER_E2E === '1') {
    (globalThis as Record<string, unknown>).__pier = { host, tray, archives, notifier, ipc, win, args, busy, trayAction, webPreferences: w.webPreferences, windowState: w.state };
  }
}

if (asRoot) {
  app.whenReady().then(() => { dialog.showErrorBox('Pier cannot run as root', rootRefusal()); app.exit(1); }, () => app.exit(1));
} else if (!app.requestSingleInstanceLock()) {
  // a second launch: the first instance shows its window (second-instance below)
  app.exit(0);
} else if (args.quit) {
  // `pier --quit` with no Pier running: nothing to quit
  app.exit(0);
} else {
  // a second launch shows the window; `pier --quit` (the desktop file's Quit action) quits this one
  app.on('second-instance', (_e, argv) => { if (parseShellArgs(argv.slice(1)).quit) app.quit(); else showWindow(win); });
  // closing hides the window only where a tray can bring it back (core/close.ts); otherwise Pier quits
  app.on('window-all-closed', () => app.quit());
  app.on('activate', () => showWindow(win));
  app.on('before-quit', () => { quitting = true; });
  let closed = false;
  app.on('will-quit', (e) => {
    if (closed) return;
    e.preventDefault();
    const msg = quitMessage(host.containers());
    console.log(`pier: ${msg.body}`);
    if (msg.live) notifier.show({ title: msg.title, body: msg.body, target: { view: 'containers' }, urgency: 'normal' });
    tray?.destroy();
    trayConn?.close();
    ipc.closeAll();
    void host.close().catch(() => undefined).finally(() => { closed = true; app.quit(); });
  });
  app.whenReady().then(start).catch((e) => {
    console.error(`pier: failed to start: ${(e as Error).stack ?? e}`);
    dialog.showErrorBox('Pier failed to start', String((e as Error).message ?? e));
    app.exit(1);
  });
}
