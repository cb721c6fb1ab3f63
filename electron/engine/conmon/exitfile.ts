// conmon exit files: `<exit-dir>/<cid>` holds the decimal exit code (128+signal,
// -1 on timeout), written as a temp file then renamed. ExitWatcher turns the
// directory's rename events into per-container promises (no polling).
import { watch, type FSWatcher, mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export interface ExitInfo { code: number; at: Date }

export function readExitFile(dir: string, cid: string): ExitInfo | undefined {
  const p = path.join(dir, cid);
  try {
    const text = readFileSync(p, 'utf8').trim();
    if (!/^-?\d+$/.test(text)) return undefined;
    return { code: Number(text), at: statSync(p).ctime };
  } catch { return undefined; }
}

type Listener = (info: ExitInfo) => void;

export class ExitWatcher {
  private watcher: FSWatcher;
  private listeners = new Map<string, Set<Listener>>();
  /** called for every exit file that appears, whether or not someone waits */
  onExit?: (cid: string, info: ExitInfo) => void;

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    this.watcher = watch(dir, (_event, filename) => {
      if (!filename) return;
      const name = filename.toString();
      if (name.includes('.')) return; // conmon's temp file (<cid>.XXXXXX)
      const info = readExitFile(dir, name);
      if (!info) return;
      this.onExit?.(name, info);
      const set = this.listeners.get(name);
      if (set) { this.listeners.delete(name); this.updateRef(); for (const l of set) l(info); }
    });
    this.watcher.unref();
  }

  /** The watcher keeps the process alive only while someone waits. */
  private holds = 0;
  private updateRef(): void { if (this.listeners.size || this.holds) this.watcher.ref(); else this.watcher.unref(); }
  /** Keeps the process alive (for someone waiting on an exit by other means) until released. */
  hold(): () => void {
    this.holds++; this.updateRef();
    let released = false;
    return () => { if (!released) { released = true; this.holds--; this.updateRef(); } };
  }

  /** Resolves with the exit info once the file exists, or undefined after timeoutMs (Infinity = no timeout). */
  wait(cid: string, timeoutMs = Infinity): Promise<ExitInfo | undefined> {
    const existing = readExitFile(this.dir, cid);
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const l: Listener = (info) => { if (timer) clearTimeout(timer); resolve(info); };
      let set = this.listeners.get(cid);
      if (!set) this.listeners.set(cid, (set = new Set()));
      set.add(l);
      const drop = () => { set!.delete(l); if (!set!.size && this.listeners.get(cid) === set) this.listeners.delete(cid); this.updateRef(); };
      this.updateRef();
      if (Number.isFinite(timeoutMs)) {
        timer = setTimeout(() => { drop(); resolve(readExitFile(this.dir, cid)); }, timeoutMs);
      }
      // the file may have landed between the first read and the listener
      const again = readExitFile(this.dir, cid);
      if (again) { drop(); if (timer) clearTimeout(timer); resolve(again); }
    });
  }

  close(): void { this.watcher.close(); }
}
