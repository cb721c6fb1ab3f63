// Binds the contract to ipcMain: one invoke channel per method (rpc:<method>) plus the
// shell channels. Every message is checked: the sender frame (top frame of the app origin,
// in one of Pier's windows), then the params (zod schema) — before anything runs.
import { BrowserWindow, dialog, ipcMain, type IpcMainEvent, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { methods, validateCall, type MethodName } from '../common/contract';
import { PUSH, SHELL, compactPush, rpcChannel, validateShell, type Envelope, type Notice, type ShellInfo, type EngineChoiceDto } from '../common/channels';
import { isTrustedSender } from './core/security';
import { chosenFolder } from './core/drop';
import type { Connection, EngineLink } from './engine-link';
import type { Archives } from './archives';
import { openExternalIfSafe } from './hardening';

export interface IpcDeps {
  host: EngineLink;
  archives: Archives;
  origins: () => readonly string[];
  /** ids the user stopped from this shell recently (no "exited unexpectedly" notification) */
  markUserStop: (id: string) => void;
  info: () => ShellInfo;
  /** saves the engine choice and restarts the app on it */
  setEngine?: (choice: EngineChoiceDto) => Promise<void>;
}

const USER_STOPS: ReadonlySet<MethodName> = new Set(['containers.stop', 'containers.kill', 'containers.remove', 'containers.restart', 'checkpoints.create']);

export function sendNotice(wc: WebContents | undefined, n: Notice): void {
  if (wc && !wc.isDestroyed()) wc.send(PUSH.notice, n);
}

export class IpcBinding {
  private conns = new Map<number, Connection>();
  private rejected = 0;
  constructor(private d: IpcDeps) {}

  /** The window's engine connection; a reload or crash gives it a fresh one. */
  attach(win: BrowserWindow): void {
    const wc = win.webContents;
    const id = wc.id;
    const reset = () => { this.conns.get(id)?.close(); this.conns.delete(id); };
    wc.on('did-start-navigation', (details) => { if (details.isMainFrame && !details.isSameDocument) reset(); });
    wc.on('render-process-gone', reset);
    wc.on('destroyed', reset);
  }

  private conn(wc: WebContents): Connection {
    let c = this.conns.get(wc.id);
    if (!c) {
      c = this.d.host.connect((m) => { if (!wc.isDestroyed()) wc.send(PUSH.message, compactPush(m)); });
      this.conns.set(wc.id, c);
    }
    return c;
  }

  /** senderFrame must be read synchronously, before any await (Electron 33+). */
  private trusted(e: IpcMainEvent | IpcMainInvokeEvent): boolean {
    const f = e.senderFrame;
    const ok = !!BrowserWindow.fromWebContents(e.sender) && isTrustedSender(f ? { url: f.url, parent: f.parent } : null, this.d.origins());
    if (!ok) this.rejected++;
    return ok;
  }

  get rejectedCount(): number { return this.rejected; }

  bind(): void {
    const forbidden: Envelope = { ok: false, error: { code: 'EFORBIDDEN', message: 'IPC from an untrusted frame was refused' } };
    const fail = (e: unknown): Envelope => ({ ok: false, error: { code: (e as { code?: string }).code ?? 'EENGINE', message: (e as Error).message ?? String(e) } });

    for (const m of Object.keys(methods) as MethodName[]) {
      ipcMain.handle(rpcChannel(m), async (e, params: unknown): Promise<Envelope> => {
        if (!this.trusted(e)) return forbidden;
        const wc = e.sender;
        try {
          const v = validateCall(m, params);
          if (USER_STOPS.has(m)) this.d.markUserStop((v.params as { id?: string }).id ?? '');
          return { ok: true, result: await this.conn(wc).call(v.method, v.params) };
        } catch (err) {
          return fail(err);
        }
      });
    }

    ipcMain.on(SHELL.startDrag, (e, payload: unknown) => {
      if (!this.trusted(e)) return;
      const wc = e.sender;
      const r = this.d.archives.startDrag(wc, payload);
      if (r.ok) return;
      // unknown to the index: maybe created a moment ago; refresh and tell the user either way
      void this.d.archives.resolve((payload as { archive?: string } | undefined)?.archive ?? '').then((again) => {
        sendNotice(wc, { level: 'error', title: 'Cannot drag this archive', message: again.ok ? 'The archive was not ready yet; drag it again.' : r.message });
      });
    });

    ipcMain.handle(SHELL.exportArchive, async (e, params: unknown): Promise<Envelope> => {
      if (!this.trusted(e)) return forbidden;
      const win = BrowserWindow.fromWebContents(e.sender) ?? undefined;
      try {
        const p = validateShell(SHELL.exportArchive, params);
        return { ok: true, result: await this.d.archives.exportArchive(win, p.archive) };
      } catch (err) { return fail(err); }
    });

    ipcMain.handle(SHELL.drop, async (e, params: unknown): Promise<Envelope> => {
      if (!this.trusted(e)) return forbidden;
      const wc = e.sender;
      try {
        const p = validateShell(SHELL.drop, params);
        return { ok: true, result: await this.d.archives.drop(this.conn(wc), p.paths, p.name) };
      } catch (err) { return fail(err); }
    });

    ipcMain.handle(SHELL.chooseFolder, async (e, params: unknown): Promise<Envelope> => {
      if (!this.trusted(e)) return forbidden;
      const win = BrowserWindow.fromWebContents(e.sender) ?? undefined;
      try {
        validateShell(SHELL.chooseFolder, params);
        const o = { title: 'Choose a folder to build', properties: ['openDirectory' as const] };
        const r = win ? await dialog.showOpenDialog(win, o) : await dialog.showOpenDialog(o);
        if (r.canceled || !r.filePaths[0]) return { ok: true, result: null };
        return { ok: true, result: await chosenFolder(r.filePaths[0]) };
      } catch (err) { return fail(err); }
    });

    ipcMain.handle(SHELL.openExternal, (e, params: unknown): Envelope => {
      if (!this.trusted(e)) return forbidden;
      try {
        const p = validateShell(SHELL.openExternal, params);
        if (!openExternalIfSafe(p.url)) return { ok: false, error: { code: 'EFORBIDDEN', message: `not opening "${p.url.slice(0, 200)}": only http(s) links open in the browser` } };
        return { ok: true, result: undefined };
      } catch (err) { return fail(err); }
    });

    ipcMain.handle(SHELL.info, (e, params: unknown): Envelope => {
      if (!this.trusted(e)) return forbidden;
      try { validateShell(SHELL.info, params); return { ok: true, result: this.d.info() }; } catch (err) { return fail(err); }
    });
    ipcMain.handle(SHELL.setEngine, async (e, params: unknown): Promise<Envelope> => {
      if (!this.trusted(e)) return forbidden;
      try {
        const p = validateShell(SHELL.setEngine, params);
        if (!this.d.setEngine) return { ok: false, error: { code: 'ENOTSUP', message: 'this shell cannot switch engines' } };
        await this.d.setEngine(p.choice);
        return { ok: true, result: undefined };
      } catch (err) { return fail(err); }
    });
  }

  /** Calls made on the window's behalf by the tray (same connection semantics). */
  closeAll(): void { for (const c of this.conns.values()) c.close(); this.conns.clear(); }
}

