// Rootless networking (issue 14) as a normal user: a throw-away user (with a subordinate range)
// starts `pier serve` and drives it with the docker CLI. Real slirp4netns, netavark, aardvark-dns
// inside the engine's rootless network namespace, and Pier's port forwarder. Traffic goes only to
// the host's loopback and between the test's containers.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createUser, readableRepo, rootlessSkipReason, type TestUser } from '../helpers/users';
import { DOCKER, testImages, until } from './helpers';

const IMG = 'pier-test/busybox';
const skip = rootlessSkipReason() ?? (fs.existsSync('/usr/bin/slirp4netns') ? undefined : 'slirp4netns not installed');

interface Serve { proc: ChildProcess; output: () => string; stop(signal?: NodeJS.Signals): Promise<void> }

async function serveAs(user: TestUser, repo: string, env: NodeJS.ProcessEnv): Promise<Serve> {
  const proc = user.spawn([process.execPath, path.join(repo, 'bin/pier.js'), 'serve'], { env });
  let out = '';
  proc.stdout!.on('data', (d) => { out += d; });
  proc.stderr!.on('data', (d) => { out += d; });
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`pier serve did not start in 60s:\n${out}`)), 60_000);
    proc.stdout!.on('data', () => { if (/engine ready/.test(out)) { clearTimeout(t); resolve(); } });
    proc.once('exit', (code) => { clearTimeout(t); reject(new Error(`pier serve exited (${code}):\n${out}`)); });
  });
  return {
    proc, output: () => out,
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode !== null || proc.signalCode) return;
      const exited = new Promise((r) => proc.once('exit', r));
      // SIGKILL cannot be relayed: the engine itself (the re-executed child inside the namespace) gets it,
      // not the pause process (also a child) that holds the namespaces
      if (signal === 'SIGKILL') for (const c of childrenOf(proc.pid!)) if (!/^sleep\0/.test(fs.readFileSync(`/proc/${c}/cmdline`, 'utf8'))) process.kill(c, 'SIGKILL');
      proc.kill(signal);
      await exited;
    },
  };
}

function childrenOf(pid: number): number[] {
  return fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e)).filter((e) => {
    try { return fs.readFileSync(`/proc/${e}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')[1] === String(pid); } catch { return false; }
  }).map(Number);
}

/** A TCP port nobody listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => resolve(p)); });
  });
}

function get(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = http.get({ host, port, path: '/', agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (b) => { body += b; });
      res.on('end', () => resolve(body));
      res.on('error', () => resolve(undefined));
    });
    req.on('error', () => resolve(undefined));
    req.on('timeout', () => req.destroy());
  });
}

/** Processes of the user (its uid or its range) whose command is one of `names`. */
function processesOf(user: TestUser, names: string[]): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const uid = Number(/^Uid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${e}/status`, 'utf8'))![1]);
      const mine = uid === user.uid || (!!user.range && uid >= user.range.start && uid < user.range.start + user.range.count);
      const cmd = fs.readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0').join(' ');
      if (mine && names.some((n) => cmd.includes(n))) out.push(`${e}: ${cmd}`);
    } catch { /* gone */ }
  }
  return out;
}

const WEB = (text: string) => ['sh', '-c', `mkdir -p /w && echo ${text} > /w/index.html && exec httpd -f -p 80 -h /w`];

describe('rootless networking as a normal user', { skip }, () => {
  let user: TestUser, srv: Serve, scratch: string, runroot: string, env: NodeJS.ProcessEnv, repo: string;
  const d = (args: string[]) => user.run([DOCKER, ...args], { env: user.env({ DOCKER_HOST: `unix://${path.join(runroot, 'docker.sock')}`, DOCKER_CONFIG: path.join(user.home, '.docker') }), timeoutMs: 90_000 });
  const ok = async (args: string[]) => {
    const r = await d(args);
    assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}\n${srv.output().slice(-3000)}`);
    return r.stdout.trim();
  };
  const nsMounted = () => {
    const pause = Number(fs.readFileSync(path.join(runroot, 'pause.pid'), 'utf8'));
    return fs.readFileSync(`/proc/${pause}/mountinfo`, 'utf8').includes(`${runroot}/rootless-netns `);
  };

  before(async () => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'pier-rlnet-'));
    fs.chmodSync(scratch, 0o755);
    const archive = path.join(scratch, 'images.tar');
    fs.copyFileSync(await testImages(), archive);
    fs.chmodSync(archive, 0o644);
    user = createUser('net');
    const xdg = path.join(scratch, `xdg-${user.uid}`);
    fs.mkdirSync(xdg, { mode: 0o700 });
    fs.chownSync(xdg, user.uid, user.gid);
    runroot = path.join(xdg, 'pier');
    env = user.env({ XDG_RUNTIME_DIR: xdg });
    repo = readableRepo(user, scratch);
    srv = await serveAs(user, repo, env);
    await ok(['load', '-i', archive]);
  });

  after(async () => {
    await srv?.stop();
    user?.remove();
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  test('-p HOSTPORT:80 answers on the host loopback (IPv4 and IPv6); docker port', async () => {
    const port = await freePort();
    await ok(['run', '-d', '--name', 'web', '-p', `${port}:80`, IMG, ...WEB('hello-rootless')]);
    // the forwarder accepts at once; the body comes once httpd listens
    assert.equal(await until(() => get('127.0.0.1', port), 15_000, 'httpd through the forwarder'), 'hello-rootless\n');
    assert.equal(await get('::1', port), 'hello-rootless\n');
    const ports = (await ok(['port', 'web', '80'])).split('\n').sort();
    assert.deepEqual(ports, [`0.0.0.0:${port}`, `[::]:${port}`]);
    const inspect = JSON.parse(await ok(['inspect', 'web']))[0];
    assert.match(inspect.NetworkSettings.IPAddress, /^\d+\.\d+\.\d+\.\d+$/);
    assert.equal(inspect.HostConfig.NetworkMode, 'default');
  });

  test('port conflict: Docker\'s error, nothing set up for the refused container', async () => {
    const port = Number((await ok(['port', 'web', '80'])).split('\n')[0].split(':').pop());
    const before = fs.readdirSync(path.join(runroot, 'netns')).length;
    const r = await d(['run', '-d', '--name', 'web2', '-p', `${port}:80`, IMG, ...WEB('second')]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, new RegExp(`Bind for 0\\.0\\.0\\.0:${port} failed: port is already allocated`));
    assert.equal(fs.readdirSync(path.join(runroot, 'netns')).length, before);
    assert.equal(await get('127.0.0.1', port), 'hello-rootless\n');
    await ok(['rm', '-f', 'web2']);
    const udp = await d(['run', '-d', '--name', 'udp', '-p', `${await freePort()}:53/udp`, IMG, 'sleep', '60']);
    assert.notEqual(udp.code, 0);
    assert.match(udp.stderr, /rootless engine forwards TCP ports only/);
    await ok(['rm', '-f', 'udp']);
  });

  test('two containers on a user network reach each other by name and alias', async () => {
    await ok(['network', 'create', 'rlnet']);
    await ok(['run', '-d', '--name', 'api', '--network', 'rlnet', '--network-alias', 'backend', IMG, ...WEB('from-api')]);
    const client = (host: string) => ok(['run', '--rm', '--network', 'rlnet', IMG, 'sh', '-c',
      `for i in $(seq 100); do wget -qO- http://${host}/ 2>/dev/null && exit 0; sleep 0.1; done; cat /etc/resolv.conf; exit 1`]);
    assert.equal(await client('api'), 'from-api');
    assert.equal(await client('backend'), 'from-api');
    const resolv = await ok(['exec', 'api', 'cat', '/etc/resolv.conf']);
    assert.match(resolv, /search dns\.podman/);
  });

  test('the engine killed: published ports keep answering; restart re-adopts; teardown leaves nothing', async () => {
    const port = Number((await ok(['port', 'web', '80'])).split('\n')[0].split(':').pop());
    await srv.stop('SIGKILL');
    assert.equal(await get('127.0.0.1', port), 'hello-rootless\n');
    srv = await serveAs(user, repo, env);
    assert.equal(await get('127.0.0.1', port), 'hello-rootless\n');
    assert.equal(await ok(['run', '--rm', '--network', 'rlnet', IMG, 'wget', '-qO-', 'http://api/']), 'from-api');
    await ok(['rm', '-f', 'web', 'api']);
    await ok(['network', 'rm', 'rlnet']);
    assert.equal(await get('127.0.0.1', port), undefined);
    assert.deepEqual(processesOf(user, ['slirp4netns', 'aardvark-dns', 'pier-forward']), []);
    assert.equal(nsMounted(), false);
    assert.deepEqual(fs.readdirSync(path.join(runroot, 'netns')), []);
  });
});
