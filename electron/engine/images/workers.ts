// A small pool of worker threads for image work (see unpack-worker.ts). Tasks are
// queued and handed to idle workers; workers are started lazily and unref'ed so an
// idle pool never keeps the process alive.
import { Worker } from 'node:worker_threads';
import os from 'node:os';
import type { ExtractTask, ExtractResult, LowerLayer, WhiteoutMode } from './extract';
import { ImageError, type ImageErrorCode } from './errors';
import { pathGuardPolicy } from '../path-guard';

export type WorkerTask =
  | { kind: 'extract'; task: ExtractTask }
  | { kind: 'materialize'; dest: string; opaque: string[]; lowers: LowerLayer[]; mode: WhiteoutMode }
  | { kind: 'apply'; target: string; layers: LowerLayer[] }
  | { kind: 'digest'; file: string }
  | { kind: 'guard' };

interface Pending { task: WorkerTask; resolve: (v: unknown) => void; reject: (e: Error) => void }
interface Slot { worker: Worker; busy?: { id: number; p: Pending } }

/**
 * Where the worker entry is, for a module at `moduleUrl`: from sources (tsx) unpack-worker.ts beside this file; from
 * a bundle the self-contained ../worker/unpack-worker.mjs (electron/main/packaging/worker-bundle.ts), read from
 * app.asar.unpacked when the bundle is inside an asar (a worker is never started from inside the archive).
 */
export function workerLocation(moduleUrl: string): URL {
  if (moduleUrl.endsWith('.ts')) return new URL('./unpack-worker.ts', moduleUrl);
  const u = new URL('../worker/unpack-worker.mjs', moduleUrl);
  u.pathname = u.pathname.replace(/\/app\.asar\//, '/app.asar.unpacked/');
  return u;
}
const workerUrl = workerLocation(import.meta.url);

export class WorkerPool {
  private slots: Slot[] = [];
  private queue: Pending[] = [];
  private seq = 0;
  constructor(private readonly size = Math.max(2, Math.min(4, os.availableParallelism?.() ?? os.cpus().length))) {}

  extract(task: ExtractTask): Promise<ExtractResult> { return this.run({ kind: 'extract', task }) as Promise<ExtractResult>; }
  materialize(dest: string, opaque: string[], lowers: LowerLayer[], mode: WhiteoutMode): Promise<string[]> {
    return this.run({ kind: 'materialize', dest, opaque, lowers, mode }) as Promise<string[]>;
  }
  apply(target: string, layers: LowerLayer[]): Promise<void> { return this.run({ kind: 'apply', target, layers }) as Promise<void>; }
  digest(file: string): Promise<{ digest: string; size: number }> { return this.run({ kind: 'digest', file }) as Promise<{ digest: string; size: number }>; }
  /** Whether the workers load the native resolveInRoot guard, and why not (the start-up probe). */
  nativeGuard(): Promise<{ native: boolean; reason?: string }> { return this.run({ kind: 'guard' }) as Promise<{ native: boolean; reason?: string }>; }

  run(task: WorkerTask): Promise<unknown> {
    return new Promise((resolve, reject) => { this.queue.push({ task, resolve, reject }); this.pump(); });
  }

  private pump(): void {
    while (this.queue.length) {
      let slot = this.slots.find((s) => !s.busy);
      if (!slot && this.slots.length < this.size) slot = this.spawn();
      if (!slot) return;
      const p = this.queue.shift()!;
      const id = ++this.seq;
      slot.busy = { id, p };
      slot.worker.ref();
      slot.worker.postMessage({ id, task: p.task, policy: pathGuardPolicy() });
    }
  }

  private spawn(): Slot {
    // Under tsx (development, tests, `npx pier`) the worker registers tsx itself: loader hooks are per
    // thread. tsx is resolved from this module, not from the process's working directory.
    const worker = workerUrl.pathname.endsWith('.ts')
      ? new Worker(`import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((m) => { m.register(); return import(${JSON.stringify(workerUrl.href)}); })`, { eval: true })
      : new Worker(workerUrl);
    const slot: Slot = { worker };
    worker.unref();
    worker.on('message', (msg: { id: number; result?: unknown; error?: { message: string; code?: string; name?: string } }) => {
      const b = slot.busy;
      if (!b || b.id !== msg.id) return;
      slot.busy = undefined;
      worker.unref();
      if (msg.error) {
        const codes: ImageErrorCode[] = ['ENOIMAGE', 'EBADREF', 'EDIGEST', 'EAUTH', 'EREGISTRY', 'EINUSE', 'EBADARCHIVE'];
        const e = codes.includes(msg.error.code as ImageErrorCode)
          ? new ImageError(msg.error.code as ImageErrorCode, msg.error.message)
          : Object.assign(new Error(msg.error.message), { code: msg.error.code });
        b.p.reject(e);
      } else b.p.resolve(msg.result);
      this.pump();
    });
    const fail = (err: Error) => {
      this.slots = this.slots.filter((s) => s !== slot);
      slot.busy?.p.reject(new Error(`image worker failed: ${err.message}`));
      slot.busy = undefined;
      this.pump();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => { if (this.slots.includes(slot)) fail(new Error(`exited with code ${code}`)); });
    this.slots.push(slot);
    return slot;
  }

  async close(): Promise<void> {
    const s = this.slots;
    this.slots = [];
    await Promise.all(s.map((x) => x.worker.terminate()));
  }
}
