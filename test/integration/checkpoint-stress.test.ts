// Checkpoint consistency under a writer that truncates and rewrites a file as fast as it
// can: CRIU records the size of every file the process holds open and refuses to restore
// when the file differs, so each checkpoint's files must be captured at the moment of its
// memory dump. One process lives through every checkpoint and restore: the token it picked
// at start proves a restore resumed it (a restart picks a new one), and its count goes on
// from the value the checkpoint's rootfs diff holds.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as tar from 'tar-stream';
import { openEngine } from '../../electron/engine/open';
import type { Engine } from '../../electron/engine/engine';
import { testDirs, type TestDirs } from '../helpers/rootfs';
import { buildTestImages } from '../../scripts/build-test-images';

const ROUNDS = Number(process.env.PIER_STRESS_ROUNDS ?? 50);
// The content's length changes with every write (0-2 dots), so a file captured a moment
// after the dump almost never has the size CRIU recorded for it.
const WRITER = 't=$(cat /proc/sys/kernel/random/uuid); i=0; s=; while :; do i=$((i+1)); s=$s.; [ $s = ... ] && s=; '
  + 'echo "$t $i$s" > /tmp/counter; done';

let d: TestDirs;
let engine: Engine;
let imageRef: string;

before(async () => {
  d = testDirs('pier-cps-');
  engine = await openEngine({ root: d.root, runroot: d.runroot });
  const loaded = await engine.images!.load((await buildTestImages()).dockerArchive);
  imageRef = loaded.find((i) => i.repoTags.some((t) => t.includes('busybox')))!.repoTags[0];
});
after(async () => {
  for (const c of engine.containers.list()) await engine.containers.remove(c.id, { force: true }).catch(() => undefined);
  await engine.close();
  d.cleanup();
});

interface Count { token: string; n: number }
const parse = (s: string): Count | undefined => {
  const m = /^([0-9a-f-]{36}) (\d+)\.*\n$/.exec(s);
  return m ? { token: m[1], n: Number(m[2]) } : undefined;
};

/** tmp/counter as the container sees it (its snapshot's upper dir). */
const counterPath = (id: string) => path.join(engine.snapshotter!.diffDir(id)!, 'tmp/counter');

/** Waits for the writer's file to satisfy `ok`; the deadline only bounds a failure. */
async function waitCount(id: string, ok: (c: Count) => boolean, what: string): Promise<Count> {
  const end = Date.now() + 30_000;
  let last = '';
  for (;;) {
    last = fs.existsSync(counterPath(id)) ? fs.readFileSync(counterPath(id), 'utf8') : '(missing)';
    const c = parse(last);
    if (c && ok(c)) return c;
    if (Date.now() > end) throw new Error(`${what}: tmp/counter is ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** tmp/counter inside a checkpoint's rootfs-diff.tar: the content the dump recorded. */
async function dumpedContent(cpId: string): Promise<string> {
  const ex = tar.extract();
  let content: string | undefined;
  const reading = (async () => {
    for await (const e of ex) {
      const bufs: Buffer[] = [];
      for await (const b of e) bufs.push(b as Buffer);
      if (e.header.name.replace(/^\.?\//, '') === 'tmp/counter') content = Buffer.concat(bufs).toString();
    }
  })();
  fs.createReadStream(path.join(engine.checkpoints!.dataDir(cpId), 'rootfs-diff.tar')).pipe(ex);
  await reading;
  assert.ok(content !== undefined, `checkpoint ${cpId}: rootfs-diff.tar holds tmp/counter`);
  return content!;
}

test(`${ROUNDS} checkpoints of a file writer, each restored: leave-running or not, exported or not, in place or new`, { timeout: 30 * 60_000 }, async () => {
  const cps = engine.checkpoints!;
  const first = await engine.containers.create({ name: 'stress-0', image: imageRef, entrypoint: [], cmd: ['sh', '-c', WRITER] });
  await engine.containers.start(first.id);
  let cur = first.id;
  const { token } = await waitCount(cur, () => true, 'the writer starts');
  let floor = 0; // the count only grows: every restore resumes the same process
  const t0 = Date.now();
  for (let k = 0; k < ROUNDS; k++) {
    const leaveRunning = (k & 1) === 1, exported = (k & 2) === 2, asNew = (k & 4) === 4;
    const what = `round ${k} (${leaveRunning ? 'leave-running' : 'stop'}, ${exported ? 'export' : 'no export'}, ${asNew ? 'as a new container' : 'in place'})`;
    const cp = await cps.create(cur, { leaveRunning, export: exported, compression: 'none' });
    assert.equal(engine.containers.inspect(cur).status, leaveRunning ? 'running' : 'exited', what);
    const raw = await dumpedContent(cp.id);
    // the dump may catch the writer between truncate and write: then the file is empty
    const dumped = raw === '' ? undefined : parse(raw);
    assert.ok(raw === '' || dumped, `${what}: dumped tmp/counter is ${JSON.stringify(raw)}`);
    if (dumped) {
      assert.equal(dumped.token, token, `${what}: the dumped file was written by the first process`);
      assert.ok(dumped.n >= floor, `${what}: dumped count ${dumped.n} goes on from ${floor}`);
      floor = dumped.n;
    }
    if (leaveRunning) await waitCount(cur, (c) => c.n > floor, `${what}: the container runs on after the dump`);
    let next = cur;
    if (!asNew) {
      if (leaveRunning) await engine.containers.stop(cur, 0);
      await cps.restore(cp.id);
    } else {
      const name = `stress-${k + 1}`;
      next = (exported ? await cps.import(cp.archive!, { name }) : await cps.restore(cp.id, { name })).id;
      assert.notEqual(next, cur);
      await engine.containers.remove(cur, { force: true });
    }
    assert.equal(engine.containers.inspect(next).status, 'running', `${what}: restored`);
    const now = await waitCount(next, (c) => c.n > floor, `${what}: the restored writer counts on from ${floor}`);
    assert.equal(now.token, token, `${what}: the restored writer is the first process, resumed`);
    await cps.remove(cp.id);
    cur = next;
  }
  console.log(`# ${ROUNDS} checkpoint+restore rounds in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  await engine.containers.remove(cur, { force: true });
});
