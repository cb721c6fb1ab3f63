// conmon k8s-file log reader: tail from the end equals "read all, keep the last N"; reading stops
// and the file closes when the consumer stops or the signal aborts; an endless partial line is cut.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readLogs, MAX_ENTRY_BYTES, type LogEntry, type LogOptions } from '../../electron/engine/conmon/logs';

let dir: string;
before(() => { dir = mkdtempSync(path.join(os.tmpdir(), 'pier-logs-')); });
after(() => rmSync(dir, { recursive: true, force: true }));

/** Deterministic pseudo-random generator (a test must be repeatable). */
function rng(seed: number) { return () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff); }

/** A log of `n` records: stdout/stderr, P runs, long and empty lines, times one second apart. */
function makeLog(n: number, seed: number): string {
  const r = rng(seed);
  let s = '';
  for (let i = 0; i < n; i++) {
    const t = new Date(Date.UTC(2026, 0, 1, 0, 0, 0) + i * 1000).toISOString().replace('Z', '000000Z');
    const stream = r() < 0.3 ? 'stderr' : 'stdout';
    const tag = r() < 0.25 ? 'P' : 'F';
    const len = r() < 0.05 ? 70_000 : Math.floor(r() * 60);
    s += `${t} ${stream} ${tag} ${String.fromCharCode(97 + (i % 26)).repeat(len)}\n`;
  }
  // both streams end their last line (a trailing partial is emitted at the end: tested apart)
  return s + '2026-01-02T00:00:00.000000000Z stderr F end\n2026-01-02T00:00:00.000000000Z stdout F end\n';
}

async function all(file: string, o: LogOptions): Promise<LogEntry[]> {
  const out: LogEntry[] = [];
  for await (const e of readLogs(file, o)) out.push(e);
  return out;
}
const show = (es: LogEntry[]) => es.map((e) => `${e.time} ${e.stream} ${e.line.length}:${e.line.subarray(0, 3)}`);

test('tail N read from the end equals the last N of the whole log (streams, partials, unfinished last record)', async () => {
  for (const seed of [1, 2, 3]) {
    const file = path.join(dir, `tail-${seed}.log`);
    writeFileSync(file, makeLog(400, seed) + (seed === 3 ? '2026-01-01T00:00:00.000000000Z stdout F unfinis' : ''));
    for (const filter of [{}, { stderr: false }, { stdout: false }]) {
      const every = await all(file, filter);
      for (const n of [0, 1, 2, 7, 50, 399, 1000]) {
        assert.deepEqual(show(await all(file, { ...filter, tail: n })), show(n === 0 ? [] : every.slice(-n)), `seed ${seed} tail ${n} ${JSON.stringify(filter)}`);
      }
    }
    // as Docker: the tail is taken first, then since/until filter it
    const since = Date.UTC(2026, 0, 1, 0, 5) / 1000;
    const last = (await all(file, { tail: 120 })).filter((e) => Date.parse(e.time.replace(/(\.\d{3})\d+/, '$1')) / 1000 >= since);
    assert.deepEqual(show(await all(file, { tail: 120, since })), show(last));
  }
});

/** How many of this process's descriptors are open on `file`. */
const openOn = (file: string) => readdirSync('/proc/self/fd').filter((fd) => { try { return readlinkSync(`/proc/self/fd/${fd}`) === file; } catch { return false; } }).length;

test('a consumer that stops early, or an abort while following, closes the file', async () => {
  const file = path.join(dir, 'big.log');
  writeFileSync(file, makeLog(3000, 9) + '2026-01-01T09:00:00.000000000Z stdout F last\n');
  let n = 0;
  for await (const e of readLogs(file, {})) { void e; if (++n === 3) break; }
  assert.equal(openOn(file), 0);

  const ac = new AbortController();
  const got: LogEntry[] = [];
  const done = (async () => { for await (const e of readLogs(file, { follow: true, tail: 1 }, { signal: ac.signal })) got.push(e); })();
  while (!got.length) await new Promise((r) => setTimeout(r, 10));
  assert.equal(openOn(file), 1);
  appendFileSync(file, '2026-01-02T00:00:00.000000000Z stdout F appended\n');
  while (!got.some((e) => e.line.toString() === 'appended')) await new Promise((r) => setTimeout(r, 10));
  ac.abort();
  await done;
  assert.equal(got.length, 2);
  assert.equal(openOn(file), 0);
});

test('without follow, history is what the log held when asked (tail stays exact while the log grows)', async () => {
  const file = path.join(dir, 'growing.log');
  writeFileSync(file, '2026-01-01T00:00:00.000000000Z stdout F a\n2026-01-01T00:00:01.000000000Z stdout F b\n');
  const got: string[] = [];
  for await (const e of readLogs(file, { tail: 1 })) {
    got.push(e.line.toString());
    if (got.length > 3) break; // a reader that chases the end would never stop
    appendFileSync(file, '2026-01-01T00:00:02.000000000Z stdout F later\n');
  }
  assert.deepEqual(got, ['b']);
});

test('a trailing partial line counts as the last entry of its stream', async () => {
  const file = path.join(dir, 'trailing.log');
  writeFileSync(file, '2026-01-01T00:00:00.000000000Z stdout F one\n2026-01-01T00:00:01.000000000Z stdout P no-new\n' +
    '2026-01-01T00:00:02.000000000Z stderr F two\n2026-01-01T00:00:03.000000000Z stdout P line\n');
  assert.deepEqual((await all(file, { tail: 1, stderr: false })).map((e) => e.line.toString()), ['no-newline']);
  assert.deepEqual((await all(file, { tail: 2 })).map((e) => e.line.toString()), ['two', 'no-newline']);
});

test('entries say when the process has not ended their line: flushed partials and cut entries', async () => {
  const file = path.join(dir, 'partial-flag.log');
  writeFileSync(file, '2026-01-01T00:00:00.000000000Z stdout F one\n2026-01-01T00:00:01.000000000Z stdout P unfini\n');
  assert.deepEqual((await all(file, {})).map((e) => [e.line.toString(), !!e.partial]), [['one', false], ['unfini', true]]);
  const endless = path.join(dir, 'endless-flag.log');
  const rec = `2026-01-01T00:00:00.000000000Z stdout P ${'x'.repeat(8192)}\n`;
  writeFileSync(endless, rec.repeat(200) + '2026-01-01T00:00:00.000000000Z stdout F end\n');
  const es = await all(endless, {});
  assert.ok(es.length > 1);
  assert.ok(es.slice(0, -1).every((e) => e.partial) && !es.at(-1)!.partial);
});

test('a line that never ends is cut into bounded entries', async () => {
  const file = path.join(dir, 'endless.log');
  const rec = `2026-01-01T00:00:00.000000000Z stdout P ${'x'.repeat(8192)}\n`;
  writeFileSync(file, rec.repeat(300) + '2026-01-01T00:00:00.000000000Z stdout F end\n');
  const es = await all(file, {});
  assert.ok(es.every((e) => e.line.length <= MAX_ENTRY_BYTES + 8192));
  assert.equal(es.reduce((a, e) => a + e.line.length, 0), 300 * 8192 + 3);
});
