// The parent's side of conmon's sync/start/attach pipes (fds 3, 4, 5 in conmon).
// conmon only read()s and write()s them, so the stream sockets Node creates for
// 'pipe' stdio serve; messages are newline-delimited JSON (sync.ts).
import type { ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { LineSplitter, parseSyncLine, type SyncMessage } from '../conmon/sync';

/** Reads sync messages one at a time from a readable pipe. */
export class SyncReader {
  private lines: string[] = [];
  private waiters: Array<(m: SyncMessage | undefined) => void> = [];
  private ended = false;
  private splitter = new LineSplitter();
  private error?: Error;

  constructor(private readonly stream: Readable) {
    stream.on('data', (b: Buffer) => { this.lines.push(...this.splitter.push(b)); this.flush(); });
    stream.on('end', () => { this.ended = true; this.flush(); });
    stream.on('close', () => { this.ended = true; this.flush(); });
    stream.on('error', () => { this.ended = true; this.flush(); });
  }

  private flush(): void {
    while (this.waiters.length && (this.lines.length || this.ended)) {
      const w = this.waiters.shift()!;
      const line = this.lines.shift();
      if (line === undefined) { w(undefined); continue; }
      try { w(parseSyncLine(line)); } catch (e) { this.error = e as Error; w(undefined); }
    }
  }

  /** Next message; undefined on EOF (conmon 2.1.6 sends bare EOF when the runtime failed silently). */
  next(timeoutMs: number, what: string): Promise<SyncMessage | undefined> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(done);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(Object.assign(new Error(`timed out after ${timeoutMs} ms waiting for conmon (${what})`), { code: 'ETIMEDOUT' }));
      }, timeoutMs);
      const done = (m: SyncMessage | undefined) => {
        clearTimeout(timer);
        if (!m && this.error) reject(this.error); else resolve(m);
      };
      this.waiters.push(done);
      this.flush();
    });
  }

  close(): void { this.stream.destroy(); }
}

export interface ConmonPipes { sync: SyncReader; start: Writable; attach?: SyncReader }

export function pipesOf(child: ChildProcess, exec: boolean): ConmonPipes {
  const fds = child.stdio as unknown as Array<Readable & Writable>;
  const sync = new SyncReader(fds[3]);
  const start: Writable = fds[4];
  start.on('error', () => { /* conmon gone: reported through sync */ });
  return { sync, start, attach: exec ? new SyncReader(fds[5]) : undefined };
}

/** Tells conmon to go on (one byte on the start pipe). */
export function signalStart(start: Writable): void { start.write(Buffer.from([0])); }

/** Resolves with the exit code of the conmon parent (it exits after forking its monitor). */
export function parentExit(child: ChildProcess): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const err: Buffer[] = [];
    child.stderr?.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      // give stderr a tick to drain what the parent printed before exiting
      setImmediate(() => {
        resolve({ code: code ?? (signal ? 128 : -1), stderr: Buffer.concat(err).toString() });
        child.stderr?.destroy();
      });
    });
  });
}
