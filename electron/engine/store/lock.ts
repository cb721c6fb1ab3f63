// Lock files. One engine per root: <root>/engine.lock is flock()ed for the engine's lifetime and holds its PID
// (for the error message only). The kernel drops an flock when its holder dies, so a crashed or SIGKILLed engine
// never blocks the next one and a reused PID means nothing. Per-container locks (FileLock) let the engine and
// `pier container cleanup` (run by conmon) exclude each other.
import { closeSync, ftruncateSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { flock, flockAsync } from '../../../native/index';

export interface RootLock { release(): void; path: string }

export function lockRoot(root: string): RootLock {
  const file = path.join(root, 'engine.lock');
  const fd = openSync(file, 'a+', 0o644); // O_CLOEXEC (libuv): conmon and runc never inherit it
  try {
    if (!flock(fd, true, false)) {
      const holder = Number(readFileSync(file, 'utf8').trim());
      const who = Number.isInteger(holder) && holder > 0 ? `PID ${holder}` : 'PID unknown';
      throw Object.assign(new Error(`root ${root} is in use by another Pier engine (${who}); stop it or use another --root`), { code: 'ELOCKED', holder });
    }
    ftruncateSync(fd, 0);
    writeSync(fd, String(process.pid), 0);
  } catch (e) {
    closeSync(fd);
    throw e;
  }
  let held = true;
  return {
    path: file,
    release: () => {
      if (!held) return;
      held = false;
      try { ftruncateSync(fd, 0); } catch { /* read-only: the lock still goes with the fd */ }
      closeSync(fd);
    },
  };
}

/** An flock on one file: exclusive, held until release(). The file is created if missing. */
export interface HeldLock { release(): void }

function openLock(file: string): number {
  try { return openSync(file, 'a+', 0o600); } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    return openSync(file, 'a+', 0o600);
  }
}

/** Waits for the lock without blocking the event loop (a pool thread waits only when someone else holds it). */
export async function lockFile(file: string): Promise<HeldLock> {
  const fd = openLock(file);
  try {
    if (!flock(fd, true, false)) await flockAsync(fd, true);
  } catch (e) {
    closeSync(fd);
    throw e;
  }
  return held(fd);
}

/** Blocking variant for short-lived CLI processes. */
export function lockFileSync(file: string): HeldLock {
  const fd = openLock(file);
  try { flock(fd, true, true); } catch (e) { closeSync(fd); throw e; }
  return held(fd);
}

function held(fd: number): HeldLock {
  let open = true;
  return { release: () => { if (open) { open = false; closeSync(fd); } } };
}

/** The lock `pier container cleanup` and the engine share for one container. */
export function containerLockPath(runroot: string, id: string): string {
  return path.join(runroot, 'locks', id);
}

/** Removes a lock file (its holders keep their lock on the unlinked inode; later openers get a new one). */
export function removeLockFile(file: string): void {
  try { unlinkSync(file); } catch { /* gone */ }
}
