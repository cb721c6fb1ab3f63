// Persistent network namespaces under the runroot: <runroot>/netns/<container id>, a bind
// mount of a fresh namespace (made as util-linux unshare --net=FILE makes it), as `ip netns add` does under /run/netns.
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { makeNetns, unmount } from '../../../native/index';

export class NetnsError extends Error {
  readonly code = 'ENETNS';
  constructor(message: string) { super(message); this.name = 'NetnsError'; }
}

export function netnsDir(runroot: string): string { return path.join(runroot, 'netns'); }

/** Creates the namespace file (loopback up; the native addon, no process); throws naming the failing call. */
export async function createNetns(file: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o755 });
  await writeFile(file, '', { flag: 'wx', mode: 0o644 }).catch((e: NodeJS.ErrnoException) => { if (e.code !== 'EEXIST') throw e; });
  try {
    await makeNetns(file);
  } catch (e) {
    await removeNetns(file);
    throw new NetnsError(`cannot create network namespace ${file}: ${(e as Error).message}`);
  }
}

/** Whether file is a mounted namespace (an nsfs mount in this mount namespace). */
export function isMounted(file: string): boolean {
  try {
    return readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((l) => l.split(' ')[4] === file);
  } catch { return false; }
}

/** Unmounts and deletes the namespace file; missing is fine. */
export async function removeNetns(file: string): Promise<void> {
  if (isMounted(file)) {
    await unmount(file).catch((e: Error) => {
      if (isMounted(file)) throw new NetnsError(`cannot unmount network namespace ${file}: ${e.message}`);
    });
  }
  await rm(file, { force: true });
}

/** Namespace files present under the runroot. */
export async function listNetns(runroot: string): Promise<string[]> {
  const dir = netnsDir(runroot);
  return (await readdir(dir).catch(() => [] as string[])).map((n) => path.join(dir, n));
}
