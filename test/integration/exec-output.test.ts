// Issue 11 item 1 through the engine call: every byte of a fast exec's stdout and stderr and its
// exit code reach a viewer, however fast the process is and however late the viewer joins.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openEngine } from '../../electron/engine/open';
import type { Engine } from '../../electron/engine/engine';
import type { Session } from '../../electron/engine/sessions/types';
import { testDirs, type TestDirs } from '../helpers/rootfs';

let d: TestDirs;
let engine: Engine;
let cid: string;

before(async () => {
  d = testDirs();
  engine = await openEngine({ root: d.root, runroot: d.runroot });
  const c = await engine.containers.create({ rootfs: d.rootfs, name: 'execs', cmd: ['sleep', '600'] });
  await engine.containers.start(c.id);
  cid = c.id;
});
after(async () => {
  for (const c of engine.containers.list()) await engine.containers.remove(c.id, { force: true }).catch(() => undefined);
  await engine.close();
  d.cleanup();
});

/** Everything a flow-controlled viewer gets, and the exit code the session reports at its end. */
function drain(s: Session): Promise<{ out: string; err: string; code?: number }> {
  return new Promise((resolve) => {
    const parts = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
    let viewer: { ack(n: number): void } | undefined;
    let early = 0;
    viewer = s.watch((c, stream) => {
      parts[stream].push(c);
      if (viewer) viewer.ack(c.length); else early += c.length;
    }, (code) => resolve({ out: Buffer.concat(parts.stdout).toString(), err: Buffer.concat(parts.stderr).toString(), code }),
    { scrollback: true, flowControl: true });
    viewer.ack(early);
  });
}

test('300 fast execs (stdout, stderr, exit code; tty and not) lose nothing', async () => {
  const failures: string[] = [];
  for (let i = 0; i < 300; i++) {
    const tty = i % 5 === 4;
    const s = await engine.sessions!.exec(cid, { cmd: ['sh', '-c', `echo out-${i}; echo err-${i} >&2; exit ${i % 7}`], tty });
    const r = await drain(s);
    const want = tty ? { out: `out-${i}\r\nerr-${i}\r\n`, err: '' } : { out: `out-${i}\n`, err: `err-${i}\n` };
    if (r.out !== want.out || r.err !== want.err || r.code !== i % 7) failures.push(`#${i} tty=${tty}: ${JSON.stringify(r)}`);
  }
  assert.deepEqual(failures, []);
});

test('a viewer that joins after the process wrote 2 MB still gets every byte', async () => {
  const s = await engine.sessions!.exec(cid, { cmd: ['sh', '-c', 'yes 0123456789abcdef | head -c 2097152; echo done >&2'] });
  // a slow client: the process has long filled any scrollback before anyone watches
  await new Promise((r) => setTimeout(r, 300));
  const r = await drain(s);
  assert.equal(r.out.length, 2097152);
  assert.equal(r.out.slice(0, 17), '0123456789abcdef\n');
  assert.equal(r.err, 'done\n');
  assert.equal(r.code, 0);
});
