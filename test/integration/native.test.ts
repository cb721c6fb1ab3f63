// Pier's Node-API addon against real kernel objects: SOCK_SEQPACKET socketpairs and listeners, child processes and
// worker threads as peers, openat2 on a scratch directory. No mocks.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { until as waitUntil } from '../helpers/wait';
import {
  MAX_SEND_PACKET, SeqpacketSocket, acceptFd, closeFd, listenSeqpacket, openat2Supported, resolveInRoot, socketpair,
  type SystemError,
} from '../../native/index.ts';

const nativeDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../native');
const addonPath = path.join(nativeDir, 'build', 'Release', 'pier_native.node');
const loaderPath = path.join(nativeDir, 'index.ts');

let scratch: string;
before(() => { scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'pier-native-')); });
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

const fdCount = (): number => fs.readdirSync('/proc/self/fd').length;
const threadCount = (): number => fs.readdirSync('/proc/self/task').length;

function pair(options?: { allowHalfOpen?: boolean }): [SeqpacketSocket, SeqpacketSocket] {
  const [a, b] = socketpair();
  return [SeqpacketSocket.fromFd(a, options), SeqpacketSocket.fromFd(b, options)];
}

function collect(socket: SeqpacketSocket, count: number): Promise<Buffer[]> {
  const packets: Buffer[] = [];
  return new Promise((resolve, reject) => {
    const onData = (packet: Buffer) => {
      packets.push(packet);
      if (packets.length === count) { socket.off('data', onData); socket.pause(); resolve(packets); }
    };
    socket.on('data', onData).once('error', reject);
  });
}

/** Message i: sizes cover 1..8193 (conmon's largest packet), payload tagged with i. */
function message(i: number): Buffer {
  const size = i === 0 ? 1 : i === 1 ? 8193 : 1 + ((i * 7919 + 13) % 8193);
  const buffer = Buffer.alloc(size, i & 0xff);
  if (size >= 4) buffer.writeUInt32BE(i);
  return buffer;
}

/** Runs a TypeScript snippet in a child node (with tsx); `{{loader}}` names native/index.ts. */
function writeScript(name: string, source: string): string {
  const file = path.join(scratch, name);
  fs.writeFileSync(file, source.replaceAll('{{loader}}', JSON.stringify(loaderPath)));
  return file;
}

describe('socketpair + SeqpacketSocket.fromFd', () => {
  test('2000 mixed-size messages keep exact boundaries and order, both ways', async () => {
    const [a, b] = pair();
    const echoed = collect(a, 2000);
    const received: Buffer[] = [];
    b.on('data', (packet: Buffer) => { received.push(packet); b.write(packet); });
    for (let i = 0; i < 2000; i++) a.write(message(i));
    const back = await echoed;
    assert.equal(received.length, 2000);
    for (let i = 0; i < 2000; i++) {
      assert.ok(received[i].equals(message(i)), `a→b message ${i} (${message(i).length} B) intact`);
      assert.ok(back[i].equals(message(i)), `b→a message ${i} intact`);
    }
    a.destroy(); b.destroy();
  });

  test('a 100 KB write arrives as ceil(100K / 32768) packets with the same bytes', async () => {
    const [a, b] = pair();
    const data = Buffer.alloc(100_000);
    for (let i = 0; i < data.length; i++) data[i] = (i * 31) & 0xff;
    const expected = Math.ceil(data.length / MAX_SEND_PACKET);
    assert.equal(expected, 4);
    const packets = collect(b, expected);
    a.write(data);
    const got = await packets;
    assert.deepEqual(got.map((p) => p.length), [32768, 32768, 32768, 100_000 - 3 * 32768]);
    assert.ok(Buffer.concat(got).equals(data));
    a.destroy(); b.destroy();
  });

  test('strings are written as UTF-8 packets; empty writes send nothing', async () => {
    const [a, b] = pair();
    const packets = collect(b, 2);
    a.write('héllo');
    a.write('');
    a.write(Buffer.alloc(0));
    a.write('world');
    assert.deepEqual((await packets).map(String), ['héllo', 'world']);
    a.destroy(); b.destroy();
  });

  test('fromFd rejects a fd that is not a SOCK_SEQPACKET socket', () => {
    const fd = fs.openSync('/dev/null', 'r');
    try {
      assert.throws(() => SeqpacketSocket.fromFd(fd), { code: 'ENOTSOCK', syscall: 'getsockopt' });
    } finally {
      fs.closeSync(fd);
    }
  });

  test('a packet larger than the receive buffer destroys the socket with EMSGSIZE', async (t) => {
    if (spawnSync('python3', ['--version']).status !== 0) return t.skip('python3 (the raw sender) is not installed');
    const [a, b] = socketpair();
    const socket = SeqpacketSocket.fromFd(a);
    // Python sends one 70000-byte packet; SeqpacketSocket itself never sends more than 32768.
    const sender = spawn('python3', ['-c', 'import socket; s = socket.socket(fileno=3); s.send(b"x" * 70000)'], {
      stdio: ['ignore', 'inherit', 'inherit', b],
    });
    closeFd(b);
    socket.resume();
    const [err] = (await once(socket, 'error')) as [SystemError];
    assert.equal(err.code, 'EMSGSIZE');
    assert.match(err.message, /packet of 70000 bytes exceeds the 65537-byte receive buffer/);
    await once(sender, 'exit');
  });
});

describe('SeqpacketSocket.connect', () => {
  function exchange(client: SeqpacketSocket, listenFd: number): Promise<void> {
    const server = SeqpacketSocket.fromFd(acceptFd(listenFd));
    const toServer = collect(server, 1);
    const toClient = collect(client, 1);
    client.write('ping');
    server.write('pong');
    return Promise.all([toServer, toClient]).then(([s, c]) => {
      assert.equal(String(s[0]), 'ping');
      assert.equal(String(c[0]), 'pong');
      client.destroy(); server.destroy();
    });
  }

  test('connects to a SOCK_SEQPACKET listener at a short path', async () => {
    const socketPath = path.join(scratch, 'short.sock');
    const listener = listenSeqpacket(socketPath);
    await exchange(SeqpacketSocket.connect(socketPath), listener);
    closeFd(listener);
  });

  test('connects through /proc/self/fd when the path exceeds sun_path (108 bytes)', async () => {
    const dir = path.join(scratch, 'd'.repeat(60), 'e'.repeat(60));
    fs.mkdirSync(dir, { recursive: true });
    const socketPath = path.join(dir, 'attach');
    assert.ok(socketPath.length > 108);
    const listener = listenSeqpacket(socketPath); // bound as /proc/self/fd/<dirfd>/attach, like conmon
    await exchange(SeqpacketSocket.connect(socketPath), listener); // parent directory opened O_PATH
    // A basename too long even for /proc/self/fd/<dirfd>/<name>: the socket itself is opened O_PATH.
    const longName = path.join(dir, 'a'.repeat(100));
    fs.renameSync(socketPath, longName);
    await exchange(SeqpacketSocket.connect(longName), listener);
    closeFd(listener);
  });

  test('errors carry code and name the path', async () => {
    const missing = path.join(scratch, 'missing.sock');
    assert.throws(() => SeqpacketSocket.connect(missing), (err: SystemError) => {
      assert.equal(err.code, 'ENOENT');
      assert.equal(err.syscall, 'connect');
      assert.equal(err.path, missing);
      assert.ok(err.message.includes(missing));
      return true;
    });
    const stale = path.join(scratch, 'stale.sock');
    closeFd(listenSeqpacket(stale)); // the file stays, nobody listens
    assert.throws(() => SeqpacketSocket.connect(stale), { code: 'ECONNREFUSED', path: stale });
    const streamPath = path.join(scratch, 'stream.sock');
    const server = net.createServer().listen(streamPath);
    await once(server, 'listening');
    assert.throws(() => SeqpacketSocket.connect(streamPath), { code: 'EPROTOTYPE' });
    server.close();
  });
});

describe('EOF and half-close', () => {
  test("peer close → 'end'", async () => {
    const [a, b] = pair();
    const ended = once(a, 'end');
    const closed = once(a, 'close');
    a.resume();
    b.destroy();
    await ended;
    await closed; // allowHalfOpen false: the writable side ended itself, then the socket closed
  });

  test('peer closing with our data unread (ECONNRESET) still delivers its packets, then ends', async () => {
    const [a, b] = socketpair();
    const socket = SeqpacketSocket.fromFd(a);
    const peer = SeqpacketSocket.fromFd(b);
    socket.write('never read by the peer');
    const packets = collect(socket, 2);
    peer.write('one');
    peer.end('two');
    await once(peer, 'finish');
    peer.destroy(); // unread data in its queue: the kernel reports ECONNRESET to us first
    socket.on('error', (err) => assert.fail(`unexpected error ${err.message}`));
    const ended = once(socket, 'end');
    assert.deepEqual((await packets).map(String), ['one', 'two']);
    socket.resume();
    await ended;
  });

  test('shutdownWrite: the peer reads EOF while this socket still reads', async () => {
    const [a, b] = pair({ allowHalfOpen: true });
    const received: string[] = [];
    b.on('data', (p: Buffer) => received.push(String(p)));
    b.on('end', () => { b.write('after your EOF'); b.end(); });
    const fromB: string[] = [];
    a.on('data', (p: Buffer) => fromB.push(String(p)));
    const ended = Promise.all([once(b, 'end'), once(a, 'end')]);
    a.write('last words');
    a.shutdownWrite();
    await ended;
    assert.deepEqual(received, ['last words']);
    assert.deepEqual(fromB, ['after your EOF']);
    a.destroy(); b.destroy();
  });

  test('writing to a closed peer fails with EPIPE', async () => {
    const [a, b] = pair();
    b.destroy();
    a.write('into the void');
    const [err] = (await once(a, 'error')) as [SystemError];
    assert.equal(err.code, 'EPIPE');
  });
});

describe('backpressure', () => {
  test('200 MB from a child process to a slow consumer: RSS bounded, every byte in order', { timeout: 120_000 }, async (t) => {
    const packetSize = 8193;
    const count = 25_600; // 25,600 × 8193 B ≈ 200 MiB
    const child = writeScript('producer.mts', `
      import { createHash } from 'node:crypto';
      import { SeqpacketSocket } from {{loader}};
      const socket = SeqpacketSocket.fromFd(3);
      const hash = createHash('sha256');
      socket.resume();
      let seq = 0;
      function pump() {
        while (seq < ${count}) {
          const packet = Buffer.alloc(${packetSize}, seq & 0xff);
          packet.writeUInt32BE(seq++);
          hash.update(packet);
          if (!socket.write(packet)) return void socket.once('drain', pump);
        }
        socket.end(() => process.stdout.write(hash.digest('hex')));
      }
      pump();
    `);
    const [mine, theirs] = socketpair();
    const producer = spawn(process.execPath, ['--import', 'tsx', child], { stdio: ['ignore', 'pipe', 'inherit', theirs] });
    assert.ok(producer.stdout);
    closeFd(theirs);
    let producerHash = '';
    producer.stdout.on('data', (d: Buffer) => { producerHash += d; });

    const socket = SeqpacketSocket.fromFd(mine);
    const rssBefore = process.memoryUsage.rss();
    let rssPeak = rssBefore;
    const sampler = setInterval(() => { rssPeak = Math.max(rssPeak, process.memoryUsage.rss()); }, 20);
    const hash = createHash('sha256');
    let expected = 0;
    let bytes = 0;
    let maxBuffered = 0;
    const slow = new Writable({
      objectMode: true,
      highWaterMark: 4,
      write(packet: Buffer, _encoding, done) {
        maxBuffered = Math.max(maxBuffered, socket.readableLength);
        if (packet.length !== packetSize || packet.readUInt32BE(0) !== expected || packet[packetSize - 1] !== (expected & 0xff)) {
          return done(new Error(`packet ${expected}: got seq ${packet.readUInt32BE(0)}, ${packet.length} B`));
        }
        hash.update(packet);
        bytes += packet.length;
        expected++;
        if (expected % 16 === 0) setTimeout(done, 1); else setImmediate(done);
      },
    });
    await pipeline(socket, slow);
    const [code] = await once(producer, 'exit');
    clearInterval(sampler);
    assert.equal(code, 0);
    assert.equal(expected, count);
    assert.equal(bytes, count * packetSize);
    assert.equal(hash.digest('hex'), producerHash);
    const grownMB = (rssPeak - rssBefore) / 2 ** 20;
    t.diagnostic(`RSS +${grownMB.toFixed(1)} MB, readable buffer peak ${maxBuffered} packets`);
    assert.ok(grownMB < 50, `RSS grew by ${grownMB.toFixed(1)} MB`);
    // Readable buffer (16) + the bounded native queue (4 batches) + one batch in flight, ≤ 64 packets per batch.
    assert.ok(maxBuffered <= 16 + 64 * (4 + 1), `readable buffer held ${maxBuffered} packets`);
  });
});

describe('resolveInRoot', { skip: !openat2Supported() && 'openat2 is not available' }, () => {
  let root: string;
  before(() => {
    root = fs.realpathSync(fs.mkdtempSync(path.join(scratch, 'root-')));
    fs.mkdirSync(path.join(root, 'etc'));
    fs.writeFileSync(path.join(root, 'etc', 'passwd'), 'root:x:0:0::/root:/bin/sh\n');
    fs.symlinkSync('/', path.join(root, 'a'));
    fs.symlinkSync('../../../..', path.join(root, 'up'));
    fs.symlinkSync('/proc/self/root/etc', path.join(root, 'magic'));
  });

  test('.. cannot climb out', () => {
    assert.equal(resolveInRoot(root, '../../etc/passwd'), path.join(root, 'etc/passwd'));
    assert.equal(resolveInRoot(root, 'etc/../../..'), root);
  });

  test('absolute paths are taken relative to the root', () => {
    assert.equal(resolveInRoot(root, '/etc/passwd'), path.join(root, 'etc/passwd'));
    assert.equal(resolveInRoot(root, '/'), root);
    assert.equal(resolveInRoot(root, ''), root);
  });

  test('symlinks planted in the root resolve inside it', () => {
    assert.equal(resolveInRoot(root, 'a'), root);
    assert.equal(resolveInRoot(root, 'a/etc/passwd'), path.join(root, 'etc/passwd'));
    assert.equal(resolveInRoot(root, 'up/etc'), path.join(root, 'etc'));
    assert.throws(() => resolveInRoot(root, 'magic'), { code: 'ENOENT' }); // /proc is looked up inside the root
  });

  test('missing entries and roots throw with code', () => {
    assert.throws(() => resolveInRoot(root, 'etc/nope/x'), (err: SystemError) => {
      assert.equal(err.code, 'ENOENT');
      assert.equal(err.syscall, 'openat2');
      assert.ok(err.message.includes('etc/nope/x') && err.message.includes(root));
      return true;
    });
    assert.throws(() => resolveInRoot(path.join(root, 'nope'), 'etc'), { code: 'ENOENT', syscall: 'open' });
    assert.throws(() => resolveInRoot(path.join(root, 'etc', 'passwd'), 'x'), { code: 'ENOTDIR' });
  });
});

describe('lifetime', () => {
  test('destroy while the reader thread is blocked on a full queue neither crashes nor hangs', async () => {
    const fds = fdCount();
    const [a, b] = pair();
    a.on('data', () => {});
    for (let i = 0; i < 300; i++) b.write(Buffer.alloc(512, i));
    // Keep the JS thread busy so the native queue (64) fills and the reader blocks in BlockingCall.
    const until = Date.now() + 300;
    while (Date.now() < until);
    a.destroy();
    b.destroy();
    await once(a, 'close');
    assert.equal(fdCount(), fds);
  });

  test('destroy fails a write still waiting for buffer space', async () => {
    const [a, b] = pair(); // b never reads: a's kernel buffer fills
    let called = false;
    let result: SystemError | undefined;
    a.write(Buffer.alloc(4 << 20), (err) => { called = true; result = err as SystemError; });
    await sleep(50);
    assert.equal(called, false, 'the write is still waiting');
    a.destroy();
    await once(a, 'close');
    assert.equal(called, true);
    assert.equal(result?.code, 'ERR_STREAM_DESTROYED');
    b.destroy();
  });

  test('no fd or thread leak across 500 open/close cycles', async () => {
    const fds = fdCount();
    const threads = threadCount();
    for (let i = 0; i < 500; i++) {
      const [a, b] = pair();
      if (i % 10 === 0) {
        const got = collect(a, 1);
        b.write('ping');
        assert.equal(String((await got)[0]), 'ping');
      }
      a.destroy();
      b.destroy();
    }
    assert.equal(fdCount(), fds);
    assert.equal(threadCount(), threads);
  });

  test('a process exits with an open socket only when it is unref()ed', async () => {
    const script = writeScript('idle.mts', `
      import { socketpair, SeqpacketSocket } from {{loader}};
      const [a, b] = socketpair();
      const sockets = [SeqpacketSocket.fromFd(a), SeqpacketSocket.fromFd(b)];
      for (const s of sockets) { s.resume(); if (process.argv[2] === 'unref') s.unref(); }
      process.stdout.write('open');
    `);
    const run = (mode: string) => spawn(process.execPath, ['--import', 'tsx', script, mode], { stdio: ['ignore', 'pipe', 'inherit'] });

    const unrefd = run('unref');
    const [code] = await once(unrefd, 'exit');
    assert.equal(code, 0);

    const refd = run('ref');
    await once(refd.stdout, 'data');
    await sleep(1000);
    assert.equal(refd.exitCode, null, 'a ref()ed socket keeps the process alive');
    refd.kill();
    await once(refd, 'exit');
  });

  test('terminating a worker whose reader thread is blocked cleans up via the env teardown', async () => {
    const fds = fdCount();
    const worker = new Worker(`
      const { parentPort } = require('node:worker_threads');
      const binding = require(${JSON.stringify(addonPath)});
      const [x, y] = binding.socketpair();
      const reader = new binding.Channel(x, () => {});
      const writer = new binding.Channel(y, () => {});
      reader.resume();
      for (let i = 0; i < 200; i++) writer.send(Buffer.alloc(1000, i), 0);
      parentPort.postMessage('ready');
      for (;;);
    `, { eval: true });
    const [ready] = await once(worker, 'message');
    assert.equal(ready, 'ready');
    await sleep(100);
    await worker.terminate();
    // the env teardown closes the fds after terminate() resolves
    await waitUntil(() => fdCount() === fds, `the worker's fds to close (${fdCount()} open, ${fds} before)`).catch(() => undefined);
    assert.equal(fdCount(), fds);
  });
});
