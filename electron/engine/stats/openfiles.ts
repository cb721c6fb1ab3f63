// A tracked container's counter files, kept open and re-read from offset 0 (one pread instead
// of open/fstat/read/close per file per tick: about 3× less CPU on this host). cgroupfs and
// procfs files produce fresh content on every read at offset 0. The fds held by all
// containers together stay under a budget; past it files are read the ordinary way.
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';

const BUDGET = 4096;
let held = 0;
const buf = Buffer.allocUnsafe(64 * 1024);

const readWhole = (p: string): string | undefined => {
  try {
    return readFileSync(p, 'latin1');
  } catch {
    return undefined;
  }
};

export class OpenFiles {
  private fds = new Map<string, number>();

  /** The file's current content, or undefined when it does not exist (any more). */
  read = (p: string): string | undefined => {
    let fd = this.fds.get(p);
    if (fd === undefined) {
      if (held >= BUDGET) return readWhole(p);
      try {
        fd = openSync(p, 'r');
      } catch {
        return undefined;
      }
      this.fds.set(p, fd);
      held++;
    }
    let n: number;
    try {
      n = readSync(fd, buf, 0, buf.length, 0);
    } catch {
      this.drop(p);
      return readWhole(p);
    }
    return n < buf.length ? buf.toString('latin1', 0, n) : readWhole(p);
  };

  close(): void {
    for (const p of [...this.fds.keys()]) this.drop(p);
  }

  private drop(p: string): void {
    const fd = this.fds.get(p);
    if (fd === undefined) return;
    this.fds.delete(p);
    held--;
    try {
      closeSync(fd);
    } catch {
      /* already gone */
    }
  }
}

/** fds held by every OpenFiles (tests: none left after the last watcher). */
export function openFileCount(): number {
  return held;
}
