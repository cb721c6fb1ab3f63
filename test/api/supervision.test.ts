// Restart policies and healthchecks, driven by the docker CLI against a real dockerd (the oracle) and against
// `pier serve`: both run the same scenario and must report the same observations. Every wait is on an event
// or a state the scenario expects, never on time.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { existsSync } from 'node:fs';
import { startPier, startPierWithImages, stopPier, docker, request, testImages, until, DOCKER, type PierServer } from './helpers';
import { startDockerd, dockerdSkipReason, type RefDockerd } from '../helpers/dockerd';

const IMG = 'pier-test/busybox:latest';
const skip = dockerdSkipReason() ?? (!existsSync(DOCKER) ? `${DOCKER} not installed` : undefined);

interface Target { socket: string; env: NodeJS.ProcessEnv }
interface Ev { name: string; action: string }

/** Collects container events from GET /events until closed. */
function watchEvents(socket: string) {
  const seen: Ev[] = [];
  let buf = '';
  const req = http.get({ socketPath: socket, path: '/events?filters=' + encodeURIComponent('{"type":["container"]}') },
    (res) => res.on('data', (d) => {
      buf += d;
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const e = JSON.parse(buf.slice(0, i));
        buf = buf.slice(i + 1);
        seen.push({ name: e.Actor?.Attributes?.name, action: e.Action });
      }
    }));
  req.on('error', () => undefined);
  const count = (name: string, action: string) => seen.filter((e) => e.name === name && e.action === action).length;
  return {
    count,
    until: (name: string, action: string, n = 1) => until(() => count(name, action) >= n, 30_000, `${n}× ${action} of ${name}`),
    close: () => req.destroy(),
  };
}

async function inspect(t: Target, name: string): Promise<any> {
  return JSON.parse((await request(t.socket, 'GET', `/containers/${name}/json`)).body);
}

async function run(t: Target, args: string[]): Promise<void> {
  const r = await docker(t, args);
  assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
}

async function scenario(t: Target) {
  const ev = watchEvents(t.socket);
  const obs: Record<string, unknown> = {};
  try {
    await run(t, ['run', '-d', '--name', 'rf', '--restart', 'on-failure:2', IMG, 'sh', '-c', 'exit 3']);
    await ev.until('rf', 'die', 3);
    const rf = await until(async () => { const x = await inspect(t, 'rf'); return x.State.Status === 'exited' && x; },
      30_000, 'rf exited for good');
    obs.onFailure = { status: rf.State.Status, restarting: rf.State.Restarting, exitCode: rf.State.ExitCode,
      restartCount: rf.RestartCount, policy: rf.HostConfig.RestartPolicy, starts: ev.count('rf', 'start') };

    await run(t, ['run', '-d', '--name', 'ra', '--restart', 'always', IMG, 'sh', '-c', 'sleep 0.3; exit 1']);
    await ev.until('ra', 'start', 2);
    await run(t, ['stop', '-t', '1', 'ra']);
    const ra = await inspect(t, 'ra');
    obs.alwaysStopped = { status: ra.State.Status, restarting: ra.State.Restarting, policy: ra.HostConfig.RestartPolicy,
      restarted: ra.RestartCount >= 1 };

    await run(t, ['run', '-d', '--name', 'hc', '--health-cmd', 'test -f /tmp/ok', '--health-interval', '200ms',
      '--health-retries', '2', '--health-timeout', '2s', IMG, 'sleep', '60']);
    obs.healthAtStart = (await inspect(t, 'hc')).State.Health.Status;
    await ev.until('hc', 'health_status: unhealthy');
    const unhealthy = await inspect(t, 'hc');
    await run(t, ['exec', '-d', 'hc', 'touch', '/tmp/ok']);
    await ev.until('hc', 'health_status: healthy');
    const hc = await inspect(t, 'hc');
    const ps = await docker(t, ['ps', '--filter', 'name=hc', '--format', '{{.Status}}']);
    const last = hc.State.Health.Log.at(-1);
    obs.health = {
      unhealthy: { status: unhealthy.State.Health.Status, streakAtLeast2: unhealthy.State.Health.FailingStreak >= 2 },
      healthy: { status: hc.State.Health.Status, streak: hc.State.Health.FailingStreak, lastExit: last.ExitCode,
        logBounded: hc.State.Health.Log.length <= 5 },
      psSuffix: /\(healthy\)$/.test(ps.stdout.trim()),
      config: hc.Config.Healthcheck,
    };

    await run(t, ['run', '-d', '--name', 'ht', '--health-cmd', 'sleep 5', '--health-interval', '200ms',
      '--health-timeout', '300ms', '--health-retries', '1', IMG, 'sleep', '60']);
    await ev.until('ht', 'health_status: unhealthy');
    const ht = (await inspect(t, 'ht')).State.Health.Log.at(-1);
    obs.timeout = { exitCode: ht.ExitCode, output: ht.Output };

    const bad = await request(t.socket, 'POST', '/containers/create', JSON.stringify({
      Image: IMG, HostConfig: { AutoRemove: true, RestartPolicy: { Name: 'always' } } }));
    obs.autoRemoveWithPolicy = { status: bad.status, message: JSON.parse(bad.body).message };
    const badName = await request(t.socket, 'POST', '/containers/create', JSON.stringify({
      Image: IMG, HostConfig: { RestartPolicy: { Name: 'sometimes' } } }));
    obs.unknownPolicy = { status: badName.status };
  } finally {
    ev.close();
    await docker(t, ['rm', '-f', 'rf', 'ra', 'hc', 'ht']);
  }
  return obs;
}

describe('restart policies and healthchecks, compared with dockerd', { skip }, () => {
  let pier: PierServer | undefined;
  let ref: RefDockerd | undefined;
  before(async () => {
    ref = await startDockerd({ bridge: 'piersup0', subnet: '172.31.252' });
    const load = await docker(ref, ['load', '-i', await testImages()]);
    assert.equal(load.code, 0, load.stderr);
    pier = await startPierWithImages();
  });
  after(async () => {
    await stopPier(pier);
    await ref?.stop();
  });

  test('the same scenario gives the same observations', async () => {
    const theirs = await scenario(ref!);
    const ours = await scenario(pier!);
    assert.deepEqual(ours, theirs, `pier:    ${JSON.stringify(ours)}\ndockerd: ${JSON.stringify(theirs)}`);
  });
});

describe('restart policies across an engine restart', { skip }, () => {
  let pier: PierServer | undefined;
  after(() => stopPier(pier));

  test('always comes back after a user stop, unless-stopped does not, a running one keeps running', async () => {
    pier = await startPierWithImages();
    await run(pier, ['run', '-d', '--name', 'pa', '--restart', 'always', IMG, 'sleep', '600']);
    await run(pier, ['run', '-d', '--name', 'pu', '--restart', 'unless-stopped', IMG, 'sleep', '600']);
    await run(pier, ['run', '-d', '--name', 'pk', '--restart', 'unless-stopped', IMG, 'sleep', '600']);
    await run(pier, ['stop', '-t', '0', 'pa', 'pu']);
    const pid = (await inspect(pier, 'pk')).State.Pid;
    await pier.stop();
    pier = await startPier({ dir: pier.dir });
    await until(async () => (await inspect(pier!, 'pa')).State.Running, 30_000, 'pa running');
    assert.equal((await inspect(pier, 'pu')).State.Status, 'exited');
    const k = await inspect(pier, 'pk');
    assert.equal(k.State.Pid, pid, 'a container that kept running is re-adopted, not restarted');
  });
});
