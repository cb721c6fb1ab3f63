// Where an attach's log replay and its live output meet (sessions/overlap.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ANCHOR_BYTES, TailBuffer, replayOverlap } from '../../electron/engine/sessions/overlap';

const lines = (a: number, b: number) => Buffer.from(Array.from({ length: b - a }, (_, i) => `${a + i}\n`).join(''));

test('the bytes in flight when the log was read are dropped from the live side, nothing else', () => {
  const log = lines(1, 1000);           // the replay: 1..999
  const seen = lines(1, 990);           // the viewer had 1..989 before the log was read
  const live = lines(990, 1200);        // 990..999 were in flight, then new output
  const k = replayOverlap(log, seen, live);
  assert.equal(live.subarray(k).toString().split('\n')[0], '1000');
});

test("nothing seen: the replay's tail, found once in the live output, pins the seam", () => {
  const log = lines(1, 31640); // the replay ends with 31639
  const live = lines(31512, 40000); // 31512..31639 were in flight
  const k = replayOverlap(log, Buffer.alloc(0), live);
  assert.equal(live.subarray(k).toString().split('\n')[0], '31640');
  // fewer in-flight bytes than the anchor (64): not pinned, duplicates
  assert.equal(replayOverlap(log, Buffer.alloc(0), lines(31635, 40000)), 0);
  // nothing in flight
  assert.equal(replayOverlap(log, Buffer.alloc(0), lines(31640, 40000)), 0);
  // periodic output: the tail occurs many times, not pinned
  const y = Buffer.from('y\n'.repeat(50000));
  assert.equal(replayOverlap(y, Buffer.alloc(0), y.subarray(0, 20000)), 0);
});

test('no in-flight bytes: nothing dropped; nothing seen or no seam: nothing dropped (duplicates, never loss)', () => {
  assert.equal(replayOverlap(lines(1, 100), lines(1, 100), lines(100, 200)), 0);
  assert.equal(replayOverlap(lines(1, 100), Buffer.alloc(0), lines(99, 200)), 0);
  assert.equal(replayOverlap(lines(1, 100), Buffer.from('unrelated\n'), lines(50, 200)), 0);
  // periodic output: the seam is ambiguous, the smallest overlap wins
  const y = Buffer.from('y\n'.repeat(5000));
  assert.equal(replayOverlap(y, y.subarray(0, 4000), y.subarray(0, 100)), 0);
});

test('a replay that ends inside a line (no newline added) meets the live output exactly', () => {
  // conmon split "55909\n" between two reads: the log's last record is the partial "5590"
  const all = lines(1, 56000);
  const cut = all.indexOf('55909\n') + 4;
  const seen = all.subarray(0, all.indexOf('55000\n'));
  const live = all.subarray(seen.length);
  const k = replayOverlap(all.subarray(0, cut), seen, live);
  assert.equal(Buffer.concat([all.subarray(0, cut), live.subarray(k)]).toString(), all.toString());
});

test('a seam beyond what arrived live is not a seam', () => {
  assert.equal(replayOverlap(lines(1, 1000), lines(1, 500), lines(500, 510)), 0);
});

test('TailBuffer keeps the last bytes of many small pushes', () => {
  const t = new TailBuffer(ANCHOR_BYTES);
  const all = lines(1, 20000);
  for (let i = 0; i < all.length; i += 7) t.push(all.subarray(i, i + 7));
  assert.deepEqual(t.bytes, all.subarray(all.length - ANCHOR_BYTES));
});
