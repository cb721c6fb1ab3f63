// Issue 11, attach throughput: the engine's native pump writes conmon's output straight into the hijacked
// connection (api/attach-pump.ts). 200 MB with stdout and stderr interleaved arrive whole on both streams (raw
// client and docker CLI); a slow reader holds the container back instead of growing the engine; TTY output is
// raw; a client that leaves mid-stream stops its pump and every descriptor it held is closed.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createHash, type Hash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { startPierWithImages, stopPier, docker, request, until, DOCKER, type PierServer } from './helpers';

const skip = !existsSync(DOCKER)
  ? `${DOCKER} not installed`
  : process.getuid?.() !== 0
    ? 'needs root (conmon + runc)'
    : undefined;
let srv: PierServer;
const IMG = 'pier-test/busybox';
const HALF = 100_000_000;
const OUT_LINE = 'out-0123456789abcdefghijklmnopqrstuvwxyz\n',
  ERR_LINE = 'ERR-zyxwvutsrqponmlkjihgfedcba9876543210\n';
/** Each stream: its line repeated to exactly `bytes`, both written at once. */
const twoStreams = (bytes: number) =>
  `yes ${OUT_LINE.trim()} | head -c ${bytes} & yes ${ERR_LINE.trim()} | head -c ${bytes} >&2; wait`;

function expected(line: string, bytes: number): string {
  const h = createHash('sha256'),
    block = Buffer.from(line.repeat(Math.ceil(65536 / line.length)));
  for (let left = bytes; left > 0; left -= block.length)
    h.update(left >= block.length ? block : block.subarray(0, left));
  return h.digest('hex');
}

const status = (key: string) =>
  Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${srv.proc.pid}/status`, 'utf8'))![1]) *
  1024;
const engineFds = () => readdirSync(`/proc/${srv.proc.pid}/fd`).length;

/** How many engine descriptors are open on the engine's end of `client`'s connection (its socket, a pump's dup). */
function engineFdsOn(client: net.Socket): () => number {
  const fd = (client as unknown as { _handle: { fd: number } })._handle.fd;
  const mine = /socket:\[(\d+)\]/.exec(readlinkSync(`/proc/self/fd/${fd}`))![1];
  // ss -xn: Netid State Recv-Q Send-Q Local-Address Local-Inode Peer-Address Peer-Inode
  const row = execFileSync('ss', ['-xn'])
    .toString()
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .find((f) => f[7] === mine);
  assert.ok(row, `no engine end for socket ${mine}`);
  const target = `socket:[${row[5]}]`;
  return () =>
    readdirSync(`/proc/${srv.proc.pid}/fd`).filter((f) => {
      try {
        return readlinkSync(`/proc/${srv.proc.pid}/fd/${f}`) === target;
      } catch {
        return false;
      }
    }).length;
}

interface Attached {
  socket: net.Socket;
  /** bytes and hash per Docker stream (1 stdout, 2 stderr); `switches` counts frames whose stream differs from the last */
  streams: Record<1 | 2, { bytes: number; hash: Hash }>;
  switches: number;
  ended: Promise<void>;
}

/** Raw upgraded attach (stream=1, stdout and stderr) that demultiplexes and hashes what arrives. */
function attach(name: string, o: { onData?: (s: net.Socket, total: number) => void } = {}): Promise<Attached> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(srv.socket);
    const a: Attached = {
      socket,
      switches: 0,
      streams: { 1: { bytes: 0, hash: createHash('sha256') }, 2: { bytes: 0, hash: createHash('sha256') } },
      ended: new Promise((r) => socket.once('close', () => r())),
    };
    let buf: Buffer = Buffer.alloc(0),
      head = true,
      last = 0,
      total = 0;
    socket.on('connect', () =>
      socket.write(
        `POST /v1.43/containers/${name}/attach?stream=1&stdout=1&stderr=1 HTTP/1.1\r\n` +
          'Host: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 0\r\n\r\n',
      ),
    );
    socket.on('data', (d: Buffer) => {
      buf = buf.length ? Buffer.concat([buf, d]) : d;
      if (head) {
        const i = buf.indexOf('\r\n\r\n');
        if (i < 0) return;
        const text = buf.subarray(0, i).toString();
        if (!text.startsWith('HTTP/1.1 101')) {
          socket.destroy();
          reject(new Error(text));
          return;
        }
        head = false;
        buf = buf.subarray(i + 4);
        resolve(a);
      }
      let at = 0;
      while (buf.length - at >= 8 && buf.length - at >= 8 + buf.readUInt32BE(at + 4)) {
        const s = buf[at] as 1 | 2,
          n = buf.readUInt32BE(at + 4);
        assert.ok(s === 1 || s === 2, `frame for stream ${s}`);
        a.streams[s].hash.update(buf.subarray(at + 8, at + 8 + n));
        a.streams[s].bytes += n;
        total += n;
        if (s !== last) a.switches++;
        last = s;
        at += 8 + n;
      }
      buf = buf.subarray(at);
      o.onData?.(socket, total);
    });
    socket.on('error', () => undefined);
  });
}

async function start(name: string): Promise<void> {
  const r = await request(srv.socket, 'POST', `/v1.43/containers/${name}/start`);
  assert.equal(r.status, 204, r.body);
}

/** The docker CLI with stdout and stderr hashed as they arrive. */
function dockerHashed(
  args: string[],
): Promise<{ code: number; out: { bytes: number; hex: string }; err: { bytes: number; hex: string } }> {
  return new Promise((resolve) => {
    const p = spawn(DOCKER, args, { env: srv.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const side = (s: NodeJS.ReadableStream) => {
      const h = createHash('sha256'),
        r = { bytes: 0, hex: '' };
      s.on('data', (d: Buffer) => {
        h.update(d);
        r.bytes += d.length;
      });
      s.on('end', () => {
        r.hex = h.digest('hex');
      });
      return r;
    };
    const out = side(p.stdout),
      err = side(p.stderr);
    p.on('close', (code) => resolve({ code: code ?? -1, out, err }));
  });
}

describe('attach through the native pump', { skip }, () => {
  before(async () => {
    srv = await startPierWithImages();
  });
  after(() => stopPier(srv));

  test(
    '200 MB, stdout and stderr interleaved: both streams arrive whole (raw client, then docker CLI)',
    { timeout: 600_000 },
    async (t) => {
      const want = { 1: expected(OUT_LINE, HALF), 2: expected(ERR_LINE, HALF) };
      assert.equal(
        (await docker(srv, ['create', '--network', 'none', '--name', 'big', IMG, 'sh', '-c', twoStreams(HALF)])).code,
        0,
      );
      const a = await attach('big');
      await start('big');
      await a.ended;
      for (const s of [1, 2] as const) {
        assert.equal(a.streams[s].bytes, HALF, `stream ${s} bytes`);
        assert.equal(a.streams[s].hash.digest('hex'), want[s], `stream ${s} checksum`);
      }
      t.diagnostic(`raw client: ${a.switches} stream switches`);
      assert.ok(a.switches > 10, `streams not interleaved (${a.switches} switches)`);
      await docker(srv, ['rm', '-f', 'big']);
      const r = await dockerHashed(['run', '--rm', '--network', 'none', IMG, 'sh', '-c', twoStreams(HALF)]);
      assert.equal(r.code, 0);
      assert.deepEqual([r.out.bytes, r.err.bytes], [HALF, HALF]);
      assert.deepEqual([r.out.hex, r.err.hex], [want[1], want[2]]);
    },
  );

  test('TTY attach is raw output, no frame headers', { timeout: 120_000 }, async () => {
    const bytes = 5_000_000; // no newlines: the TTY would add CRs
    const r = await dockerHashed([
      'run',
      '--rm',
      '-t',
      '--network',
      'none',
      IMG,
      'sh',
      '-c',
      `head -c ${bytes} /dev/zero | tr '\\0' a`,
    ]);
    assert.equal(r.code, 0);
    assert.equal(r.out.bytes, bytes);
    assert.equal(r.out.hex, createHash('sha256').update(Buffer.alloc(bytes, 'a')).digest('hex'));
  });

  test(
    'a slow reader holds the container back: engine memory stays bounded, every byte arrives',
    { timeout: 600_000 },
    async (t) => {
      const bytes = 30_000_000;
      assert.equal(
        (await docker(srv, ['create', '--network', 'none', '--name', 'slow', IMG, 'sh', '-c', twoStreams(bytes)])).code,
        0,
      );
      writeFileSync(`/proc/${srv.proc.pid}/clear_refs`, '5'); // new peak-RSS measurement
      const rest = status('VmRSS');
      // reads 1 MB, then nothing for 20 ms: far slower than the container writes
      let next = 1 << 20;
      const a = await attach('slow', {
        onData: (s, total) => {
          if (total < next) return;
          next = total + (1 << 20);
          s.pause();
          setTimeout(() => s.resume(), 20);
        },
      });
      await start('slow');
      await a.ended;
      assert.deepEqual([a.streams[1].bytes, a.streams[2].bytes], [bytes, bytes]);
      assert.equal(a.streams[1].hash.digest('hex'), expected(OUT_LINE, bytes));
      assert.equal(a.streams[2].hash.digest('hex'), expected(ERR_LINE, bytes));
      const grew = status('VmHWM') - rest;
      t.diagnostic(`slow reader: engine peak RSS +${grew >> 20} MB`);
      assert.ok(grew < 48 << 20, `engine peak RSS grew by ${grew >> 20} MB for ${(2 * bytes) >> 20} MB sent`);
      await docker(srv, ['rm', '-f', 'slow']);
    },
  );

  test(
    'a client that leaves mid-stream stops its pump and closes its descriptors; other clients go on',
    { timeout: 300_000 },
    async () => {
      const rest = engineFds();
      assert.equal(
        (await docker(srv, ['run', '-d', '--network', 'none', '--name', 'flood', IMG, 'yes', OUT_LINE.trim()])).code,
        0,
      );
      const keeper = await attach('flood');
      const onKeeper = engineFdsOn(keeper.socket);
      assert.equal(onKeeper(), 2, "the engine pumps into the connection (its socket and the pump's dup)");
      const seen = () => keeper.streams[1].bytes;
      await until(() => seen() > 10 << 20, 60_000, 'the keeper to read 10 MB');
      for (let i = 0; i < 5; i++) {
        let left: (() => void) | undefined;
        const gone = new Promise<void>((r) => {
          left = r;
        });
        let on: (() => number) | undefined;
        const leaving = await attach('flood', {
          onData: (s, total) => {
            if (total > 20 << 20 && !s.destroyed) {
              on = engineFdsOn(s);
              s.destroy();
              left!();
            }
          },
        });
        await gone;
        assert.ok(leaving.streams[1].bytes > 20 << 20);
        await until(() => on!() === 0, 30_000, `the engine to close the leaving client's descriptors (round ${i})`);
      }
      const before = seen();
      await until(() => seen() > before + (10 << 20), 60_000, 'the keeper to read on');
      keeper.socket.destroy();
      await until(() => onKeeper() === 0, 30_000, "the engine to close the keeper's descriptors");
      assert.equal((await docker(srv, ['rm', '-f', 'flood'])).code, 0);
      await until(() => engineFds() <= rest, 30_000, 'the engine to close every descriptor of the container');
      assert.equal((await request(srv.socket, 'GET', '/_ping')).body, 'OK');
    },
  );
});
