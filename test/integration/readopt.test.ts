// The engine can die at any moment; containers live on and are re-adopted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
import { fileURLToPath } from 'node:url';
import { openEngine } from '../../electron/engine/open';
import { testDirs } from '../helpers/rootfs';
import { until } from '../helpers/wait';

const here = path.dirname(fileURLToPath(import.meta.url));

test('SIGKILLed engine: 3 containers still running, 2 exited meanwhile with their codes, logs intact', async () => {
  const d = testDirs();
  const spec = [
    { name: 'keep1', cmd: ['sh', '-c', 'echo keep1; sleep 300'] },
    { name: 'keep2', cmd: ['sh', '-c', 'echo keep2; sleep 300'] },
    { name: 'keep3', cmd: ['sh', '-c', 'echo keep3; sleep 300'] },
    // they end once /tmp/go exists: after the engine is killed
    { name: 'exit3', cmd: ['sh', '-c', 'echo bye3; until [ -e /tmp/go ]; do sleep 0.05; done; exit 3'] },
    { name: 'exit4', cmd: ['sh', '-c', 'echo bye4; until [ -e /tmp/go ]; do sleep 0.05; done; exit 4'] },
  ];
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, '..', 'helpers', 'engine-child.ts'), d.root, d.runroot, d.rootfs, JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const ready = await new Promise<string[]>((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (b) => { buf += b; const m = buf.match(/\{"ready".*\}\n/); if (m) resolve(JSON.parse(m[0]).ready); });
    child.on('exit', (c) => reject(new Error(`engine child exited early (${c})`)));
  });
  assert.equal(ready.length, 5);
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  writeFileSync(path.join(d.rootfs, 'tmp', 'go'), '');
  // exit3/exit4 end while no engine runs: conmon writes their exit files
  await until(() => ready.slice(3).every((id) => existsSync(path.join(d.runroot, 'exits', id))), 'exit files of exit3 and exit4');

  const engine = await openEngine({ root: d.root, runroot: d.runroot });
  try {
    const byName = Object.fromEntries(engine.containers.list().map((c) => [c.name, c]));
    for (const n of ['keep1', 'keep2', 'keep3']) assert.equal(byName[n].status, 'running', `${n} is running`);
    assert.equal(byName.exit3.status, 'exited');
    assert.equal(byName.exit3.exitCode, 3);
    assert.equal(byName.exit4.exitCode, 4);
    for (const n of ['keep1', 'exit3']) {
      const read = async () => { const l: string[] = []; for await (const e of engine.containers.logs(n, {})) l.push(e.line.toString()); return l; };
      // exit3's log is complete (conmon drains before its exit file); keep1's line may still be on its way
      const lines = n === 'exit3' ? await read() : await until(async () => { const l = await read(); return l.length && l; }, 'keep1\'s first line');
      assert.deepEqual(lines, [n === 'keep1' ? 'keep1' : 'bye3']);
    }
    // re-adopted containers are fully controllable: a stop is seen through the exit dir
    await engine.containers.stop('keep1', 0);
    assert.equal(engine.containers.inspect('keep1').exitCode, 137);
  } finally {
    for (const c of engine.containers.list()) await engine.containers.remove(c.id, { force: true }).catch(() => undefined);
    await engine.close();
    d.cleanup();
  }
});

function fdCount(): number { return readdirSync('/proc/self/fd').length; }
function conmonCount(root: string): number {
  let n = 0;
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const cmd = readlinkSync(`/proc/${p}/exe`);
      if (cmd.endsWith('/conmon') && (require('node:fs').readFileSync(`/proc/${p}/cmdline`, 'utf8') as string).includes(root)) n++;
    } catch { /* gone */ }
  }
  return n;
}

test('50 containers created, started, stopped and removed concurrently: no leaks', async () => {
  const d = testDirs();
  const engine = await openEngine({ root: d.root, runroot: d.runroot });
  try {
    const fds0 = fdCount();
    const ids = await Promise.all(Array.from({ length: 50 }, async (_, i) => {
      const c = await engine.containers.create({ rootfs: d.rootfs, name: `c${i}`, cmd: ['sleep', '300'] });
      await engine.containers.start(c.id);
      return c.id;
    }));
    assert.equal(engine.containers.list().filter((c) => c.status === 'running').length, 50);
    await Promise.all(ids.map((id) => engine.containers.stop(id, 0)));
    assert.ok(engine.containers.list().every((c) => c.status === 'exited' && c.exitCode === 137));
    await Promise.all(ids.map((id) => engine.containers.remove(id)));
    assert.equal(engine.containers.list().length, 0);
    // conmon exits right after writing the exit file the stop waited for
    await until(() => conmonCount(d.root) === 0, 'every conmon to exit');
    const zombies = readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
      try { const st = require('node:fs').readFileSync(`/proc/${p}/stat`, 'utf8') as string; return /\) Z /.test(st) && st.split(' ')[3] === String(process.pid); } catch { return false; }
    });
    assert.deepEqual(zombies, [], 'no zombie children');
    assert.ok(fdCount() <= fds0 + 2, `open fds ${fds0} → ${fdCount()}`);
  } finally {
    await engine.close();
    d.cleanup();
  }
});
