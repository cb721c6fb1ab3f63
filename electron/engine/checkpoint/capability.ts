// What this host can checkpoint: CRIU present, recent and passing `criu check`; the OCI
// runtime has `checkpoint`; the kernel tracks dirty memory (needed for pre-dump).
import os from 'node:os';
import type { RuntimeInfo } from '../runtime/discovery';
import type { CheckpointErrorCode } from './errors';
import { isRootless } from '../runtime/rootless';

export interface CheckpointCapability {
  supported: boolean;
  /** why not, with the fix */
  reason?: string;
  code?: CheckpointErrorCode;
  preDump: boolean;
  preDumpReason?: string;
  criu?: { path: string; version: string; works: boolean; reason?: string; memDirtyTrack: boolean };
  runtime: { name: string; version: string; checkpoint: boolean };
}

/** CRIU 3.11 is what podman requires for checkpoint/restore. */
export const MIN_CRIU = [3, 11];

export function criuVersionOk(v: string): boolean {
  const m = v.match(/^(\d+)\.(\d+)/);
  if (!m) return true; // unknown format: let criu check decide
  const [maj, min] = [Number(m[1]), Number(m[2])];
  return maj > MIN_CRIU[0] || (maj === MIN_CRIU[0] && min >= MIN_CRIU[1]);
}

export function capabilityOf(info: RuntimeInfo): CheckpointCapability {
  const rt = { name: info.runtime.name, version: info.runtime.version, checkpoint: info.runtime.checkpoint };
  const base = { runtime: rt, criu: info.criu ? { path: info.criu.path, version: info.criu.version, works: info.criu.works, reason: info.criu.reason, memDirtyTrack: info.criu.memDirtyTrack } : undefined };
  const no = (reason: string, code: CheckpointErrorCode): CheckpointCapability => ({ ...base, supported: false, reason, code, preDump: false, preDumpReason: reason });
  if (isRootless()) {
    return no('checkpoint needs the system engine: CRIU cannot checkpoint a rootless container (podman refuses too); '
      + 'run the container under `pier serve` as root', 'ENOTSUP');
  }
  if (!info.runtime.checkpoint) {
    return no(`${rt.name} ${rt.version} was built without CRIU support (it has no "checkpoint" command): use runc`, 'ENOTSUP');
  }
  if (!info.criu) return no('CRIU not found: install criu (on Debian 12 run scripts/setup-host.sh, which installs CRIU 4.1.1) or pass its path', 'ENOCRIU');
  if (!criuVersionOk(info.criu.version)) return no(`CRIU ${info.criu.version} at ${info.criu.path} is too old (need ${MIN_CRIU.join('.')} or newer): install a newer criu`, 'ENOCRIU');
  if (!info.criu.works) return no(info.criu.reason ?? `criu check failed for ${info.criu.path}`, 'ENOCRIU');
  if (!info.criu.memDirtyTrack) {
    return { ...base, supported: true, preDump: false, preDumpReason: `pre-dump needs the kernel to track dirty memory, and "criu check --feature mem_dirty_track" fails on this host (CRIU ${info.criu.version}, kernel ${kernel()}); take a plain checkpoint instead` };
  }
  return { ...base, supported: true, preDump: true };
}

function kernel(): string { return os.release(); }
