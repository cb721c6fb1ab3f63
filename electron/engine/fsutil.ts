// Small file helpers shared by the untrusted-archive extractors (image layers, checkpoint archives).
import fs from 'node:fs';

/** Creates a new file that must not exist yet and is never reached through a symlink; returns its fd. */
export function createExclusive(target: string, mode = 0o600): number {
  return fs.openSync(target, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, mode);
}

/** Writes every chunk of a stream to fd; returns the byte count. The caller closes fd. */
export async function drainToFd(fd: number, stream: AsyncIterable<unknown>): Promise<number> {
  let n = 0;
  for await (const chunk of stream) {
    const b = chunk as Buffer;
    let off = 0;
    while (off < b.length) off += fs.writeSync(fd, b, off, b.length - off);
    n += b.length;
  }
  return n;
}
