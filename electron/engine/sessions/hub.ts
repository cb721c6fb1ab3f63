// SessionHub: fans one output source out to many viewers, keeps a bounded scrollback
// for late joiners, and applies flow control: when a flow-controlled viewer has more
// than HIGH unacknowledged bytes the source is paused until every such viewer is
// below LOW again. A viewer leaving never ends the session. A hub made with `hold` keeps
// every byte until its first viewer that takes the scrollback joins (pausing the source above HIGH),
// so a fresh exec's output reaches its client whole however fast the process is.
import type { StreamTag, Viewer, WatchOptions } from './types';
import { FLOW } from '../../common/contract';

const { HIGH_WATERMARK, LOW_WATERMARK } = FLOW;
export const SCROLLBACK_BYTES = 256 * 1024;

interface ViewerState { onData: (c: Buffer, s: StreamTag) => void; onEnd: (code?: number) => void; flow: boolean; unacked: number; closed: boolean }

export class SessionHub {
  private viewers = new Set<ViewerState>();
  private ring: Array<{ s: StreamTag; b: Buffer }> = [];
  private ringBytes = 0;
  private paused = false;
  private ended = false;
  private exitCode?: number;

  /** pause/resume the source (set by the session) */
  constructor(private readonly source: { pause(): void; resume(): void }, private hold = false) {}

  get viewerCount(): number { return this.viewers.size; }

  push(chunk: Buffer, stream: StreamTag): void {
    this.ring.push({ s: stream, b: chunk });
    this.ringBytes += chunk.length;
    this.trim();
    for (const v of this.viewers) {
      if (v.flow) v.unacked += chunk.length;
      v.onData(chunk, stream);
    }
    this.check();
  }

  end(exitCode?: number): void {
    if (this.ended) return;
    this.ended = true;
    this.exitCode = exitCode;
    for (const v of this.viewers) v.onEnd(exitCode);
    this.viewers.clear();
  }

  get isEnded(): boolean { return this.ended; }

  watch(onData: ViewerState['onData'], onEnd: ViewerState['onEnd'], opts: WatchOptions = {}): Viewer {
    const v: ViewerState = { onData, onEnd, flow: !!opts.flowControl, unacked: 0, closed: false };
    if (opts.scrollback !== false) for (const { s, b } of this.ring) { if (v.flow) v.unacked += b.length; onData(b, s); }
    if (opts.scrollback !== false && this.hold) { this.hold = false; this.trim(); }
    if (this.ended) { onEnd(this.exitCode); return { ack() {}, close() {} }; }
    this.viewers.add(v);
    this.check();
    return {
      ack: (bytes: number) => { v.unacked = Math.max(0, v.unacked - bytes); this.check(); },
      close: () => { if (!v.closed) { v.closed = true; this.viewers.delete(v); this.check(); } },
    };
  }

  private trim(): void {
    if (this.hold) return;
    while (this.ringBytes > SCROLLBACK_BYTES && this.ring.length > 1) this.ringBytes -= this.ring.shift()!.b.length;
  }

  private check(): void {
    let high = this.hold && this.ringBytes > HIGH_WATERMARK, allLow = !this.hold || this.ringBytes <= LOW_WATERMARK;
    for (const v of this.viewers) {
      if (!v.flow) continue;
      if (v.unacked > HIGH_WATERMARK) high = true;
      if (v.unacked > LOW_WATERMARK) allLow = false;
    }
    if (high && !this.paused) { this.paused = true; this.source.pause(); }
    else if (this.paused && allLow) { this.paused = false; this.source.resume(); }
  }
}
