// Attach, exec and terminal sessions against real conmon + runc.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { openEngine } from '../../electron/engine/open';
import type { Engine } from '../../electron/engine/engine';
import type { Session } from '../../electron/engine/sessions/types';
import { DetachFilter, parseDetachKeys } from '../../electron/engine/sessions/detach';
import { testDirs, type TestDirs } from '../helpers/rootfs';

let d: TestDirs;
let engine: Engine;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

before(async () => { d = testDirs(); engine = await openEngine({ root: d.root, runroot: d.runroot }); });
after(async () => {
  for (const c of engine.containers.list()) await engine.containers.remove(c.id, { force: true }).catch(() => undefined);
  await engine.close();
  d.cleanup();
});

/** Collects a session's output as text; until(re) resolves when it matches. */
function collect(s: Session, opts = {}) {
  let text = '';
  const parts: { stream: string; data: Buffer }[] = [];
  const waiters: Array<{ re: RegExp; resolve: (m: RegExpMatchArray) => void }> = [];
  const viewer = s.watch((c, stream) => {
    text += c.toString('latin1'); parts.push({ stream, data: c });
    for (const w of [...waiters]) { const m = text.match(w.re); if (m) { waiters.splice(waiters.indexOf(w), 1); w.resolve(m); } }
  }, () => undefined, opts);
  return {
    viewer, parts, get text() { return text; },
    until(re: RegExp, ms = 5000): Promise<RegExpMatchArray> {
      const m = text.match(re);
      if (m) return Promise.resolve(m);
      return new Promise((resolve, reject) => {
        const w = { re, resolve };
        waiters.push(w);
        setTimeout(() => { if (waiters.includes(w)) reject(new Error(`timed out waiting for ${re} in ${JSON.stringify(text.slice(-300))}`)); }, ms);
      });
    },
  };
}

async function ttyShell(name: string) {
  const c = await engine.containers.create({ rootfs: d.rootfs, name, cmd: ['sh'], tty: true, openStdin: true, consoleSize: { rows: 30, cols: 100 } });
  const s = await engine.sessions!.attach(c.id);
  await engine.containers.start(c.id);
  return { c, s };
}

test('tty: initial size, then 40x120 after resize; interactive shell computes 6*7', async () => {
  const { s } = await ttyShell('tty1');
  const out = collect(s);
  await s.write('stty size\n');
  await out.until(/30 100/);
  await s.resize(40, 120);
  await s.write('stty size\n');
  await out.until(/40 120/);
  await s.write('echo $((6*7))\n');
  await out.until(/\r\n42\r\n/);
  out.viewer.close();
});

test('tty exec session: initial size and resize', async () => {
  const c = await engine.containers.create({ rootfs: d.rootfs, name: 'exec-tty', cmd: ['sleep', '300'] });
  await engine.containers.start(c.id);
  const s = await engine.sessions!.exec(c.id, { cmd: ['sh'], tty: true, stdin: true, rows: 33, cols: 99 });
  const out = collect(s);
  await s.write('stty size\n');
  await out.until(/33 99/);
  await s.resize(40, 120);
  await s.write('stty size\n');
  await out.until(/40 120/);
  await s.write('exit 5\n');
  assert.equal(await s.exited, 5);
});

test('non-tty: stdout and stderr arrive separately; cat echoes every byte 0-255; EOF ends cat with 0', async () => {
  const c = await engine.containers.create({ rootfs: d.rootfs, name: 'cat', cmd: ['sh', '-c', 'echo out; echo err >&2; exec cat'], openStdin: true });
  const s = await engine.sessions!.attach(c.id);
  const out = collect(s);
  const exit = engine.containers.wait(c.id, 'next-exit');
  await engine.containers.start(c.id);
  await out.until(/out\n/);
  const all = Buffer.alloc(256); for (let i = 0; i < 256; i++) all[i] = i;
  await s.write(all);
  await s.closeStdin();
  assert.equal(await exit, 0);
  await s.exited;
  const stdout = Buffer.concat(out.parts.filter((p) => p.stream === 'stdout').map((p) => p.data));
  const stderr = Buffer.concat(out.parts.filter((p) => p.stream === 'stderr').map((p) => p.data));
  assert.equal(stderr.toString(), 'err\n');
  assert.deepEqual(stdout, Buffer.concat([Buffer.from('out\n'), all]));
});

test('detach keys leave the container running and re-attachable; two viewers; late viewer gets scrollback', async () => {
  const { c, s } = await ttyShell('detach');
  const a = collect(s), b = collect(s);
  await s.write('echo hello-$((1+1))\n');
  await a.until(/hello-2/);
  await b.until(/hello-2/);
  // a client types ctrl-p ctrl-q: its filter detaches it; nothing reaches the container
  const f = new DetachFilter(parseDetachKeys());
  const r = f.push(Buffer.from([0x10, 0x11]));
  assert.equal(r.detach, true);
  assert.equal(r.data.length, 0);
  a.viewer.close();
  await sleep(200);
  assert.equal(engine.containers.inspect(c.id).status, 'running');
  const late = collect(s);
  assert.match(late.text, /hello-2/, 'late viewer got the scrollback');
  await s.close(); // engine-side detach
  assert.equal(engine.containers.inspect(c.id).status, 'running');
  const again = await engine.sessions!.attach(c.id);
  assert.notEqual(again.id, s.id);
  const o = collect(again, { scrollback: false });
  await again.write('echo back-$((2+3))\n');
  await o.until(/back-5/);
  await engine.containers.stop(c.id, 0);
});

test('detach filter passes other bytes through and supports custom keys', () => {
  const f = new DetachFilter(parseDetachKeys('ctrl-a,x'));
  assert.deepEqual(f.push(Buffer.from('ab\x01c')), { data: Buffer.from('ab\x01c'), detach: false });
  assert.equal(f.push(Buffer.from('\x01x')).detach, true);
  assert.throws(() => parseDetachKeys('ctrl-'), /invalid detach key/);
});

test('exec exit codes, missing binary, paused and stopped containers', async () => {
  const c = await engine.containers.create({ rootfs: d.rootfs, name: 'execs', cmd: ['sleep', '300'] });
  await engine.containers.start(c.id);
  const run = async (cmd: string[]) => { const s = await engine.sessions!.exec(c.id, { cmd }); collect(s); return s.exited; };
  assert.equal(await run(['true']), 0);
  assert.equal(await run(['sh', '-c', 'exit 3']), 3);
  await assert.rejects(engine.sessions!.exec(c.id, { cmd: ['/no/such/binary'] }), (e: Error & { code?: string }) => /cannot exec "\/no\/such\/binary" in container execs/.test(e.message) && e.code === 'ENOEXEC');
  await engine.containers.pause(c.id);
  await assert.rejects(engine.sessions!.exec(c.id, { cmd: ['true'] }), /container execs is paused, unpause the container before exec/);
  await engine.containers.unpause(c.id);
  // an exec session ends when its container stops
  const long = await engine.sessions!.exec(c.id, { cmd: ['sleep', '300'] });
  assert.ok(engine.sessions!.list().some((x) => x.id === long.id));
  await engine.containers.stop(c.id, 0);
  await long.exited;
  assert.ok(!engine.sessions!.list().some((x) => x.id === long.id), 'exec session cleaned up');
  await assert.rejects(engine.sessions!.exec(c.id, { cmd: ['true'] }), /is not running/);
});

test('200 MB through a slow consumer: bounded memory, no byte lost or reordered', async () => {
  // each line carries its sequence number; the consumer acks slowly
  const c = await engine.containers.create({ rootfs: d.rootfs, name: 'flood', cmd: ['sh', '-c', 'yes 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde | head -c 200000000'] });
  const s = await engine.sessions!.attach(c.id);
  const rss0 = process.memoryUsage().rss;
  let bytes = 0, maxRss = rss0, pendingAck = 0;
  const hash = createHash('sha256');
  const exit = engine.containers.wait(c.id, 'next-exit');
  const done = new Promise<void>((resolve) => {
    const viewer = s.watch((chunk) => {
      bytes += chunk.length; hash.update(chunk); pendingAck += chunk.length;
      if (pendingAck >= 64 * 1024) {
        const n = pendingAck; pendingAck = 0;
        setTimeout(() => { viewer.ack(n); maxRss = Math.max(maxRss, process.memoryUsage().rss); }, 2); // slow consumer
      }
    }, () => resolve(), { flowControl: true });
  });
  await engine.containers.start(c.id);
  await done;
  assert.equal(await exit, 0);
  assert.equal(bytes, 200_000_000);
  const line = '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\n';
  const expected = createHash('sha256');
  const full = Buffer.from(line.repeat(Math.floor(200_000_000 / line.length)));
  expected.update(full); expected.update(Buffer.from(line.slice(0, 200_000_000 - full.length)));
  assert.equal(hash.digest('hex'), expected.digest('hex'), 'content identical and in order');
  assert.ok(maxRss - rss0 < 50 * 1024 * 1024 + full.length, `rss grew by ${((maxRss - rss0) / 1e6).toFixed(1)} MB`);
});
