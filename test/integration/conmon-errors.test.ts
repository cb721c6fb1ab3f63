// conmon failing to start: what it printed (2.1.6 prints option errors on stdout) is in the user's error,
// and nothing is left behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openEngine } from '../../electron/engine/open';
import { testDirs } from '../helpers/rootfs';
import { runcStatus } from '../helpers/crash';

test('an option conmon rejects: its stdout message reaches the start error; the container stays startable', { timeout: 60_000 }, async () => {
  const d = testDirs();
  const engine = await openEngine({ root: d.root, runroot: d.runroot, logSizeMax: 1.5 });
  try {
    const c = await engine.containers.create({ rootfs: d.rootfs, name: 'badopt', cmd: ['true'] });
    await assert.rejects(engine.containers.start(c.id), (e: Error) => {
      assert.match(e.message, /conmon failed for container badopt: conmon: option parsing failed: Cannot parse integer value .*1\.5.* for --log-size-max/);
      return true;
    });
    assert.equal(engine.containers.inspect(c.id).status, 'created');
    assert.equal(runcStatus(d, c.id), undefined);
  } finally {
    for (const c of engine.containers.list()) await engine.containers.remove(c.id, { force: true }).catch(() => undefined);
    await engine.close();
    d.cleanup();
  }
});
