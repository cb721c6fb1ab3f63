// SeqpacketSocket.pipeToSocket (native/src/sink.h): conmon-style packets pumped by the addon's I/O thread into a
// unix stream socket, against real kernel sockets. Framing and coalescing, stream filters, raw (TTY) output, EOF
// only after the last byte, flow control with a client that does not read, a client that goes away, no fd leak.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SeqpacketSocket, socketpair, type SystemError } from '../../native/index.ts';
import { until } from '../helpers/wait';

let scratch: string;
let server: net.Server;
const accepted: net.Socket[] = [];
before(async () => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'pier-pump-'));
  server = net.createServer((s) => accepted.push(s)).listen(path.join(scratch, 'client.sock'));
  await once(server, 'listening');
});
const opened: SeqpacketSocket[] = [];
after(() => {
  for (const s of [...accepted, ...opened]) s.destroy();
  server.close();
  fs.rmSync(scratch, { recursive: true, force: true });
});

/** This process's fds open on the same kernel object as `fd` (a socket's dups). */
function fdsLike(fd: number): () => number {
  const target = fs.readlinkSync(`/proc/self/fd/${fd}`);
  return () =>
    fs.readdirSync('/proc/self/fd').filter((f) => {
      try {
        return fs.readlinkSync(`/proc/self/fd/${f}`) === target;
      } catch {
        return false;
      }
    }).length;
}

/** A connected unix stream pair: [the engine's side (its fd is pumped into), the client]. */
async function streamPair(): Promise<[net.Socket, net.Socket]> {
  const n = accepted.length;
  const client = net.connect(path.join(scratch, 'client.sock'));
  await once(client, 'connect');
  while (accepted.length === n) await sleep(1);
  return [accepted[n], client];
}

const fdOf = (s: net.Socket): number => (s as unknown as { _handle: { fd: number } })._handle.fd;

/** conmon's side and the engine's reader of the attach socket. */
function conmonPair(): { conmon: SeqpacketSocket; reader: SeqpacketSocket } {
  const [a, b] = socketpair();
  const conmon = SeqpacketSocket.fromFd(a),
    reader = SeqpacketSocket.fromFd(b, { allowHalfOpen: true });
  opened.push(conmon, reader);
  return { conmon, reader };
}

const packet = (stream: number, payload: string | Buffer) =>
  Buffer.concat([Buffer.from([stream]), Buffer.from(payload)]);

/** Splits Docker's multiplexed stream into frames; throws on a truncated one. */
function frames(buf: Buffer): Array<{ stream: number; payload: Buffer }> {
  const out = [];
  for (let at = 0; at < buf.length;) {
    assert.ok(at + 8 <= buf.length, 'truncated header');
    assert.deepEqual([...buf.subarray(at + 1, at + 4)], [0, 0, 0]);
    const n = buf.readUInt32BE(at + 4);
    assert.ok(at + 8 + n <= buf.length, 'truncated frame');
    out.push({ stream: buf[at], payload: buf.subarray(at + 8, at + 8 + n) });
    at += 8 + n;
  }
  return out;
}

async function readAll(client: net.Socket): Promise<Buffer> {
  const parts: Buffer[] = [];
  client.on('data', (d: Buffer) => parts.push(d));
  await once(client, 'end');
  return Buffer.concat(parts);
}

describe('SeqpacketSocket.pipeToSocket', () => {
  test('frames stdout and stderr with Docker headers, same-stream runs coalesced, unknown packets dropped', async () => {
    const [engine, client] = await streamPair();
    const { conmon, reader } = conmonPair();
    const pump = reader.pipeToSocket(fdOf(engine), { framed: true, stdout: true, stderr: true });
    const got = readAll(client);
    // queued before the reader starts: the I/O thread reads them as one batch
    for (const p of [
      packet(2, 'a'),
      packet(3, 'bb'),
      packet(3, 'cc'),
      packet(2, 'd'),
      packet(4, 'x'),
      Buffer.from([2]),
      packet(2, 'e'),
    ]) {
      conmon.write(p);
    }
    conmon.end();
    await once(conmon, 'finish');
    const seen: string[] = [];
    reader.on('data', (p: Buffer) => seen.push(String(p.subarray(1))));
    await once(reader, 'end');
    assert.equal(await pump.done, undefined);
    engine.end();
    assert.deepEqual(
      frames(await got).map((x) => [x.stream, String(x.payload)]),
      [
        [1, 'a'],
        [2, 'bbcc'],
        [1, 'de'],
      ],
    );
    assert.deepEqual(seen, ['a', 'bb', 'cc', 'd', 'x', '', 'e'], 'readers still get every packet');
    reader.destroy();
    conmon.destroy();
    client.destroy();
  });

  test('stream filter and raw (TTY) output', async () => {
    for (const o of [
      { framed: true, stdout: false, stderr: true },
      { framed: false, stdout: true, stderr: false },
    ]) {
      const [engine, client] = await streamPair();
      const { conmon, reader } = conmonPair();
      reader.pipeToSocket(fdOf(engine), o);
      reader.resume();
      const got = readAll(client);
      conmon.write(packet(2, 'out1'));
      conmon.write(packet(3, 'err1'));
      conmon.write(packet(2, 'out2'));
      conmon.end();
      await once(reader, 'end');
      engine.end();
      const buf = await got;
      if (o.framed)
        assert.deepEqual(
          frames(buf).map((x) => [x.stream, String(x.payload)]),
          [[2, 'err1']],
        );
      else assert.equal(String(buf), 'out1out2');
      reader.destroy();
      conmon.destroy();
      client.destroy();
    }
  });

  test(
    '100 MB with a client that stops reading: conmon is held back, EOF waits for the last byte, every byte arrives',
    { timeout: 120_000 },
    async () => {
      const [engine, client] = await streamPair();
      const { conmon, reader } = conmonPair();
      const pump = reader.pipeToSocket(fdOf(engine), { framed: true, stdout: true, stderr: true });
      reader.resume();
      let ended = false,
        pumped = false;
      reader.once('end', () => {
        ended = true;
        assert.ok(pumped, 'EOF reached readers before the pump had sent everything');
      });
      void pump.done.then(() => {
        pumped = true;
      });
      client.pause();
      const sent = { 1: createHash('sha256'), 2: createHash('sha256') };
      const total = 100 << 20,
        size = 8192;
      let written = 0;
      const producing = (async () => {
        for (let i = 0; written < total; i++) {
          const payload = Buffer.alloc(size, i & 0xff);
          payload.writeUInt32BE(i);
          const stream = i % 3 === 0 ? 3 : 2;
          sent[(stream - 1) as 1 | 2].update(payload);
          written += size;
          if (!conmon.write(packet(stream, payload))) await once(conmon, 'drain');
        }
        conmon.end();
      })();
      // the client reads nothing: the producer stalls once the socket buffers are full (without flow control it
      // would write all 100 MB and end)
      let last = -1,
        still = 0;
      await until(
        () => {
          still = written === last ? still + 1 : 0;
          last = written;
          return still >= 5;
        },
        'the producer to stall',
        60_000,
      );
      assert.ok(written < 16 << 20, `${written >> 20} MB went out before the stall`);
      assert.ok(!ended);
      // now read everything
      const got = { 1: createHash('sha256'), 2: createHash('sha256') };
      let buf: Buffer = Buffer.alloc(0),
        bytes = 0;
      client.on('data', (d: Buffer) => {
        buf = buf.length ? Buffer.concat([buf, d]) : d;
        let at = 0;
        while (buf.length - at >= 8 && buf.length - at >= 8 + buf.readUInt32BE(at + 4)) {
          const n = buf.readUInt32BE(at + 4);
          got[buf[at] as 1 | 2].update(buf.subarray(at + 8, at + 8 + n));
          bytes += n;
          at += 8 + n;
        }
        buf = buf.subarray(at);
      });
      client.resume();
      await producing;
      await once(reader, 'end');
      assert.equal(await pump.done, undefined);
      engine.end();
      await once(client, 'end');
      assert.equal(bytes, written);
      assert.equal(buf.length, 0);
      assert.equal(got[1].digest('hex'), sent[1].digest('hex'));
      assert.equal(got[2].digest('hex'), sent[2].digest('hex'));
      reader.destroy();
      conmon.destroy();
      client.destroy();
    },
  );

  test('a client that goes away ends the pump with its error and closes the dup; readers keep reading', async () => {
    const [engine, client] = await streamPair();
    const { conmon, reader } = conmonPair();
    const onEngine = fdsLike(fdOf(engine));
    const pump = reader.pipeToSocket(fdOf(engine), { framed: true, stdout: true, stderr: true });
    assert.equal(onEngine(), 2, 'the pump holds a dup');
    let after = 0;
    reader.on('data', () => {
      after++;
    });
    client.destroy();
    engine.destroy(); // the engine's own fd goes; the pump's dup keeps the connection until the pump stops
    const stop = setInterval(() => conmon.write(packet(2, Buffer.alloc(8192, 1))), 1);
    const err = (await pump.done) as SystemError;
    assert.ok(['EPIPE', 'ECONNRESET'].includes(err?.code), `pump ended with ${err?.code}`);
    assert.equal(onEngine(), 0, 'the dup is closed when the pump ends');
    const before = after;
    await until(() => after > before + 10, 'the reader to go on after the pump stopped', 10_000);
    clearInterval(stop);
    reader.destroy();
    conmon.destroy();
  });

  test('close() drops the sink and its dup at once; destroy() settles open pumps', async () => {
    const [engine, client] = await streamPair();
    const { conmon, reader } = conmonPair();
    const onEngine = fdsLike(fdOf(engine));
    const a = reader.pipeToSocket(fdOf(engine), { framed: true, stdout: true, stderr: true });
    const b = reader.pipeToSocket(fdOf(engine), { framed: false, stdout: true, stderr: true });
    assert.equal(onEngine(), 3);
    a.close();
    assert.equal(onEngine(), 2);
    assert.equal(await a.done, undefined);
    reader.destroy();
    assert.equal(onEngine(), 1);
    assert.equal(await b.done, undefined);
    assert.throws(() => reader.pipeToSocket(fdOf(engine), { framed: true, stdout: true, stderr: true }), {
      code: 'EBADF',
    });
    engine.destroy();
    client.destroy();
    conmon.destroy();
  });

  test('a fd that is not a stream socket is refused', () => {
    const { conmon, reader } = conmonPair();
    const [x, y] = socketpair();
    assert.throws(() => reader.pipeToSocket(x, { framed: true, stdout: true, stderr: true }), { code: 'EPROTOTYPE' });
    const file = fs.openSync(path.join(scratch, 'f'), 'w');
    assert.throws(() => reader.pipeToSocket(file, { framed: true, stdout: true, stderr: true }), { code: 'ENOTSOCK' });
    fs.closeSync(file);
    for (const fd of [x, y]) fs.closeSync(fd);
    reader.destroy();
    conmon.destroy();
  });
});

describe('SeqpacketSocket readers while a sink pumps', () => {
  test('every packet reaches the readers in order (held and merged for them), and a lone packet without more traffic', async () => {
    const [engine, client] = await streamPair();
    const { conmon, reader } = conmonPair();
    const pump = reader.pipeToSocket(fdOf(engine), { framed: false, stdout: true, stderr: true });
    const got = readAll(client);
    const seen: Buffer[] = [];
    reader.on('data', (p: Buffer) => seen.push(p.subarray(1)));
    // a lone packet: no further traffic, no EOF, yet it reaches the reader (the hold ends on its own)
    conmon.write(packet(2, 'first'));
    await until(() => seen.length === 1, 'the lone packet reached the reader', 10_000);
    // then a stream of 3,000 packets written as fast as the socket takes them, to the sink and the readers
    const payloads = Array.from({ length: 3000 }, (_, i) => `p${i};`.padEnd(100 + (i % 900), 'x'));
    for (const p of payloads) if (!conmon.write(packet(2, p))) await once(conmon, 'drain');
    conmon.end();
    await once(reader, 'end');
    assert.equal(await pump.done, undefined);
    engine.end();
    assert.deepEqual(seen.map(String), ['first', ...payloads], 'readers got every packet, in order');
    assert.equal(String(await got), ['first', ...payloads].join(''), 'the sink got every byte');
    reader.destroy();
    conmon.destroy();
    client.destroy();
  });
});
