// Issue 11 (critical): logs stream. A container writes a 500 MB log and keeps logging; `--tail 1`,
// a full read and 50 followers that disconnect keep the engine's memory under a fixed bound, and
// every follower that goes away leaves no open file behind.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { existsSync, readFileSync, readdirSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { startPierWithImages, stopPier, docker, request, until, DOCKER, type PierServer } from './helpers';

const skip = !existsSync(DOCKER) ? `${DOCKER} not installed` : process.getuid?.() !== 0 ? 'needs root (conmon + runc)' : undefined;
const LOG_BYTES = 500 * 1024 * 1024;
/** the engine's peak resident memory may grow this much over its resting size, whatever the log's size */
const RSS_BOUND = 160 * 1024 * 1024;
let srv: PierServer;
let logPath = '';

const status = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${srv.proc.pid}/status`, 'utf8'))![1]) * 1024;
/** Starts a new peak-RSS measurement (VmHWM) for the engine process. */
/** Bytes the engine has read through read(2) and friends (files and sockets). */
const readBytes = () => Number(/^rchar: (\d+)/m.exec(readFileSync(`/proc/${srv.proc.pid}/io`, 'utf8'))![1]);
const resetPeak = () => writeFileSync(`/proc/${srv.proc.pid}/clear_refs`, '5');
const engineFdsOnLog = () => readdirSync(`/proc/${srv.proc.pid}/fd`).filter((fd) => {
  try { return readlinkSync(`/proc/${srv.proc.pid}/fd/${fd}`) === logPath; } catch { return false; }
}).length;

/**
 * GET …/logs on a raw connection. Reads until `stop(bytesSoFar, text)` says so (then disconnects
 * abruptly) or the response ends. Resolves with the bytes of body received.
 */
// Connection: close — the end of a response is the end of the socket (kept-alive sockets idle for 5 min, as dockerd)
function logsClient(query: string, stop: (n: number, tail: string) => boolean): Promise<{ bytes: number; ended: boolean; tail: string }> {
  return new Promise((resolve, reject) => {
    const s = net.connect(srv.socket);
    let bytes = 0, tail = '', headDone = false;
    s.on('connect', () => s.write(`GET /v1.50/containers/big/logs?${query} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
    s.on('data', (d: Buffer) => {
      bytes += d.length;
      // the head's end is looked for before the window is cut: a slow reader gets the head and 64 KiB of body in
      // one chunk, and a window of the last 4 KiB alone never showed it (a follower then never stopped)
      const text = tail + d.toString('latin1');
      if (!headDone && text.includes('\r\n\r\n')) headDone = true;
      tail = text.slice(-4096);
      if (headDone && stop(bytes, tail)) { s.destroy(); resolve({ bytes, ended: false, tail }); }
    });
    s.on('end', () => { s.destroy(); resolve({ bytes, ended: true, tail }); });
    s.on('error', reject);
  });
}

describe('logs stream with bounded memory', { skip, timeout: 300_000 }, () => {
  before(async () => {
    srv = await startPierWithImages();
    // 500 MB of 4 KB lines, then a tick every 20 ms for as long as the test runs
    const r = await docker(srv, ['run', '-d', '--network', 'none', '--name', 'big', 'pier-test/busybox', 'sh', '-c',
      `yes "$(printf '%4000s' x)" | head -c ${LOG_BYTES}; i=0; while :; do i=$((i+1)); echo tick-$i; usleep 20000; done`]);
    assert.equal(r.code, 0, r.stderr);
    logPath = JSON.parse((await docker(srv, ['inspect', 'big'])).stdout)[0].LogPath;
    await until(() => existsSync(logPath) && statSync(logPath).size > LOG_BYTES, 120_000, 'the 500 MB log');
    // the history ends mid-line (500 MB is no multiple of 4001), so tick-1 completes that line: wait for a tick of its own
    await until(async () => /^tick-\d+\n$/.test((await docker(srv, ['logs', '--tail', '1', 'big'])).stdout), 30_000, 'a tick line after the history');
  });
  after(() => stopPier(srv));

  test('--tail 1 reads from the end', async (t) => {
    resetPeak();
    const rest = status('VmRSS');
    const t0 = Date.now(), read0 = readBytes();
    const r = await request(srv.socket, 'GET', '/v1.50/containers/big/logs?stdout=1&stderr=1&tail=1');
    const read = readBytes() - read0;
    assert.equal(r.status, 200);
    assert.match(r.body, /^\x01\0\0\0\0\0\0.tick-\d+\n$/s);
    t.diagnostic(`tail 1: ${Date.now() - t0} ms, ${read} bytes read, peak RSS +${(status('VmHWM') - rest) >> 20} MB`);
    assert.ok(read < 4 << 20, `tail 1 read ${read} bytes of a ${LOG_BYTES}-byte log`);
    assert.ok(status('VmHWM') - rest < RSS_BOUND, `peak RSS grew by ${((status('VmHWM') - rest) >> 20)} MB`);
  });

  test('a full read streams all 500 MB; 50 followers that disconnect stop the work and close the file', async (t) => {
    resetPeak();
    const rest = status('VmRSS');
    const full = await logsClient('stdout=1&stderr=1', () => false);
    assert.ok(full.ended && full.bytes > LOG_BYTES, `full read got ${full.bytes} bytes`);
    // 25 followers leave mid-history, 25 once they see live output
    const followers = await Promise.all(Array.from({ length: 50 }, (_, i) => i % 2
      ? logsClient('stdout=1&stderr=1&follow=1', (n) => n > (1 + (i % 7)) * 1024 * 1024)
      : logsClient('stdout=1&stderr=1&follow=1&tail=5', (_n, tail) => /tick-\d+\n[\s\S]*tick-\d+\n/.test(tail))));
    assert.ok(followers.every((f) => !f.ended));
    await until(() => engineFdsOnLog() === 0, 10_000, 'the engine to close every log descriptor');
    const grew = status('VmHWM') - rest;
    t.diagnostic(`full read + 50 followers: peak RSS +${grew >> 20} MB (resting ${rest >> 20} MB)`);
    assert.ok(grew < RSS_BOUND, `peak RSS grew by ${grew >> 20} MB`);
    // the engine still answers
    assert.equal((await request(srv.socket, 'GET', '/_ping')).body, 'OK');
  });
});
