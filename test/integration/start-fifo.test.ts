// Starting a created runc container in-process (runtime/exec-fifo.ts): runc's own view afterwards is what `runc
// start` leaves (running, no exec.fifo), the process runs to its exit with its output, and an init that died
// before the start fails the start with the reason instead of hanging. Real conmon + runc.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { openEngine } from '../../electron/engine/open';
import type { Engine } from '../../electron/engine/engine';
import { EXEC_FIFO } from '../../electron/engine/runtime/exec-fifo';
import { runcStatus } from '../helpers/crash';
import { testDirs, type TestDirs } from '../helpers/rootfs';

let d: TestDirs;
let engine: Engine;

before(async () => {
  d = testDirs();
  engine = await openEngine({ root: d.root, runroot: d.runroot });
});

after(async () => {
  await engine.close();
  d.cleanup();
});

const fifo = (id: string) => path.join(d.runroot, 'runc', id, EXEC_FIFO);

test('start of a created container: runc says running, the FIFO is gone, the process runs to its exit', async () => {
  const c = await engine.containers.create({ rootfs: d.rootfs, cmd: ['sh', '-c', 'read x; echo got-$x; exit 3'], openStdin: true });
  await engine.containers.init(c.id);
  assert.equal(runcStatus(d, c.id), 'created');
  assert.ok(existsSync(fifo(c.id)), 'a created container has its exec FIFO');
  const session = await engine.sessions.attach(c.id);
  let out = '';
  session.watch((b) => { out += b; }, () => undefined);
  await engine.containers.start(c.id);
  assert.equal(existsSync(fifo(c.id)), false, 'the FIFO is removed, as runc start removes it');
  assert.equal(runcStatus(d, c.id), 'running');
  const exited = engine.containers.wait(c.id);
  await session.write('ping\n');
  assert.equal(await exited, 3);
  assert.equal(out, 'got-ping\n');
  await engine.containers.remove(c.id);
});

test('a start after the init process died fails with the reason and does not hang', async () => {
  const c = await engine.containers.create({ rootfs: d.rootfs, cmd: ['true'] });
  const r = await engine.containers.init(c.id);
  process.kill(r.state.pid!, 'SIGKILL');
  await assert.rejects(engine.containers.start(c.id), (e: Error) => {
    assert.match(e.message, new RegExp(`cannot start container ${c.name}: container process is already dead`));
    return true;
  });
  await engine.containers.remove(c.id, { force: true });
  assert.equal(runcStatus(d, c.id), undefined);
});
