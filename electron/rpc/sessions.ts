// Per-client session viewers. A client watches a session (scrollback first, then live
// output) and acknowledges the bytes its terminal has parsed; the engine pauses the
// session's source while this viewer lags more than FLOW.HIGH_WATERMARK. Closing the
// client closes only its viewers: sessions live on in the engine.
import type { Engine } from '../engine/engine';
import type { SessionManager, Viewer } from '../engine/sessions/types';
import type { ServerMessage, SessionInfo } from '../common/contract';

/**
 * Output is coalesced for COALESCE_MS (or until COALESCE_BYTES): conmon forwards a tty's
 * output as it is read, often a few hundred bytes per packet; one message per packet costs
 * the transport and the page far more than the 2 ms this adds to an echo.
 */
const COALESCE_BYTES = 64 * 1024;
const COALESCE_MS = 2;

export class SessionViewers {
  private viewers = new Map<string, Viewer>();
  private pending = new Map<string, { chunks: Buffer[]; bytes: number }>();
  private flushScheduled = false;
  constructor(private engine: Engine, private send: (m: ServerMessage) => void) {}

  private queue(id: string, chunk: Buffer): void {
    let p = this.pending.get(id);
    if (!p) this.pending.set(id, (p = { chunks: [], bytes: 0 }));
    p.chunks.push(chunk);
    p.bytes += chunk.length;
    if (p.bytes >= COALESCE_BYTES) this.flush(id);
    else if (!this.flushScheduled) { this.flushScheduled = true; setTimeout(() => { this.flushScheduled = false; for (const k of [...this.pending.keys()]) this.flush(k); }, COALESCE_MS); }
  }

  private flush(id: string): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    const b = p.chunks.length === 1 ? p.chunks[0] : Buffer.concat(p.chunks, p.bytes);
    this.send({ t: 'stream', kind: 'session', payload: { session: id, data: new Uint8Array(b.buffer, b.byteOffset, b.byteLength) } });
  }

  manager(): SessionManager {
    return this.engine.sessions;
  }

  watch(id: string): SessionInfo {
    const s = this.manager().get(id);
    this.unwatch(id);
    let viewer: Viewer | undefined;
    let ended = false;
    viewer = s.watch(
      (chunk) => this.queue(id, chunk),
      (exitCode) => {
        ended = true;
        this.flush(id);
        if (viewer && this.viewers.get(id) === viewer) this.viewers.delete(id);
        this.send({ t: 'stream', kind: 'session', payload: { session: id, end: true, exitCode } });
      },
      { scrollback: true, flowControl: true },
    );
    if (!ended) this.viewers.set(id, viewer);
    return s.info();
  }

  unwatch(id: string): void {
    const v = this.viewers.get(id);
    this.pending.delete(id);
    if (!v) return;
    this.viewers.delete(id);
    v.close();
  }

  ack(id: string, bytes: number): void { this.viewers.get(id)?.ack(bytes); }

  closeAll(): void { for (const id of [...this.viewers.keys()]) this.unwatch(id); }
}
