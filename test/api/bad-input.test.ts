// Bad input and faults against a real `pier serve`: malformed JSON, wrong types, unknown
// fields, invalid names, oversized bodies, clients vanishing mid-stream, thousands of
// concurrent requests, stale and live sockets. Each gets the right status and message
// and the engine keeps serving.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { statSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { startPier, startPierWithImages, stopPier, docker, request, cleanup, sleep, DOCKER, type PierServer } from './helpers';

const skipAll = !existsSync(DOCKER) ? `${DOCKER} not installed` : process.getuid?.() !== 0 ? 'needs root (conmon + runc)' : undefined;
const IMG = 'pier-test/busybox';
let srv: PierServer;

const msg = (body: string) => (JSON.parse(body) as { message: string }).message;

/** Sends raw bytes on a fresh connection; resolves with everything the server answers. */
/** Sends raw bytes; resolves with what came back when the peer closes, `doneWhen` holds (then
 * hangs up) or after waitMs (then hangs up). */
function raw(socket: string, data: string | Buffer, o: { endAfter?: boolean; waitMs?: number; doneWhen?: (out: string) => boolean } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = net.connect(socket);
    let out = '';
    c.on('data', (d) => { out += d; if (o.doneWhen?.(out)) { c.destroy(); resolve(out); } });
    c.on('error', reject);
    c.on('close', () => resolve(out));
    c.write(data);
    if (o.endAfter) c.end();
    if (o.waitMs) setTimeout(() => { c.destroy(); resolve(out); }, o.waitMs);
  });
}

describe('bad input and faults', { skip: skipAll }, () => {
  before(async () => {
    srv = await startPierWithImages();
  });
  after(() => stopPier(srv));

  const alive = async () => {
    const p = await request(srv.socket, 'GET', '/_ping');
    assert.deepEqual([p.status, p.body], [200, 'OK']);
  };

  test('socket is owner-only (0660 as root, 0600 otherwise)', () => {
    const mode = statSync(srv.socket).mode & 0o777;
    assert.equal(mode, process.getuid?.() === 0 ? 0o660 : 0o600);
  });

  test('malformed JSON, wrong types, missing fields, bad content type', async () => {
    const bad = await request(srv.socket, 'POST', '/v1.50/containers/create', '{"Image": "x",');
    assert.equal(bad.status, 400);
    assert.match(msg(bad.body), /^invalid JSON: /);
    const empty = await request(srv.socket, 'POST', '/containers/create', '');
    assert.equal(empty.status, 400);
    assert.match(msg(empty.body), /body is empty/);
    const cmd = await request(srv.socket, 'POST', '/containers/create', JSON.stringify({ Image: IMG, Cmd: 5 }));
    assert.equal(cmd.status, 400);
    assert.match(msg(cmd.body), /invalid container config: Cmd: /);
    const tty = await request(srv.socket, 'POST', '/containers/create', JSON.stringify({ Image: IMG, Tty: 'yes' }));
    assert.equal(tty.status, 400);
    assert.match(msg(tty.body), /Tty/);
    const cs = await request(srv.socket, 'POST', '/containers/create', JSON.stringify({ Image: IMG, HostConfig: { ConsoleSize: [1, -5] } }));
    assert.equal(cs.status, 400);
    assert.match(msg(cs.body), /HostConfig.ConsoleSize/);
    const noImage = await request(srv.socket, 'POST', '/containers/create', JSON.stringify({ Cmd: ['true'] }));
    assert.equal(noImage.status, 400);
    assert.match(msg(noImage.body), /Image is required/);
    const arr = await request(srv.socket, 'POST', '/containers/create', '[1,2]');
    assert.equal(arr.status, 400);
    const ct = await request(srv.socket, 'POST', '/containers/create', JSON.stringify({ Image: IMG }), { 'Content-Type': 'application/xml' });
    assert.equal(ct.status, 400);
    assert.match(msg(ct.body), /unsupported Content-Type header \(application\/xml\)/);
    const exec = await request(srv.socket, 'POST', '/containers/nope/exec', JSON.stringify({ Cmd: [] }));
    assert.equal(exec.status, 404);
    assert.equal(msg(exec.body), 'No such container: nope');
    await alive();
  });

  test('unknown fields are ignored (as moby); unsupported settings give warnings', async () => {
    const r = await request(srv.socket, 'POST', '/containers/create?name=unk', JSON.stringify({ Image: IMG, Cmd: ['true'], Bogus: { a: 1 }, HostConfig: { Whatever: true, Privileged: true } }));
    assert.equal(r.status, 201, r.body);
    const body = JSON.parse(r.body) as { Id: string; Warnings: string[] };
    assert.match(body.Id, /^[0-9a-f]{64}$/);
    assert.match(body.Warnings.join('\n'), /privileged/);
    assert.equal((await request(srv.socket, 'DELETE', '/containers/unk')).status, 204);
  });

  test('invalid names, bad query values, unknown routes and methods', async () => {
    const name = await request(srv.socket, 'POST', '/containers/create?name=' + encodeURIComponent('bad name!'), JSON.stringify({ Image: IMG }));
    assert.equal(name.status, 400);
    assert.match(msg(name.body), /Invalid container name \(bad name!\)/);
    const nf = await request(srv.socket, 'GET', '/containers/does-not-exist/json');
    assert.deepEqual([nf.status, msg(nf.body)], [404, 'No such container: does-not-exist']);
    const img = await request(srv.socket, 'GET', '/images/nope:1/json');
    assert.equal(img.status, 404);
    assert.match(msg(img.body), /No such image: nope:1/);
    const c = await request(srv.socket, 'POST', '/containers/create?name=q1', JSON.stringify({ Image: IMG, Cmd: ['sleep', '30'] }));
    assert.equal(c.status, 201);
    const wait = await request(srv.socket, 'POST', '/containers/q1/wait?condition=sometime');
    assert.equal(wait.status, 400);
    assert.match(msg(wait.body), /invalid condition/);
    const resize = await request(srv.socket, 'POST', '/containers/q1/resize?h=abc&w=80');
    assert.equal(resize.status, 400);
    const logs = await request(srv.socket, 'GET', '/containers/q1/logs');
    assert.deepEqual([logs.status, msg(logs.body)], [400, 'You must choose at least one stream']);
    const filters = await request(srv.socket, 'GET', '/containers/json?filters=%7Bnot-json');
    assert.equal(filters.status, 400);
    assert.match(msg(filters.body), /invalid filters/);
    const badFilter = await request(srv.socket, 'GET', '/containers/json?filters=' + encodeURIComponent('{"colour":["red"]}'));
    assert.deepEqual([badFilter.status, msg(badFilter.body)], [400, "invalid filter 'colour'"]);
    const sig = await request(srv.socket, 'POST', '/containers/q1/start');
    assert.equal(sig.status, 204);
    const again = await request(srv.socket, 'POST', '/containers/q1/start');
    assert.equal(again.status, 304);
    const badSig = await request(srv.socket, 'POST', '/containers/q1/kill?signal=SIGNOPE');
    assert.equal(badSig.status, 400);
    assert.match(msg(badSig.body), /invalid signal "SIGNOPE"/);
    const page = await request(srv.socket, 'GET', '/v1.50/no/such/route');
    assert.deepEqual([page.status, msg(page.body)], [404, 'page not found']);
    const method = await request(srv.socket, 'PUT', '/containers/json');
    assert.equal(method.status, 405);
    const newer = await request(srv.socket, 'GET', '/v1.99/info');
    assert.deepEqual([newer.status, msg(newer.body)], [400, 'client version 1.99 is too new. Maximum supported API version is 1.50']);
    const libpod = await request(srv.socket, 'GET', '/libpod/_ping');
    assert.equal(libpod.status, 404, 'must not look like podman (docker-api.md §9)');
    assert.equal((await request(srv.socket, 'DELETE', '/containers/q1?force=1')).status, 204);
    await alive();
  });

  test('oversized bodies: 413, engine keeps serving', async () => {
    const big = JSON.stringify({ Image: IMG, Env: ['X=' + 'a'.repeat(2 << 20)] });
    const r = await request(srv.socket, 'POST', '/containers/create', big);
    assert.equal(r.status, 413);
    assert.match(msg(r.body), /request body too large/);
    // a lying Content-Length with a huge chunked body
    const chunked = await new Promise<number>((resolve) => {
      const c = net.connect(srv.socket);
      let out = '';
      c.on('data', (d) => { out += d; if (/\r\n\r\n/.test(out)) { resolve(Number(out.split(' ')[1])); c.destroy(); } });
      c.on('error', () => resolve(Number(out.split(' ')[1]) || -1));
      c.write('POST /containers/create HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n');
      const chunk = 'a'.repeat(65536);
      let n = 0;
      const pump = () => { while (n < 40 && c.writable) { n++; if (!c.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`)) { c.once('drain', pump); return; } } };
      pump();
    });
    assert.equal(chunked, 413);
    // headers up to 1 MiB are accepted (as dockerd); beyond that, a 431 and the connection closed (a client
    // still writing its header may see the close as a reset or a broken pipe instead of the answer)
    const bigHeader = 'GET /_ping HTTP/1.1\r\nHost: x\r\nX-Big: ' + 'h'.repeat(2 << 20) + '\r\n\r\n';
    const hdr = await raw(srv.socket, bigHeader).catch((e: NodeJS.ErrnoException) => (['ECONNRESET', 'EPIPE'].includes(e.code ?? '') ? 'reset' : Promise.reject(e)));
    assert.match(hdr, /^(HTTP\/1.1 4\d\d|reset$)/);
    const garbage = await raw(srv.socket, 'NOT HTTP AT ALL\r\n\r\n');
    assert.match(garbage, /^HTTP\/1.1 400/);
    await alive();
  });

  test('hijack errors before the upgrade are HTTP errors; bad exec start body', async () => {
    const a = await raw(srv.socket, 'POST /v1.50/containers/nope/attach?stream=1&stdout=1 HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 0\r\n\r\n');
    assert.match(a, /^HTTP\/1.1 404 /);
    assert.match(a, /No such container: nope/);
    const c = await request(srv.socket, 'POST', '/containers/create?name=hj', JSON.stringify({ Image: IMG, Cmd: ['sleep', '30'] }));
    assert.equal(c.status, 201);
    assert.equal((await request(srv.socket, 'POST', '/containers/hj/start')).status, 204);
    const e = await request(srv.socket, 'POST', '/containers/hj/exec', JSON.stringify({ Cmd: ['true'] }));
    assert.equal(e.status, 201);
    const eid = (JSON.parse(e.body) as { Id: string }).Id;
    const body = '{"Detach": fal';
    const s = await raw(srv.socket, `POST /exec/${eid}/start HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    assert.match(s, /^HTTP\/1.1 400 /);
    assert.match(s, /invalid JSON/);
    const unknownExec = await request(srv.socket, 'GET', '/exec/ffff/json');
    assert.deepEqual([unknownExec.status, msg(unknownExec.body)], [404, 'No such exec instance: ffff']);
    await request(srv.socket, 'DELETE', '/containers/hj?force=1');
    await alive();
  });

  test('docker cp upload: an archive escaping its directory is refused and writes nothing', async () => {
    const tar = await import('tar-stream');
    const make = async (entries: Array<{ name: string; body?: string; type?: 'file' | 'symlink' | 'character-device'; linkname?: string }>) => {
      const pack = tar.pack();
      for (const e of entries) pack.entry({ name: e.name, type: e.type ?? 'file', linkname: e.linkname, mode: 0o644 }, e.body ?? '');
      pack.finalize();
      const chunks: Buffer[] = [];
      for await (const c of pack) chunks.push(c as Buffer);
      return Buffer.concat(chunks);
    };
    const c = await request(srv.socket, 'POST', '/containers/create?name=cpbad', JSON.stringify({ Image: IMG, Cmd: ['sleep', '30'] }));
    assert.equal(c.status, 201);
    assert.equal((await request(srv.socket, 'POST', '/containers/cpbad/start')).status, 204);
    const put = (body: Buffer, p = '/tmp') => request(srv.socket, 'PUT', `/containers/cpbad/archive?path=${encodeURIComponent(p)}`, body, { 'Content-Type': 'application/x-tar' });
    const dots = await put(await make([{ name: 'first-ok', body: 'a' }, { name: '../../etc/evil', body: 'b' }]));
    assert.equal(dots.status, 400);
    assert.match(msg(dots.body), /leaves the target directory/);
    const dev = await put(await make([{ name: 'ok2', body: 'a' }, { name: 'null', type: 'character-device' }]));
    assert.equal(dev.status, 400);
    assert.match(msg(dev.body), /character-device/);
    const garbage = await put(Buffer.from('this is not a tar archive at all'.repeat(40)));
    assert.equal(garbage.status, 400);
    const notDir = await put(await make([{ name: 'x', body: 'a' }]), '/etc/passwd');
    assert.equal(notDir.status, 400);
    assert.match(msg(notDir.body), /not a directory/);
    const ls = await docker(srv, ['exec', 'cpbad', 'ls', '/tmp']);
    assert.equal(ls.stdout, '', 'nothing of a rejected archive was written');
    await request(srv.socket, 'DELETE', '/containers/cpbad?force=1');
    await alive();
  });

  test('clients vanishing mid-stream (logs -f, attach, events, wait, stats)', async () => {
    const c = await request(srv.socket, 'POST', '/containers/create?name=vanish', JSON.stringify({ Image: IMG, Cmd: ['sh', '-c', 'while true; do echo x; sleep 0.05; done'] }));
    assert.equal(c.status, 201);
    assert.equal((await request(srv.socket, 'POST', '/containers/vanish/start')).status, 204);
    const streams = [
      'GET /containers/vanish/logs?follow=1&stdout=1&stderr=1 HTTP/1.1\r\nHost: x\r\n\r\n',
      'POST /containers/vanish/attach?stream=1&stdout=1&stderr=1&stdin=1 HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 0\r\n\r\n',
      'GET /events HTTP/1.1\r\nHost: x\r\n\r\n',
      'POST /containers/vanish/wait HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET /containers/vanish/stats HTTP/1.1\r\nHost: x\r\n\r\n',
    ];
    for (let round = 0; round < 5; round++) {
      // logs and attach answer at once: hang up as soon as their headers are in (mid-stream);
      // the others may stay silent until something happens: hang up after a moment
      const headers = (out: string) => out.includes('\r\n\r\n');
      const outs = await Promise.all(streams.map((s, i) => raw(srv.socket, s, i < 2 ? { doneWhen: headers, waitMs: 30_000 } : { waitMs: 300 })));
      assert.match(outs[0], /^HTTP\/1.1 200/);
      assert.match(outs[1], /^HTTP\/1.1 101 UPGRADED/);
    }
    await sleep(200);
    const logs = await docker(srv, ['logs', '--tail', '1', 'vanish']);
    assert.equal(logs.stdout, 'x\n');
    assert.equal((await docker(srv, ['inspect', '-f', '{{.State.Running}}', 'vanish'])).stdout.trim(), 'true');
    await docker(srv, ['rm', '-f', 'vanish']);
    await alive();
  });

  test('thousands of concurrent requests', async () => {
    const N = 3000;
    const paths = ['/_ping', '/v1.50/containers/json?all=1', '/version', '/images/json', '/containers/nope/json'];
    const results = await Promise.all(Array.from({ length: N }, (_, i) => request(srv.socket, 'GET', paths[i % paths.length]).then((r) => r.status, (e: Error) => e.message)));
    const counts = new Map<string | number, number>();
    for (const s of results) counts.set(s, (counts.get(s) ?? 0) + 1);
    assert.equal(counts.get(200), N * 4 / 5, JSON.stringify([...counts]));
    assert.equal(counts.get(404), N / 5);
    await alive();
    const run = await docker(srv, ['run', '--rm', IMG, 'echo', 'still-here']);
    assert.equal(run.stdout, 'still-here\n');
  });
});

describe('the socket file', { skip: skipAll }, () => {
  test('a live socket is never stolen; a stale one is replaced; a non-socket is refused', async () => {
    const first = await startPier();
    try {
      // second engine on another root, same socket: refused, first keeps serving
      const second = await startPier({ socket: first.socket }).then((s) => s, (e: Error) => e);
      assert.ok(second instanceof Error, 'second server must not start');
      assert.match(second.message, /another engine is serving the API on/);
      assert.equal((await request(first.socket, 'GET', '/_ping')).status, 200);
      // crash: the socket file stays behind
      await first.stop('SIGKILL');
      assert.ok(existsSync(first.socket));
      const again = await startPier({ dir: first.dir });
      try {
        assert.equal((await request(again.socket, 'GET', '/_ping')).status, 200);
      } finally { await again.stop(); }
      assert.ok(!existsSync(first.socket), 'a clean stop removes its socket');
      // something that is not a socket is never deleted
      writeFileSync(first.socket, 'precious');
      const refused = await startPier({ dir: first.dir }).then((s) => s, (e: Error) => e);
      assert.ok(refused instanceof Error);
      assert.match(refused.message, /exists and is not a socket/);
      rmSync(first.socket);
    } finally {
      await first.stop();
      cleanup(first.dir);
    }
  });
});
