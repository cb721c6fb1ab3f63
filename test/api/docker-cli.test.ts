// The real docker CLI (28.2.2) against `pier serve` on an isolated root: the command
// sequences of reference/docker-api.md §4, output and exit codes as Docker gives them.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
import * as pty from '@lydell/node-pty';
import { startPierWithImages, stopPier, docker, request, cleanup, until, sleep, DOCKER, type PierServer } from './helpers';
import { registryAvailable, startRegistry, type TestRegistry } from '../helpers/registry';

const IMG = 'pier-test/busybox';
const skipAll = !existsSync(DOCKER) ? `${DOCKER} not installed` : process.getuid?.() !== 0 ? 'needs root (conmon + runc)' : undefined;
let srv: PierServer;

describe('docker CLI against pier serve', { skip: skipAll }, () => {
  before(async () => {
    const started = await startPierWithImages();
    srv = started;
    assert.match(started.loaded, /Loaded image: pier-test\/busybox:latest/);
  });
  after(() => stopPier(srv));

  test('ping, version and info', async () => {
    const ping = await request(srv.socket, 'HEAD', '/_ping');
    assert.equal(ping.status, 200);
    assert.equal(ping.headers['api-version'], '1.50');
    assert.equal(ping.headers['docker-experimental'], 'true');
    assert.equal(ping.headers['ostype'], 'linux');
    const v = await docker(srv, ['version', '--format', '{{.Server.APIVersion}} {{.Server.Os}}']);
    assert.equal(v.code, 0, v.stderr);
    assert.equal(v.stdout.trim(), '1.50 linux');
    const i = await docker(srv, ['info', '--format', '{{.ServerVersion}} {{.OSType}} {{.Images}}']);
    assert.equal(i.code, 0, i.stderr);
    assert.match(i.stdout, /pier linux [1-9]/);
    // old and too-new API versions
    const old = await request(srv.socket, 'GET', '/v1.20/version');
    assert.equal(old.status, 400);
    assert.match(JSON.parse(old.body).message, /too old/);
    const pinned = await docker({ env: { ...srv.env, DOCKER_API_VERSION: '1.51' } }, ['ps']);
    assert.notEqual(pinned.code, 0);
    assert.match(pinned.stderr, /client version 1.51 is too new/);
    const lower = await docker({ env: { ...srv.env, DOCKER_API_VERSION: '1.44' } }, ['ps']);
    assert.equal(lower.code, 0, lower.stderr);
  });

  test('run --rm: output, stderr, exit codes', async () => {
    const hi = await docker(srv, ['run', '--rm', IMG, 'echo', 'hi']);
    assert.deepEqual([hi.code, hi.stdout], [0, 'hi\n'], hi.stderr);
    const mixed = await docker(srv, ['run', '--rm', IMG, 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    assert.equal(mixed.code, 3);
    assert.equal(mixed.stdout, 'out\n');
    assert.equal(mixed.stderr, 'err\n');
    const piped = await docker(srv, ['run', '-i', '--rm', IMG, 'cat'], { input: 'foo\nbar\n' });
    assert.deepEqual([piped.code, piped.stdout], [0, 'foo\nbar\n'], piped.stderr);
    const missing = await docker(srv, ['run', '--rm', '--entrypoint', '/nonexistent', IMG]);
    assert.equal(missing.code, 127, missing.stderr);
    assert.match(missing.stderr, /no such file or directory|not found/);
    // a user the image lacks is found at start (the attach before it keeps waiting): the CLI's start error, 125
    const noUser = await docker(srv, ['run', '--rm', '--user', 'nosuchuser', IMG, 'true']);
    assert.equal(noUser.code, 125, noUser.stderr);
    assert.match(noUser.stderr, /user "nosuchuser" not found/);
    // --rm removed them all
    const ps = await docker(srv, ['ps', '-aq']);
    assert.equal(ps.stdout.trim(), '');
  });

  test('run -d, logs -f, ps, inspect, stop, rm', async () => {
    const r = await docker(srv, ['run', '-d', '--name', 'ticker', '--label', 'suite=api', IMG, 'sh', '-c', 'trap "echo bye; exit 0" TERM; i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.1; done']);
    assert.equal(r.code, 0, r.stderr);
    const id = r.stdout.trim();
    assert.match(id, /^[0-9a-f]{64}$/);
    await until(async () => (await docker(srv, ['logs', 'ticker'])).stdout.includes('tick 3'), 10_000, 'ticks');
    const ps = await docker(srv, ['ps', '--filter', 'label=suite=api', '--format', '{{.ID}} {{.Names}} {{.Status}}']);
    assert.match(ps.stdout, new RegExp(`^${id.slice(0, 12)} ticker Up`));
    const insp = await docker(srv, ['inspect', 'ticker', '--format', '{{.State.Status}} {{.State.Running}} {{.Config.Tty}} {{.Name}}']);
    assert.equal(insp.stdout.trim(), 'running true false /ticker');
    const tail = await docker(srv, ['logs', '--tail', '2', '-t', 'ticker']);
    assert.equal(tail.stdout.trim().split('\n').length, 2);
    assert.match(tail.stdout, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z tick \d+/);
    // logs -f follows until the container stops
    const follow = docker(srv, ['logs', '-f', 'ticker']);
    await sleep(300);
    const stop = await docker(srv, ['stop', 'ticker']);
    assert.deepEqual([stop.code, stop.stdout.trim()], [0, 'ticker'], stop.stderr);
    const f = await follow;
    assert.equal(f.code, 0);
    assert.match(f.stdout, /tick 0\n[\s\S]*bye\n$/);
    const st = await docker(srv, ['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', id]);
    assert.equal(st.stdout.trim(), 'exited 0');
    const again = await docker(srv, ['stop', 'ticker']); // already stopped: 304 → success
    assert.equal(again.code, 0);
    const ps2 = await docker(srv, ['ps', '-a', '--format', '{{.Names}} {{.Status}}', '--filter', 'name=ticker']);
    assert.match(ps2.stdout, /^ticker Exited \(0\)/);
    const rm = await docker(srv, ['rm', 'ticker']);
    assert.equal(rm.code, 0, rm.stderr);
    const gone = await docker(srv, ['inspect', 'ticker']);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /No such object: ticker/);
  });

  test('rm of a running container: 409 unless forced', async () => {
    const r = await docker(srv, ['run', '-d', '--name', 'busy', IMG, 'sleep', '60']);
    assert.equal(r.code, 0, r.stderr);
    const rm = await docker(srv, ['rm', 'busy']);
    assert.equal(rm.code, 1);
    assert.match(rm.stderr, /cannot remove container "\/busy": container is running/);
    const name = await docker(srv, ['run', '-d', '--name', 'busy', IMG, 'true']);
    assert.equal(name.code, 125);
    assert.match(name.stderr, /Conflict. The container name "\/busy" is already in use/);
    const rmf = await docker(srv, ['rm', '-f', 'busy']);
    assert.equal(rmf.code, 0, rmf.stderr);
    // system prune: stopped containers go, running ones stay
    await docker(srv, ['run', '--name', 'stopped1', IMG, 'true']);
    await docker(srv, ['run', '-d', '--name', 'running1', IMG, 'sleep', '60']);
    const prune = await docker(srv, ['system', 'prune', '-f']);
    assert.equal(prune.code, 0, prune.stderr);
    const left = (await docker(srv, ['ps', '-a', '--format', '{{.Names}}'])).stdout.split('\n').filter(Boolean);
    assert.ok(left.includes('running1') && !left.includes('stopped1'), left.join(','));
    await docker(srv, ['rm', '-f', 'running1']);
  });

  test('wait, start -a, restart, rename', async () => {
    const c = await docker(srv, ['create', '--name', 'w1', IMG, 'sh', '-c', 'echo started; sleep 0.5; exit 42']);
    assert.equal(c.code, 0, c.stderr);
    const early = await docker(srv, ['wait', 'w1']); // not running yet: returns at once, as moby
    assert.equal(early.stdout.trim(), '0');
    const started = docker(srv, ['start', '-a', 'w1']);
    await until(async () => (await docker(srv, ['inspect', '-f', '{{.State.Running}}', 'w1'])).stdout.trim() === 'true', 5000, 'w1 running');
    const w = await docker(srv, ['wait', 'w1']);
    assert.equal(w.stdout.trim(), '42');
    const s = await started;
    assert.deepEqual([s.code, s.stdout], [42, 'started\n']);
    const s2 = await docker(srv, ['start', '-a', 'w1']); // start a stopped container again, attached
    assert.deepEqual([s2.code, s2.stdout], [42, 'started\n'], s2.stderr);
    const ren = await docker(srv, ['rename', 'w1', 'w2']);
    assert.equal(ren.code, 0, ren.stderr);
    assert.equal((await docker(srv, ['inspect', '-f', '{{.Name}}', 'w2'])).stdout.trim(), '/w2');
    assert.equal((await docker(srv, ['rm', 'w2'])).code, 0);
    const r = await docker(srv, ['run', '-d', '--name', 'rs', IMG, 'sleep', '60']);
    assert.equal(r.code, 0);
    const pid1 = (await docker(srv, ['inspect', '-f', '{{.State.Pid}}', 'rs'])).stdout.trim();
    const rs = await docker(srv, ['restart', '-t', '0', 'rs']);
    assert.equal(rs.code, 0, rs.stderr);
    const pid2 = (await docker(srv, ['inspect', '-f', '{{.State.Pid}} {{.State.Running}}', 'rs'])).stdout.trim();
    assert.notEqual(pid2.split(' ')[0], pid1);
    assert.match(pid2, / true$/);
    await docker(srv, ['rm', '-f', 'rs']);
  });

  test('pause, unpause, kill -s (a harmless signal keeps it running)', async () => {
    const r = await docker(srv, ['run', '-d', '--name', 'pk', IMG, 'sh', '-c', 'trap "echo got-usr1" USR1; while true; do sleep 0.1; done']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await docker(srv, ['pause', 'pk'])).code, 0);
    assert.equal((await docker(srv, ['inspect', '-f', '{{.State.Status}}', 'pk'])).stdout.trim(), 'paused');
    const ex = await docker(srv, ['exec', 'pk', 'true']);
    assert.notEqual(ex.code, 0);
    assert.match(ex.stderr, /paused/);
    assert.equal((await docker(srv, ['unpause', 'pk'])).code, 0);
    assert.equal((await docker(srv, ['kill', '-s', 'WINCH', 'pk'])).code, 0);
    assert.equal((await docker(srv, ['kill', '-s', 'USR1', 'pk'])).code, 0);
    await until(async () => (await docker(srv, ['logs', 'pk'])).stdout.includes('got-usr1'), 5000, 'USR1 trap');
    await sleep(200);
    assert.equal((await docker(srv, ['inspect', '-f', '{{.State.Running}}', 'pk'])).stdout.trim(), 'true');
    const k = await docker(srv, ['kill', 'pk']);
    assert.equal(k.code, 0, k.stderr);
    const w = await docker(srv, ['wait', 'pk']);
    assert.equal(w.stdout.trim(), '137');
    const k2 = await docker(srv, ['kill', 'pk']);
    assert.equal(k2.code, 1);
    assert.match(k2.stderr, /is not running/);
    await docker(srv, ['rm', 'pk']);
  });

  test('exec: output, exit codes, env, workdir, detached', async () => {
    const r = await docker(srv, ['run', '-d', '--name', 'ex', IMG, 'sleep', '60']);
    assert.equal(r.code, 0, r.stderr);
    const e = await docker(srv, ['exec', '-e', 'FOO=bar', '-w', '/tmp', 'ex', 'sh', '-c', 'echo $FOO $(pwd); echo oops >&2; exit 7']);
    assert.deepEqual([e.code, e.stdout, e.stderr], [7, 'bar /tmp\n', 'oops\n']);
    const i = await docker(srv, ['exec', '-i', 'ex', 'cat'], { input: 'stdin-data' });
    assert.deepEqual([i.code, i.stdout], [0, 'stdin-data']);
    const miss = await docker(srv, ['exec', 'ex', 'no-such-cmd']);
    assert.equal(miss.code, 127);
    assert.match(miss.stderr, /executable file not found|not found/);
    const d = await docker(srv, ['exec', '-d', 'ex', 'sh', '-c', 'echo detached > /tmp/d']);
    assert.equal(d.code, 0, d.stderr);
    await until(async () => (await docker(srv, ['exec', 'ex', 'cat', '/tmp/d'])).stdout === 'detached\n', 5000, 'detached exec');
    const top = await docker(srv, ['top', 'ex']);
    assert.equal(top.code, 0, top.stderr);
    assert.match(top.stdout, /sleep 60/);
    const stats = await docker(srv, ['stats', '--no-stream', '--format', '{{.Name}} {{.PIDs}}', 'ex']);
    assert.equal(stats.code, 0, stats.stderr);
    assert.match(stats.stdout, /^ex \d+/);
    await docker(srv, ['rm', '-f', 'ex']);
    const notRunning = await docker(srv, ['exec', 'ex', 'true']);
    assert.equal(notRunning.code, 1);
  });

  test('run -it through a pseudo-terminal: typing, resize, stty size, exit', async () => {
    const out = await ptySession(['run', '-it', '--rm', '--name', 'tty1', IMG, 'sh'], async (t) => {
      await t.expect(/# /);
      t.write('stty size\r');
      await t.expect(/\r\n30 100\r\n/);
      t.resize(120, 40);
      await t.sizeIs('40 120'); // the resize reaches the container asynchronously
      t.write('echo $((6*7))\r');
      await t.expect(/\r\n42\r\n/);
      t.write('exit 3\r');
    });
    assert.equal(out.exitCode, 3, out.text);
  });

  test('exec -it through a pseudo-terminal', async () => {
    const r = await docker(srv, ['run', '-d', '--name', 'tty2', IMG, 'sleep', '60']);
    assert.equal(r.code, 0, r.stderr);
    const out = await ptySession(['exec', '-it', 'tty2', 'sh'], async (t) => {
      await t.expect(/# /);
      t.write('stty size\r');
      await t.expect(/\r\n30 100\r\n/);
      t.resize(110, 35);
      await t.sizeIs('35 110'); // the resize reaches the container asynchronously
      t.write('exit\r');
    });
    assert.equal(out.exitCode, 0, out.text);
    await docker(srv, ['rm', '-f', 'tty2']);
  });

  test('run -it, detach with ctrl-p ctrl-q, container stays up', async () => {
    const out = await ptySession(['run', '-it', '--name', 'tty3', IMG, 'sh'], async (t) => {
      await t.expect(/# /);
      t.write('\x10\x11');
    });
    assert.equal(out.exitCode, 0, out.text);
    assert.equal((await docker(srv, ['inspect', '-f', '{{.State.Running}}', 'tty3'])).stdout.trim(), 'true');
    await docker(srv, ['rm', '-f', 'tty3']);
  });

  test('events: container lifecycle as docker prints it', async () => {
    // --since from before the runs: events the stream sees before it is connected are replayed,
    // and it is read until the last one arrives (no --until racing the runs)
    const t0 = Math.floor(Date.now() / 1000);
    const ev = spawn(DOCKER, ['events', '--since', String(t0), '--filter', 'type=container', '--filter', 'container=evc', '--format', '{{.Type}} {{.Action}} {{.Actor.Attributes.name}} {{.Actor.Attributes.exitCode}}'], { env: srv.env });
    let evOut = '';
    ev.stdout.on('data', (b: Buffer) => { evOut += b; });
    const r = await docker(srv, ['run', '--rm', '--name', 'evc', IMG, 'sh', '-c', 'exit 4']);
    assert.equal(r.code, 4);
    await docker(srv, ['run', '--rm', '--name', 'other', IMG, 'true']);
    try {
      await until(() => /container destroy evc/.test(evOut), 15_000, `the destroy event in ${JSON.stringify(evOut)}`);
    } finally { ev.kill(); }
    const until_ = Math.ceil(Date.now() / 1000); // events of this very second are included
    const lines = evOut.trim().split('\n').map((l) => l.replace(' <no value>', '').trim());
    assert.deepEqual(lines.filter((l) => /create|start|die|destroy/.test(l)), ['container create evc', 'container start evc', 'container die evc 4', 'container destroy evc']);
    // replay of what already happened: --since/--until in the past returns at once
    const past = await docker(srv, ['events', '--since', String(t0 - 30), '--until', String(until_), '--filter', 'container=evc', '--format', '{{.Action}}']);
    assert.equal(past.code, 0, past.stderr);
    assert.deepEqual(past.stdout.trim().split('\n').filter((l) => /create|start|die|destroy/.test(l)), ['create', 'start', 'die', 'destroy']);
    const bad = await docker(srv, ['events', '--filter', 'bogus=1', '--until', '1']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /invalid filter 'bogus'/);
  });

  test('images: list, inspect, tag, history, rmi, save | load', async () => {
    const ls = await docker(srv, ['images', '--format', '{{.Repository}}:{{.Tag}}']);
    assert.match(ls.stdout, /pier-test\/busybox:latest/);
    const insp = await docker(srv, ['image', 'inspect', IMG, '--format', '{{.Os}} {{len .RootFS.Layers}}']);
    assert.equal(insp.stdout.trim(), 'linux 1');
    assert.equal((await docker(srv, ['tag', IMG, 'mine/bb:v1'])).code, 0);
    const run = await docker(srv, ['run', '--rm', 'mine/bb:v1', 'echo', 'tagged']);
    assert.equal(run.stdout, 'tagged\n');
    const h = await docker(srv, ['history', 'mine/bb:v1']);
    assert.equal(h.code, 0, h.stderr);
    const rmi = await docker(srv, ['rmi', 'mine/bb:v1']);
    assert.equal(rmi.code, 0, rmi.stderr);
    assert.match(rmi.stdout, /Untagged: mine\/bb:v1/);
    const none = await docker(srv, ['image', 'inspect', 'mine/bb:v1']);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /No such image/);
    const c = await docker(srv, ['create', '--name', 'user', 'pier-test/layered', 'true']);
    assert.equal(c.code, 0, c.stderr);
    const busy = await docker(srv, ['rmi', 'pier-test/layered']);
    assert.equal(busy.code, 1);
    assert.match(busy.stderr, /conflict: unable to remove repository reference/);
    await docker(srv, ['rm', 'user']);
  });

  test('pull from a local registry', { skip: registryAvailable() }, async () => {
    let reg: TestRegistry | undefined;
    try {
      reg = await startRegistry();
      const { buildTestImages } = await import('../../scripts/build-test-images');
      reg.push((await buildTestImages()).images.busybox.ociRef, 'lib/bb:1.0');
      const p = await docker(srv, ['pull', `${reg.host}/lib/bb:1.0`]);
      assert.equal(p.code, 0, p.stderr);
      assert.match(p.stdout, /Status: Downloaded newer image for/);
      assert.match(p.stdout, new RegExp(`${reg.host.replace(/\./g, '\\.')}/lib/bb:1.0`));
      const again = await docker(srv, ['pull', `${reg.host}/lib/bb:1.0`]);
      assert.match(again.stdout, /Image is up to date/);
      const run = await docker(srv, ['run', '--rm', `${reg.host}/lib/bb:1.0`, 'echo', 'pulled']);
      assert.equal(run.stdout, 'pulled\n', run.stderr);
      const missing = await docker(srv, ['pull', `${reg.host}/lib/nope:1`]);
      assert.equal(missing.code, 1);
      // docker run of an image that is not local pulls it first
      const auto = await docker(srv, ['run', '--rm', `${reg.host}/lib/bb:1.0`.replace('lib/bb', 'lib/bb'), 'true']);
      assert.equal(auto.code, 0);
    } finally { await reg?.stop(); }
  });

  test('cp: in and out, directories, symlinks stay inside the container', async () => {
    const { mkdtempSync, writeFileSync, readFileSync, mkdirSync, existsSync: exists, lstatSync } = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'pier-cp-'));
    const r = await docker(srv, ['run', '-d', '--name', 'cpc', IMG, 'sleep', '60']);
    assert.equal(r.code, 0, r.stderr);
    try {
      writeFileSync(path.join(tmp, 'in.txt'), 'into the container\n');
      assert.equal((await docker(srv, ['cp', path.join(tmp, 'in.txt'), 'cpc:/tmp/'])).code, 0);
      assert.equal((await docker(srv, ['exec', 'cpc', 'cat', '/tmp/in.txt'])).stdout, 'into the container\n');
      assert.equal((await docker(srv, ['cp', path.join(tmp, 'in.txt'), 'cpc:/tmp/renamed'])).code, 0);
      assert.equal((await docker(srv, ['exec', 'cpc', 'cat', '/tmp/renamed'])).stdout, 'into the container\n');
      mkdirSync(path.join(tmp, 'tree/sub'), { recursive: true });
      writeFileSync(path.join(tmp, 'tree/sub/f'), 'deep');
      assert.equal((await docker(srv, ['cp', path.join(tmp, 'tree'), 'cpc:/opt/'])).code, 0);
      assert.equal((await docker(srv, ['exec', 'cpc', 'cat', '/opt/tree/sub/f'])).stdout, 'deep');
      await docker(srv, ['exec', 'cpc', 'sh', '-c', 'echo made-inside > /tmp/out.txt']);
      const out = await docker(srv, ['cp', 'cpc:/tmp/out.txt', path.join(tmp, 'out.txt')]);
      assert.equal(out.code, 0, out.stderr);
      assert.equal(readFileSync(path.join(tmp, 'out.txt'), 'utf8'), 'made-inside\n');
      const bin = await docker(srv, ['cp', 'cpc:/bin', path.join(tmp, 'bin')]);
      assert.equal(bin.code, 0, bin.stderr);
      assert.ok(lstatSync(path.join(tmp, 'bin/sh')).isSymbolicLink());
      // a symlink to / inside the container resolves inside it, never on the host
      await docker(srv, ['exec', 'cpc', 'ln', '-s', '/', '/tmp/escape']);
      const marker = `pier-cp-escape-${process.pid}`;
      writeFileSync(path.join(tmp, marker), 'x');
      assert.equal((await docker(srv, ['cp', path.join(tmp, marker), 'cpc:/tmp/escape/etc/'])).code, 0);
      assert.ok(!exists(`/etc/${marker}`), 'wrote on the host');
      assert.equal((await docker(srv, ['exec', 'cpc', 'cat', `/etc/${marker}`])).stdout, 'x');
      const exp = await docker(srv, ['export', '-o', path.join(tmp, 'exp.tar'), 'cpc']);
      assert.equal(exp.code, 0, exp.stderr);
      const { execFileSync } = await import('node:child_process');
      const names = execFileSync('tar', ['tf', path.join(tmp, 'exp.tar')], { encoding: 'utf8' }).split('\n');
      assert.ok(names.includes('tmp/in.txt') && names.includes('bin/busybox'), names.slice(0, 20).join(' '));
      const diff = await docker(srv, ['diff', 'cpc']);
      if (diff.code === 0) {
        assert.match(diff.stdout, /^C \/tmp$/m);
        assert.match(diff.stdout, /^A \/tmp\/in\.txt$/m);
        assert.match(diff.stdout, /^A \/opt\/tree\/sub\/f$/m);
        await docker(srv, ['exec', 'cpc', 'rm', '/etc/passwd']);
        assert.match((await docker(srv, ['diff', 'cpc'])).stdout, /^D \/etc\/passwd$/m);
      } else assert.match(diff.stderr, /needs the overlay snapshotter/);
      const missing = await docker(srv, ['cp', 'cpc:/no/such', tmp]);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /Could not find the file \/no\/such in container/);
    } finally {
      await docker(srv, ['rm', '-f', 'cpc']);
      cleanup(tmp);
    }
  });

  test('checkpoint create, ls, start --checkpoint', async (t) => {
    const r = await docker(srv, ['run', '-d', '--name', 'cp1', IMG, 'sh', '-c', 'i=0; while true; do echo $i; i=$((i+1)); sleep 0.1; done']);
    assert.equal(r.code, 0, r.stderr);
    try {
      await sleep(500);
      const c = await docker(srv, ['checkpoint', 'create', 'cp1', 'snap1']);
      if (c.code !== 0 && /criu/i.test(c.stderr) && /not found|check failed|cannot/i.test(c.stderr)) { t.skip(`CRIU cannot checkpoint on this host: ${c.stderr.trim()}`); return; }
      assert.equal(c.code, 0, c.stderr);
      assert.equal((await docker(srv, ['inspect', '-f', '{{.State.Running}}', 'cp1'])).stdout.trim(), 'false');
      const ls = await docker(srv, ['checkpoint', 'ls', 'cp1']);
      assert.match(ls.stdout, /snap1/);
      const s = await docker(srv, ['start', '--checkpoint', 'snap1', 'cp1']);
      assert.equal(s.code, 0, s.stderr);
      assert.equal((await docker(srv, ['inspect', '-f', '{{.State.Running}}', 'cp1'])).stdout.trim(), 'true');
      const rm = await docker(srv, ['checkpoint', 'rm', 'cp1', 'snap1']);
      assert.equal(rm.code, 0, rm.stderr);
    } finally { await docker(srv, ['rm', '-f', 'cp1']); }
  });
});

interface PtyCtl { write(s: string): void; resize(cols: number, rows: number): void; expect(re: RegExp, ms?: number): Promise<void>; sizeIs(rowsCols: string): Promise<void> }

/** Runs the docker CLI in a pseudo-terminal (100×30), drives it, returns its exit code and output. */
async function ptySession(args: string[], drive: (t: PtyCtl) => Promise<void>): Promise<{ exitCode: number; text: string }> {
  const p = pty.spawn(DOCKER, args, { name: 'xterm', cols: 100, rows: 30, env: srv.env as Record<string, string> });
  let text = '', mark = 0;
  p.onData((d) => { text += d; });
  const exited = new Promise<number>((r) => p.onExit(({ exitCode }) => r(exitCode)));
  const ctl: PtyCtl = {
    write: (s) => p.write(s),
    resize: (c, r) => p.resize(c, r),
    async expect(re, ms = 10_000) {
      await until(() => { const m = re.exec(text.slice(mark)); if (m) { mark += m.index + m[0].length; return true; } return false; }, ms, `${re} in:\n${JSON.stringify(text)}`);
    },
    /** Asks `stty size` until the shell reports "rows cols" (each answer is one line). */
    async sizeIs(rowsCols) {
      const end = Date.now() + 10_000;
      for (;;) {
        p.write('stty size\r');
        await ctl.expect(/\r\n(\d+ \d+)\r\n/);
        if (text.slice(0, mark).trimEnd().endsWith(rowsCols)) return;
        if (Date.now() > end) throw new Error(`the terminal never became ${rowsCols}:\n${JSON.stringify(text)}`);
      }
    },
  };
  try { await drive(ctl); } catch (e) { p.kill(); throw e; }
  const exitCode = await Promise.race([exited, sleep(15_000).then(() => { p.kill(); return -1; })]);
  return { exitCode, text };
}
