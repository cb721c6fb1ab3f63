// Files a frozen container holds open for writing on filesystems a checkpoint does not keep.
// CRIU records the size of every open file and refuses a restore when it differs; Pier keeps
// the overlay snapshot's changes (rootfs-diff.tar) and CRIU itself keeps in-container tmpfs.
// A host directory — the root of a container made from a rootfs directory, a bind mount —
// is kept by nobody: once a leave-running container writes there again, its checkpoint no
// longer matches. Such a checkpoint is refused with the files named (see service.ts).
import fsp from 'node:fs/promises';

interface Mount { id: string; root: string; point: string; fstype: string }

/** Filesystems whose content CRIU dumps itself or that hold no user data. */
const KEPT_BY_CRIU = new Set(['tmpfs', 'devtmpfs', 'proc', 'sysfs', 'devpts', 'mqueue', 'cgroup', 'cgroup2']);

const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

async function mountsOf(pid: number): Promise<Map<string, Mount>> {
  const m = new Map<string, Mount>();
  for (const line of (await fsp.readFile(`/proc/${pid}/mountinfo`, 'utf8')).split('\n')) {
    const [pre, post] = line.split(' - ');
    if (!post) continue;
    const f = pre.split(' ');
    m.set(f[0], { id: f[0], root: unescape(f[3]), point: unescape(f[4]), fstype: post.split(' ')[0] });
  }
  return m;
}

/** O_WRONLY | O_RDWR in /proc/<pid>/fdinfo/<fd>'s octal "flags:". */
const writable = (fdinfo: string) => (parseInt(/^flags:\s*([0-7]+)/m.exec(fdinfo)?.[1] ?? '0', 8) & 3) !== 0;

/**
 * Paths (as the container sees them) of regular files the processes hold open for writing
 * outside what a checkpoint keeps. `rootKept`: the root mount is an overlay snapshot.
 */
export async function unkeptWritableFiles(pids: number[], rootKept: boolean): Promise<string[]> {
  if (!pids.length) return [];
  const mounts = await mountsOf(pids[0]);
  const rootMount = [...mounts.values()].filter((x) => x.point === '/').pop();
  const kept = (mnt: Mount | undefined) => {
    if (!mnt) return false;
    if (mnt === rootMount) return rootKept;
    return KEPT_BY_CRIU.has(mnt.fstype) && mnt.root === '/'; // a bind from the host has a sub-root
  };
  const out = new Set<string>();
  for (const pid of pids) {
    let fds: string[];
    try { fds = await fsp.readdir(`/proc/${pid}/fd`); } catch { continue; } // gone: holds nothing
    for (const fd of fds) {
      try {
        if (!(await fsp.stat(`/proc/${pid}/fd/${fd}`)).isFile()) continue;
        const info = await fsp.readFile(`/proc/${pid}/fdinfo/${fd}`, 'utf8');
        if (!writable(info)) continue;
        const mnt = mounts.get(/^mnt_id:\s*(\d+)/m.exec(info)?.[1] ?? '');
        if (!kept(mnt)) out.add(await fsp.readlink(`/proc/${pid}/fd/${fd}`));
      } catch { /* closed meanwhile */ }
    }
  }
  return [...out].sort();
}
