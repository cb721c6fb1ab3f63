// Restart-policy decisions, backoff and healthcheck configuration (pure parts of containers/supervisor.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shouldRestart, nextBackoff } from '../../electron/engine/containers/supervisor';
import {
  effectiveHealthcheck, fromDockerHealthcheck, goDuration, probeArgv, toDockerHealthcheck, validateHealthcheck,
  validateRestartPolicy,
} from '../../electron/engine/containers/healthcheck-config';
import type { ContainerRecord } from '../../electron/engine/store/types';

function rec(policy: string, state: Partial<ContainerRecord['state']> = {}, max?: number): ContainerRecord {
  return {
    id: 'x', name: 'x', created: '',
    config: { restartPolicy: { name: policy as never, maxRetries: max }, autoRemove: false } as unknown as ContainerRecord['config'],
    state: { status: 'exited', initialized: false, pid: 0, conmonPid: 0, ...state },
  };
}

test('restart decisions follow Docker policies', () => {
  assert.equal(shouldRestart(rec('no'), 1), false);
  assert.equal(shouldRestart(rec(''), 1), false);
  assert.equal(shouldRestart(rec('always'), 0), true);
  assert.equal(shouldRestart(rec('unless-stopped'), 0), true);
  assert.equal(shouldRestart(rec('on-failure'), 0), false);
  assert.equal(shouldRestart(rec('on-failure'), 2), true);
  assert.equal(shouldRestart(rec('on-failure', { restartCount: 2 }, 2), 2), false);
  assert.equal(shouldRestart(rec('on-failure', { restartCount: 1 }, 2), 2), true);
  // a user stop is never undone, except `always` at engine start
  assert.equal(shouldRestart(rec('always', { stoppedByUser: true }), 0), false);
  assert.equal(shouldRestart(rec('always', { stoppedByUser: true }), 0, true), true);
  assert.equal(shouldRestart(rec('unless-stopped', { stoppedByUser: true }), 0, true), false);
});

test('backoff doubles from 100 ms to a minute and resets after a 10 s run', () => {
  assert.equal(nextBackoff(undefined, 0), 100);
  assert.equal(nextBackoff(100, 50), 200);
  assert.equal(nextBackoff(40_000, 50), 60_000);
  assert.equal(nextBackoff(60_000, 50), 60_000);
  assert.equal(nextBackoff(6400, 10_000), 100);
});

test('healthcheck config: Docker units, defaults from the image, NONE, argv, validation', () => {
  const h = fromDockerHealthcheck({ Test: ['CMD-SHELL', 'true'], Interval: 200_000_000, Retries: 2 });
  assert.deepEqual(h, { test: ['CMD-SHELL', 'true'], intervalMs: 200, timeoutMs: undefined, retries: 2, startPeriodMs: undefined });
  assert.deepEqual(toDockerHealthcheck(h), { Test: ['CMD-SHELL', 'true'], Interval: 200_000_000, Retries: 2 });
  const image = { test: ['CMD', 'probe'], intervalMs: 1000 };
  assert.deepEqual(effectiveHealthcheck(undefined, image), image);
  assert.equal(effectiveHealthcheck({ test: ['NONE'] }, image), undefined);
  assert.deepEqual(effectiveHealthcheck({ test: [], retries: 5 }, image), { test: ['CMD', 'probe'], intervalMs: 1000, retries: 5 });
  assert.deepEqual(probeArgv({ test: ['CMD-SHELL', 'a', 'b'] }), ['/bin/sh', '-c', 'a b']);
  assert.deepEqual(probeArgv({ test: ['CMD', 'a', 'b'] }), ['a', 'b']);
  assert.throws(() => validateHealthcheck({ test: ['SHELL', 'x'] }), /NONE, CMD or CMD-SHELL/);
  assert.throws(() => validateHealthcheck({ test: ['CMD'] }), /needs a command/);
  assert.throws(() => validateRestartPolicy({ name: 'always', maxRetries: 3 }, false), /cannot be used/);
  assert.throws(() => validateRestartPolicy({ name: 'always' }, true), /AutoRemove/);
  assert.throws(() => validateRestartPolicy({ name: 'sometimes' as never }, false), /invalid restart policy "sometimes"/);
  assert.equal(goDuration(300), '300ms');
  assert.equal(goDuration(2000), '2s');
  assert.equal(goDuration(90_500), '1m30.5s');
});
