// What the shell (windows, tray, IPC, archives) needs from an engine, whether the app hosts it
// (engine-host.ts) or reaches it over a socket (remote-host.ts). Does not import electron.
import type { ContainerSummary, EngineEvent } from '../common/types';
import type { CheckpointSummary } from '../common/contract';
import type { EventBus } from '../engine/events';

/** An event as published (the bus stamps the time). */
export type Published = Parameters<EventBus['publish']>[0];

/** What the RPC dispatcher pushes to a client (events and stream chunks). */
export interface PushMessage { t: string; topic?: string; kind?: string; payload?: unknown; id?: number }

export interface Connection {
  call(method: string, params: unknown): Promise<unknown>;
  close(): void;
}

export interface EngineLink {
  /** connected / running */
  readonly ok: boolean;
  /** why not */
  error?: string;
  apiError?: string;
  /** what the user should know about this engine (missing id range, no cgroups) */
  readonly warnings?: string[];
  /** the engine's state dir and Docker API socket, when known */
  readonly root?: string;
  socket?: string;
  connect(send: (m: PushMessage) => void): Connection;
  containers(): ContainerSummary[];
  subscribe(fn: (e: EngineEvent) => void): () => void;
  publish(e: Published): void;
  checkpoints(): Promise<CheckpointSummary[]>;
  readonly checkpointSupported: boolean;
  close(): Promise<void>;
}
