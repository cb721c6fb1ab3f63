// A recording stand-in for the `electron` module, for running Pier's built main process
// under plain Node (test/unit/electron-main.test.ts). It implements only what main uses and
// records every call, so tests can drive IPC, the tray, protocol and lifecycle events.
// Never a replacement for the real tier (test/electron/shell.test.ts).
import { EventEmitter } from 'node:events';
import { fork } from 'node:child_process';

export const calls = [];
const rec = (what, ...args) => { calls.push([what, ...args]); };

class WebContents extends EventEmitter {
  static seq = 1;
  constructor() { super(); this.id = WebContents.seq++; this.sent = []; this.drags = []; this.url = ''; this.destroyed = false; this.openHandler = undefined; }
  send(channel, payload) { this.sent.push([channel, payload]); }
  startDrag(item) {
    if (!item || !item.icon) throw new Error("Must specify non-empty 'icon' option");
    if (!item.file && !item.files) throw new Error("Must specify either 'file' or 'files' option");
    this.drags.push(item);
  }
  setWindowOpenHandler(h) { this.openHandler = h; }
  isDestroyed() { return this.destroyed; }
  getURL() { return this.url; }
}

export class BrowserWindow extends EventEmitter {
  static all = [];
  static getAllWindows() { return BrowserWindow.all.filter((w) => !w.destroyed); }
  static fromWebContents(wc) { return BrowserWindow.all.find((w) => w.webContents === wc) ?? null; }
  constructor(opts) {
    super();
    this.opts = opts; this.visible = false; this.destroyed = false; this.maximized = false; this.fullScreen = false;
    this.bounds = { x: opts.x ?? 100, y: opts.y ?? 100, width: opts.width, height: opts.height };
    this.webContents = new WebContents();
    BrowserWindow.all.push(this);
    app.emit('web-contents-created', {}, this.webContents);
  }
  async loadURL(url) { this.webContents.url = url; rec('loadURL', url); setImmediate(() => this.emit('ready-to-show')); }
  show() { this.visible = true; this.emit('show'); }
  hide() { this.visible = false; this.emit('hide'); }
  focus() {} restore() {}
  isVisible() { return this.visible; }
  isMinimized() { return false; }
  isDestroyed() { return this.destroyed; }
  isMaximized() { return this.maximized; }
  isFullScreen() { return this.fullScreen; }
  maximize() { this.maximized = true; }
  setFullScreen(v) { this.fullScreen = v; }
  getNormalBounds() { return { ...this.bounds }; }
  setBounds(b) { this.bounds = { ...this.bounds, ...b }; this.emit('move'); }
  close() {
    const e = { defaultPrevented: false, preventDefault() { this.defaultPrevented = true; } };
    this.emit('close', e);
    if (!e.defaultPrevented) { this.destroyed = true; this.webContents.destroyed = true; this.webContents.emit('destroyed'); this.emit('closed'); }
  }
}

class App extends EventEmitter {
  constructor() { super(); this.paths = { userData: '/tmp/pier-fake-userdata' }; this.isPackaged = false; this.quitCalls = 0; this.exitCode = undefined; this.lock = true; }
  whenReady() { return this.readyPromise ??= new Promise((r) => setImmediate(() => { this.emit('ready'); r(); })); }
  requestSingleInstanceLock() { return this.lock; }
  setPath(k, v) { this.paths[k] = v; }
  getPath(k) { return this.paths[k] ?? `/tmp/pier-fake-${k}`; }
  getVersion() { return '0.1.0'; }
  getAppPath() { return process.env.PIER_FAKE_APP_PATH ?? process.cwd(); }
  relaunch(opts) { rec('relaunch', opts); this.relaunched = opts ?? {}; }
  enableSandbox() { rec('enableSandbox'); }
  quit() {
    this.quitCalls++;
    const e = { defaultPrevented: false, preventDefault() { this.defaultPrevented = true; } };
    this.emit('before-quit', e);
    if (e.defaultPrevented) return;
    const w = { defaultPrevented: false, preventDefault() { this.defaultPrevented = true; } };
    this.emit('will-quit', w);
    if (!w.defaultPrevented) { this.quitted = true; this.emit('quit'); }
  }
  exit(code) { this.exitCode = code; rec('exit', code); }
}
export const app = new App();

export const ipcMain = {
  handlers: new Map(), listeners: new Map(),
  handle(ch, fn) { if (this.handlers.has(ch)) throw new Error(`Attempted to register a second handler for '${ch}'`); this.handlers.set(ch, fn); },
  on(ch, fn) { this.listeners.set(ch, fn); },
  /** test helper: invoke as a renderer frame would */
  async invoke(ch, frame, sender, arg) {
    const h = this.handlers.get(ch);
    if (!h) throw new Error(`No handler registered for '${ch}'`);
    return h({ sender, senderFrame: frame }, arg);
  },
  emitSend(ch, frame, sender, arg) { const l = this.listeners.get(ch); if (!l) throw new Error(`no listener for ${ch}`); l({ sender, senderFrame: frame }, arg); },
};

export const protocol = {
  privileged: [], handlers: new Map(),
  registerSchemesAsPrivileged(s) { this.privileged.push(...s); },
  handle(scheme, fn) { this.handlers.set(scheme, fn); },
};

const defaultSession = {
  permissionRequest: undefined, permissionCheck: undefined, device: undefined, display: undefined,
  setPermissionRequestHandler(h) { this.permissionRequest = h; },
  setPermissionCheckHandler(h) { this.permissionCheck = h; },
  setDevicePermissionHandler(h) { this.device = h; },
  setDisplayMediaRequestHandler(h) { this.display = h; },
  on(ev, fn) { rec('session.on', ev); this[`on_${ev}`] = fn; },
  webRequest: { onHeadersReceived(filter, _fn) { rec('onHeadersReceived', filter); } },
};
export const session = { defaultSession };

export const screen = { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1050 } }] };

export class Tray {
  static all = [];
  constructor(image) { this.image = image; this.menus = []; this.tooltip = ''; this.destroyed = false; Tray.all.push(this); }
  setImage(i) { this.image = i; }
  setToolTip(t) { this.tooltip = t; }
  setContextMenu(m) { this.menus.push(m); }
  isDestroyed() { return this.destroyed; }
  destroy() { this.destroyed = true; }
}

export const Menu = {
  buildFromTemplate(t) { return { template: t }; },
  setApplicationMenu(m) { rec('setApplicationMenu', m); },
};

export const nativeImage = {
  createFromPath(p) { return { path: p, isEmpty: () => !p || !p.endsWith('.png') }; },
};

export class Notification extends EventEmitter {
  static shown = [];
  static isSupported() { return true; }
  constructor(o) { super(); this.opts = o; }
  show() { Notification.shown.push(this); }
}

export const dialog = {
  nextSave: { canceled: true }, nextBox: { response: 1 }, nextOpen: { canceled: true, filePaths: [] },
  async showOpenDialog(...a) { rec('showOpenDialog', a.at(-1)); return this.nextOpen; },
  async showSaveDialog(...a) { rec('showSaveDialog', a.at(-1)); return this.nextSave; },
  async showMessageBox(...a) { rec('showMessageBox', a.at(-1)); return this.nextBox; },
  showErrorBox(t, c) { rec('showErrorBox', t, c); },
};

export const shell = { opened: [], async openExternal(u) { this.opened.push(u); } };
/** utilityProcess.fork as a Node child: the module runs with process.send (it has no process.parentPort here). */
export const utilityProcess = {
  forked: [],
  fork(modulePath, args = [], opts = {}) {
    rec('utilityProcess.fork', modulePath, opts.serviceName);
    const child = fork(modulePath, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const p = new EventEmitter();
    Object.defineProperty(p, 'pid', { get: () => child.pid });
    p.postMessage = (m) => { if (child.connected) child.send(m); };
    p.kill = () => child.kill('SIGTERM');
    child.on('message', (m) => p.emit('message', m));
    child.on('exit', (code, signal) => p.emit('exit', code ?? (signal ? 1 : 0)));
    this.forked.push(p);
    return p;
  },
};
export const webUtils = { getPathForFile: () => '' };
export const contextBridge = { exposeInMainWorld() {} };
export const ipcRenderer = {};

export default { utilityProcess, app, BrowserWindow, ipcMain, protocol, session, screen, Tray, Menu, nativeImage, Notification, dialog, shell, webUtils, contextBridge, ipcRenderer, calls };
