// Drag-out of checkpoint archives. The renderer sends only an archive id; main resolves it
// through the engine (an index kept up to date from checkpoints.list, so the lookup at drag
// time is synchronous), checks the file, then calls webContents.startDrag synchronously.
// Pure (fs is injected).
import path from 'node:path';
import type { CheckpointSummary } from '../../common/contract';
import { archiveId } from '../../common/channels';

export type DragCheck = { ok: true; id: string; file: string; size: number; name: string } | { ok: false; code: string; message: string };

export interface StatLike { isFile(): boolean; size: number }
export type StatSync = (p: string) => StatLike;

/** The payload must be `{archive: <id>}`; a path, a URL or anything else is refused with the reason. */
export function parseDragRequest(payload: unknown): { ok: true; id: string } | { ok: false; code: string; message: string } {
  const raw = payload && typeof payload === 'object' ? (payload as { archive?: unknown }).archive : payload;
  if (typeof raw !== 'string') return { ok: false, code: 'EINVAL', message: 'drag request must name a checkpoint archive id' };
  if (raw.includes('/') || raw.includes('\\') || raw.startsWith('file:')) return { ok: false, code: 'EINVAL', message: `drag request must carry an archive id, not a path ("${raw.slice(0, 80)}")` };
  const r = archiveId.safeParse(raw);
  if (!r.success) return { ok: false, code: 'EINVAL', message: `"${raw.slice(0, 80)}" is not a checkpoint archive id` };
  return { ok: true, id: r.data };
}

/** Checks that an archive id names an existing, complete archive file. */
export function checkArchive(id: string, entry: CheckpointSummary | undefined, statSync: StatSync): DragCheck {
  if (!entry) return { ok: false, code: 'ENOTFOUND', message: `checkpoint archive ${id} not found (it may have been removed)` };
  if (!entry.archive) return { ok: false, code: 'ENOARCHIVE', message: `checkpoint ${id} of ${entry.containerName} has no exported archive yet; export it first` };
  if (!path.isAbsolute(entry.archive)) return { ok: false, code: 'EINVAL', message: `checkpoint ${id}: archive path is not absolute` };
  let st: StatLike;
  try { st = statSync(entry.archive); } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { ok: false, code: 'EDELETED', message: `the archive of checkpoint ${id} (${entry.containerName}) was deleted: ${entry.archive}` };
    return { ok: false, code: code ?? 'EIO', message: `cannot read the archive of checkpoint ${id}: ${(e as Error).message}` };
  }
  if (!st.isFile()) return { ok: false, code: 'EINVAL', message: `the archive of checkpoint ${id} is not a regular file: ${entry.archive}` };
  if (st.size === 0) return { ok: false, code: 'EINCOMPLETE', message: `the archive of checkpoint ${id} is empty (still being written?)` };
  if (entry.archiveSize !== undefined && entry.archiveSize > 0 && st.size !== entry.archiveSize) {
    return { ok: false, code: 'EINCOMPLETE', message: `the archive of checkpoint ${id} is incomplete (${st.size} of ${entry.archiveSize} bytes)` };
  }
  return { ok: true, id, file: entry.archive, size: st.size, name: path.basename(entry.archive) };
}

/** Id → checkpoint, refreshed from the engine; lookups are synchronous for the drag gesture. */
export class ArchiveIndex {
  private byId = new Map<string, CheckpointSummary>();
  private pending: Promise<void> | undefined;
  constructor(private list: () => Promise<CheckpointSummary[]>) {}
  get(id: string): CheckpointSummary | undefined { return this.byId.get(id); }
  get size(): number { return this.byId.size; }
  refresh(): Promise<void> {
    this.pending ??= this.list().then((l) => { this.byId = new Map(l.map((c) => [c.id, c])); }, () => undefined).finally(() => { this.pending = undefined; });
    return this.pending;
  }
}

/** A default file name for "Export…": container name, date, and the archive's extension. */
export function exportFileName(entry: CheckpointSummary): string {
  const ext = entry.archive?.match(/\.tar(\.(gz|zst|zstd|xz))?$/)?.[0] ?? '.tar.gz';
  const day = (entry.created || '').slice(0, 19).replace(/[:T]/g, '-') || 'checkpoint';
  return `${entry.containerName || entry.container}-${day}${ext}`.replace(/[^A-Za-z0-9_.-]/g, '_');
}
