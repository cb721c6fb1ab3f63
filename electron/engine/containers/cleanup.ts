// `pier container cleanup ID`: what conmon's exit command does when no engine watches the exit directory.
// Under the container's lock (shared with the engine): if the record still says the container runs and conmon
// wrote its exit file, the exit is recorded (code and time from the file), the runtime state is deleted (when the
// runtime cannot delete it yet, the record stays `initialized` and the engine deletes it before the next start,
// restore or remove), and an AutoRemove container is removed (runtime state, snapshot, run files, record).
// Idempotent: anything already done is skipped, so a late or repeated cleanup changes nothing. Imports stay
// small: it runs once per exit.
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { ContainerStore } from '../store/containers';
import { containerLockPath, lockFileSync, removeLockFile } from '../store/lock';
import { readExitFile } from '../conmon/exitfile';
import { deleteRuntimeContainer, type CleanupTarget } from '../runtime/exit-command';
import { removeSnapshot } from '../images/snapshot-dir';
import type { ContainerRecord } from '../store/types';
import { hasRuntime } from './states';

export type CleanupResult = 'recorded' | 'removed' | 'nothing';

export async function cleanupContainer(t: CleanupTarget, id: string): Promise<CleanupResult> {
  if (!/^[0-9a-f]{64}$/.test(id)) throw new Error(`invalid container id "${id}": expected 64 hex digits`);
  const store = new ContainerStore(path.join(t.root, 'containers'));
  const lock = lockFileSync(containerLockPath(t.runroot, id));
  try {
    const rec = await store.read(id);
    if (!rec) return 'nothing';
    const s = rec.state;
    const active = hasRuntime(s);
    const exit = readExitFile(path.join(t.runroot, 'exits'), id);
    if (active && exit) {
      // a runtime that cannot delete the container yet leaves it recorded (initialized) for the engine's next try
      const kept = await deleteRuntimeContainer(t.runtimePath, t.runtimeRoot, id).then(() => false, () => true);
      const oomKilled = existsSync(path.join(t.root, 'containers', id, 'b', 'oom'));
      rec.state = { ...s, status: 'exited', initialized: kept, pid: 0, conmonPid: 0, exitCode: exit.code, finishedAt: exit.at.toISOString(), oomKilled };
      await store.save(rec);
    } else if (!(s.status === 'exited' || s.status === 'removing')) {
      return 'nothing';
    }
    if (!rec.config.autoRemove) return active && exit ? 'recorded' : 'nothing';
    await removeFiles(store, t, rec);
    return 'removed';
  } finally {
    lock.release();
  }
}

/** An AutoRemove container's removal, as the engine's remove() does it (status 'removing' first: resumable). */
async function removeFiles(store: ContainerStore, t: CleanupTarget, rec: ContainerRecord): Promise<void> {
  rec.state = { ...rec.state, status: 'removing' };
  await store.save(rec);
  if (rec.state.initialized) await deleteRuntimeContainer(t.runtimePath, t.runtimeRoot, rec.id);
  await Promise.all([
    removeSnapshot(t.root, rec.id),
    rm(path.join(t.runroot, 'containers', rec.id), { recursive: true, force: true }),
    rm(path.join(t.runroot, 'exits', rec.id), { force: true }),
  ]);
  await store.delete(rec.id);
  removeLockFile(containerLockPath(t.runroot, rec.id));
}
