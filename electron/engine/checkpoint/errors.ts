// Errors of the checkpoint area. Every message names the thing and the reason.

export type CheckpointErrorCode =
  | 'ENOCRIU'        // CRIU missing, too old or failing `criu check`
  | 'ENOTSUP'        // the runtime or the kernel cannot do what was asked (e.g. pre-dump)
  | 'ESTATE'         // the container is not in a state that allows it
  | 'ENOTFOUND'      // no such checkpoint
  | 'ECONFLICT'      // a name already in use
  | 'EBADARCHIVE'    // corrupt, truncated, malicious or incomplete archive
  | 'ECRIU'          // CRIU failed while dumping or restoring
  | 'EINVAL';

export class CheckpointError extends Error {
  constructor(message: string, readonly code: CheckpointErrorCode, opts?: { cause?: unknown }) {
    super(message, opts);
    this.name = 'CheckpointError';
  }
}

/** The lines of a CRIU log (dump.log / restore.log) that explain a failure. */
export function meaningfulCriuLines(log: string, max = 6): string[] {
  const lines = log.split('\n').map((l) => l.trim()).filter(Boolean);
  const picked = lines.filter((l) => /\bError\b|\(-?\d+\)\s*Error|Err\b|error|fail|Unable|can't|cannot|not supported/i.test(l) && !/^\(\d+\.\d+\)\s*$/.test(l));
  // strip CRIU's "(00.012345) " timestamps and pid prefixes
  const clean = picked.map((l) => l.replace(/^\(\s*\d+\.\d+\)\s*/, '').replace(/^\d+:\s*/, ''));
  const uniq: string[] = [];
  for (const l of clean) if (!uniq.includes(l)) uniq.push(l);
  return uniq.slice(-max);
}
