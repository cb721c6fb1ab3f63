// The rootless port forwarder (electron/engine/network/forwarder.ts) as the engine runs it: host ports reserved
// by reservePorts, their sockets handed to the real pier-forward program, traffic from loopback clients to echo
// servers on loopback. Here the program runs in the test's own network namespace (the engine runs it inside the
// rootless one: test/api/rootless-network.test.ts covers that path end to end).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { installForwarder, startForwarder, stopForwarder } from '../../electron/engine/network/forwarder';
import { reservePorts } from '../../electron/engine/network/hostports';
import { udpAsk } from '../helpers/udp';

const same = (bin: string, args: string[]): [string, string[]] => [bin, args];

/** A UDP server on 127.0.0.1 that answers every datagram with `echo:<payload>` from its own port. */
async function udpEcho(): Promise<{ port: number; seen: Set<string>; close(): void }> {
  const s = dgram.createSocket('udp4');
  const seen = new Set<string>();
  s.on('message', (m, from) => { seen.add(`${from.address}:${from.port}`); s.send(`echo:${m}`, from.port, from.address); });
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  return { port: s.address().port, seen, close: () => s.close() };
}

/** A TCP server on 127.0.0.1 (half-open allowed) that hands each connection to onConn: the container side. */
async function tcpSink(onConn: (c: net.Socket) => void): Promise<{ port: number; close(): void }> {
  const s = net.createServer({ allowHalfOpen: true }, onConn);
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return { port: (s.address() as net.AddressInfo).port, close: () => s.close() };
}

/** Sends `data`, half-closes, and resolves with everything read back until the other side ends. */
async function roundTrip(port: number, data: Buffer): Promise<Buffer> {
  const c = net.connect(port, '127.0.0.1');
  c.end(data);
  const parts: Buffer[] = [];
  for await (const b of c) parts.push(b as Buffer);
  return Buffer.concat(parts);
}

const tcpEcho = () => tcpSink((c) => { c.pipe(c); });

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Runs the forwarder for `targets` (container ports on 127.0.0.1); returns its host ports and a stop. */
async function forwarding(script: string, targets: number[]): Promise<{ ports: number[]; pid: number; stop(): void }> {
  const res = await reservePorts(targets.map((t) => ({ hostIp: '127.0.0.1', hostPort: 0, containerPort: t, protocol: 'tcp' as const })), { v6: 'listen' });
  let pid: number;
  try { pid = await startForwarder(same, script, '127.0.0.1', res.listeners); } finally { res.closeV4(); }
  return { ports: res.ports.map((p) => p.hostPort), pid, stop: () => stopForwarder(pid) };
}

describe('rootless port forwarder', () => {
  let scratch: string, script: string;
  before(async () => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'pier-fwd-'));
    script = await installForwarder(scratch);
  });
  after(() => fs.rmSync(scratch, { recursive: true, force: true }));

  test('TCP and UDP ports: bytes both ways, each UDP client gets its own replies; the ports close with it', async () => {
    const udp = await udpEcho(), tcp = await tcpEcho();
    const res = await reservePorts([
      { hostIp: '127.0.0.1', hostPort: 0, containerPort: udp.port, protocol: 'udp' },
      { hostIp: '127.0.0.1', hostPort: 0, containerPort: tcp.port, protocol: 'tcp' },
    ], { v6: 'listen' });
    let pid: number | undefined;
    try {
      pid = await startForwarder(same, script, '127.0.0.1', res.listeners);
    } finally { res.closeV4(); }
    const [udpPort, tcpPort] = res.ports.map((p) => p.hostPort);
    try {
      const replies = await Promise.all(['a', 'b', 'c'].map(async (x) => String(await udpAsk(udpPort, `ping-${x}`))));
      assert.deepEqual(replies, ['echo:ping-a', 'echo:ping-b', 'echo:ping-c']);
      // one flow per client: the echo server saw three source ports (the forwarder's sockets), not one
      assert.equal(udp.seen.size, 3);
      const c = net.connect(tcpPort, '127.0.0.1');
      c.end('over tcp');
      let got = '';
      for await (const b of c) got += b;
      assert.equal(got, 'over tcp');
    } finally {
      stopForwarder(pid);
      udp.close();
      tcp.close();
    }
    // the forwarder held the only copies: once it is gone, the host ports are free again
    await waitFreed(udpPort, tcpPort);
  });

  test('TCP: 32 MiB each way at once arrive intact, and the reply after a half-close is delivered', async () => {
    const tcp = await tcpEcho();
    const f = await forwarding(script, [tcp.port]);
    try {
      const data = randomBytes(32 << 20);
      const back = await roundTrip(f.ports[0], data);
      assert.equal(back.length, data.length);
      assert.equal(sha(back), sha(data));
      // the server answers only after the client's EOF: the half-close reached it and its reply came back
      const late = await tcpSink((c) => { let n = 0; c.on('data', (b: Buffer) => { n += b.length; }); c.on('end', () => c.end(`got ${n}`)); });
      const g = await forwarding(script, [late.port]);
      try { assert.equal(String(await roundTrip(g.ports[0], Buffer.alloc(100_000, 7))), 'got 100000'); } finally { g.stop(); late.close(); }
    } finally { f.stop(); tcp.close(); }
  });

  test('TCP: 200 connections at once each get their own bytes back', async () => {
    const tcp = await tcpEcho();
    const f = await forwarding(script, [tcp.port]);
    try {
      const got = await Promise.all(Array.from({ length: 200 }, (_, i) => roundTrip(f.ports[0], Buffer.from(`conn-${i}`))));
      assert.deepEqual(got.map(String), Array.from({ length: 200 }, (_, i) => `conn-${i}`));
    } finally { f.stop(); tcp.close(); }
  });

  test('TCP: a refused upstream closes that client only; a client reset closes its upstream', async () => {
    const gone = await tcpSink(() => undefined);
    const deadPort = gone.port;
    gone.close();
    let upstreamClosed!: () => void;
    const closed = new Promise<void>((resolve) => { upstreamClosed = resolve; });
    // streams until its client goes away; its socket then closes
    const flood = await tcpSink((c) => {
      const chunk = Buffer.alloc(1 << 16);
      const more = () => { while (c.write(chunk)); };
      c.on('drain', more); c.on('error', () => undefined); c.on('close', () => upstreamClosed());
      more();
    });
    const f = await forwarding(script, [deadPort, flood.port]);
    try {
      assert.equal((await roundTrip(f.ports[0], Buffer.from('x')).catch(() => Buffer.alloc(0))).length, 0);
      const c = net.connect(f.ports[1], '127.0.0.1');
      await new Promise<void>((resolve) => c.once('data', () => resolve()));
      c.resetAndDestroy();
      await closed;
      // the process still serves: the refused port refuses again rather than hanging
      assert.equal((await roundTrip(f.ports[0], Buffer.from('y')).catch(() => Buffer.alloc(0))).length, 0);
    } finally { f.stop(); flood.close(); }
  });
});

/** Resolves once both ports can be bound again (the forwarder's exit closes them). */
async function waitFreed(udpPort: number, tcpPort: number): Promise<void> {
  for (;;) {
    const res = await reservePorts([
      { hostIp: '127.0.0.1', hostPort: udpPort, containerPort: 1, protocol: 'udp' },
      { hostIp: '127.0.0.1', hostPort: tcpPort, containerPort: 1, protocol: 'tcp' },
    ]).catch((e: Error) => e);
    if (!(res instanceof Error)) { res.closeV4(); return; }
    assert.match(res.message, /port is already allocated/);
    await new Promise((r) => setTimeout(r, 20));
  }
}
