// Log follow streams: one async reader per stream, lines batched per ~30 ms so a chatty
// container costs one message per batch, not one per line.
import { randomUUID } from 'node:crypto';
import type { Engine } from '../engine/engine';
import type { LogLine } from '../common/types';
import type { ServerMessage } from '../common/contract';

const BATCH_MS = 30;
const BATCH_MAX = 500;

export function toLogLine(e: { time: string; stream: 'stdout' | 'stderr'; line: Buffer }): LogLine {
  return { time: e.time, stream: e.stream, text: e.line.toString('utf8') };
}

export async function readLogLines(engine: Engine, id: string, tail?: number): Promise<LogLine[]> {
  const out: LogLine[] = [];
  for await (const e of engine.containers.logs(id, { tail, follow: false })) out.push(toLogLine(e));
  return out;
}

export class LogFollows {
  private active = new Map<string, AbortController>();
  constructor(private engine: Engine, private send: (m: ServerMessage) => void) {}

  open(id: string, tail?: number): string {
    // throws (not found) before a stream id is handed out
    this.engine.containers.get(id);
    const stream = `logs-${randomUUID()}`;
    const ac = new AbortController();
    this.active.set(stream, ac);
    void this.pump(stream, id, tail ?? 1000, ac);
    return stream;
  }

  private async pump(stream: string, id: string, tail: number, ac: AbortController): Promise<void> {
    let batch: LogLine[] = [];
    let timer: NodeJS.Timeout | undefined;
    const flush = () => {
      if (timer) { clearTimeout(timer); timer = undefined; }
      if (!batch.length || ac.signal.aborted) return;
      const lines = batch; batch = [];
      this.send({ t: 'stream', kind: 'logs', payload: { stream, lines } });
    };
    try {
      for await (const e of this.engine.containers.logs(id, { tail, follow: true }, ac.signal)) {
        batch.push(toLogLine(e));
        if (batch.length >= BATCH_MAX) flush();
        else if (!timer) timer = setTimeout(flush, BATCH_MS);
      }
    } catch { /* aborted or container removed: end the stream */ }
    flush();
    if (this.active.get(stream) === ac) {
      this.active.delete(stream);
      if (!ac.signal.aborted) this.send({ t: 'stream', kind: 'logs', payload: { stream, end: true } });
    }
  }

  close(stream: string): void {
    const ac = this.active.get(stream);
    if (!ac) return;
    this.active.delete(stream);
    ac.abort();
  }

  closeAll(): void { for (const s of [...this.active.keys()]) this.close(s); }
}
