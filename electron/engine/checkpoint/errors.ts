// Errors of the checkpoint area. Every message names the thing and the reason.

export type CheckpointErrorCode =
  | 'ENOCRIU'        // CRIU missing, too old or failing `criu check`
  | 'ENOTSUP'        // the runtime or the kernel cannot do what was asked (e.g. pre-dump)
  | 'ESTATE'         // the container is not in a state that allows it
  | 'ENOTFOUND'      // no such checkpoint
  | 'ECONFLICT'      // a name already in use
  | 'EBADARCHIVE'    // corrupt, truncated, malicious or incomplete archive
  | 'ECRIU'          // CRIU failed while dumping or restoring
  | 'EINCONSISTENT'  // the container's files cannot be captured at the moment of the dump
  | 'EINVAL';

export class CheckpointError extends Error {
  constructor(message: string, readonly code: CheckpointErrorCode, opts?: { cause?: unknown }) {
    super(message, opts);
    this.name = 'CheckpointError';
  }
}

/** Lines CRIU prints as errors on every run on some hosts, explaining nothing. */
const BENIGN = [/Can't setup RLIMIT_NOFILE for self/, /cgroupd: recv req error/, /Hugetlb size .* cannot get dev's number/];

/** The lines of a CRIU log (dump.log / restore.log) that explain a failure. */
export function meaningfulCriuLines(log: string, max = 4): string[] {
  const lines = log.split('\n').map((l) => l.trim().replace(/^\(\s*\d+\.\d+\)\s*/, '').replace(/^\d+:\s*/, '')).filter(Boolean);
  const useful = (l: string) => !BENIGN.some((b) => b.test(l));
  let picked = lines.filter((l) => /\bError\b/.test(l) && useful(l));
  if (!picked.length) picked = lines.filter((l) => /fail|unable|can't|cannot|not supported/i.test(l) && useful(l));
  const uniq: string[] = [];
  for (const l of picked) if (!uniq.includes(l)) uniq.push(l);
  return uniq.slice(0, max);
}

/** One line: runtime messages carry newlines ("…errno 0\nlog file: …"). */
export function oneLine(s: string): string {
  // the log file it names is removed with the failed checkpoint or container: its lines are quoted instead
  return s.replace(/\s*log file: \S+/g, '').replace(/\s*\n\s*/g, '; ').replace(/(;\s*)+$/, '').trim();
}
