// A transport carries contract calls and pushes. Two implementations: the Electron
// preload bridge (window.pier) and a WebSocket (web mode). Both have this shape.
import { streams, type MethodName, type Topic } from '../../../electron/common/contract';
import { unwrap, type PierBridge } from '../../../electron/common/bridge';

export type Channel = Topic | keyof typeof streams;
/** 'unauthorized': web mode refused the token cookie (the server restarted with a new token). */
export type ConnectionState = 'connecting' | 'open' | 'closed' | 'unauthorized';

export interface Transport {
  invoke(method: MethodName, params: unknown): Promise<unknown>;
  /** Subscribes to a topic or a stream kind; returns an unsubscribe function. */
  on(channel: Channel, fn: (payload: unknown) => void): () => void;
  /** Connection state changes (web mode reconnects; the bridge is always open). */
  onState?(fn: (s: ConnectionState) => void): () => void;
}

declare global {
  interface Window { pier?: PierBridge; __PIER_TEST__?: boolean }
}

export function bridgeTransport(b: PierBridge): Transport {
  return {
    // the bridge resolves with {ok, result} | {ok: false, error: {code, message}}: rethrown here with the code
    invoke: (m, p) => b.invoke(m, p as never).then(unwrap),
    on: (c, fn) => (Object.prototype.hasOwnProperty.call(streams, c)
      ? b.onStream(c as keyof typeof streams, fn as never)
      : b.on(c as Topic, fn as never)),
  };
}
