// Log lines of one tab, outside React state: appended in batches, capped, versioned so
// the view re-renders once per batch.
import type { LogLine } from '../../../electron/common/types';

export const MAX_LINES = 100_000;

export class LogBuffer {
  lines: LogLine[] = [];
  version = 0;
  dropped = 0;
  push(batch: LogLine[]): void {
    for (const l of batch) this.lines.push(l);
    const over = this.lines.length - MAX_LINES;
    if (over > 0) { this.lines.splice(0, over); this.dropped += over; }
    this.version++;
  }
  reset(): void { this.lines = []; this.dropped = 0; this.version++; }
}

export function filterLines(lines: LogLine[], stream: 'all' | 'stdout' | 'stderr'): LogLine[] {
  return stream === 'all' ? lines : lines.filter((l) => l.stream === stream);
}

export function matchIndexes(lines: LogLine[], q: string): number[] {
  if (!q) return [];
  const needle = q.toLowerCase();
  const out: number[] = [];
  for (let i = 0; i < lines.length; i++) if (lines[i].text.toLowerCase().includes(needle)) out.push(i);
  return out;
}

export function asText(lines: LogLine[], timestamps: boolean): string {
  return lines.map((l) => (timestamps ? `${l.time} ${l.stream === 'stderr' ? 'E' : 'O'} ${l.text}` : l.text)).join('\n') + (lines.length ? '\n' : '');
}
