// A transport carries contract calls and pushes. Two implementations: the Electron
// preload bridge (window.pier) and a WebSocket (web mode). Both have this shape.
import { streams, type MethodName, type Topic } from '../../../electron/common/contract';

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

export type NavigateTarget = { view: 'containers'; id?: string } | { view: 'terminal'; id: string } | { view: 'logs'; id: string } | { view: 'checkpoints'; id?: string };
export interface DropResult { path: string; kind: 'checkpoint' | 'image' | 'rejected'; message: string; ok: boolean }

/** What the Electron preload exposes (electron/preload/api.ts); only invoke/on are required. */
export interface PierBridge {
  invoke(method: string, params: unknown): Promise<unknown>;
  on(topic: string, fn: (payload: never) => void): () => void;
  onStream?(kind: string, fn: (payload: never) => void): () => void;
  onNavigate?(fn: (t: NavigateTarget) => void): () => void;
  onNotice?(fn: (n: { level: 'info' | 'error'; title: string; message: string }) => void): () => void;
  startDrag?(archiveId: string): void;
  exportArchive?(archiveId: string): Promise<string | null>;
  drop?(paths: string[], opts?: { name?: string }): Promise<DropResult[]>;
  getPathForFile?(file: File): string;
}

declare global {
  interface Window { pier?: PierBridge; __PIER_TEST__?: boolean }
}

export function bridgeTransport(b: PierBridge): Transport {
  return {
    invoke: (m, p) => b.invoke(m, p),
    on: (c, fn) => (Object.prototype.hasOwnProperty.call(streams, c) && b.onStream ? b.onStream(c, fn) : b.on(c, fn)),
  };
}
