// Rootless networking (issue 14) as a normal user: a throw-away user (with a subordinate range)
// starts `pier serve` and drives it with the docker CLI. Real slirp4netns, netavark, aardvark-dns
// inside the engine's rootless network namespace, and Pier's port forwarder. Traffic goes only to
// the host's loopback and between the test's containers.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createUser, readableRepo, rootlessSkipReason, type TestUser } from '../helpers/users';
import { DOCKER, testImages, until } from './helpers';
import { dnsServer, freeUdpPort, udpAsk, udpPortFree, type DnsServer } from '../helpers/udp';
import { freePort } from '../helpers/registry';

const IMG = 'pier-test/busybox';
const skip = rootlessSkipReason() ?? (fs.existsSync('/usr/bin/slirp4netns') ? undefined : 'slirp4netns not installed');

interface Serve { proc: ChildProcess; output: () => string; stop(signal?: NodeJS.Signals): Promise<void> }

/**
 * `pier serve` as the user. With `resolv`, in a mount namespace of its own whose /etc/resolv.conf is that file
 * (how a host with systemd-resolved or dnsmasq looks to the engine, slirp4netns and aardvark-dns).
 */
async function serveAs(user: TestUser, repo: string, env: NodeJS.ProcessEnv, o: { resolv?: string } = {}): Promise<Serve> {
  const argv = [process.execPath, path.join(repo, 'bin/pier.js'), 'serve'];
  let proc: ChildProcess;
  if (o.resolv) {
    const [bin, args] = user.as(argv);
    proc = spawn('unshare', ['-m', '--propagation', 'private', '--', 'sh', '-c', 'mount --bind "$0" /etc/resolv.conf && exec "$@"', o.resolv, bin, ...args],
      { env, cwd: user.home, stdio: ['ignore', 'pipe', 'pipe'] });
  } else proc = user.spawn(argv, { env });
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

/** A throw-away user, a scratch dir it can read with the test images in it, and its XDG_RUNTIME_DIR there. */
async function rootlessUser(tag: string): Promise<{ user: TestUser; scratch: string; archive: string; runroot: string; env: NodeJS.ProcessEnv }> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), `pier-rl${tag}-`));
  fs.chmodSync(scratch, 0o755);
  const archive = path.join(scratch, 'images.tar');
  fs.copyFileSync(await testImages(), archive);
  fs.chmodSync(archive, 0o644);
  const user = createUser(tag);
  const xdg = path.join(scratch, `xdg-${user.uid}`);
  fs.mkdirSync(xdg, { mode: 0o700 });
  fs.chownSync(xdg, user.uid, user.gid);
  return { user, scratch, archive, runroot: path.join(xdg, 'pier'), env: user.env({ XDG_RUNTIME_DIR: xdg }) };
}

/** A UDP echo on port 5353 of the namespace it runs in; prints "ready" once bound. */
const UDP_ECHO = `const s = require('dgram').createSocket('udp4');
s.on('message', (m, r) => s.send('echo:' + m, r.port, r.address));
s.bind(5353, () => process.stdout.write('ready\\n'));`;

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
    let archive: string;
    ({ user, scratch, archive, runroot, env } = await rootlessUser('net'));
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
  });

  test('-p HOSTPORT:PORT/udp: datagrams reach the container, replies come back; rm frees the port', async () => {
    const port = await freeUdpPort();
    await ok(['run', '-d', '--name', 'udp', '-p', `127.0.0.1:${port}:5353/udp`, IMG, 'sleep', '600']);
    assert.equal(await ok(['port', 'udp']), `5353/udp -> 127.0.0.1:${port}`);
    // busybox has no UDP server: a UDP echo runs in the container's network namespace
    const pid = Number(await ok(['inspect', '-f', '{{.State.Pid}}', 'udp']));
    const echo = spawn('nsenter', [`--net=/proc/${pid}/ns/net`, '--', process.execPath, '-e', UDP_ECHO], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await once(echo.stdout!, 'data');
      assert.equal(String(await udpAsk(port, 'ping')), 'echo:ping');
    } finally { echo.kill(); }
    await ok(['rm', '-f', 'udp']);
    assert.equal(await udpPortFree(port), true);
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
    assert.equal(await get('127.0.0.1', port), undefined, 'the port is closed once the removal answers');
    // the rest of the teardown ends after the removal answers (write-behind, docs/networking.md)
    await until(() => !processesOf(user, ['slirp4netns', 'aardvark-dns', 'pier-forward']).length && !nsMounted(), 30_000, 'teardown finished');
    assert.deepEqual(processesOf(user, ['slirp4netns', 'aardvark-dns', 'pier-forward']), []);
    assert.equal(nsMounted(), false);
    assert.deepEqual(fs.readdirSync(path.join(runroot, 'netns')), []);
  });
});

// A host whose resolv.conf names only a loopback resolver (as systemd-resolved's 127.0.0.53): aardvark-dns and the
// containers live in the rootless namespace, where the host's loopback is out of reach. The test's DNS server
// answers on port 53 of a loopback address nobody else uses (not 127.0.0.53 itself: a host may run systemd-resolved
// there, another suite may run this test); the engine runs in a mount namespace whose resolv.conf names only it.
async function loopbackDns(records: Record<string, string>): Promise<{ address: string; server: DnsServer }> {
  for (;;) {
    const address = `127.53.${1 + Math.floor(Math.random() * 254)}.${1 + Math.floor(Math.random() * 254)}`;
    const server = await dnsServer(address, 53, records).catch((e: NodeJS.ErrnoException) => { if (e.code === 'EADDRINUSE') return undefined; throw e; });
    if (server) return { address, server };
  }
}

describe('rootless DNS with a loopback host resolver', { skip }, () => {
  let user: TestUser, srv: Serve, scratch: string, runroot: string, dns: DnsServer;
  const ok = async (args: string[]) => {
    const r = await user.run([DOCKER, ...args], { env: user.env({ DOCKER_HOST: `unix://${path.join(runroot, 'docker.sock')}`, DOCKER_CONFIG: path.join(user.home, '.docker') }), timeoutMs: 90_000 });
    assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stdout}${r.stderr}\n${srv.output().slice(-3000)}`);
    return r.stdout.trim();
  };

  before(async () => {
    let address: string;
    ({ address, server: dns } = await loopbackDns({ 'outside.pier.test': '10.77.0.7' }));
    let archive: string, env: NodeJS.ProcessEnv;
    ({ user, scratch, archive, runroot, env } = await rootlessUser('dns'));
    const resolv = path.join(scratch, 'resolv.conf');
    fs.writeFileSync(resolv, `nameserver ${address}\n`, { mode: 0o644 });
    srv = await serveAs(user, readableRepo(user, scratch), env, { resolv });
    await ok(['load', '-i', archive]);
  });

  after(async () => {
    await srv?.stop();
    user?.remove();
    await dns?.close();
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  test('containers on a user network and on the default bridge resolve outside names through it', async () => {
    await ok(['network', 'create', 'rldns']);
    const onUser = await ok(['run', '--rm', '--network', 'rldns', IMG, 'nslookup', 'outside.pier.test']);
    assert.match(onUser, /Address:\s*10\.77\.0\.7/);
    const onDefault = await ok(['run', '--rm', IMG, 'nslookup', 'outside.pier.test']);
    assert.match(onDefault, /Address:\s*10\.77\.0\.7/);
    assert.ok(dns.queries.includes('outside.pier.test'), dns.queries.join(', '));
    await ok(['network', 'rm', 'rldns']);
  });
});
