// Builds tar archives in memory for tests (hostile layers and checkpoint archives included).
import tar from 'tar-stream';

export interface TarEntry {
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'link' | 'character-device' | 'block-device' | 'fifo';
  data?: Buffer | string;
  linkname?: string;
  /** default 0755 for directories, 0644 otherwise */
  mode?: number;
  devmajor?: number;
  devminor?: number;
  mtime?: Date;
}

/** Packs the entries, in order, into an uncompressed tar. Only files carry data. */
export async function packTar(entries: TarEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => { chunks.push(c as Buffer); });
  const end = new Promise<void>((r) => pack.on('end', () => r()));
  for (const e of entries) {
    const type = e.type ?? 'file';
    const h = { name: e.name, type, mode: e.mode ?? (type === 'directory' ? 0o755 : 0o644), linkname: e.linkname, devmajor: e.devmajor, devminor: e.devminor, mtime: e.mtime } as tar.Header;
    await new Promise<void>((res, rej) => {
      const cb = (err?: Error | null) => (err ? rej(err) : res());
      if (type === 'file') pack.entry(h, Buffer.from(e.data ?? ''), cb); else pack.entry(h, cb);
    });
  }
  pack.finalize();
  await end;
  return Buffer.concat(chunks);
}
