// The rootless port forwarder (electron/engine/network/forwarder.ts) as the engine runs it: host ports reserved
// by reservePorts, their sockets handed to the real pier-forward program, traffic from loopback clients to echo
// servers on loopback. Here the program runs in the test's own network namespace (the engine runs it inside the
// rootless one: test/api/rootless-network.test.ts covers that path end to end).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
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

async function tcpEcho(): Promise<{ port: number; close(): void }> {
  const s = net.createServer({ allowHalfOpen: true }, (c) => { c.pipe(c); });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return { port: (s.address() as net.AddressInfo).port, close: () => s.close() };
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
