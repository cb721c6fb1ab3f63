// conmon killed while the engine runs: noticed through its pidfd, the container is exited (-1, with the reason),
// wait() returns, attach viewers and log followers end cleanly, and nothing of the container keeps running.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openEngine } from '../../electron/engine/open';
import { testDirs } from '../helpers/rootfs';
import { runcStatus } from '../helpers/crash';

test('SIGKILL to conmon: exited -1 with a reason within seconds; wait, attach and logs -f all end', { timeout: 60_000 }, async () => {
  const d = testDirs();
  const engine = await openEngine({ root: d.root, runroot: d.runroot });
  try {
    const c = await engine.containers.create({ rootfs: d.rootfs, name: 'orphan', cmd: ['sh', '-c', 'echo up; sleep 300'] });
    const session = await engine.sessions!.attach(c.id);
    await engine.containers.start(c.id);
    const attachEnded = new Promise<void>((resolve) => session.watch(() => undefined, () => resolve()));
    const follower = (async () => { const lines: string[] = []; for await (const e of engine.containers.logs(c.id, { follow: true })) lines.push(e.line.toString()); return lines; })();
    const waited = engine.containers.wait(c.id);
    const exitedEvents: number[] = [];
    engine.events.subscribe((e) => { if (e.type === 'container' && e.id === c.id && e.action === 'exited') exitedEvents.push(e.exitCode ?? NaN); });

    const conmonPid = engine.containers.get(c.id).state.conmonPid;
    const t0 = Date.now();
    process.kill(conmonPid, 'SIGKILL');
    assert.equal(await waited, -1);
    assert.ok(Date.now() - t0 < 5000, `noticed after ${Date.now() - t0} ms`);
    const s = engine.containers.inspect(c.id);
    assert.equal(s.status, 'exited');
    assert.equal(s.exitCode, -1);
    assert.match(s.error ?? '', new RegExp(`conmon \\(PID ${conmonPid}\\) died before the container exited`));
    assert.deepEqual(exitedEvents, [-1], 'one exited event');
    await attachEnded;
    assert.deepEqual(await follower, ['up']);
    assert.equal(runcStatus(d, c.id), undefined, 'the unsupervised container was deleted from the runtime');
    // and it can run again
    await engine.containers.start(c.id);
    assert.equal(engine.containers.inspect(c.id).status, 'running');
    assert.equal(engine.containers.inspect(c.id).error, undefined);
  } finally {
    for (const c of engine.containers.list()) await engine.containers.remove(c.id, { force: true }).catch(() => undefined);
    await engine.close();
    d.cleanup();
  }
});

test('conmon of a re-adopted container is watched too', { timeout: 60_000 }, async () => {
  const d = testDirs();
  let engine = await openEngine({ root: d.root, runroot: d.runroot });
  const c = await engine.containers.create({ rootfs: d.rootfs, name: 'adopted', cmd: ['sleep', '300'] });
  await engine.containers.start(c.id);
  await engine.close();
  engine = await openEngine({ root: d.root, runroot: d.runroot });
  try {
    const waited = engine.containers.wait(c.id);
    process.kill(engine.containers.get(c.id).state.conmonPid, 'SIGKILL');
    assert.equal(await waited, -1);
    assert.equal(runcStatus(d, c.id), undefined);
  } finally {
    for (const x of engine.containers.list()) await engine.containers.remove(x.id, { force: true }).catch(() => undefined);
    await engine.close();
    d.cleanup();
  }
});
