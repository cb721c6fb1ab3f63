// Log follow streams: one async reader per stream, lines batched per ~30 ms so a chatty
// container costs one message per batch, not one per line.
import { randomUUID } from 'node:crypto';
import type { Engine } from '../engine/engine';
import type { LogLine } from '../common/types';
import type { ServerMessage } from '../common/contract';
import { followMember, stackHistory, stackMembers, type StackMember } from './stack-logs';

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

  /** A compose project's interleaved logs (see stack-logs.ts). Throws when the project has no container. */
  openStack(project: string, tail?: number): string {
    const members = stackMembers(this.engine, project);
    if (!members.length) throw Object.assign(new Error(`no container belongs to stack "${project}"`), { code: 'ENOENT' });
    const stream = `logs-${randomUUID()}`;
    const ac = new AbortController();
    this.active.set(stream, ac);
    void this.pumpStack(stream, members, tail ?? 1000, ac);
    return stream;
  }

  private async pumpStack(stream: string, members: StackMember[], tail: number, ac: AbortController): Promise<void> {
    const out = this.batcher(stream, ac);
    try {
      const { lines, resume } = await stackHistory(this.engine, members, tail);
      for (const l of lines) out.push(l);
      out.flush();
      await Promise.all(members.map(async (m) => {
        const r = resume.get(m.id)!;
        try {
          for await (const l of followMember(this.engine, m, r.since, r.skip, ac.signal)) out.push(l);
        } catch { /* this member was removed: the others go on */ }
      }));
    } catch { /* aborted */ }
    this.finish(stream, ac, out);
  }

  private batcher(stream: string, ac: AbortController) {
    let batch: LogLine[] = [];
    let timer: NodeJS.Timeout | undefined;
    const flush = () => {
      if (timer) { clearTimeout(timer); timer = undefined; }
      if (!batch.length || ac.signal.aborted) return;
      const lines = batch; batch = [];
      this.send({ t: 'stream', kind: 'logs', payload: { stream, lines } });
    };
    const push = (l: LogLine) => {
      batch.push(l);
      if (batch.length >= BATCH_MAX) flush();
      else if (!timer) timer = setTimeout(flush, BATCH_MS);
    };
    return { push, flush };
  }

  private finish(stream: string, ac: AbortController, out: { flush(): void }): void {
    out.flush();
    if (this.active.get(stream) === ac) {
      this.active.delete(stream);
      if (!ac.signal.aborted) this.send({ t: 'stream', kind: 'logs', payload: { stream, end: true } });
    }
  }

  private async pump(stream: string, id: string, tail: number, ac: AbortController): Promise<void> {
    const out = this.batcher(stream, ac);
    try {
      for await (const e of this.engine.containers.logs(id, { tail, follow: true }, ac.signal)) out.push(toLogLine(e));
    } catch { /* aborted or container removed: end the stream */ }
    this.finish(stream, ac, out);
  }

  close(stream: string): void {
    const ac = this.active.get(stream);
    if (!ac) return;
    this.active.delete(stream);
    ac.abort();
  }

  closeAll(): void { for (const s of [...this.active.keys()]) this.close(s); }
}
