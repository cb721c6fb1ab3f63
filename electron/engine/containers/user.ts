// Resolves "user[:group]" (names or numbers) against the container's /etc/passwd and /etc/group.
// A name that is not there fails with code ENOUSER (a bad request, found only once the rootfs exists).
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface ResolvedUser { uid: number; gid: number; additionalGids: number[]; home: string }

function table(rootfs: string, file: string): string[][] {
  try { return readFileSync(path.join(rootfs, 'etc', file), 'utf8').split('\n').filter(Boolean).map((l) => l.split(':')); } catch { return []; }
}

export function resolveUser(rootfs: string, spec: string): ResolvedUser {
  const [u, g] = (spec || '0').split(':');
  const passwd = table(rootfs, 'passwd');
  let uid: number, gid: number | undefined, home = '/';
  if (/^\d+$/.test(u)) {
    uid = Number(u);
    const row = passwd.find((r) => Number(r[2]) === uid);
    if (row) { gid = Number(row[3]); home = row[5] || '/'; }
  } else {
    const row = passwd.find((r) => r[0] === u);
    if (!row) throw Object.assign(new Error(`user "${u}" not found in the container's /etc/passwd`), { code: 'ENOUSER' });
    uid = Number(row[2]); gid = Number(row[3]); home = row[5] || '/';
  }
  if (g !== undefined && g !== '') {
    if (/^\d+$/.test(g)) gid = Number(g);
    else {
      const row = table(rootfs, 'group').find((r) => r[0] === g);
      if (!row) throw Object.assign(new Error(`group "${g}" not found in the container's /etc/group`), { code: 'ENOUSER' });
      gid = Number(row[2]);
    }
  }
  return { uid, gid: gid ?? 0, additionalGids: [], home };
}
