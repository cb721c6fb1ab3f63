// Pier's Electron main process: single instance, the engine hosted here, the window,
// the tray, drag-and-drop, notifications. The parts that can be pure live in core/
// (unit-tested under Node); this file wires them to Electron.
import { app, BrowserWindow, dialog, Menu, type MenuItemConstructorOptions } from 'electron';
import { parseShellArgs } from './core/args';
import { PUSH, type NavigateTarget, type ShellInfo } from '../common/channels';
import { trustedOrigins } from './core/security';
import { quitMessage } from './core/quit';
import { closeAction, closeExplanation, startHidden } from './core/close';
import { probeTrayHost } from './tray-host';
import type { TrayAction } from './core/tray-menu';
import { EngineHost } from './engine-host';
import { registerAppScheme, serveRenderer } from './protocol';
import { hardenSessions, hardenWebContents } from './hardening';
import { createMainWindow, showWindow } from './window';
import { IpcBinding, sendNotice } from './ipc';
import { Archives } from './archives';
import { PierTray } from './tray';
import { Notifier } from './notifier';
import { RENDERER_DIR, devServerUrl } from './paths';

const args = parseShellArgs(process.argv.slice(1), process.env);
const devServer = devServerUrl(app.isPackaged);
if (args.userData) app.setPath('userData', args.userData);

app.enableSandbox();
registerAppScheme();

let win: BrowserWindow | undefined;
let quitting = false;
const busy = new Set<string>();
const host = new EngineHost();
const archives = new Archives(host);
const origins = () => trustedOrigins(devServer);
const notifier = new Notifier(() => !!win && !win.isDestroyed() && win.isVisible(), (t) => navigate(t));
let trayHost: boolean | undefined;
const trayPresence = () => ({ created: !!tray, host: trayHost });
const info = (): ShellInfo => ({
  platform: process.platform, version: app.getVersion(),
  engine: { ok: !!host.engine, root: host.root, socket: host.socket, error: host.error ?? host.apiError }, hidden: !win?.isVisible(),
  close: { setting: args.closeToTray, trayHost, action: closeAction(args.closeToTray, trayPresence()), explanation: closeExplanation(args.closeToTray, trayPresence()) },
});
const ipc = new IpcBinding({ host, archives, origins, markUserStop: (id) => notifier.markUserStop(id), info });
let tray: PierTray | undefined;
let trayConn: ReturnType<EngineHost['connect']> | undefined;

function navigate(t: NavigateTarget): void {
  showWindow(win);
  if (win && !win.isDestroyed()) win.webContents.send(PUSH.navigate, t);
}

async function trayAction(a: TrayAction): Promise<void> {
  if (a.kind === 'show') return showWindow(win);
  if (a.kind === 'quit') { app.quit(); return; }
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

  await host.start({ root: args.root, runroot: args.runroot, socket: args.socket, noApi: args.noApi });
  if (host.error) console.error(`pier: engine not started: ${host.error}`);
  if (host.apiError) console.error(`pier: ${host.apiError}`);
  else if (host.socket) console.log(`pier: Docker API on unix://${host.socket}`);

  tray = new PierTray({ containers: () => host.containers(), busy: () => busy, engineError: () => host.error, checkpointSupported: () => host.checkpointSupported, onAction: (a) => void trayAction(a) });
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

if (!app.requestSingleInstanceLock()) {
  // a second launch: the first instance shows its window (second-instance below)
  app.exit(0);
} else {
  app.on('second-instance', () => showWindow(win));
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
