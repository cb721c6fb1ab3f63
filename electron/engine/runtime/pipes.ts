// The parent's side of conmon's sync/start/attach pipes (fds 3, 4, 5 in conmon):
// SOCK_SEQPACKET socketpairs from the native addon, one message per packet.
// Messages are newline-terminated JSON (sync.ts); lines are still split on '\n'.
import type { SpawnedChild } from './proc';
import type { Readable, Writable } from 'node:stream';
import { socketpair, closeFd, SeqpacketSocket } from '../../../native/index';
import { LineSplitter, parseSyncLine, type SyncMessage } from '../conmon/sync';

/** Reads sync messages one at a time. */
export class SyncReader {
  private lines: string[] = [];
  private waiters: Array<(m: SyncMessage | undefined) => void> = [];
  private ended = false;
  private splitter = new LineSplitter();
  private error?: Error;

  constructor(private readonly stream: Readable) {
    stream.on('data', (b: Buffer) => { this.lines.push(...this.splitter.push(b)); this.flush(); });
    const end = () => { this.ended = true; this.flush(); };
    stream.on('end', end);
    stream.on('close', end);
    stream.on('error', end);
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
      timer.unref();
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

export interface ConmonPipes {
  /** fds to place at 3, 4[, 5] in conmon */
  childFds: number[];
  sync: SyncReader;
  start: Writable;
  attach?: SyncReader;
  /** closes the child's ends in this process (call once conmon was spawned) */
  releaseChildEnds(): void;
  close(): void;
}

export function makePipes(exec: boolean): ConmonPipes {
  const pairs = Array.from({ length: exec ? 3 : 2 }, () => socketpair());
  const socks = pairs.map(([parent]) => SeqpacketSocket.fromFd(parent, { allowHalfOpen: true }));
  for (const s of socks) s.on('error', () => { /* conmon gone: surfaced as EOF on sync */ });
  let released = false;
  return {
    childFds: pairs.map(([, child]) => child),
    sync: new SyncReader(socks[0]),
    start: socks[1],
    attach: exec ? new SyncReader(socks[2]) : undefined,
    releaseChildEnds() { if (!released) { released = true; for (const [, child] of pairs) closeFd(child); } },
    close() { this.releaseChildEnds(); for (const s of socks) s.destroy(); },
  };
}

/** Tells conmon to go on (one byte on the start pipe). */
export function signalStart(start: Writable): void { start.write(Buffer.from([0])); }

/**
 * Resolves with the exit code of the conmon parent (it exits after forking its monitor) and everything it printed:
 * stdout and stderr in the order read (conmon 2.1.6 prints option errors on stdout, others on stderr).
 */
export function parentExit(child: SpawnedChild): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const out: Buffer[] = [];
    child.stdout?.on('data', (b: Buffer) => out.push(b));
    child.stderr?.on('data', (b: Buffer) => out.push(b));
    child.on('error', reject);
    // 'close' comes after the exit and the end of stdout and stderr, so nothing conmon printed is missed (its
    // daemonized monitor points its stdio at /dev/null, so the pipes end when the parent exits)
    child.on('close', (code: number | null, signal: NodeJS.Signals | null) => {
      resolve({ code: code ?? (signal ? 128 : -1), output: Buffer.concat(out).toString() });
    });
  });
}
