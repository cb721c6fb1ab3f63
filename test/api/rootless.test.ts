// Rootless Pier as a normal user would run it (issue 13). As root, the test creates throw-away
// users (useradd, with and without a subordinate range) and, as each user (setpriv), starts
// `pier serve` with no flags and drives it with the real docker CLI, also run as that user.
// Also: another user cannot reach the engine's socket or data, and the system engine's socket
// (pier serve as root) accepts a member of the `pier` group and refuses others.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as pty from '@lydell/node-pty';
import { createUser, readableRepo, rootlessSkipReason, REPO, type TestUser } from '../helpers/users';
import { startRegistry, registryAvailable, type TestRegistry } from '../helpers/registry';
import { baseLayerEntries, makeTar } from '../../scripts/build-test-images';
import { DOCKER, until, sleep, request } from './helpers';

/** exec create + start (raw multiplexed stream, not upgraded) + inspect, on the API socket. */
async function execApi(socket: string, container: string, cmd: string[]): Promise<{ output: string; exitCode: number }> {
  const created = await request(socket, 'POST', `/containers/${container}/exec`, JSON.stringify({ AttachStdout: true, AttachStderr: true, Cmd: cmd }));
  assert.equal(created.status, 201, created.body);
  const id = (JSON.parse(created.body) as { Id: string }).Id;
  const started = await request(socket, 'POST', `/exec/${id}/start`, '{}');
  assert.equal(started.status, 200, started.body);
  const raw = Buffer.from(started.body, 'latin1');
  let output = '';
  for (let i = 0; i + 8 <= raw.length; i += 8 + raw.readUInt32BE(i + 4)) output += raw.subarray(i + 8, i + 8 + raw.readUInt32BE(i + 4)).toString();
  const info = await until(async () => {
    const j = JSON.parse((await request(socket, 'GET', `/exec/${id}/json`)).body) as { Running: boolean; ExitCode: number };
    return j.Running ? undefined : j;
  }, 10_000, 'the exec to end');
  return { output, exitCode: info.ExitCode };
}

const skip = rootlessSkipReason() ?? registryAvailable();
const IMG = 'rl/owners:1';
const sha = (b: Buffer | string) => crypto.createHash('sha256').update(b).digest('hex');

/** A docker-archive: busybox + a layer with a uid-1000 home, a setuid file and a user "app". */
async function ownersImage(file: string): Promise<void> {
  const base = await makeTar(await baseLayerEntries());
  const top = await makeTar([
    { name: 'etc/', type: 'directory' },
    { name: 'etc/passwd', type: 'file', data: 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n' },
    { name: 'etc/group', type: 'file', data: 'root:x:0:\napp:x:1000:\n' },
    { name: 'home/', type: 'directory' },
    { name: 'home/app/', type: 'directory', mode: 0o750, uid: 1000, gid: 1000 },
    { name: 'home/app/data.txt', type: 'file', data: 'app data\n', mode: 0o640, uid: 1000, gid: 1000 },
    { name: 'usr/', type: 'directory' },
    { name: 'usr/local/', type: 'directory' },
    { name: 'usr/local/bin/', type: 'directory' },
    { name: 'usr/local/bin/suid-tool', type: 'file', data: '#!/bin/sh\necho suid\n', mode: 0o4755 },
  ]);
  const config = JSON.stringify({
    architecture: 'amd64', os: 'linux', created: '2024-01-01T00:00:00Z',
    config: { Cmd: ['sh'], Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'] },
    rootfs: { type: 'layers', diff_ids: [`sha256:${sha(base)}`, `sha256:${sha(top)}`] },
  });
  const manifest = JSON.stringify([{ Config: `${sha(config)}.json`, RepoTags: [IMG], Layers: [`${sha(base)}/layer.tar`, `${sha(top)}/layer.tar`] }]);
  fs.writeFileSync(file, await makeTar([
    { name: `${sha(base)}/`, type: 'directory' }, { name: `${sha(base)}/layer.tar`, type: 'file', data: base },
    { name: `${sha(top)}/`, type: 'directory' }, { name: `${sha(top)}/layer.tar`, type: 'file', data: top },
    { name: `${sha(config)}.json`, type: 'file', data: config }, { name: 'manifest.json', type: 'file', data: manifest },
  ]));
  fs.chmodSync(file, 0o644);
}

interface Serve { proc: ChildProcess; output: () => string; socket: string; stop(): Promise<void> }

/** `pier serve` as the user, no flags; resolves when the engine is ready. */
async function serveAs(user: TestUser, repo: string, env: NodeJS.ProcessEnv, socket: string): Promise<Serve> {
  const proc = user.spawn([process.execPath, path.join(repo, 'bin/pier.js'), 'serve'], { env });
  let out = '';
  proc.stdout!.on('data', (d) => { out += d; });
  proc.stderr!.on('data', (d) => { out += d; });
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`pier serve (as ${user.name}) did not start in 60s:\n${out}`)), 60_000);
    proc.stdout!.on('data', () => { if (/engine ready/.test(out)) { clearTimeout(t); resolve(); } });
    proc.once('exit', (code) => { clearTimeout(t); reject(new Error(`pier serve (as ${user.name}) exited (${code}):\n${out}`)); });
  });
  return {
    proc, socket, output: () => out,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    },
  };
}

function dockerAs(user: TestUser, socket: string, args: string[], input?: string) {
  return user.run([DOCKER, ...args], { env: user.env({ DOCKER_HOST: `unix://${socket}`, DOCKER_CONFIG: path.join(user.home, '.docker') }), input, timeoutMs: 90_000 });
}

describe('rootless pier serve as a normal user', { skip }, () => {
  let user: TestUser, other: TestUser, srv: Serve, registry: TestRegistry;
  let scratch: string, archive: string, socket: string;

  before(async () => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'pier-rl-'));
    fs.chmodSync(scratch, 0o755);
    archive = path.join(scratch, 'owners.tar');
    await ownersImage(archive);
    registry = await startRegistry();
    registry.push(`docker-archive:${archive}`, 'rl/pulled:1');
    user = createUser('a');
    other = createUser('b');
    const xdg = path.join(scratch, `xdg-${user.uid}`);
    fs.mkdirSync(xdg, { mode: 0o700 });
    fs.chownSync(xdg, user.uid, user.gid);
    socket = path.join(xdg, 'pier', 'docker.sock');
    srv = await serveAs(user, readableRepo(user, scratch), user.env({ XDG_RUNTIME_DIR: xdg }), socket);
  });

  after(async () => {
    await srv?.stop();
    user?.remove();
    other?.remove();
    await registry?.stop();
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  const d = (args: string[], input?: string) => dockerAs(user, socket, args, input);

  test('defaults: XDG paths, owner-only socket and data, a mapped namespace', () => {
    assert.ok(!srv.output().includes('warning'), srv.output());
    const st = fs.statSync(socket);
    assert.equal(st.uid, user.uid);
    assert.equal(st.mode & 0o777, 0o600);
    const data = path.join(user.home, '.local/share/pier');
    assert.equal(fs.statSync(data).mode & 0o777, 0o700);
    assert.equal(fs.statSync(data).uid, user.uid);
    const pause = Number(fs.readFileSync(path.join(path.dirname(socket), 'pause.pid'), 'utf8'));
    const map = fs.readFileSync(`/proc/${pause}/uid_map`, 'utf8').trim().split('\n').map((l) => l.trim().split(/\s+/).map(Number));
    assert.deepEqual(map, [[0, user.uid, 1], [1, user.range!.start, user.range!.count]]);
  });

  test('load and pull; ownership inside matches the image, shifted into the range on the host', async () => {
    const load = await d(['load', '-i', archive]);
    assert.equal(load.code, 0, load.stderr);
    const pull = await d(['pull', `${registry.host}/rl/pulled:1`]);
    assert.equal(pull.code, 0, pull.stderr);
    for (const img of [IMG, `${registry.host}/rl/pulled:1`]) {
      const r = await d(['run', '--rm', img, 'sh', '-c', 'id; stat -c "%u:%g %a %n" /home/app /home/app/data.txt /usr/local/bin/suid-tool /etc/passwd']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /uid=0\(root\) gid=0\(root\)/);
      assert.match(r.stdout, /1000:1000 750 \/home\/app\n/);
      assert.match(r.stdout, /1000:1000 640 \/home\/app\/data.txt/);
      assert.match(r.stdout, /0:0 4755 \/usr\/local\/bin\/suid-tool/);
      assert.match(r.stdout, /0:0 644 \/etc\/passwd/);
    }
    const found = execFileSync('find', [path.join(user.home, '.local/share/pier'), '-path', '*/diff/home/app/data.txt'], { encoding: 'utf8' }).trim().split('\n')[0];
    const st = fs.statSync(found);
    assert.equal(st.uid, user.range!.start + 999);
    assert.equal(st.gid, user.range!.start + 999);
  });

  test('run --rm: output and exit codes; a user from the image', async () => {
    const hi = await d(['run', '--rm', IMG, 'echo', 'hi']);
    assert.deepEqual([hi.code, hi.stdout], [0, 'hi\n']);
    const three = await d(['run', '--rm', IMG, 'sh', '-c', 'echo oops >&2; exit 3']);
    assert.deepEqual([three.code, three.stderr], [3, 'oops\n']);
    const missing = await d(['run', '--rm', IMG, 'no-such-command']);
    assert.equal(missing.code, 127, missing.stderr);
    const app = await d(['run', '--rm', '-u', 'app', IMG, 'sh', '-c', 'id -u; cat /home/app/data.txt']);
    assert.deepEqual([app.code, app.stdout], [0, '1000\napp data\n']);
  });

  test('run -it through a pty, with resize', async () => {
    const [bin, args] = user.as([DOCKER, 'run', '-it', '--rm', IMG, 'sh']);
    const env = user.env({ DOCKER_HOST: `unix://${socket}`, DOCKER_CONFIG: path.join(user.home, '.docker'), TERM: 'xterm' });
    const p = pty.spawn(bin, args, { name: 'xterm', cols: 90, rows: 25, env: env as Record<string, string>, cwd: user.home });
    let text = '';
    p.onData((s) => { text += s; });
    const exited = new Promise<number>((r) => p.onExit(({ exitCode }) => r(exitCode)));
    try {
      await until(() => /# (\x1b\[6n)?$/.test(text), 30_000, `a prompt in ${JSON.stringify(text)}; pier serve said:\n${srv.output().slice(-2000)}`);
      p.write('stty size; id -u\r');
      await until(() => /25 90\r\n0\r\n/.test(text), 10_000, `25 90 in ${JSON.stringify(text)}`);
      p.resize(120, 40);
      // the resize reaches the container's console through conmon's ctl; wait for it, not a delay
      await until(async () => {
        const before = text.length;
        p.write('stty size\r');
        await sleep(200);
        return /40 120/.test(text.slice(before));
      }, 10_000, `40 120 in ${JSON.stringify(text)}`);
      p.write('exit 7\r');
      assert.equal(await Promise.race([exited, sleep(15_000).then(() => -1)]), 7);
    } finally { p.kill(); }
  });

  test('detached: exec, logs, stop, kill, rm; pause is refused with the reason', async () => {
    const run = await d(['run', '-d', '--name', 'web', IMG, 'sh', '-c', 'echo started; trap "echo bye; exit 0" TERM; while :; do sleep 0.1; done']);
    assert.equal(run.code, 0, run.stderr);
    const ex = await execApi(socket, 'web', ['sh', '-c', 'id -u; echo $((6*7)); exit 5']);
    assert.deepEqual(ex, { output: '0\n42\n', exitCode: 5 });
    const cli = await d(['exec', 'web', 'sh', '-c', 'echo in; exit 6']);
    assert.deepEqual([cli.code, cli.stdout], [6, 'in\n'], cli.stderr);
    await until(async () => (await d(['logs', 'web'])).stdout.includes('started'), 10_000, 'logs');
    const pause = await d(['pause', 'web']);
    assert.notEqual(pause.code, 0);
    assert.match(pause.stderr, /pause is not available: rootless engine: .*cgroup/);
    const stop = await d(['stop', 'web']);
    assert.equal(stop.code, 0, stop.stderr);
    const state = await d(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', 'web']);
    assert.equal(state.stdout.trim(), 'exited 0');
    assert.match((await d(['logs', 'web'])).stdout, /started\nbye\n/);
    assert.equal((await d(['start', 'web'])).code, 0);
    assert.equal((await d(['kill', 'web'])).code, 0);
    assert.equal((await d(['wait', 'web'])).stdout.trim(), '137');
    assert.equal((await d(['rm', 'web'])).code, 0);
    assert.equal((await d(['ps', '-aq'])).stdout.trim(), '');
  });

  test('bind mount in the home keeps the user as owner; --network none and host', async () => {
    const dir = path.join(user.home, 'work');
    assert.equal((await user.run(['mkdir', dir])).code, 0);
    fs.writeFileSync(path.join(dir, 'in.txt'), 'from host\n');
    fs.chownSync(path.join(dir, 'in.txt'), user.uid, user.gid);
    const r = await d(['run', '--rm', '-v', `${dir}:/work`, IMG, 'sh', '-c', 'stat -c "%u" /work/in.txt; cat /work/in.txt; echo out > /work/out.txt; mkdir /work/sub']);
    assert.deepEqual([r.code, r.stdout], [0, '0\nfrom host\n'], r.stderr);
    for (const f of ['out.txt', 'sub']) {
      const st = fs.statSync(path.join(dir, f));
      assert.deepEqual([st.uid, st.gid], [user.uid, user.gid], f);
    }
    // /proc/net/dev shows the process's own network namespace (/sys is the host's, bind-mounted)
    const ifs = 'tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " " | sort';
    const none = await d(['run', '--rm', '--network', 'none', IMG, 'sh', '-c', ifs]);
    assert.deepEqual([none.code, none.stdout], [0, 'lo\n'], none.stderr);
    // host: the user's own namespace, which has the default route's interface (others come and go with other tests)
    const uplink = fs.readFileSync('/proc/net/route', 'utf8').split('\n').find((l) => l.split('\t')[1] === '00000000')?.split('\t')[0] ?? 'lo';
    const host = await d(['run', '--rm', '--network', 'host', IMG, 'sh', '-c', ifs]);
    assert.equal(host.code, 0, host.stderr);
    assert.ok(host.stdout.split('\n').includes(uplink) && host.stdout.split('\n').includes('lo'), host.stdout);
  });

  test('named volume: under the user\'s data dir; copy-up and writes carry the mapped owners', async () => {
    // copy-up of the image's /home/app (1000:1000 750, data.txt 640) into an empty volume; a write as the image's user
    const r = await d(['run', '--rm', '-u', 'app', '-v', 'appdata:/home/app', IMG, 'sh', '-c',
      'stat -c "%u:%g %a %n" /home/app /home/app/data.txt; echo mine > /home/app/new.txt']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '1000:1000 750 /home/app\n1000:1000 640 /home/app/data.txt\n');
    const mp = (await d(['volume', 'inspect', '-f', '{{.Mountpoint}}', 'appdata'])).stdout.trim();
    assert.equal(mp, path.join(user.home, '.local/share/pier/volumes/appdata/_data'));
    const mapped = user.range!.start + 999;
    for (const f of ['', 'data.txt', 'new.txt']) {
      const st = fs.statSync(path.join(mp, f));
      assert.deepEqual([st.uid, st.gid], [mapped, mapped], `host owner of ${f || 'the volume root'}`);
    }
    // the data outlives the container; a second container sees it with the same owners
    const again = await d(['run', '--rm', '-v', 'appdata:/data', IMG, 'sh', '-c', 'stat -c "%u:%g" /data/new.txt; cat /data/new.txt']);
    assert.deepEqual([again.code, again.stdout], [0, '1000:1000\nmine\n'], again.stderr);
    assert.equal((await d(['volume', 'rm', 'appdata'])).code, 0);
    assert.equal(fs.existsSync(path.dirname(mp)), false);
  });

  test('another user cannot reach the socket or read the data', async () => {
    const r = await dockerAs(other, socket, ['ps']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /permission denied/i);
    const ls = await other.run(['ls', path.join(user.home, '.local/share/pier')]);
    assert.notEqual(ls.code, 0);
    assert.match(ls.stderr, /Permission denied/);
  });
});

describe('rootless without a subordinate range', { skip }, () => {
  let user: TestUser, srv: Serve, scratch: string, archive: string;
  const socket = () => `/tmp/pier-${user.uid}/pier/docker.sock`;

  before(async () => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'pier-rl1-'));
    fs.chmodSync(scratch, 0o755);
    archive = path.join(scratch, 'owners.tar');
    await ownersImage(archive);
    user = createUser('n', { subids: false });
    assert.equal(user.range, undefined);
    // no XDG_RUNTIME_DIR (as under su/runuser): falls back to /tmp/pier-<uid>
    srv = await serveAs(user, readableRepo(user, scratch), user.env(), socket());
  });
  after(async () => { await srv?.stop(); user?.remove(); if (scratch) fs.rmSync(scratch, { recursive: true, force: true }); });

  test('the engine says which range is missing and the command that adds it', () => {
    assert.match(srv.output(), new RegExp(`warning: no subordinate uid and gid range for user ${user.name} in /etc/subuid and /etc/subgid`));
    assert.match(srv.output(), new RegExp(`usermod --add-subuids \\d+-\\d+ --add-subgids \\d+-\\d+ ${user.name}`));
    assert.equal(fs.statSync(`/tmp/pier-${user.uid}`).mode & 0o777, 0o700);
  });

  test('containers run with the single mapping; every file belongs to root', async () => {
    assert.equal((await dockerAs(user, socket(), ['load', '-i', archive])).code, 0);
    const r = await dockerAs(user, socket(), ['run', '--rm', IMG, 'sh', '-c', 'id -u; stat -c "%u:%g %a" /home/app/data.txt; exit 4']);
    assert.equal(r.code, 4, r.stderr);
    assert.equal(r.stdout, '0\n0:0 640\n');
    const info = await dockerAs(user, socket(), ['info', '--format', '{{json .Warnings}}']);
    assert.match(info.stdout, /no subordinate uid and gid range/);
  });
});

describe('system engine socket: the pier group', { skip }, () => {
  let member: TestUser, outsider: TestUser, proc: ChildProcess, dir: string, createdGroup = false;
  const sock = () => path.join(dir, 'run', 'docker.sock');

  before(async () => {
    try { execFileSync('getent', ['group', 'pier'], { stdio: 'ignore' }); } catch { execFileSync('groupadd', ['--system', 'pier']); createdGroup = true; }
    member = createUser('g', { groups: ['pier'] });
    outsider = createUser('o');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pier-sys-'));
    fs.chmodSync(dir, 0o755);
    fs.mkdirSync(path.join(dir, 'run'), { mode: 0o700 });
    proc = spawn(process.execPath, [path.join(REPO, 'bin/pier.js'), 'serve', '--root', path.join(dir, 'root'), '--runroot', path.join(dir, 'run'), '--socket', sock()], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout!.on('data', (b) => { out += b; });
    proc.stderr!.on('data', (b) => { out += b; });
    await until(() => /engine ready/.test(out), 60_000, `pier serve as root:\n${out}`);
    assert.match(out, /members of the "pier" group can use/);
  });
  after(async () => {
    if (proc && proc.exitCode === null) { const e = new Promise((r) => proc.once('exit', r)); proc.kill('SIGTERM'); await e; }
    member?.remove();
    outsider?.remove();
    if (createdGroup) execFileSync('groupdel', ['pier']);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('socket root:pier 0660; a member connects, others are refused', async () => {
    const st = fs.statSync(sock());
    const gid = Number(execFileSync('getent', ['group', 'pier'], { encoding: 'utf8' }).split(':')[2]);
    assert.deepEqual([st.uid, st.gid, st.mode & 0o777], [0, gid, 0o660]);
    const ok = await dockerAs(member, sock(), ['version', '--format', '{{.Server.Os}}']);
    assert.deepEqual([ok.code, ok.stdout.trim()], [0, 'linux'], ok.stderr);
    const no = await dockerAs(outsider, sock(), ['version', '--format', '{{.Server.Os}}']);
    assert.notEqual(no.code, 0);
    assert.match(no.stderr, /permission denied/i);
  });
});
