// conmon's k8s-file log: `<RFC3339Nano local time> <stdout|stderr> <F|P> <content>\n`.
// P (partial) records are joined with the following records up to the next F.
// Reading streams: `tail` finds its start by scanning back from the end, history is read and
// yielded one chunk at a time, so memory stays bounded whatever the log's size. Follow wakes
// on file changes (fs.watch), survives conmon's --log-size-max truncation (the file is replaced
// by rename, or shrinks) and ends when `until` settles or the signal aborts; the file is closed
// however the reader ends (also when its consumer stops iterating).
import { open, stat, type FileHandle } from 'node:fs/promises';
import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';

export type LogStream = 'stdout' | 'stderr';
export interface LogEntry {
  time: string;
  stream: LogStream;
  line: Buffer /* without the trailing newline */;
  /** the process has not ended this line (yet): flushed partial records, or an entry cut at MAX_ENTRY_BYTES */
  partial?: true;
}
export interface LogOptions {
  stdout?: boolean;
  stderr?: boolean;
  /** last N entries of the selected streams (undefined/negative = all); since/until then filter them, as Docker */
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

/** An entry made of partial records is cut here (a process that never writes a newline stays bounded). */
export const MAX_ENTRY_BYTES = 1 << 20;

/** Joins records into entries; keeps per-stream partial state across chunks. */
export class EntryAssembler {
  private pending = new Map<LogStream, { time: string; parts: Buffer[]; size: number; at: number }>();
  /** `at`: where the record is in the file (kept for flush's `since`) */
  push(rec: Record, at = 0): LogEntry | undefined {
    const p = this.pending.get(rec.stream);
    if (rec.partial) {
      if (!p) { this.pending.set(rec.stream, { time: rec.time, parts: [rec.content], size: rec.content.length, at }); return undefined; }
      p.parts.push(rec.content);
      p.size += rec.content.length;
      p.at = at;
      if (p.size < MAX_ENTRY_BYTES) return undefined;
      this.pending.delete(rec.stream);
      return { time: p.time, stream: rec.stream, line: Buffer.concat(p.parts), partial: true };
    }
    if (p) { this.pending.delete(rec.stream); return { time: p.time, stream: rec.stream, line: Buffer.concat([...p.parts, rec.content]) }; }
    return { time: rec.time, stream: rec.stream, line: rec.content };
  }
  /** Partial content still waiting for its end (emitted when the container exits), last record at or after `since`. */
  flush(since = 0): LogEntry[] {
    const out = [...this.pending.entries()].filter(([, p]) => p.at >= since)
      .map(([stream, p]): LogEntry => ({ time: p.time, stream, line: Buffer.concat(p.parts), partial: true }));
    this.pending.clear();
    return out;
  }
}

function wanted(e: { stream: LogStream; time: string }, o: LogOptions): boolean {
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

const CHUNK = 256 * 1024;
const TAIL_BLOCK = 64 * 1024;

function streamWanted(stream: LogStream, o: LogOptions): boolean {
  return stream === 'stdout' ? o.stdout !== false : o.stderr !== false;
}

/**
 * Where reading starts for the last `n` entries of the selected streams in the log's first `size`
 * bytes, found by reading backwards in blocks (only as much as the tail needs). An entry ends with
 * an F record, or is a trailing run of P records of its stream. `cut`: entries ending before it are
 * older than the tail; `start` (≤ cut) is where the oldest kept entry's first P record is.
 */
export async function tailStart(fh: FileHandle, size: number, n: number, o: LogOptions): Promise<{ start: number; cut: number }> {
  if (n <= 0) return { start: size, cut: size };
  let pos = size;
  let carry = Buffer.alloc(0);
  let count = 0;
  let first = true;
  const seen = new Set<LogStream>();
  let cut = -1;
  let start = 0;
  let open = new Set<LogStream>(); // after the cut: streams whose entry may have begun before it
  while (pos > 0) {
    const len = Math.min(TAIL_BLOCK, pos);
    pos -= len;
    const block = Buffer.alloc(len);
    const { bytesRead } = await fh.read(block, 0, len, pos);
    const buf = carry.length ? Buffer.concat([block.subarray(0, bytesRead), carry]) : block.subarray(0, bytesRead);
    // buf[i] is the byte at file offset pos + i; a line ends at lineEnd (its newline, or the end)
    let lineEnd = buf.length;
    if (first) {
      // bytes after the last newline are a record still being written: not an entry yet
      lineEnd = buf.lastIndexOf(0x0a);
      if (lineEnd < 0) { carry = Buffer.from(buf); continue; }
      first = false;
    }
    for (;;) {
      const nl = lineEnd > 0 ? buf.lastIndexOf(0x0a, lineEnd - 1) : -1;
      if (nl < 0 && pos > 0) { carry = Buffer.from(buf.subarray(0, lineEnd)); break; }
      const rec = parseRecord(buf.subarray(nl + 1, lineEnd));
      if (rec && cut < 0) {
        const ends = !rec.partial || !seen.has(rec.stream);
        if (ends && streamWanted(rec.stream, o) && ++count > n) {
          cut = start = pos + lineEnd + 1;
          open = new Set([...seen].filter((x) => x !== rec.stream && streamWanted(x, o)));
          if (!open.size) return { start, cut };
        }
        seen.add(rec.stream);
      } else if (rec && open.has(rec.stream)) {
        if (rec.partial) start = pos + nl + 1; else open.delete(rec.stream);
        if (!open.size) return { start, cut };
      }
      if (nl < 0) return { start: cut < 0 ? 0 : start, cut: Math.max(cut, 0) };
      lineEnd = nl;
    }
  }
  return { start: cut < 0 ? 0 : start, cut: Math.max(cut, 0) };
}

/**
 * Streams a container's log. Without follow it ends at EOF; with follow it keeps
 * reading until `until` resolves (then drains) or the signal aborts.
 */
/** The inode of the file actually opened (another rename may have come between the stat and the open). */
async function inoOf(fh: FileHandle | undefined, fallback: number): Promise<number> {
  return fh ? (await fh.stat()).ino : fallback;
}

export async function* readLogs(file: string, o: LogOptions = {}, ctl: { until?: Promise<unknown>; signal?: AbortSignal } = {}): AsyncGenerator<LogEntry> {
  const asm = new EntryAssembler();
  const lines = new Lines();
  let fh: FileHandle | undefined;
  let w: FSWatcher | undefined;
  let wake: (() => void) | undefined;
  let dirty = true, done = false;
  const poke = () => { dirty = true; wake?.(); };
  const onAbort = () => { done = true; poke(); };
  ctl.signal?.addEventListener('abort', onAbort);
  let chunk = Buffer.allocUnsafe(CHUNK);
  let offset = 0; // next byte to read
  let lineAt = 0; // file offset of the next complete line
  let cut = 0; // tail: entries ending before this offset are not shown
  let ino = 0;

  /** Entries from offset to EOF (or `end`), one chunk's worth per batch. */
  async function* readAvailable(end = Infinity): AsyncGenerator<LogEntry[]> {
    while (fh && !ctl.signal?.aborted && offset < end) {
      const { bytesRead } = await fh.read(chunk, 0, Math.min(chunk.length, end - offset), offset);
      if (!bytesRead) return;
      offset += bytesRead;
      // entries (and partial records held for later) point into the bytes read: never reuse them
      let data: Buffer;
      if (bytesRead < CHUNK / 2) data = Buffer.from(chunk.subarray(0, bytesRead));
      else { data = chunk.subarray(0, bytesRead); chunk = Buffer.allocUnsafe(CHUNK); }
      const out: LogEntry[] = [];
      for (const l of lines.push(data)) {
        const at = lineAt;
        lineAt += l.length + 1;
        const rec = parseRecord(l);
        if (!rec) continue;
        const e = asm.push(rec, at);
        if (e && at >= cut && wanted(e, o)) out.push(e);
      }
      if (out.length) yield out;
    }
  }

  try {
    fh = await open(file, 'r').catch(() => undefined);
    let size = 0;
    if (fh) {
      const st = await fh.stat();
      ino = st.ino;
      size = st.size;
      if (o.tail !== undefined && o.tail >= 0) ({ start: offset, cut } = await tailStart(fh, size, o.tail, o));
      lineAt = offset;
    }
    // history, as it is read: what the log held when asked (what comes later is follow's)
    for await (const batch of readAvailable(size)) yield* batch;
    if (!o.follow) {
      if (!ctl.signal?.aborted) for (const e of asm.flush(cut)) if (wanted(e, o)) yield e;
      return;
    }

    // follow: wake on change of the file or its directory (truncation renames a new file in)
    w = watch(path.dirname(file), poke);
    w.on('error', poke);
    ctl.until?.then(() => { done = true; poke(); }, () => { done = true; poke(); });
    for (;;) {
      if (!dirty) await new Promise<void>((r) => { wake = r; });
      wake = undefined;
      dirty = false;
      if (ctl.signal?.aborted) return;
      // reopen when the file was replaced (rename-over) or shrank (truncate)
      const st = await stat(file).catch(() => undefined);
      if (st && (st.ino !== ino || st.size < offset)) {
        // read what the old descriptor still holds before switching
        for await (const batch of readAvailable()) yield* batch;
        await fh?.close();
        fh = undefined;
        fh = await open(file, 'r').catch(() => undefined);
        ino = await inoOf(fh, st.ino); offset = lineAt = cut = 0; lines.reset();
      } else if (!fh && st) {
        fh = await open(file, 'r').catch(() => undefined); ino = await inoOf(fh, st.ino); offset = lineAt = cut = 0;
      }
      for await (const batch of readAvailable()) yield* batch;
      if (done) {
        if (ctl.signal?.aborted) return;
        for await (const batch of readAvailable()) yield* batch;
        for (const e of asm.flush()) if (wanted(e, o)) yield e;
        return;
      }
    }
  } finally {
    w?.close();
    wake?.();
    ctl.signal?.removeEventListener('abort', onAbort);
    await fh?.close();
  }
}
