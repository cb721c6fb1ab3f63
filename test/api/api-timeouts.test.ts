// Issue 11, item 17: connections that send nothing, half a request, or stop in the middle of a body are closed after
// the idle time (dockerd: 5 min; here PIER_API_IDLE_TIMEOUT_MS=1500), headers up to 1 MiB are accepted, and
// streams (events, attach) that are quiet for longer than that stay open.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { existsSync } from 'node:fs';
import { startPierWithImages, stopPier, docker, request, DOCKER, type PierServer } from './helpers';

const skip = !existsSync(DOCKER) ? `${DOCKER} not installed` : process.getuid?.() !== 0 ? 'needs root (conmon + runc)' : undefined;
const IDLE = 1500;
let srv: PierServer;

interface Conn { socket: net.Socket; received: () => string; closedAfter: Promise<number> }
function open(data: string): Conn {
  const t0 = Date.now();
  const socket = net.connect(srv.socket);
  let got = '';
  socket.on('data', (d) => { got += d; });
  socket.on('error', () => undefined);
  socket.on('connect', () => socket.write(data));
  return { socket, received: () => got, closedAfter: new Promise((r) => socket.once('close', () => r(Date.now() - t0))) };
}
/** Resolves with the close time, or rejects when the connection outlives `ms`. */
function closedWithin(c: Conn, ms: number): Promise<number> {
  return Promise.race([c.closedAfter, new Promise<number>((_, j) => setTimeout(() => j(new Error(`still open after ${ms} ms`)), ms))]);
}

describe('API connection timeouts and header size', { skip }, () => {
  before(async () => {
    process.env.PIER_API_IDLE_TIMEOUT_MS = String(IDLE);
    try { srv = await startPierWithImages(); } finally { delete process.env.PIER_API_IDLE_TIMEOUT_MS; }
  });
  after(() => stopPier(srv));

  test('no request, half a header, idle keep-alive and a stalled body are all closed after the idle time', async () => {
    const r = await docker(srv, ['run', '-d', '--name', 'quiet', '--network', 'none', 'pier-test/busybox', 'sleep', '600']);
    assert.equal(r.code, 0, r.stderr);
    const ex = await request(srv.socket, 'POST', '/containers/quiet/exec', JSON.stringify({ Cmd: ['true'], AttachStdout: true }));
    assert.equal(ex.status, 201, ex.body);
    const execId = JSON.parse(ex.body).Id as string;
    const conns = {
      nothing: open(''),
      partialHeaders: open('GET /_ping HTTP/1.1\r\nHost: x\r\n'),
      afterResponse: open('GET /_ping HTTP/1.1\r\nHost: x\r\n\r\n'),
      partialBody: open('POST /containers/create HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"Ima'),
      partialUpgradeBody: open(`POST /exec/${execId}/start HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"De`),
    };
    for (const [k, c] of Object.entries(conns)) {
      const ms = await closedWithin(c, 20 * IDLE).catch((e) => { throw new Error(`${k}: ${(e as Error).message}`); });
      assert.ok(ms >= IDLE - 100, `${k} closed after ${ms} ms, before the idle time`);
    }
    assert.match(conns.afterResponse.received(), /^HTTP\/1.1 200 OK/);
  });

  test('a 900 KB header is accepted', async () => {
    const c = open(`GET /_ping HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(900_000)}\r\nConnection: close\r\n\r\n`);
    await closedWithin(c, 20_000);
    assert.match(c.received(), /^HTTP\/1.1 200 OK/);
  });

  test('quiet streams outlive the idle time: events and an attached container', async () => {
    const events = open('GET /events HTTP/1.1\r\nHost: x\r\n\r\n');
    const attach = open('POST /containers/quiet/attach?stream=1&stdout=1&stderr=1 HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 0\r\n\r\n');
    let closed = '';
    events.closedAfter.then(() => { closed += 'events '; });
    attach.closedAfter.then(() => { closed += 'attach '; });
    await new Promise((res) => setTimeout(res, 3 * IDLE)); // the period they must survive
    assert.equal(closed, '');
    assert.match(events.received(), /^HTTP\/1.1 200 OK/);
    assert.match(attach.received(), /^HTTP\/1.1 101 UPGRADED/);
    events.socket.destroy();
    attach.socket.destroy();
  });
});
