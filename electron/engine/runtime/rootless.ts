// What a rootless engine (running inside its user namespace, see userns.ts) needs to know:
// which ids it can give files, how its storage must be mounted, and what cgroups allow.
import fs from 'node:fs';
import { usernsState, type UsernsState } from './userns';
import { run } from './proc';

/** The engine is rootless when it runs in Pier's user namespace or as a non-root user. */
export function rootlessState(): UsernsState | undefined { return usernsState(); }
export function isRootless(): boolean { return !!usernsState() || process.getuid?.() !== 0; }
/** The system engine: real root in the initial user namespace. */
export function isSystemEngine(): boolean { return !isRootless(); }

interface MapLine { inside: number; count: number }
function readMap(file: string): MapLine[] {
  try {
    return fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => l.trim().split(/\s+/).map(Number))
      .filter((f) => f.length === 3 && f.every(Number.isFinite)).map(([inside, , count]) => ({ inside, count }));
  } catch { return [{ inside: 0, count: 4294967295 }]; }
}
let maps: { uid: MapLine[]; gid: MapLine[] } | undefined;
const within = (m: MapLine[], id: number) => m.some((l) => id >= l.inside && id < l.inside + l.count);

/**
 * True when this process may give a file this owner: root (in its namespace) and both ids
 * mapped. With a single-id mapping only 0:0 is; other owners stay root.
 */
export function canChown(uid: number, gid: number): boolean {
  if (process.getuid?.() !== 0) return false;
  maps ??= { uid: readMap('/proc/self/uid_map'), gid: readMap('/proc/self/gid_map') };
  return within(maps.uid, uid) && within(maps.gid, gid);
}

/** What spec generation needs to know about this namespace; undefined for the system engine. */
export function rootlessSpecOptions(): { ttyGidMapped: boolean } | undefined {
  if (!isRootless()) return undefined;
  maps ??= { uid: readMap('/proc/self/uid_map'), gid: readMap('/proc/self/gid_map') };
  return { ttyGidMapped: within(maps.gid, 5) };
}

function isMountPoint(dir: string): boolean {
  const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  try {
    return fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((l) => unescape(l.split(' ')[4] ?? '') === dir);
  } catch { return false; }
}

/**
 * Makes `dir` a mount of the namespace's own. The kernel refuses an overlay whose upper dir
 * sits on a mount inherited from the host with locked sub-mounts ("failed to clone
 * upperpath"); a bind mount of the storage root made inside the namespace has none.
 * Lives as long as the pause process's mount namespace. No-op outside a user namespace.
 */
export async function bindStorageRoot(dir: string): Promise<void> {
  if (!usernsState() || isMountPoint(dir)) return;
  const r = await run('mount', ['--bind', dir, dir], { timeoutMs: 10_000 });
  if (r.code !== 0) throw new Error(`cannot bind-mount the storage root ${dir} inside the user namespace: ${r.stderr.trim()}`);
}

export interface CgroupPolicy {
  /** runc may create and control cgroups for containers */
  available: boolean;
  /** why not, in the user's terms (names what does not work and what would) */
  reason?: string;
  version: 1 | 2;
}

function cgroupVersion(): 1 | 2 {
  try { return fs.existsSync('/sys/fs/cgroup/cgroup.controllers') ? 2 : 1; } catch { return 1; }
}

/**
 * Rootless cgroup policy (docs/engine.md "Rootless"): on cgroup v1 an unprivileged user owns no
 * cgroup, so containers run without one and features that need one are refused with this reason.
 * On cgroup v2 the engine would need systemd delegation (a per-container scope under the user's
 * slice), which Pier does not drive yet: same answer, naming v2.
 */
export function cgroupPolicy(): CgroupPolicy {
  const version = cgroupVersion();
  if (!isRootless()) return { available: true, version };
  const where = version === 1 ? 'this host uses cgroup v1, where an unprivileged user owns no cgroup'
    : 'Pier does not yet use systemd cgroup delegation for rootless containers';
  return { available: false, version, reason: `rootless engine: ${where}; use the system engine (pier serve as root) for this` };
}

/** Refuses a cgroup-backed feature with the policy's reason (code ENOCGROUP). */
export function requireCgroups(feature: string): void {
  const p = cgroupPolicy();
  if (!p.available) throw Object.assign(new Error(`${feature} is not available: ${p.reason}`), { code: 'ENOCGROUP' });
}

/** What `docker info` and the UI show about rootless mode (Docker's "name=rootless", cgroup driver "none"). */
export function rootlessSummary(): { rootless: boolean; securityOptions: string[]; cgroupDriver?: string; warnings: string[] } {
  if (!isRootless()) return { rootless: false, securityOptions: [], warnings: [] };
  const state = usernsState();
  const cg = cgroupPolicy();
  return {
    rootless: true,
    securityOptions: ['name=rootless'],
    cgroupDriver: cg.available ? undefined : 'none',
    warnings: [...(state?.warning ? [state.warning] : []), ...(cg.reason ? [`no cgroups: ${cg.reason}`] : [])],
  };
}
