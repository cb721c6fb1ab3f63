// Where a log replay and live output meet (attach logs=1&stream=1). conmon writes each chunk to the log before it
// sends it on the attach socket, so bytes in flight when the log was read are in both. Per stream: `seen` is what
// the viewer had received before the log was read (all of it is in the log), `replayed` the tail of the replayed
// log, `live` what arrived afterwards. The overlap is the smallest k such that the replay ends with
// seen's tail + live[0, k). When nothing was seen, the replay's own tail pins the seam if it occurs exactly once in
// `live`. Duplicates are possible when nothing pins the seam (periodic output, fewer in-flight bytes than the
// tail anchor with nothing seen), losses of bytes not equal to what the replay sent last are not.

/** How much of `seen` pins the seam. */
export const ANCHOR_BYTES = 4096;

/** Number of leading bytes of `live` already sent by the replay (0 when the seam cannot be found). */
export function replayOverlap(replayed: Buffer, seen: Buffer, live: Buffer): number {
  if (!replayed.length) return 0;
  if (!seen.length) return replayTailInLive(replayed, live);
  const anchor = seen.subarray(Math.max(0, seen.length - ANCHOR_BYTES));
  // the anchor's last occurrence first: the smallest k
  for (let p = replayed.lastIndexOf(anchor); p >= 0; p = p > 0 ? replayed.lastIndexOf(anchor, p - 1) : -1) {
    const from = p + anchor.length;
    const k = replayed.length - from;
    if (k > live.length) return 0; // the seam would lie beyond what arrived live: not found
    if (replayed.subarray(from).equals(live.subarray(0, k))) return k;
  }
  return 0;
}

/**
 * How much of the replay's end pins the seam when nothing was seen. Short, so that a few hundred in-flight bytes are
 * found; a match must be unique in `live` and the whole overlap must be equal, so a wrong seam could only drop bytes
 * equal to what the replay has just sent.
 */
export const TAIL_ANCHOR_BYTES = 64;

/** Nothing seen: live[0, k) ends with the replay's last TAIL_ANCHOR_BYTES, found once only (else 0). */
function replayTailInLive(replayed: Buffer, live: Buffer): number {
  if (replayed.length < TAIL_ANCHOR_BYTES) return 0;
  const anchor = replayed.subarray(replayed.length - TAIL_ANCHOR_BYTES);
  const q = live.indexOf(anchor);
  if (q < 0 || live.indexOf(anchor, q + 1) >= 0) return 0;
  const k = q + TAIL_ANCHOR_BYTES;
  return k <= replayed.length && replayed.subarray(replayed.length - k).equals(live.subarray(0, k)) ? k : 0;
}

/** The last `max` bytes of a growing byte stream (small pushes are compacted in batches). */
export class TailBuffer {
  private kept = Buffer.alloc(0);
  private parts: Buffer[] = [];
  private size = 0;
  constructor(private readonly max: number) {}
  push(b: Buffer): void {
    this.parts.push(b);
    this.size += b.length;
    if (this.size >= 2 * this.max || this.parts.length >= 4096) this.compact();
  }
  get bytes(): Buffer { this.compact(); return this.kept; }
  private compact(): void {
    if (!this.parts.length) return;
    const all = Buffer.concat([this.kept, ...this.parts]);
    this.kept = all.subarray(Math.max(0, all.length - this.max));
    this.parts = [];
    this.size = this.kept.length;
  }
}
