// Issue 11 items 2, 3, 5, 17: Docker's kill and stop semantics, FinishedAt from the exit file,
// resize's range and stop's bad timeouts, through the real docker CLI and raw HTTP.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { startPierWithImages, stopPier, docker, request, until, DOCKER, type PierServer } from './helpers';

const skip = !existsSync(DOCKER) ? `${DOCKER} not installed` : process.getuid?.() !== 0 ? 'needs root (conmon + runc)' : undefined;
let srv: PierServer;

const inspect = async (name: string) => JSON.parse((await docker(srv, ['inspect', name])).stdout)[0] as {
  Id: string; State: { Status: string; Running: boolean; ExitCode: number; FinishedAt: string };
};
async function runDetached(args: string[]): Promise<string> {
  // no network unless asked: these tests are about signals, not netavark
  const r = await docker(srv, ['run', '-d', ...(args.includes('--network') ? [] : ['--network', 'none']), ...args]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim();
}
const LOOP = 'while :; do sleep 0.05; done';

describe('kill and stop semantics', { skip }, () => {
  before(async () => { srv = await startPierWithImages(); });
  after(() => stopPier(srv));

  test('kill (SIGKILL) returns after the container has stopped', async () => {
    for (let i = 0; i < 5; i++) {
      await runDetached(['--name', `k${i}`, 'pier-test/busybox', 'sleep', '600']);
      const r = await request(srv.socket, 'POST', `/v1.50/containers/k${i}/kill`);
      assert.equal(r.status, 204, r.body);
      const s = (await inspect(`k${i}`)).State;
      assert.deepEqual([s.Status, s.Running, s.ExitCode], ['exited', false, 137]);
    }
  });

  test('a signal that does not end the container returns at once; kills racing a natural exit get 204 or 409, never 500', async () => {
    for (let i = 0; i < 6; i++) {
      await runDetached(['--name', `race${i}`, 'pier-test/busybox', 'sh', '-c', `trap "" USR2; i=0; while [ $i -lt ${4 + i} ]; do i=$((i+1)); sleep 0.05; done`]);
      for (;;) {
        const r = await request(srv.socket, 'POST', `/v1.50/containers/race${i}/kill?signal=SIGUSR2`);
        if (r.status === 204) continue;
        assert.equal(r.status, 409, r.body);
        assert.match(JSON.parse(r.body).message, /is not running/);
        break;
      }
    }
  });

  test('stop?signal=S sends S instead of the stop signal, then SIGKILL after t', async () => {
    await runDetached(['--name', 'sig', 'pier-test/busybox', 'sh', '-c', `trap "echo got-USR1" USR1; trap "echo got-TERM; exit 4" TERM; echo ready; ${LOOP}`]);
    await until(async () => (await docker(srv, ['logs', 'sig'])).stdout.includes('ready'), 10_000, 'the traps');
    const r = await request(srv.socket, 'POST', '/v1.50/containers/sig/stop?signal=SIGUSR1&t=1');
    assert.equal(r.status, 204, r.body);
    const logs = (await docker(srv, ['logs', 'sig'])).stdout;
    assert.match(logs, /got-USR1/);
    assert.doesNotMatch(logs, /got-TERM/);
    assert.equal((await inspect('sig')).State.ExitCode, 137);
  });

  test('the stop signal goes to PID 1 only, also with the host network', async () => {
    await runDetached(['--name', 'pid1', '--network', 'host', 'pier-test/busybox', 'sh', '-c',
      `sh -c 'trap "echo child-TERM" TERM; ${LOOP}' & trap "echo parent-TERM; sleep 0.5; exit 0" TERM; echo ready; ${LOOP}`]);
    await until(async () => (await docker(srv, ['logs', 'pid1'])).stdout.includes('ready'), 10_000, 'the traps');
    const r = await docker(srv, ['stop', '-t', '5', 'pid1']);
    assert.equal(r.code, 0, r.stderr);
    const logs = (await docker(srv, ['logs', 'pid1'])).stdout;
    assert.match(logs, /parent-TERM/);
    assert.doesNotMatch(logs, /child-TERM/);
    assert.equal((await inspect('pid1')).State.ExitCode, 0);
  });

  test('FinishedAt is the exit file time', async () => {
    const id = await runDetached(['pier-test/busybox', 'sh', '-c', 'exit 5']);
    await until(async () => (await inspect(id)).State.Status === 'exited', 10_000, 'the exit');
    const s = (await inspect(id)).State;
    assert.equal(s.ExitCode, 5);
    const file = path.join(srv.runroot, 'exits', id);
    assert.equal(new Date(s.FinishedAt).getTime(), statSync(file).ctime.getTime());
  });

  test('resize accepts 1..65535; stop and restart refuse t below -1', async () => {
    await runDetached(['--name', 'tty', '-t', 'pier-test/busybox', 'sleep', '600']);
    for (const [h, w] of [[1, 1], [2000, 300], [65535, 65535]]) {
      const r = await request(srv.socket, 'POST', `/v1.50/containers/tty/resize?h=${h}&w=${w}`);
      assert.equal(r.status, 200, `${h}x${w}: ${r.body}`);
    }
    assert.equal((await request(srv.socket, 'POST', '/v1.50/containers/tty/resize?h=65536&w=10')).status, 400);
    for (const op of ['stop', 'restart']) {
      const r = await request(srv.socket, 'POST', `/v1.50/containers/tty/${op}?t=-5`);
      assert.equal(r.status, 400, r.body);
      assert.match(JSON.parse(r.body).message, /invalid value for t/);
    }
    assert.equal((await inspect('tty')).State.Running, true);
  });
});
