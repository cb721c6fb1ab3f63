// A runtime container that outlives its exit (docs/engine.md, "Runtime state that outlives an exit"). runc 1.1
// exits 0 from `checkpoint` and `delete` when its destroy finds the container's process not yet dead: it only logs
// "container still running" and leaves its state dir, so a later create or restore of the id fails with "container
// with given ID already exists". The engine runs here with a real runc behind a wrapper that, on request, answers
// those two commands the way runc does then (state left, warning, exit 0); everything else is runc itself.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { openEngine } from '../../electron/engine/open';
import type { Engine } from '../../electron/engine/engine';
import { findBinary } from '../../electron/engine/runtime/discovery';
import { testDirs, type TestDirs } from '../helpers/rootfs';

let d: TestDirs;
let engine: Engine;
let refuseDir: string;

// While refuse/<id> holds a positive count, a `delete` of <id>, or a `checkpoint` of <id> without --leave-running,
// uses up one and leaves the container's state dir as runc's refused destroy does.
const WRAPPER = (real: string, refuse: string) => `#!/bin/sh
root=; cmd=; id=; keep=; prev=
for a in "$@"; do
  [ "$prev" = --root ] && root=$a
  case "$a" in delete|checkpoint) [ -z "$cmd" ] && cmd=$a;; --leave-running) keep=1;; esac
  prev=$a; id=$a
done
n=$(cat "${refuse}/$id" 2>/dev/null || echo 0)
if [ -z "$keep" ] && [ "$n" -gt 0 ] && { [ "$cmd" = delete ] || [ "$cmd" = checkpoint ]; }; then
  echo $((n - 1)) > "${refuse}/$id"
  warn='level=error msg="container still running"'
  [ "$cmd" = delete ] && { echo "$warn" >&2; exit 0; }
  cp -a "$root/$id" "${refuse}/$id.state"
  "${real}" "$@"; rc=$?
  [ -e "$root/$id" ] || { mv "${refuse}/$id.state" "$root/$id"; echo "$warn" >&2; }
  rm -rf "${refuse}/$id.state"
  exit $rc
fi
exec "${real}" "$@"
`;

before(async () => {
  d = testDirs('pier-rk-');
  const real = await findBinary('runc');
  assert.ok(real, 'runc is installed');
  refuseDir = path.join(d.base, 'refuse');
  fs.mkdirSync(path.join(d.base, 'bin'));
  fs.mkdirSync(refuseDir);
  const wrapper = path.join(d.base, 'bin', 'runc'); // named runc: the engine treats it as runc
  fs.writeFileSync(wrapper, WRAPPER(real!, refuseDir), { mode: 0o755 });
  engine = await openEngine({ root: d.root, runroot: d.runroot, runtime: wrapper });
});
after(async () => {
  for (const c of engine.containers.list())
    await engine.containers.remove(c.id, { force: true }).catch(() => undefined);
  await engine.close();
  d.cleanup();
});

/** The runtime's state dir for `id` exists (what runc checks before a create or restore). */
const runtimeHolds = (id: string) => fs.existsSync(path.join(engine.runtime.opts.runtimeRoot, id));
/** The runtime leaves its state the next `times` deletes (and dumps) of `id`. */
const refuse = (id: string, times: number) => fs.writeFileSync(path.join(refuseDir, id), String(times));
const refusalsLeft = (id: string) => Number(fs.readFileSync(path.join(refuseDir, id), 'utf8'));

async function sleeper(name: string, extra: { restartPolicy?: { name: 'always' } } = {}): Promise<string> {
  const c = await engine.containers.create({ name, rootfs: d.rootfs, cmd: ['sleep', '1000'], ...extra });
  await engine.containers.start(c.id);
  return c.id;
}

/** The record after an exit whose runtime delete was refused: exited, and still owning the runtime container. */
function assertKept(id: string, what: string): void {
  const s = engine.containers.get(id).state;
  assert.equal(s.status, 'exited', what);
  assert.equal(s.initialized, true, `${what}: the record keeps the runtime container the runtime still holds`);
  assert.ok(runtimeHolds(id), `${what}: the runtime's state dir is still there`);
}

test('start after an exit whose runtime delete left the runtime state: the leftover is deleted first', async () => {
  const id = await sleeper('kept-start');
  refuse(id, 1);
  await engine.containers.stop(id, 0);
  assert.equal(refusalsLeft(id), 0, 'the exit tried to delete the runtime container');
  assertKept(id, 'after stop');
  await engine.containers.start(id);
  assert.equal(engine.containers.inspect(id).status, 'running');
  const st = await engine.runtime.state(id);
  assert.equal(st?.status, 'running', 'the runtime runs the new container');
  await engine.containers.remove(id, { force: true });
  assert.equal(runtimeHolds(id), false, 'remove leaves nothing in the runtime');
});

test('restore in place after a checkpoint whose dump and exit both left the runtime state', async (t) => {
  const cap = engine.checkpoints!.capability();
  if (!cap.supported) {
    t.skip(`checkpoint unsupported here: ${cap.reason}`);
    return;
  }
  const id = await sleeper('kept-restore');
  refuse(id, 2); // runc checkpoint's own destroy, then the exit's delete
  const cp = await engine.checkpoints!.create(id, {});
  assert.equal(refusalsLeft(id), 0, 'the dump and the exit both tried to destroy the runtime container');
  assertKept(id, 'after the checkpoint');
  await engine.checkpoints!.restore(cp.id);
  assert.equal(engine.containers.inspect(id).status, 'running', 'restored in place');
  assert.equal((await engine.runtime.state(id))?.status, 'running', 'the runtime runs the restored container');
  await engine.checkpoints!.remove(cp.id);
  await engine.containers.remove(id, { force: true });
});

test('a runtime state the record does not know of (left after a recorded exit) is discarded before start', async () => {
  const id = await sleeper('unknown-leftover');
  const state = path.join(engine.runtime.opts.runtimeRoot, id);
  const saved = path.join(d.base, 'saved-state');
  fs.cpSync(state, saved, { recursive: true });
  await engine.containers.stop(id, 0);
  assert.equal(engine.containers.get(id).state.initialized, false, 'the exit deleted the runtime container');
  fs.cpSync(saved, state, { recursive: true }); // the runtime holds the dead container again
  await engine.containers.start(id);
  assert.equal((await engine.runtime.state(id))?.status, 'running', 'the runtime runs the new container');
  await engine.containers.remove(id, { force: true });
  assert.equal(runtimeHolds(id), false);
});

test('remove while the runtime still refuses: a clear error, the record kept; the next remove succeeds', async () => {
  const id = await sleeper('kept-remove');
  refuse(id, 2);
  await engine.containers.stop(id, 0);
  assertKept(id, 'after stop');
  await assert.rejects(engine.containers.remove(id), (e: Error) => {
    assert.match(e.message, new RegExp(`cannot delete container ${id} from the runtime: container still running`));
    return true;
  });
  assertKept(id, 'after the failed remove');
  await engine.containers.remove(id);
  assert.equal(engine.containers.d.store.find(id), undefined, 'the record is gone');
  assert.equal(runtimeHolds(id), false, 'the runtime state is gone');
});

test('a checkpoint that ends the container is a stop by the user: no policy restart follows', async (t) => {
  const cap = engine.checkpoints!.capability();
  if (!cap.supported) {
    t.skip(`checkpoint unsupported here: ${cap.reason}`);
    return;
  }
  const id = await sleeper('kept-policy', { restartPolicy: { name: 'always' } });
  const cp = await engine.checkpoints!.create(id, {});
  // the supervisor reacts to the exit event with a locked state change; one more locked step comes after it
  await engine.containers.updateState(id, () => undefined);
  const s = engine.containers.get(id).state;
  assert.equal(s.status, 'exited');
  assert.equal(s.stoppedByUser, true, 'the checkpoint counts as a stop by the user');
  assert.ok(!s.restarting, 'no policy restart is pending');
  await engine.checkpoints!.remove(cp.id);
  await engine.containers.remove(id, { force: true });
});

test('an auto-remove that fails after its removed event puts the record back, exited, with the reason', async () => {
  const c = await engine.containers.create({
    name: 'kept-auto',
    rootfs: d.rootfs,
    cmd: ['sh', '-c', 'read x; exit 5'],
    openStdin: true,
    autoRemove: true,
  });
  refuse(c.id, 1);
  const session = await engine.sessions.attach(c.id);
  await engine.containers.start(c.id);
  const removed = engine.containers.wait(c.id, 'removed');
  await session.write('go\n');
  assert.equal(await removed, 5);
  await engine.containers.settled();
  assert.equal(refusalsLeft(c.id), 0, 'the removal tried to delete the runtime container');
  const s = engine.containers.get(c.id).state;
  assert.equal(s.status, 'exited');
  assert.equal(s.exitCode, 5);
  assert.match(
    s.error ?? '',
    new RegExp(`auto-remove failed: cannot delete container ${c.id} from the runtime: container still running`),
  );
  await engine.containers.remove(c.id);
  assert.equal(runtimeHolds(c.id), false, 'the next remove deletes it');
});
