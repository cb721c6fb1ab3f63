// Closing the engine (app quit, `pier serve` stopped) leaves exec processes running, like containers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openEngine } from '../../electron/engine/open';
import { testDirs } from '../helpers/rootfs';
import { until } from '../helpers/crash';

const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };

test('engine close: detached and attached execs keep running; the container can still exec and stop', { timeout: 60_000 }, async () => {
  const d = testDirs();
  let engine = await openEngine({ root: d.root, runroot: d.runroot });
  try {
    const c = await engine.containers.create({ rootfs: d.rootfs, name: 'host1', cmd: ['sleep', '300'] });
    await engine.containers.start(c.id);
    const detached = await engine.sessions!.exec(c.id, { cmd: ['sleep', '301'], attach: false });
    const attached = await engine.sessions!.exec(c.id, { cmd: ['sleep', '302'] });
    const pids = [detached.info().id, attached.info().id].map((id) => (engine.sessions!.get(id) as unknown as { pid: number }).pid);
    assert.ok(pids.every((p) => p > 0));
    await engine.close();
    assert.ok(pids.every(alive), 'both exec processes outlive the engine');
    engine = await openEngine({ root: d.root, runroot: d.runroot });
    const again = await engine.sessions!.exec(c.id, { cmd: ['true'] });
    assert.equal(await again.exited, 0);
    await engine.containers.stop(c.id, 0);
    await until('exec processes end with their container', () => !pids.some(alive));
  } finally {
    for (const x of engine.containers.list()) await engine.containers.remove(x.id, { force: true }).catch(() => undefined);
    await engine.close();
    d.cleanup();
  }
});
