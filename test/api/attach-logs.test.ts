// Issue 11, item 4: attach with logs=1&stream=1 while the container writes non-stop. The log replay takes a
// while; what the container writes meanwhile must reach the client too (held until the replay ends).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { existsSync } from 'node:fs';
import { startPierWithImages, stopPier, docker, until, DOCKER, type PierServer } from './helpers';

const skip = !existsSync(DOCKER) ? `${DOCKER} not installed` : process.getuid?.() !== 0 ? 'needs root (conmon + runc)' : undefined;
let srv: PierServer;
const M = 200_000;

/** Attaches (logs=1&stream=1, upgraded) and returns the demultiplexed stdout up to and including `END\n`. */
function attachUntilEnd(socket: string, name: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(socket);
    let buf = Buffer.alloc(0), headDone = false, out = '';
    s.on('connect', () => s.write(`POST /v1.50/containers/${name}/attach?logs=1&stream=1&stdout=1&stderr=1 HTTP/1.1\r\n` +
      'Host: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 0\r\n\r\n'));
    s.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (!headDone) {
        const i = buf.indexOf('\r\n\r\n');
        if (i < 0) return;
        const head = buf.subarray(0, i).toString();
        if (!head.startsWith('HTTP/1.1 101')) { reject(new Error(head)); s.destroy(); return; }
        headDone = true;
        buf = buf.subarray(i + 4);
      }
      while (buf.length >= 8 && buf.length >= 8 + buf.readUInt32BE(4)) {
        const n = buf.readUInt32BE(4);
        if (buf[0] === 1) out += buf.subarray(8, 8 + n).toString();
        buf = buf.subarray(8 + n);
      }
      if (out.endsWith('END\n')) { s.destroy(); resolve(out); }
    });
    s.on('error', reject);
    s.on('close', () => reject(new Error(`stream closed before END (${out.length} bytes)`)));
  });
}

describe('attach logs=1&stream=1', { skip }, () => {
  before(async () => { srv = await startPierWithImages(); });
  after(() => stopPier(srv));

  test('output written while the log is replayed is delivered: every line once, in order', async () => {
    for (let round = 0; round < 3; round++) {
      const name = `counter${round}`;
      const r = await docker(srv, ['run', '-d', '--network', 'none', '--name', name, 'pier-test/busybox', 'sh', '-c',
        `i=0; while [ $i -lt ${M} ]; do i=$((i+1)); echo $i; done; echo END; sleep 600`]);
      assert.equal(r.code, 0, r.stderr);
      // attach while the log is large enough for the replay to take time, and the counter still runs
      await until(async () => Number((await docker(srv, ['logs', '--tail', '1', name])).stdout.trim()) > M / 10, 60_000, 'a long log');
      const out = await attachUntilEnd(srv.socket, name);
      const lines = out.trimEnd().split('\n');
      assert.equal(lines.pop(), 'END');
      const nums = lines.map(Number);
      const missing: number[] = [];
      const seen = new Set(nums);
      for (let i = 1; i <= M; i++) if (!seen.has(i)) missing.push(i);
      assert.deepEqual(missing.slice(0, 10), [], `${missing.length} lines missing`);
      assert.equal(nums.length, M, `${nums.length - M} lines twice`);
      assert.ok(nums.every((n, i) => n === i + 1), 'in order');
      await docker(srv, ['rm', '-f', name]);
    }
  });
});
