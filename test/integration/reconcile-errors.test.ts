// Engine start with a stale or garbage conmon PID and an unreadable runtime state: only the runtime's
// "container does not exist" means gone; nothing healthy is deleted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { openEngine } from '../../electron/engine/open';
import { testDirs } from '../helpers/rootfs';
import { killChild, runcStatus, spawnEngineChild } from '../helpers/crash';

function editRecord(root: string, id: string, fn: (r: { state: { conmonPid: number } }) => void): void {
  const file = path.join(root, 'containers', id, 'container.json');
  const r = JSON.parse(readFileSync(file, 'utf8'));
  fn(r);
  writeFileSync(file, JSON.stringify(r));
}

test('garbage conmon PID is re-found; an unreadable runtime state leaves the container running, with the reason', { timeout: 60_000 }, async () => {
  const d = testDirs();
  const { child, ids: [a, b] } = await spawnEngineChild(d, [{ name: 'ra', cmd: ['sleep', '300'] }, { name: 'rb', cmd: ['sleep', '300'] }]);
  await killChild(child);
  const stateFile = path.join(d.runroot, 'runc', b, 'state.json');
  const goodState = readFileSync(stateFile, 'utf8');
  const pidOfB = (JSON.parse(goodState) as { init_process_pid: number }).init_process_pid;
  const realConmonA = JSON.parse(readFileSync(path.join(d.root, 'containers', a, 'container.json'), 'utf8')).state.conmonPid;
  editRecord(d.root, a, (r) => { r.state.conmonPid = 1; }); // alive, but not a conmon
  editRecord(d.root, b, (r) => { r.state.conmonPid = -7; });
  writeFileSync(stateFile, '{ this is not json');
  let engine = await openEngine({ root: d.root, runroot: d.runroot });
  try {
    const ia = engine.containers.get(a);
    assert.equal(ia.state.status, 'running');
    assert.equal(ia.state.conmonPid, realConmonA, "found again as the container's parent");
    assert.equal(ia.state.error, undefined);
    const ib = engine.containers.get(b);
    assert.equal(ib.state.status, 'running', 'left as it was');
    assert.match(ib.state.error ?? '', /cannot read the runtime's state of container .*; left as it was/);
    process.kill(pidOfB, 0); // still alive: nothing was deleted
    await engine.close();

    writeFileSync(stateFile, goodState);
    engine = await openEngine({ root: d.root, runroot: d.runroot });
    assert.equal(engine.containers.get(b).state.status, 'running');
    assert.equal(engine.containers.get(b).state.error, undefined, 'readable again: the note is gone');
    assert.equal(runcStatus(d, b), 'running');
  } finally {
    for (const c of engine.containers.list()) await engine.containers.remove(c.id, { force: true }).catch(() => undefined);
    await engine.close();
    d.cleanup();
  }
});
