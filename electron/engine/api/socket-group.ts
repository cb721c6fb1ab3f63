// The system engine's socket is shared with the `pier` group (like Docker's `docker` group):
// socket root:pier 0660, its directory root:pier 0750. A rootless engine's stays owner-only.
import { chown, chmod, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { isSystemEngine } from '../runtime/rootless';

export const SOCKET_GROUP = 'pier';

/** The gid of `name` from an /etc/group text. */
export function groupId(text: string, name: string): number | undefined {
  for (const line of text.split('\n')) {
    const [n, , gid] = line.split(':');
    if (n === name && /^\d+$/.test(gid ?? '')) return Number(gid);
  }
  return undefined;
}

/**
 * Gives the `pier` group access to the system engine's socket. Returns a line for the log
 * (what was shared, or why only root can connect). No-op (undefined) for a rootless engine.
 */
export async function shareWithGroup(socketPath: string): Promise<string | undefined> {
  if (!isSystemEngine()) return undefined;
  const gid = groupId(await readFile('/etc/group', 'utf8').catch(() => ''), SOCKET_GROUP);
  if (gid === undefined) {
    return `no "${SOCKET_GROUP}" group: only root can use ${socketPath} (create it with \`groupadd --system ${SOCKET_GROUP}\` `
      + `and add users with \`usermod -aG ${SOCKET_GROUP} USER\`, then restart)`;
  }
  await chown(socketPath, 0, gid);
  await chmod(socketPath, 0o660);
  const dir = path.dirname(socketPath);
  const st = await stat(dir);
  // only a directory the engine owns and keeps private is opened to the group (never /tmp and the like)
  if (st.uid === 0 && (st.mode & 0o077) === 0) { await chown(dir, 0, gid); await chmod(dir, 0o750); }
  return `members of the "${SOCKET_GROUP}" group can use ${socketPath}`;
}
