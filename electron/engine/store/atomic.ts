// Crash-safe file writes: temp file in the same directory, fsync, rename, fsync dir. `durable: false` skips both
// fsyncs: the rename still replaces the file atomically for every process (an engine killed at any moment leaves
// the old or the new content), but after a power loss the old content, or (a new file, on some filesystems) an
// empty one may be found. For files a power loss makes worthless anyway (an auto-remove container's record), or
// that are written again when missing (a snapshot's meta.json).
import { open, rename, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';

export interface WriteOptions { durable?: boolean }

export async function writeFileAtomic(file: string, data: string | Buffer, mode = 0o600, o: WriteOptions = {}): Promise<void> {
  const durable = o.durable ?? true;
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(4).toString('hex')}.tmp`);
  const fh = await open(tmp, 'w', mode);
  try {
    await fh.writeFile(data);
    if (durable) await fh.sync();
  } catch (e) {
    await fh.close();
    await rm(tmp, { force: true });
    throw e;
  }
  await fh.close();
  await rename(tmp, file);
  if (!durable) return;
  const dir = await open(path.dirname(file), 'r');
  try { await dir.sync(); } finally { await dir.close(); }
}

export async function writeJsonAtomic(file: string, value: unknown, o: WriteOptions = {}): Promise<void> {
  await writeFileAtomic(file, JSON.stringify(value, null, 2) + '\n', 0o600, o);
}
