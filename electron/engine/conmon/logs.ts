// conmon's k8s-file log: `<RFC3339Nano local time> <stdout|stderr> <F|P> <content>\n`.
// P (partial) records are joined with the following records up to the next F.
// Follow wakes on file changes (fs.watch), survives conmon's --log-size-max truncation
// (the file is replaced by rename, or shrinks) and ends when `until` settles.
import { open, stat } from 'node:fs/promises';
import { watch } from 'node:fs';
import path from 'node:path';

export type LogStream = 'stdout' | 'stderr';
export interface LogEntry { time: string; stream: LogStream; line: Buffer /* without the trailing newline */ }
export interface LogOptions {
  stdout?: boolean;
  stderr?: boolean;
  /** last N entries (undefined/negative = all) */
  tail?: number;
  /** unix seconds (fractional allowed); entries at or after */
  since?: number;
  until?: number;
  follow?: boolean;
}

interface Record { time: string; stream: LogStream; partial: boolean; content: Buffer }

/** Parses one log record line (without newline). Returns undefined for garbage. */
export function parseRecord(line: Buffer): Record | undefined {
  const s1 = line.indexOf(0x20);
  if (s1 < 0) return undefined;
  const s2 = line.indexOf(0x20, s1 + 1);
  if (s2 < 0) return undefined;
  const s3 = line.indexOf(0x20, s2 + 1);
  const stream = line.subarray(s1 + 1, s2).toString();
  if (stream !== 'stdout' && stream !== 'stderr') return undefined;
  const tag = line.subarray(s2 + 1, s3 < 0 ? line.length : s3).toString();
  return { time: line.subarray(0, s1).toString(), stream, partial: tag === 'P', content: s3 < 0 ? Buffer.alloc(0) : line.subarray(s3 + 1) };
}

/** Seconds since the epoch of a conmon timestamp (nanosecond precision kept as a float). */
export function timeOf(ts: string): number {
  const m = ts.match(/^(.*T\d\d:\d\d:\d\d)(\.\d+)?(.*)$/);
  if (!m) return NaN;
  const base = Date.parse(m[1] + (m[3] || 'Z')) / 1000;
  return base + (m[2] ? Number('0' + m[2]) : 0);
}

/** Joins records into entries; keeps per-stream partial state across chunks. */
export class EntryAssembler {
  private pending = new Map<LogStream, { time: string; parts: Buffer[] }>();
  push(rec: Record): LogEntry | undefined {
    const p = this.pending.get(rec.stream);
    if (rec.partial) {
      if (p) p.parts.push(rec.content); else this.pending.set(rec.stream, { time: rec.time, parts: [rec.content] });
      return undefined;
    }
    if (p) { this.pending.delete(rec.stream); return { time: p.time, stream: rec.stream, line: Buffer.concat([...p.parts, rec.content]) }; }
    return { time: rec.time, stream: rec.stream, line: rec.content };
  }
  /** Partial content still waiting for its end (emitted when the container exits). */
  flush(): LogEntry[] {
    const out = [...this.pending.entries()].map(([stream, p]) => ({ time: p.time, stream, line: Buffer.concat(p.parts) }));
    this.pending.clear();
    return out;
  }
}

function wanted(e: LogEntry, o: LogOptions): boolean {
  if (e.stream === 'stdout' && o.stdout === false) return false;
  if (e.stream === 'stderr' && o.stderr === false) return false;
  if (o.since !== undefined || o.until !== undefined) {
    const t = timeOf(e.time);
    if (o.since !== undefined && t < o.since) return false;
    if (o.until !== undefined && o.until > 0 && t > o.until) return false;
  }
  return true;
}

/** Splits bytes into complete lines, keeping the unterminated rest. */
class Lines {
  private rest = Buffer.alloc(0);
  push(chunk: Buffer): Buffer[] {
    const buf = this.rest.length ? Buffer.concat([this.rest, chunk]) : chunk;
    const out: Buffer[] = [];
    let start = 0;
    for (let i = buf.indexOf(0x0a); i >= 0; i = buf.indexOf(0x0a, start)) { out.push(buf.subarray(start, i)); start = i + 1; }
    this.rest = Buffer.from(buf.subarray(start));
    return out;
  }
  reset(): void { this.rest = Buffer.alloc(0); }
}

/**
 * Streams a container's log. Without follow it ends at EOF; with follow it keeps
 * reading until `until` resolves (then drains) or the signal aborts.
 */
export async function* readLogs(file: string, o: LogOptions = {}, ctl: { until?: Promise<unknown>; signal?: AbortSignal } = {}): AsyncGenerator<LogEntry> {
  const asm = new EntryAssembler();
  const lines = new Lines();
  let fh = await open(file, 'r').catch(() => undefined);
  let ino = fh ? (await fh.stat()).ino : 0;
  let offset = 0;
  const chunk = Buffer.alloc(256 * 1024);

  const readAvailable = async (): Promise<LogEntry[]> => {
    const out: LogEntry[] = [];
    if (!fh) return out;
    for (;;) {
      const { bytesRead } = await fh.read(chunk, 0, chunk.length, offset);
      if (!bytesRead) break;
      offset += bytesRead;
      for (const l of lines.push(chunk.subarray(0, bytesRead))) {
        const rec = parseRecord(l);
        if (!rec) continue;
        const e = asm.push(rec);
        if (e && wanted(e, o)) out.push(e);
      }
    }
    return out;
  };

  // history (tail applies here only)
  let first = await readAvailable();
  if (!o.follow) first.push(...asm.flush().filter((e) => wanted(e, o)));
  if (o.tail !== undefined && o.tail >= 0) first = o.tail === 0 ? [] : first.slice(-o.tail);
  for (const e of first) yield e;
  if (!o.follow) { await fh?.close(); return; }

  // follow: wake on change of the file or its directory (truncation renames a new file in)
  let wake: (() => void) | undefined;
  let dirty = true;
  const poke = () => { dirty = true; wake?.(); };
  const w = watch(path.dirname(file), poke);
  let done = false;
  ctl.until?.then(() => { done = true; poke(); }, () => { done = true; poke(); });
  const onAbort = () => { done = true; poke(); };
  ctl.signal?.addEventListener('abort', onAbort);
  try {
    for (;;) {
      if (!dirty) await new Promise<void>((r) => { wake = r; });
      wake = undefined;
      dirty = false;
      if (ctl.signal?.aborted) return;
      // reopen when the file was replaced (rename-over) or shrank (truncate)
      const st = await stat(file).catch(() => undefined);
      if (st && (st.ino !== ino || st.size < offset)) {
        // read what the old descriptor still holds before switching
        for (const e of await readAvailable()) yield e;
        await fh?.close();
        fh = await open(file, 'r').catch(() => undefined);
        ino = st.ino; offset = 0; lines.reset();
      } else if (!fh && st) {
        fh = await open(file, 'r').catch(() => undefined); ino = st.ino; offset = 0;
      }
      for (const e of await readAvailable()) yield e;
      if (done) {
        for (const e of await readAvailable()) yield e;
        for (const e of asm.flush()) if (wanted(e, o)) yield e;
        return;
      }
    }
  } finally {
    w.close();
    ctl.signal?.removeEventListener('abort', onAbort);
    await fh?.close();
  }
}
