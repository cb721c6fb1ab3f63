// Engine core against real conmon + runc on an isolated root.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Engine } from '../../electron/engine/engine';
import { openEngine } from '../../electron/engine/open';
import { testDirs, type TestDirs } from '../helpers/rootfs';
import { until, readIfExists } from '../helpers/wait';

let d: TestDirs;
let engine: Engine;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

before(async () => { d = testDirs(); engine = await openEngine({ root: d.root, runroot: d.runroot }); });
after(async () => {
  for (const c of engine.containers.list()) await engine.containers.remove(c.id, { force: true }).catch(() => undefined);
  await engine.close();
  d.cleanup();
});

/** Whether the container's first process has started a child (e.g. sh's `sleep &`). */
function hasChild(id: string): boolean {
  const pid = engine.containers.get(id).state.pid;
  return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim() !== '';
}

async function runToExit(cmd: string[], opts: { signal?: string; all?: boolean; afterChild?: boolean } = {}) {
  const c = await engine.containers.create({ rootfs: d.rootfs, cmd });
  const w = engine.containers.wait(c.id, 'next-exit');
  await engine.containers.start(c.id);
  if (opts.afterChild) await until(() => hasChild(c.id), 'the container\'s child process');
  if (opts.signal) await engine.containers.kill(c.id, opts.signal, { all: opts.all });
  return { id: c.id, code: await w };
}

test('exit codes 0 and 7 are reported', async () => {
  assert.equal((await runToExit(['true'])).code, 0);
  const r = await runToExit(['sh', '-c', 'exit 7']);
  assert.equal(r.code, 7);
  assert.equal(engine.containers.inspect(r.id).status, 'exited');
  assert.equal(engine.containers.inspect(r.id).exitCode, 7);
});

test('KILL gives 137 and TERM gives 143', async () => {
  assert.equal((await runToExit(['sleep', '100'], { signal: 'KILL' })).code, 137);
  // PID 1 ignores TERM without a handler; the child killed by TERM makes sh exit 143
  assert.equal((await runToExit(['sh', '-c', 'sleep 100 & wait $!'], { signal: 'TERM', all: true, afterChild: true })).code, 143);
});

test('stop escalates to SIGKILL when the process traps TERM', async () => {
  const c = await engine.containers.create({ rootfs: d.rootfs, cmd: ['sh', '-c', 'trap "" TERM; while true; do sleep 0.1; done'] });
  await engine.containers.start(c.id);
  // no wait for the trap: PID 1 of a PID namespace ignores a TERM it has no handler for anyway
  const t0 = Date.now();
  await engine.containers.stop(c.id, 1);
  const took = Date.now() - t0;
  const s = engine.containers.inspect(c.id);
  assert.equal(s.status, 'exited');
  assert.equal(s.exitCode, 137);
  assert.ok(took >= 900, `stop waited for the timeout (${took} ms)`);
});

test('stop with timeout 0 kills at once', async () => {
  const c = await engine.containers.create({ rootfs: d.rootfs, cmd: ['sleep', '100'] });
  await engine.containers.start(c.id);
  await engine.containers.stop(c.id, 0);
  assert.equal(engine.containers.inspect(c.id).exitCode, 137);
});

test('pause stops a counter; unpause resumes it', async () => {
  const c = await engine.containers.create({ rootfs: d.rootfs, cmd: ['sh', '-c', 'i=0; while true; do i=$((i+1)); echo $i > /tmp/n; sleep 0.05; done'] });
  const rootfsFile = path.join(d.rootfs, 'tmp', 'n');
  rmSync(rootfsFile, { force: true });
  await engine.containers.start(c.id);
  await until(async () => Number(await readIfExists(rootfsFile)) > 1, 'the counter to count');
  await engine.containers.pause(c.id);
  assert.equal(engine.containers.inspect(c.id).status, 'paused');
  const a = readFileSync(rootfsFile, 'utf8');
  await sleep(400); // nothing to wait for: a paused counter must not move during this time
  const b = readFileSync(rootfsFile, 'utf8');
  assert.equal(a, b, 'counter did not advance while paused');
  await assert.rejects(engine.containers.pause(c.id), /already paused/);
  await engine.containers.unpause(c.id);
  await until(() => { const n = readFileSync(rootfsFile, 'utf8'); return n !== '' && n !== b; }, 'the counter to advance after unpause');
  await engine.containers.remove(c.id, { force: true });
});

test('illegal operations give clear errors', async () => {
  const r = await runToExit(['true']);
  await assert.rejects(engine.containers.pause(r.id), /is not running/);
  await assert.rejects(engine.containers.unpause(r.id), /is not paused/);
  await assert.rejects(engine.containers.kill(r.id, 'TERM'), /is not running/);
  await assert.rejects(async () => engine.containers.inspect('no-such-thing'), /no such container: no-such-thing/);
  const c = await engine.containers.create({ rootfs: d.rootfs, name: 'dup', cmd: ['sleep', '5'] });
  await assert.rejects(engine.containers.create({ rootfs: d.rootfs, name: 'dup', cmd: ['true'] }), /name "dup" is already in use/);
  await engine.containers.start(c.id);
  // a redundant start changes nothing and is no error (Docker's 304), as a redundant stop
  assert.equal((await engine.containers.start(c.id)).state.status, 'running');
  await assert.rejects(engine.containers.remove(c.id), /cannot remove container "\/dup": container is running: stop the container before removing or force remove/);
  await assert.rejects(engine.containers.kill(c.id, 'NOPE'), /invalid signal "NOPE"/);
  await engine.containers.remove(c.id, { force: true });
  assert.equal(engine.containers.list().some((x) => x.name === 'dup'), false);
});

test('create failure for a missing executable shows the runtime message and leaves nothing behind', async () => {
  const c = await engine.containers.create({ rootfs: d.rootfs, name: 'missing-exe', cmd: ['/nonexistent'] });
  await assert.rejects(engine.containers.start(c.id), (e: Error) => /missing-exe/.test(e.message) && /\/nonexistent.*no such file or directory/.test(e.message));
  const rec = engine.containers.inspect(c.id);
  assert.equal(rec.status, 'created');
  // runtime state and run dir are gone
  assert.equal(await engine.runtime.state(c.id), undefined);
  assert.equal(existsSync(path.join(d.runroot, 'exits', c.id)), false);
  await engine.containers.remove(c.id);
  assert.equal(existsSync(path.join(d.root, 'containers', c.id)), false);
});

test('logs: stdout/stderr selection, tail, timestamps, partial lines joined', async () => {
  const r = await runToExit(['sh', '-c', 'echo one; echo two >&2; echo three; printf "no-newline"']);
  const lines = async (o: Parameters<typeof engine.containers.logs>[1]) => { const out: string[] = []; for await (const e of engine.containers.logs(r.id, o)) out.push(`${e.stream}:${e.line}`); return out; };
  // stdout and stderr are separate pipes: order across streams is not defined
  const all = await lines({});
  assert.deepEqual(all.filter((l) => l.startsWith('stdout')), ['stdout:one', 'stdout:three', 'stdout:no-newline']);
  assert.deepEqual(all.filter((l) => l.startsWith('stderr')), ['stderr:two']);
  assert.deepEqual(await lines({ stderr: false }), ['stdout:one', 'stdout:three', 'stdout:no-newline']);
  assert.deepEqual(await lines({ tail: 1, stderr: false }), ['stdout:no-newline']);
  const first = (await (async () => { for await (const e of engine.containers.logs(r.id, {})) return e; })())!;
  assert.match(first.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}[+-]\d\d:\d\d$/);
  assert.deepEqual(await lines({ since: Date.now() / 1000 + 60 }), []);
});

test('logs follow wakes on new output and ends when the container exits', async () => {
  const c = await engine.containers.create({ rootfs: d.rootfs, cmd: ['sh', '-c', 'for i in 1 2 3; do echo line$i; sleep 0.2; done'] });
  await engine.containers.start(c.id);
  const got: string[] = [];
  for await (const e of engine.containers.logs(c.id, { follow: true })) got.push(e.line.toString());
  assert.deepEqual(got, ['line1', 'line2', 'line3']);
});

test('the root is locked to one engine', async () => {
  await assert.rejects(openEngine({ root: d.root, runroot: d.runroot }), new RegExp(`in use by another Pier engine \\(PID ${process.pid}\\)`));
});

test('events: created, started, exited with code, removed', async () => {
  const seen: string[] = [];
  const off = engine.events.subscribe((e) => { if (e.type === 'container' && e.name === 'evt') seen.push(e.action + (e.action === 'exited' ? `:${e.exitCode}` : '')); });
  const c = await engine.containers.create({ rootfs: d.rootfs, name: 'evt', cmd: ['sh', '-c', 'exit 3'] });
  const w = engine.containers.wait(c.id, 'next-exit');
  await engine.containers.start(c.id);
  await w;
  await engine.containers.remove(c.id);
  off();
  assert.deepEqual(seen, ['created', 'started', 'exited:3', 'removed']);
});

test('no leftover files in the exit dir after removals', () => {
  const left = readdirSync(path.join(d.runroot, 'exits')).filter((f) => !engine.containers.list().some((c) => c.id === f));
  assert.deepEqual(left, []);
});

test('auto-remove: waiting for "removed" gives the exit code; nothing is left, runtime state included', async () => {
  const c = await engine.containers.create({ rootfs: d.rootfs, cmd: ['sh', '-c', 'exit 4'], autoRemove: true });
  const removed = engine.containers.wait(c.id, 'removed');
  await engine.containers.start(c.id);
  assert.equal(await removed, 4);
  assert.equal(engine.containers.list().some((x) => x.id === c.id), false);
  // runtime state and files go after the event (removeLocked's `behind`)
  await engine.containers.settled();
  assert.equal(await engine.runtime.state(c.id), undefined);
  assert.equal(existsSync(path.join(d.root, 'containers', c.id)), false);
});

test('logs follow survives conmon --log-size-max truncation (file replaced by rename) with no line lost', async () => {
  const d2 = testDirs();
  const e2 = await openEngine({ root: d2.root, runroot: d2.runroot, logSizeMax: 400 });
  try {
    // Six bursts of five lines (≈ 250 bytes, so at most one replacement each); a burst starts once the test has
    // followed the one before (its gate file appears). A follower that lags two replacements behind can lose the
    // file in between (conmon renames a new file over it): pacing by what was read, not by sleeps, rules that out.
    const gates = mkdtempSync(path.join(os.tmpdir(), 'pier-gates-'));
    const burst = 'i=0; for b in 1 2 3 4 5 6; do while [ ! -e /gates/$b ]; do usleep 2000; done; for j in 1 2 3 4 5; do i=$((i+1)); echo line-$i; done; done';
    const c = await e2.containers.create({ rootfs: d2.rootfs, cmd: ['sh', '-c', burst], binds: [{ source: gates, destination: '/gates' }] });
    await e2.containers.start(c.id);
    const got: string[] = [];
    writeFileSync(path.join(gates, '1'), '');
    for await (const e of e2.containers.logs(c.id, { follow: true })) {
      got.push(e.line.toString());
      if (got.length % 5 === 0) writeFileSync(path.join(gates, String(got.length / 5 + 1)), '');
    }
    rmSync(gates, { recursive: true, force: true });
    assert.deepEqual(got, Array.from({ length: 30 }, (_, i) => `line-${i + 1}`));
    // the file itself was truncated by conmon: only the tail is left on disk
    const after: string[] = [];
    for await (const e of e2.containers.logs(c.id, {})) after.push(e.line.toString());
    assert.ok(after.length < 30 && after.at(-1) === 'line-30', `on disk after truncation: ${after.length} lines`);
  } finally {
    for (const c of e2.containers.list()) await e2.containers.remove(c.id, { force: true }).catch(() => undefined);
    await e2.close();
    d2.cleanup();
  }
});

test('missing binaries: the error names the binary and the fix; --runtime picks the runtime', async () => {
  const { discover } = await import('../../electron/engine/runtime/discovery');
  await assert.rejects(discover({ conmonPath: '/nonexistent/conmon' }), /conmon not found: install conmon .*--conmon PATH/);
  await assert.rejects(discover({ runtime: '/nonexistent/runc' }), /OCI runtime \/nonexistent\/runc not found.*install runc or pass --runtime PATH/);
  await assert.rejects(discover({ runtime: 'no-such-runtime' }), /no-such-runtime not found: install runc/);
  const info = await discover({ runtime: 'runc' });
  assert.equal(info.runtime.name, 'runc');
  assert.match(info.conmon.version, /^2\./);
  assert.equal(info.runtime.checkpoint, true);
});
