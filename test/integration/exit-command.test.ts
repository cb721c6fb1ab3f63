// conmon's exit command (`pier container cleanup`): exits are recorded, runtime state deleted and --rm
// containers removed while no engine runs; with an engine running the two share the container lock and the
// engine publishes each event once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { openEngine } from '../../electron/engine/open';
import { testDirs } from '../helpers/rootfs';
import { diskRecord, killChild, pierBin, runcStatus, spawnEngineChild, until } from '../helpers/crash';

test('no engine running: exit code and time recorded, runtime state deleted, --rm container removed', async () => {
  const d = testDirs();
  const { child, ids: [exit3, rm0, keep] } = await spawnEngineChild(d, [
    { name: 'exit3', cmd: ['sh', '-c', 'sleep 1; exit 3'] },
    { name: 'rm0', cmd: ['sh', '-c', 'sleep 1'], autoRemove: true },
    { name: 'keep', cmd: ['sleep', '300'] },
  ]);
  await killChild(child);
  try {
    const rec = await until('exit3 recorded on disk', () => diskRecord(d, exit3)?.state.status === 'exited' && diskRecord(d, exit3));
    assert.equal(rec.state.exitCode, 3);
    const exitFile = statSync(path.join(d.runroot, 'exits', exit3));
    assert.equal(new Date(rec.state.finishedAt!).getTime(), exitFile.ctime.getTime(), 'FinishedAt is the exit file\'s time');
    assert.equal(runcStatus(d, exit3), undefined, 'runtime state deleted');
    await until('rm0 removed', () => !existsSync(path.join(d.root, 'containers', rm0)));
    assert.equal(runcStatus(d, rm0), undefined);
    assert.ok(!existsSync(path.join(d.runroot, 'containers', rm0)), 'run files removed');
    assert.ok(!existsSync(path.join(d.runroot, 'exits', rm0)), 'exit file removed');
    assert.equal(diskRecord(d, keep)?.state.status, 'running', 'a running container is left alone');

    const engine = await openEngine({ root: d.root, runroot: d.runroot });
    try {
      assert.deepEqual(engine.containers.list().map((c) => c.name).sort(), ['exit3', 'keep']);
      assert.equal(engine.containers.inspect('exit3').exitCode, 3);
      assert.equal(engine.containers.inspect('keep').status, 'running');
    } finally {
      for (const c of engine.containers.list()) await engine.containers.remove(c.id, { force: true }).catch(() => undefined);
      await engine.close();
    }
  } finally { d.cleanup(); }
});

test('engine running, cleanup racing it: one exited and one removed event, the record gone once', async () => {
  const d = testDirs();
  const engine = await openEngine({ root: d.root, runroot: d.runroot });
  try {
    const events: string[] = [];
    engine.events.subscribe((e) => { if (e.type === 'container' && e.name === 'race') events.push(e.action); });
    const c = await engine.containers.create({ rootfs: d.rootfs, name: 'race', cmd: ['sh', '-c', 'read x; exit 7'], openStdin: true, autoRemove: true });
    await engine.containers.start(c.id);
    const removed = engine.containers.wait(c.id, 'removed');
    // three cleanups started by hand wait on the container's lock while the engine handles the exit itself
    const cleanups = Array.from({ length: 3 }, () => new Promise<number>((resolve) => {
      const p = spawn(process.execPath, [pierBin, 'container', 'cleanup', '--root', d.root, '--runroot', d.runroot, '--runtime', engine.info().runtime.path, c.id], { stdio: 'inherit' });
      p.on('exit', (code) => resolve(code ?? -1));
    }));
    await engine.containers.kill(c.id, 'SIGKILL');
    assert.equal(await removed, 137);
    assert.deepEqual(await Promise.all(cleanups), [0, 0, 0]);
    assert.deepEqual(events.filter((a) => a === 'exited' || a === 'removed'), ['exited', 'removed']);
    assert.ok(!existsSync(path.join(d.root, 'containers', c.id)));
    assert.equal(runcStatus(d, c.id), undefined);
  } finally {
    await engine.close();
    d.cleanup();
  }
});

test('an exit while the engine closes is recorded by the engine or by cleanup, never lost', async () => {
  const d = testDirs();
  const engine = await openEngine({ root: d.root, runroot: d.runroot });
  const c = await engine.containers.create({ rootfs: d.rootfs, name: 'late', cmd: ['sh', '-c', 'sleep 0.3; exit 9'] });
  await engine.containers.start(c.id);
  await new Promise((r) => setTimeout(r, 250));
  await engine.close();
  try {
    const rec = await until('late recorded on disk', () => diskRecord(d, c.id)?.state.status === 'exited' && diskRecord(d, c.id));
    assert.equal(rec.state.exitCode, 9);
    assert.equal(runcStatus(d, c.id), undefined);
  } finally { d.cleanup(); }
});
