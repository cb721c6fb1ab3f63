// fuse-overlayfs for rootless snapshots where the kernel refuses an overlay mount in a user
// namespace (kernels before 5.11, some file systems). Needs the binary and a usable /dev/fuse.
import fs from 'node:fs';
import path from 'node:path';

const DIRS = ['/usr/bin', '/usr/local/bin', '/bin'];

/** The fuse-overlayfs binary when it can work here; else why not. */
export function fuseOverlayfs(): { path?: string; why?: string } {
  const bin = DIRS.map((d) => path.join(d, 'fuse-overlayfs')).find((p) => fs.existsSync(p));
  if (!bin) return { why: 'fuse-overlayfs is not installed (apt-get install fuse-overlayfs)' };
  try { fs.accessSync('/dev/fuse', fs.constants.R_OK | fs.constants.W_OK); } catch {
    return { why: '/dev/fuse is not usable by this user (it should be mode 0666: chmod 0666 /dev/fuse)' };
  }
  return { path: bin };
}
