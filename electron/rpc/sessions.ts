// Per-client session viewers. A client watches a session (scrollback first, then live
// output) and acknowledges the bytes its terminal has parsed; the engine pauses the
// session's source while this viewer lags more than FLOW.HIGH_WATERMARK. Closing the
// client closes only its viewers: sessions live on in the engine.
import type { Engine } from '../engine/engine';
import type { SessionManager, Viewer } from '../engine/sessions/types';
import type { ServerMessage, SessionInfo } from '../common/contract';
import { notAvailable } from './errors';

export class SessionViewers {
  private viewers = new Map<string, Viewer>();
  constructor(private engine: Engine, private send: (m: ServerMessage) => void) {}

  manager(): SessionManager {
    const m = this.engine.sessions;
    if (!m) throw notAvailable('terminal sessions', 'the session manager is not attached (see electron/engine/sessions)');
    return m;
  }

  watch(id: string): SessionInfo {
    const s = this.manager().get(id);
    this.unwatch(id);
    let viewer: Viewer | undefined;
    let ended = false;
    viewer = s.watch(
      (chunk) => this.send({ t: 'stream', kind: 'session', payload: { session: id, data: new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength) } }),
      (exitCode) => {
        ended = true;
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
    if (!v) return;
    this.viewers.delete(id);
    v.close();
  }

  ack(id: string, bytes: number): void { this.viewers.get(id)?.ack(bytes); }

  closeAll(): void { for (const id of [...this.viewers.keys()]) this.unwatch(id); }
}
