// The path rules every untrusted archive is written under: entry names are cleaned lexically, every parent
// directory is walked with lstat (never through a symlink), the final component is never followed, and where
// the native addon offers openat2(RESOLVE_IN_ROOT) the kernel resolves each parent too and must agree (which guard,
// and the policy when the addon is missing: ../path-guard.ts).
import fs from 'node:fs';
import type { ResolveInRoot } from '../path-guard';

/** Lexically cleans a tar entry name. Returns components (empty = the root), or null if it climbs out. */
export function cleanName(name: string): string[] | null {
  const out: string[] = [];
  for (const c of name.split('/')) {
    if (c === '' || c === '.') continue;
    if (c === '..') {
      if (!out.length) return null;
      out.pop();
      continue;
    }
    out.push(c);
  }
  return out;
}

/** The strict check (checkpoint archives): components, or why the name is refused (absolute, any "..", NUL). */
export function checkEntryName(name: string): string[] | string {
  if (name.includes('\0')) return 'its name contains a NUL byte';
  if (name.startsWith('/')) return 'its name is an absolute path';
  const comps: string[] = [];
  for (const c of name.split('/')) {
    if (c === '' || c === '.') continue;
    if (c === '..') return 'its name contains ".."';
    comps.push(c);
  }
  return comps;
}

export function lstatOrNull(p: string): fs.Stats | null {
  try {
    return fs.lstatSync(p);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/** Creates a new file that must not exist yet and is never reached through a symlink; returns its fd. */
export function createExclusive(target: string, mode = 0o600): number {
  const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = fs.constants;
  return fs.openSync(target, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode);
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

/**
 * The safe path walker over one private root (nobody else writes into it while we work, so the lstat walk is
 * race-free). `fail` builds the caller's error for a rejected entry.
 */
export class RootWalker {
  constructor(
    readonly root: string,
    readonly fail: (entry: string, why: string) => never,
    readonly guard?: ResolveInRoot,
  ) {}

  /** Returns the absolute parent directory for comps, creating missing directories; never follows symlinks. */
  parentOf(comps: string[], entry: string, create: boolean, dirMode = 0o755): string {
    let cur = this.root;
    for (let i = 0; i < comps.length - 1; i++) {
      const p = cur + '/' + comps[i];
      const shown = comps.slice(0, i + 1).join('/');
      const st = lstatOrNull(p);
      if (!st) {
        if (!create) this.fail(entry, `"${shown}" does not exist`);
        fs.mkdirSync(p, dirMode);
      } else if (st.isSymbolicLink()) {
        this.fail(entry, `its parent "${shown}" is a symlink (writing through symlinks is not allowed)`);
      } else if (!st.isDirectory()) {
        this.fail(entry, `its parent "${shown}" is not a directory`);
      }
      cur = p;
    }
    if (this.guard && comps.length > 1) {
      const rel = comps.slice(0, -1).join('/');
      let resolved = '';
      try {
        resolved = this.guard(this.root, rel);
      } catch (e) {
        this.fail(entry, `kernel path resolution failed (${(e as Error).message})`);
      }
      if (resolved !== cur) this.fail(entry, `kernel resolution of "${rel}" leaves the expected path`);
    }
    return cur;
  }

  /** Removes whatever is at `p` (never following it); a directory stays when keepDir (its stats returned). */
  clear(p: string, keepDir: boolean): fs.Stats | null {
    const st = lstatOrNull(p);
    if (!st) return null;
    if (st.isDirectory()) {
      if (keepDir) return st;
      fs.rmSync(p, { recursive: true, force: true });
    } else {
      fs.unlinkSync(p);
    }
    return null;
  }
}
