// Routes session output to the one terminal watching it (by session id), outside React
// and zustand: terminal bytes never touch component state. A new watch of a session
// waits until the previous view's unwatch has been answered, so no stale bytes from the
// old viewer reach the new terminal (the engine replays scrollback on watch).
import type { SessionInfo } from '../../../electron/common/contract';
import { api } from './client';

export type Sink = { data(d: Uint8Array): void; end(exitCode?: number): void };
const sinks = new Map<string, Sink>();
const unwatching = new Map<string, Promise<unknown>>();
let hooked = false;

function hook(): void {
  if (hooked) return;
  hooked = true;
  api().onStream('session', (p) => {
    const s = sinks.get(p.session);
    if (!s) return;
    if (p.data) s.data(p.data);
    if (p.end) s.end(p.exitCode);
  });
}

/** Starts delivering a session to `sink`. Returns a stop function (unwatch; the session lives on). */
export function watchSession(session: string, sink: Sink, onWatched: (info: SessionInfo) => void, onError: (e: Error) => void): () => void {
  hook();
  let stopped = false, started = false;
  const prev = unwatching.get(session) ?? Promise.resolve();
  prev.then(() => {
    if (stopped) return;
    started = true;
    sinks.set(session, sink);
    api().call('sessions.watch', { session }).then((i) => { if (!stopped) onWatched(i); }, (e) => { if (!stopped) onError(e as Error); });
  });
  return () => {
    stopped = true;
    if (!started) return;
    if (sinks.get(session) === sink) sinks.delete(session);
    const p = api().call('sessions.unwatch', { session }).catch(() => undefined);
    unwatching.set(session, p);
    p.then(() => { if (unwatching.get(session) === p) unwatching.delete(session); });
  };
}
