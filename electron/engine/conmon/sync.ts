// conmon's sync/attach pipe messages: `{"data": N}\n` or `{"data": N, "message": "…"}\n`
// (legacy keys pid / exit_code). Split the stream on newlines; one JSON object per line.

export interface SyncMessage { data: number; message?: string }

export function parseSyncLine(line: string): SyncMessage {
  let v: unknown;
  try { v = JSON.parse(line); } catch { throw new Error(`conmon sent an unreadable sync message: ${JSON.stringify(line.slice(0, 200))}`); }
  if (!v || typeof v !== 'object') throw new Error(`conmon sent an unexpected sync message: ${JSON.stringify(line.slice(0, 200))}`);
  const o = v as Record<string, unknown>;
  const data = typeof o.data === 'number' ? o.data : typeof o.pid === 'number' ? o.pid : typeof o.exit_code === 'number' ? o.exit_code : undefined;
  if (data === undefined) throw new Error(`conmon sync message has no data field: ${JSON.stringify(line.slice(0, 200))}`);
  return typeof o.message === 'string' ? { data, message: o.message } : { data };
}

/** Accumulates bytes and yields complete lines. */
export class LineSplitter {
  private buf = '';
  push(chunk: Buffer | string): string[] {
    this.buf += chunk.toString();
    const parts = this.buf.split('\n');
    this.buf = parts.pop() ?? '';
    return parts.filter((l) => l.trim().length > 0);
  }
  rest(): string { return this.buf; }
}

/** Parses a runtime's JSON log (oci-log): logrus objects, possibly several; returns the last error message. */
export function parseOciLog(text: string): string | undefined {
  let msg: string | undefined;
  for (const raw of text.split(/\n|(?<=\})(?=\{)/)) {
    const line = raw.trim();
    if (!line) continue;
    try {
      const o = JSON.parse(line) as { level?: string; msg?: string };
      if (o.msg && (o.level === 'error' || o.level === 'fatal' || msg === undefined)) msg = o.msg;
    } catch { /* not JSON: ignore */ }
  }
  return msg;
}
