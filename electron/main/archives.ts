// Checkpoint archives leaving and entering Pier: drag-out (startDrag), "Export…" (save
// dialog + copy with progress), and drops (restore a checkpoint, load an image).
import { dialog, nativeImage, type BrowserWindow, type NativeImage, type WebContents } from 'electron';
import { statSync, createReadStream, createWriteStream } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { ArchiveIndex, checkArchive, exportFileName, parseDragRequest, type DragCheck } from './core/drag';
import { classifyArchive, classifyFolder } from './core/drop';
import type { DropResult } from '../common/channels';
import type { Connection, EngineLink } from './engine-link';
import { asset } from './paths';

export interface DragRecord { id: string; file: string; at: number }

export class Archives {
  readonly index: ArchiveIndex;
  private icon?: NativeImage;
  /** last startDrag call (E2E checks it through the main process) */
  lastDrag?: DragRecord;
  private lastDir?: string;

  constructor(private host: EngineLink) {
    this.index = new ArchiveIndex(() => host.checkpoints());
  }

  dragIcon(): NativeImage {
    if (!this.icon || this.icon.isEmpty()) this.icon = nativeImage.createFromPath(asset('drag-archive.png'));
    if (this.icon.isEmpty()) throw new Error(`drag icon missing: ${asset('drag-archive.png')}`);
    return this.icon;
  }

  /**
   * Called from the 'shell:start-drag' IPC message during the renderer's dragstart.
   * Synchronous when the id is known (the normal case: the chip is only draggable once
   * the archive exists, and the index is refreshed on every checkpoint event).
   */
  startDrag(sender: WebContents, payload: unknown): DragCheck {
    const req = parseDragRequest(payload);
    if (!req.ok) return req;
    const check = checkArchive(req.id, this.index.get(req.id), (p) => statSync(p));
    if (!check.ok) return check;
    this.lastDrag = { id: check.id, file: check.file, at: Date.now() };
    sender.startDrag({ file: check.file, icon: this.dragIcon() });
    return check;
  }

  async resolve(id: string): Promise<DragCheck> {
    let check = checkArchive(id, this.index.get(id), (p) => statSync(p));
    if (!check.ok && (check.code === 'ENOTFOUND' || check.code === 'ENOARCHIVE')) {
      await this.index.refresh();
      check = checkArchive(id, this.index.get(id), (p) => statSync(p));
    }
    return check;
  }

  /** "Export…": save dialog, then a copy (temp file + rename) with progress events. */
  async exportArchive(win: BrowserWindow | undefined, id: string): Promise<string | null> {
    const check = await this.resolve(id);
    if (!check.ok) throw Object.assign(new Error(check.message), { code: check.code });
    const entry = this.index.get(id)!;
    const opts = {
      title: `Export checkpoint of ${entry.containerName}`,
      defaultPath: path.join(this.lastDir ?? (process.env.HOME || '/'), exportFileName(entry)),
      filters: [{ name: 'Checkpoint archive', extensions: ['gz', 'zst', 'tar'] }],
      properties: ['showOverwriteConfirmation', 'createDirectory'] as Array<'showOverwriteConfirmation' | 'createDirectory'>,
    };
    const r = win ? await dialog.showSaveDialog(win, opts) : await dialog.showSaveDialog(opts);
    if (r.canceled || !r.filePath) return null;
    const dest = r.filePath;
    if (path.resolve(dest) === path.resolve(check.file)) return dest;
    this.lastDir = path.dirname(dest);
    await this.copyWithProgress(check.file, dest, check.size, entry.containerName);
    return dest;
  }

  private async copyWithProgress(src: string, dest: string, total: number, ref: string): Promise<void> {
    const task = `export-${randomUUID()}`;
    const tmp = `${dest}.pier-${process.pid}.part`;
    let current = 0, lastSent = 0;
    const progress = new Transform({
      transform: (chunk: Buffer, _enc, cb) => {
        current += chunk.length;
        const now = Date.now();
        if (now - lastSent > 200) { lastSent = now; this.host.publish({ type: 'progress', task, kind: 'export', ref, status: 'copying', current, total }); }
        cb(null, chunk);
      },
    });
    try {
      await pipeline(createReadStream(src), progress, createWriteStream(tmp, { mode: 0o600 }));
      await rename(tmp, dest);
      this.host.publish({ type: 'progress', task, kind: 'export', ref, status: `saved to ${dest}`, current: total, total, done: true });
    } catch (e) {
      await unlink(tmp).catch(() => undefined);
      this.host.publish({ type: 'progress', task, kind: 'export', ref, status: 'failed', done: true, error: (e as Error).message });
      throw e;
    }
  }

  /** Dropped files: each is classified by content, then restored or loaded; a folder with a Dockerfile is handed
   *  back for the Build dialog (the user confirms tag and options); nothing else runs. */
  async drop(conn: Connection, paths: string[], name?: string): Promise<DropResult[]> {
    const out: DropResult[] = [];
    for (const p of paths) {
      const folder = await classifyFolder(p);
      if (folder) {
        out.push(folder.ok
          ? { path: p, kind: 'folder', ok: true, message: `build ${path.basename(p)}`, result: { context: folder.context, dockerfile: folder.dockerfile } }
          : { path: p, kind: 'rejected', ok: false, message: folder.message });
        continue;
      }
      const c = await classifyArchive(p);
      if (!c.ok) { out.push({ path: p, kind: 'rejected', ok: false, message: c.message }); continue; }
      try {
        if (c.kind === 'checkpoint') {
          const result = await conn.call('checkpoints.import', { path: p, ...(name ? { name } : {}) });
          out.push({ path: p, kind: 'checkpoint', ok: true, message: `restored ${path.basename(p)}`, result });
        } else {
          const result = await conn.call('images.load', { path: p });
          out.push({ path: p, kind: 'image', ok: true, message: `loaded ${path.basename(p)}`, result });
        }
      } catch (e) {
        out.push({ path: p, kind: c.kind, ok: false, message: `${path.basename(p)}: ${(e as Error).message}` });
      }
    }
    return out;
  }
}
