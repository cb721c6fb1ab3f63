// The engine's one event bus. The API (events endpoint), IPC, tray and web mode all
// subscribe here; nothing else publishes engine events.
import { EventEmitter } from 'node:events';
import type { EngineEvent } from '../common/types';

export type EngineEventInput = EngineEvent extends infer E ? (E extends unknown ? Omit<E, 'time'> & { time?: number } : never) : never;

export class EventBus {
  private ee = new EventEmitter();
  constructor() { this.ee.setMaxListeners(0); }
  publish(e: EngineEventInput): void {
    const ev = { ...e, time: e.time ?? Date.now() } as EngineEvent;
    this.ee.emit('event', ev);
  }
  /** Returns an unsubscribe function. */
  subscribe(fn: (e: EngineEvent) => void): () => void {
    this.ee.on('event', fn);
    return () => this.ee.off('event', fn);
  }
}
