// The engine-side RPC dispatcher on a real engine (isolated root): validation at the
// boundary, {code, message} errors, events per client, log-follow streams, session
// viewers with acks, and cleanup when a client goes away (sessions live on).
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { openEngine } from '../../electron/engine/open.ts';
import type { Engine } from '../../electron/engine/engine.ts';
import { connect, type RpcConnection } from '../../electron/rpc/dispatcher.ts';
import { toRpcError } from '../../electron/rpc/errors.ts';
import { encodeSessionFrame, decodeSessionFrame, type ServerMessage } from '../../electron/common/contract.ts';
import { testDirs, type TestDirs } from '../helpers/rootfs.ts';

const root = process.getuid?.() === 0;

test('session frames round-trip; errors keep code and message', () => {
  const data = new TextEncoder().encode('hello\r\n');
  const f = decodeSessionFrame(encodeSessionFrame('abc-123', data))!;
  assert.equal(f.session, 'abc-123');
  assert.deepEqual([...f.data], [...data]);
  assert.equal(decodeSessionFrame(new Uint8Array([9, 0])), undefined);
  assert.deepEqual(toRpcError(Object.assign(new Error('container x is paused'), { code: 'ESTATE' })), { code: 'ESTATE', message: 'container x is paused' });
  assert.deepEqual(toRpcError('boom'), { code: 'EENGINE', message: 'boom' });
});

describe('dispatcher on a real engine', { skip: root ? false : 'needs root for conmon/runc' }, () => {
  let dirs: TestDirs, engine: Engine, conn: RpcConnection;
  const got: ServerMessage[] = [];
  const until = async (pred: () => boolean, ms = 5000, what = 'message') => {
    const t0 = Date.now();
    while (!pred()) { if (Date.now() - t0 > ms) throw new Error(`timeout waiting for ${what}`); await new Promise((r) => setTimeout(r, 20)); }
  };

  before(async () => {
    dirs = testDirs('pier-rpc-');
    engine = await openEngine({ root: dirs.root, runroot: dirs.runroot });
    conn = connect(engine, { send: (m) => got.push(m) });
  });
  after(async () => {
    conn.close();
    for (const s of engine.sessions?.list() ?? []) await engine.sessions!.get(s.id).close().catch(() => undefined);
    for (const c of engine.containers.list()) await engine.containers.remove(c.id, { force: true }).catch(() => undefined);
    await engine.images?.close();
    await engine.close();
    dirs.cleanup();
  });

  test('invalid calls are refused at the boundary with a named field', async () => {
    await assert.rejects(conn.call('containers.nope', {}), { code: 'EUNKNOWN', message: /unknown method "containers.nope"/ });
    await assert.rejects(conn.call('containers.start', { id: '../etc' }), { code: 'EINVAL', message: /containers.start: invalid id/ });
    await assert.rejects(conn.call('containers.create', { image: '/x', bogus: 1 }), { code: 'EINVAL' });
    await assert.rejects(conn.call('containers.start', { id: 'missing' }), (e: { code: string; message: string }) => e.code === 'ENOTFOUND' && /missing/.test(e.message));
  });

  test('handle() answers envelopes by id, errors as {code, message}', async () => {
    conn.handle({ t: 'call', id: 7, method: 'containers.list', params: {} });
    conn.handle({ t: 'call', id: 8, method: 'containers.inspect', params: { id: 'nope' } });
    await until(() => got.some((m) => m.t === 'result' && m.id === 8));
    const r7 = got.find((m) => m.t === 'result' && m.id === 7) as { result: unknown[] };
    assert.deepEqual(r7.result, []);
    const r8 = got.find((m) => m.t === 'result' && m.id === 8) as { error: { code: string; message: string } };
    assert.equal(r8.error.code, 'ENOTFOUND');
  });

  test('create from a rootfs path, start; events reach the client', async () => {
    const c = await conn.call('containers.create', { image: dirs.rootfs, name: 'rpc-a', cmd: ['sh', '-c', 'echo one; echo two >&2; sleep 0.3; echo three; sleep 60'], start: true }) as { id: string; status: string };
    assert.equal(c.status, 'running');
    await until(() => got.some((m) => m.t === 'event' && m.payload.type === 'container' && m.payload.action === 'started' && m.payload.id === c.id), 3000, 'started event');
    // conmon writes the log as the output arrives: ask until the line is there
    let logs: Array<{ stream: string; text: string }> = [];
    const hasTwo = () => logs.some((l) => l.stream === 'stderr' && l.text === 'two');
    for (const end = Date.now() + 30_000; !hasTwo() && Date.now() < end; await new Promise((r) => setTimeout(r, 10))) {
      logs = await conn.call('containers.logs', { id: 'rpc-a' }) as typeof logs;
    }
    assert.ok(hasTwo(), `stderr "two" in the log: ${JSON.stringify(logs)}`);
  });

  test('log follow streams lines in batches until closed', async () => {
    const { stream } = await conn.call('containers.followLogs', { id: 'rpc-a', tail: 10 }) as { stream: string };
    const lines = () => got.flatMap((m) => (m.t === 'stream' && m.kind === 'logs' && m.payload.stream === stream ? m.payload.lines ?? [] : []));
    await until(() => lines().some((l) => l.text === 'three'), 3000, 'three');
    assert.deepEqual(lines().map((l) => l.text).sort(), ['one', 'three', 'two']);
    await conn.call('streams.close', { stream });
  });

  test('session: attach, watch (scrollback + live), ack, resize; a closed client leaves the session alive', async () => {
    const c = await conn.call('containers.create', { image: dirs.rootfs, name: 'rpc-tty', cmd: ['sh'], tty: true, openStdin: true, start: true }) as { id: string };
    const info = await conn.call('sessions.attach', { id: c.id, rows: 30, cols: 100 }) as { id: string; alive: boolean };
    assert.equal(info.alive, true);
    const text = () => Buffer.concat(got.flatMap((m) => (m.t === 'stream' && m.kind === 'session' && m.payload.session === info.id && m.payload.data ? [Buffer.from(m.payload.data)] : []))).toString();
    await conn.call('sessions.watch', { session: info.id });
    await conn.call('sessions.write', { session: info.id, data: 'echo $((6*7)); stty size\n' });
    await until(() => /\n42\r?\n/.test(text()) && /30 100/.test(text()), 5000, '42 and 30 100');
    await conn.call('sessions.resize', { session: info.id, rows: 40, cols: 120 });
    // conmon takes the resize from its ctl FIFO and the typed line from the attach socket in whichever
    // order its loop sees them: ask the terminal its size until it shows the new one
    let asked = 0;
    await until(() => {
      if (/40 120/.test(text())) return true;
      if (Date.now() - asked > 500) {
        asked = Date.now();
        conn.call('sessions.write', { session: info.id, data: 'stty size\n' }).catch(() => undefined);
      }
      return false;
    }, 30_000, '40 120');
    await conn.call('sessions.ack', { session: info.id, bytes: text().length });
    // a second client sees the scrollback; closing the first ends only its viewer
    const got2: ServerMessage[] = [];
    const conn2 = connect(engine, { send: (m) => got2.push(m) });
    conn.close();
    await conn2.call('sessions.watch', { session: info.id });
    const t2 = () => Buffer.concat(got2.flatMap((m) => (m.t === 'stream' && m.kind === 'session' && m.payload.data ? [Buffer.from(m.payload.data)] : []))).toString();
    await until(() => /42/.test(t2()), 3000, 'scrollback on the second client');
    const alive = (await conn2.call('sessions.list', {}) as Array<{ id: string; alive: boolean }>).find((s) => s.id === info.id);
    assert.equal(alive?.alive, true);
    await conn2.call('sessions.close', { session: info.id });
    conn2.close();
    conn = connect(engine, { send: (m) => got.push(m) });
  });

  test('system.info and system.df describe the host', async () => {
    const i = await conn.call('system.info', {}) as { runtime: Array<{ name: string; works: boolean }>; conmon: { version: string }; containers: { total: number } };
    assert.ok(i.runtime.some((r) => r.works));
    assert.match(i.conmon.version, /\d/);
    assert.equal(i.containers.total, 2);
    const df = await conn.call('system.df', {}) as { containers: number };
    assert.ok(df.containers > 0);
  });

  test('binary input (xterm onBinary: legacy mouse reports ≥ 0x80) reaches the program as those bytes', async () => {
    // a mouse-reporting reader: raw tty, prints the hex of the 6 bytes of one X10 mouse report
    const c = await conn.call('containers.create', { image: dirs.rootfs, name: 'rpc-mouse', cmd: ['sh', '-c', 'read go; stty raw -echo; echo ready; od -An -tx1 -N6; sleep 60'], tty: true, openStdin: true, start: true }) as { id: string };
    const info = await conn.call('sessions.attach', { id: c.id, rows: 24, cols: 80 }) as { id: string };
    const text = () => Buffer.concat(got.flatMap((m) => (m.t === 'stream' && m.kind === 'session' && m.payload.session === info.id && m.payload.data ? [Buffer.from(m.payload.data)] : []))).toString();
    await conn.call('sessions.watch', { session: info.id });
    await conn.call('sessions.write', { session: info.id, data: 'go\n' }); // output before attaching is not kept
    await until(() => /ready/.test(text()), 5000, 'raw mode set');
    // ESC [ M, button 0, column 200, row 100: each coordinate is 32 + n, one byte
    const report = '\x1b[M' + String.fromCharCode(32, 32 + 200, 32 + 100);
    await conn.call('sessions.write', { session: info.id, data: report, binary: true });
    await until(() => /1b 5b 4d 20 e8 84/.test(text()), 5000, 'the report as 6 bytes (not UTF-8: c3 a8 c2 84)');
    await assert.rejects(conn.call('sessions.write', { session: info.id, data: 'é€', binary: true }), /0-255/);
    await conn.call('sessions.close', { session: info.id });
    await conn.call('containers.remove', { id: c.id, force: true });
  });
});
