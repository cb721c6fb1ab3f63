// The one reading loop over untrusted tar streams: decompression (gzip in-process, zstd through the zstd program),
// optional byte taps (digests), an entry-count limit, early stop, and cleanup of every stage on failure.
// Callers decide what an entry means (write it, stage it, classify by names); extract.ts writes trees.
import fs from 'node:fs';
import zlib from 'node:zlib';
import { Transform, type Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar-stream';
import { spawnPipe } from '../runtime/proc';

export type Compression = 'gzip' | 'zstd' | 'none';
export type TarHeader = tar.Header;

/** The compression a stream starts with (magic bytes). */
export function compressionOf(head: Uint8Array): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  return 'none';
}

export function detectCompression(file: string): Compression {
  const fd = fs.openSync(file, 'r');
  try {
    const b = Buffer.alloc(4);
    const n = fs.readSync(fd, b, 0, 4, 0);
    return compressionOf(b.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
}

/** zstd is missing (code ENOZSTD) or failed on its input (EZSTD). */
export class ZstdError extends Error {
  constructor(
    message: string,
    readonly code: 'ENOZSTD' | 'EZSTD',
  ) {
    super(message);
    this.name = 'ZstdError';
  }
}

/** A byte stream through the zstd program (`-d` decompresses); `done` settles when it exits. */
export function zstdFilter(args: string[]): { input: Writable; output: Readable; done: Promise<void>; kill(): void } {
  const child = spawnPipe('zstd', args);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', (e) => reject(new ZstdError(`the "zstd" program is needed (${e.message})`, 'ENOZSTD')));
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new ZstdError(`zstd: ${stderr.trim() || `exit ${code}`}`, 'EZSTD')),
    );
  });
  child.stdin!.on('error', () => undefined); // EPIPE when zstd stops early: reported through `done`
  return { input: child.stdin!, output: child.stdout!, done, kill: () => child.kill('SIGKILL') };
}

const tap = (fn: (chunk: Buffer) => void) =>
  new Transform({
    transform(chunk: Buffer, _enc, cb) {
      fn(chunk);
      cb(null, chunk);
    },
  });

export interface ReadOptions {
  /** for a stream input (a file is sniffed): how it is compressed; default 'none' */
  compression?: Compression;
  /** refuse the archive after this many entries */
  maxEntries?: number;
  /** the error for too many entries */
  tooMany?: (max: number) => Error;
  /** sees every byte as read (a blob's digest) */
  tapRaw?: (chunk: Buffer) => void;
  /** sees every byte of the tar stream itself (a layer's diff id) */
  tapTar?: (chunk: Buffer) => void;
}

/** An entry's handler: the body is drained after it returns; 'stop' ends reading early (not an error). */
export type EntryHandler = (h: TarHeader, body: Readable) => Promise<void | 'stop'> | void | 'stop';

/**
 * Reads a tar (a file, sniffed for gzip/zstd, or a stream) entry by entry. Rejects with the handler's error
 * first, then a decompression or tar error; every stage is torn down on failure or stop.
 */
export async function readTar(
  input: string | NodeJS.ReadableStream,
  onEntry: EntryHandler,
  o: ReadOptions = {},
): Promise<{ compression: Compression; entries: number }> {
  const compression = typeof input === 'string' ? detectCompression(input) : (o.compression ?? 'none');
  const src = (typeof input === 'string' ? fs.createReadStream(input, { highWaterMark: 1 << 20 }) : input) as Readable;
  const ex = tar.extract();
  let entries = 0;
  let stopped = false;
  const consume = (async () => {
    for await (const entry of ex) {
      if (o.maxEntries !== undefined && ++entries > o.maxEntries) {
        throw o.tooMany?.(o.maxEntries) ?? new Error(`the archive has more than ${o.maxEntries} entries`);
      }
      if (o.maxEntries === undefined) entries++;
      try {
        if ((await onEntry(entry.header, entry as unknown as Readable)) === 'stop') {
          stopped = true;
          break;
        }
      } finally {
        entry.resume();
      }
    }
  })();
  const raw = o.tapRaw ? [tap(o.tapRaw)] : [];
  const inner = o.tapTar ? [tap(o.tapTar)] : [];
  let z: ReturnType<typeof zstdFilter> | undefined;
  let feeding: Promise<unknown>;
  if (compression === 'zstd') {
    z = zstdFilter(['-d', '-c', '-q']);
    feeding = Promise.all([
      pipeline([src, ...raw, z.input] as unknown as [Readable, Writable]),
      pipeline([z.output, ...inner, ex] as unknown as [Readable, Writable]),
      z.done,
    ]);
  } else {
    const gunzip = compression === 'gzip' ? [zlib.createGunzip()] : [];
    feeding = pipeline([src, ...raw, ...gunzip, ...inner, ex] as unknown as [Readable, Writable]);
  }
  const teardown = () => {
    z?.kill();
    src.destroy();
    ex.destroy();
  };
  const failed = (e: unknown): never => {
    teardown();
    throw e;
  };
  const [fed, consumed] = await Promise.allSettled([feeding.catch(failed), consume.catch(failed)]);
  if (stopped) {
    teardown();
    return { compression, entries };
  }
  if (consumed.status === 'rejected') throw consumed.reason;
  if (fed.status === 'rejected') throw fed.reason;
  return { compression, entries };
}
