// A transport carries contract calls and pushes. Two implementations: the Electron
// preload bridge (window.pier) and a WebSocket (web mode). Both have this shape.
import type { MethodName, Topic, streams } from '@common/contract';

export type Channel = Topic | keyof typeof streams;
export type ConnectionState = 'connecting' | 'open' | 'closed';

export interface Transport {
  invoke(method: MethodName, params: unknown): Promise<unknown>;
  /** Subscribes to a topic or a stream kind; returns an unsubscribe function. */
  on(channel: Channel, fn: (payload: unknown) => void): () => void;
  /** Connection state changes (web mode reconnects; the bridge is always open). */
  onState?(fn: (s: ConnectionState) => void): () => void;
}

/** What the Electron preload exposes (electron/preload). */
export interface PierBridge {
  invoke(method: string, params: unknown): Promise<unknown>;
  on(channel: string, fn: (payload: unknown) => void): () => void;
  startDrag?(archiveId: string): void;
  getPathForFile?(file: File): string;
}

declare global {
  interface Window { pier?: PierBridge; __PIER_TEST__?: boolean }
}

export function bridgeTransport(b: PierBridge): Transport {
  return {
    invoke: (m, p) => b.invoke(m, p),
    on: (c, fn) => b.on(c, fn),
  };
}
