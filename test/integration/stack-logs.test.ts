// A compose stack's interleaved logs (rpc stacks.followLogs) on real containers: history of every service merged
// by time, then live lines from all of them, each tagged with its service; nothing lost or repeated at the seam.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openEngine } from '../../electron/engine/open';
import type { Engine } from '../../electron/engine/engine';
import type { LogLine } from '../../electron/common/types';
import type { ServerMessage } from '../../electron/common/contract';
import { LogFollows } from '../../electron/rpc/logs';
import { testDirs, type TestDirs } from '../helpers/rootfs';

let d: TestDirs;
let engine: Engine;
const skip = process.getuid?.() !== 0 ? 'needs root (conmon + runc)' : undefined;

before(async () => { if (skip) return; d = testDirs(); engine = await openEngine({ root: d.root, runroot: d.runroot }); });
after(async () => {
  if (skip) return;
  for (const c of engine.containers.list()) await engine.containers.remove(c.id, { force: true }).catch(() => undefined);
  await engine.close();
  d.cleanup();
});

function service(name: string, script: string) {
  return engine.containers.create({ rootfs: d.rootfs, name, cmd: ['sh', '-c', script],
    labels: { 'com.docker.compose.project': 'shop', 'com.docker.compose.service': name } });
}

test('stack logs: history interleaved by time, then live lines of every service', { skip }, async () => {
  // each service prints its history, then waits for a go file before printing its live line
  const script = (n: string) => `for i in 1 2 3; do echo ${n}-$i; done; while [ ! -f /tmp/go ]; do sleep 0.05; done; echo ${n}-live`;
  const web = await service('web', script('web'));
  const db = await service('db', script('db'));
  const pending = [engine.containers.wait(web.id, 'next-exit'), engine.containers.wait(db.id, 'next-exit')];
  await engine.containers.start(web.id);
  await engine.containers.start(db.id);
  const lines: LogLine[] = [];
  let notify = () => undefined as void;
  const follows = new LogFollows(engine, (m: ServerMessage) => {
    if (m.t === 'stream' && m.kind === 'logs' && m.payload.lines) { lines.push(...m.payload.lines); notify(); }
  });
  const until = (pred: () => boolean, what: string) => new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out waiting for ${what}: ${JSON.stringify(lines)}`)), 20_000);
    notify = () => { if (pred()) { clearTimeout(t); resolve(); } };
    notify();
  });
  // history first: both services' three lines (the containers block on /tmp/go until we let them go)
  const historyDone = () => ['web', 'db'].every((s) => lines.filter((l) => l.source === s).length >= 3);
  const waitHistory = async () => {
    for (;;) {
      const ok = await Promise.all([web, db].map(async (c) => {
        let n = 0;
        for await (const _ of engine.containers.logs(c.id, { follow: false })) n++;
        return n >= 3;
      }));
      if (ok.every(Boolean)) return;
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  await waitHistory();
  const stream = follows.openStack('shop', 100);
  await until(historyDone, 'history of both services');
  const times = lines.map((l) => l.time);
  assert.deepEqual(times, [...times].sort(), 'history is in time order');
  // let both go (the two containers share the test's rootfs directory, so one touch releases both)
  const go = await engine.sessions!.exec(web.id, { cmd: ['touch', '/tmp/go'], attach: true });
  await go.exited;
  await until(() => lines.some((l) => l.text === 'web-live') && lines.some((l) => l.text === 'db-live'), 'live lines');
  await Promise.all(pending);
  follows.close(stream);
  const bySource = (s: string) => lines.filter((l) => l.source === s).map((l) => l.text);
  assert.deepEqual(bySource('web'), ['web-1', 'web-2', 'web-3', 'web-live']);
  assert.deepEqual(bySource('db'), ['db-1', 'db-2', 'db-3', 'db-live']);
  assert.throws(() => follows.openStack('nope'), /no container belongs to stack "nope"/);
});

test('stacks.remove with volumes: the project\'s containers and its labelled volumes go, other volumes stay', { skip }, async () => {
  const { removeStack } = await import('../../electron/rpc/stacks');
  await service('cache', 'true');
  const mine = await engine.volumes.create({ name: 'shop_data', labels: { 'com.docker.compose.project': 'shop' } });
  const other = await engine.volumes.create({ name: 'blog_data', labels: { 'com.docker.compose.project': 'blog' } });
  await removeStack(engine, 'shop', true);
  assert.deepEqual(engine.containers.list().filter((c) => c.labels['com.docker.compose.project'] === 'shop'), []);
  const names = engine.volumes.list().map((v) => v.name);
  assert.ok(!names.includes(mine.name), `${mine.name} removed`);
  assert.ok(names.includes(other.name), `${other.name} kept`);
  await engine.volumes.remove(other.name);
});
