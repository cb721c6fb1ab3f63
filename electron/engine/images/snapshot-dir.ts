// A container's snapshot directory, for removal by processes that do not open the image area
// (`pier container cleanup`). Same layout and rules as snapshot.ts: <root>/snapshots/<id>/{merged,…}.
import fsp from 'node:fs/promises';
import path from 'node:path';
import { unmount } from '../../../native/index';


/** Decodes the octal escapes of /proc/self/mountinfo fields. */
function unescapeMount(s: string): string { return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))); }

export async function isMountPoint(p: string): Promise<boolean> {
  const info = await fsp.readFile('/proc/self/mountinfo', 'utf8');
  return info.split('\n').some((line) => unescapeMount(line.split(' ')[4] ?? '') === p);
}

/** Unmounts <merged> if mounted (lazily when busy). */
export async function unmountDir(merged: string, what: string): Promise<void> {
  if (!(await isMountPoint(merged))) return;
  // the syscall, not umount(8): no process on the removal path
  try { await unmount(merged); } catch (e) {
    // Busy (a process still holds it): detach now, the kernel frees it when released.
    try { await unmount(merged, true); } catch { throw new Error(`unmounting the root filesystem of container ${what} failed: ${(e as Error).message}`); }
  }
}

/** Unmounts and deletes <root>/snapshots/<id>. Missing is fine. */
export async function removeSnapshot(root: string, id: string): Promise<void> {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/.test(id)) throw new Error(`invalid container id for a snapshot: "${id}"`);
  const base = path.join(root, 'snapshots', id);
  await unmountDir(path.join(base, 'merged'), id);
  await fsp.rm(base, { recursive: true, force: true });
}
