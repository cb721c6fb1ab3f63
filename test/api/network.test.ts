// Networking through the real docker CLI against `pier serve` (netavark, aardvark-dns, iptables):
// published ports from the host (IPv4 and IPv6 loopback) and from a namespace the test creates,
// 127.0.0.1 publishing, -P, conflicts, names and aliases on a user network, connect/disconnect of a
// running container, a container reaching its own published port, engine SIGKILL, teardown.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { startPier, startPierWithImages, stopPier, docker as dockerRaw, until, DOCKER, type PierServer } from './helpers';
import { leftoverRules } from '../helpers/netrules';

const IMG = 'pier-test/busybox';
const NETAVARK = existsSync('/usr/lib/podman/netavark') && existsSync('/usr/lib/podman/aardvark-dns');
const skip = !existsSync(DOCKER) ? `${DOCKER} not installed` : process.getuid?.() !== 0 ? 'needs root (netavark)'
  : !NETAVARK ? 'netavark/aardvark-dns not installed (scripts/setup-host.sh)' : undefined;
// subnets and names unique to this run (other helpers run podman and other engines)
const K = 100 + (process.pid % 100);
const SUBNET = `10.214.${K}.0/24`, CLIENT_NET = `10.215.${K}`;
const CLIENT_NS = `piertest-${process.pid}`, VETH = `ptv${process.pid % 100000}`;
let srv: PierServer;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => resolve(p)); });
    s.on('error', reject);
  });
}

function curl(url: string, ns?: string): { code: number; out: string } {
  const args = ['-s', '-m', '5', url];
  const r = ns ? spawnSync('ip', ['netns', 'exec', ns, 'curl', ...args], { encoding: 'utf8' }) : spawnSync('curl', args, { encoding: 'utf8' });
  return { code: r.status ?? -1, out: r.stdout };
}

async function ok(args: string[]): Promise<string> {
  const r = await docker(srv, args);
  assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

async function docker(...a: Parameters<typeof dockerRaw>) {
  const t0 = Date.now();
  const r = await dockerRaw(...a);
  if (process.env.NET_DEBUG) process.stderr.write(`${Date.now() - t0}ms docker ${a[1].join(' ')}\n`);
  return r;
}

const HTTPD = ['sh', '-c', 'hostname > /www; exec httpd -f -p 80 -h /'];

/** iptables lines that mention this engine's bridges or subnets. */
function ourRules(bridges: string[], subnets: string[]): string[] {
  const dump = execFileSync('iptables-save', { encoding: 'utf8' }).split('\n');
  return dump.filter((l) => [...bridges, ...subnets].some((x) => l.includes(x)));
}

describe('networking against pier serve', { skip }, () => {
  before(async () => {
    srv = await startPierWithImages();
    // a client namespace with a veth to the host (only this test's traffic goes there)
    execFileSync('ip', ['netns', 'add', CLIENT_NS]);
    execFileSync('ip', ['link', 'add', VETH, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', CLIENT_NS]);
    execFileSync('ip', ['addr', 'add', `${CLIENT_NET}.1/30`, 'dev', VETH]);
    execFileSync('ip', ['link', 'set', VETH, 'up']);
    for (const a of [['addr', 'add', `${CLIENT_NET}.2/30`, 'dev', 'eth0'], ['link', 'set', 'eth0', 'up'], ['link', 'set', 'lo', 'up']]) {
      execFileSync('ip', ['netns', 'exec', CLIENT_NS, 'ip', ...a]);
    }
  });
  after(async () => {
    spawnSync('ip', ['link', 'del', VETH]);
    spawnSync('ip', ['netns', 'del', CLIENT_NS]);
    if (srv) for (const n of (await docker(srv, ['network', 'ls', '-q', '--filter', 'type=custom'])).stdout.split('\n').filter(Boolean)) {
      await docker(srv, ['rm', '-f', ...(await docker(srv, ['ps', '-aq'])).stdout.split('\n').filter(Boolean)]);
      await docker(srv, ['network', 'rm', n]);
    }
    await stopPier(srv);
  });

  test('-p HOST:80: from the host on 127.0.0.1 and ::1, from another namespace, from inside (own port), docker port and ps', async () => {
    const port = await freePort();
    const id = await ok(['run', '-d', '--name', 'web', '-p', `${port}:80`, IMG, ...HTTPD]);
    const host = id.slice(0, 12);
    await until(() => curl(`http://127.0.0.1:${port}/www`).out === `${host}\n`, 10_000, 'httpd on 127.0.0.1');
    assert.equal(curl(`http://[::1]:${port}/www`).out, `${host}\n`, 'IPv6 loopback through the proxy');
    assert.equal(curl(`http://${CLIENT_NET}.1:${port}/www`, CLIENT_NS).out, `${host}\n`, 'from a client namespace');
    assert.equal(await ok(['port', 'web']), `80/tcp -> 0.0.0.0:${port}\n80/tcp -> [::]:${port}`);
    assert.equal(await ok(['ps', '--filter', 'name=web', '--format', '{{.Ports}}']), `0.0.0.0:${port}->80/tcp, [::]:${port}->80/tcp`);
    const gw = await ok(['inspect', 'web', '--format', '{{.NetworkSettings.Gateway}}']);
    assert.match(gw, /^\d+\.\d+\.\d+\.1$/);
    // hairpin: the container reaches its own published port through the gateway
    assert.equal(await ok(['exec', 'web', 'wget', '-qO-', `http://${gw}:${port}/www`]), host);
    // PortBindings exactly as the CLI sent them
    assert.equal(await ok(['inspect', 'web', '--format', '{{json .HostConfig.PortBindings}}']), `{"80/tcp":[{"HostIp":"","HostPort":"${port}"}]}`);
  });

  test('a taken port: "port is already allocated", nothing set up, the first container unharmed', async () => {
    const port = Number((await ok(['port', 'web', '80/tcp'])).split('\n')[0].split(':').pop());
    const netnsBefore = readdirSync(path.join(srv.runroot, 'netns')).sort();
    const r = await docker(srv, ['run', '-d', '--name', 'web2', '-p', `${port}:80`, IMG, ...HTTPD]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, new RegExp(`Bind for 0\\.0\\.0\\.0:${port} failed: port is already allocated`));
    assert.deepEqual(readdirSync(path.join(srv.runroot, 'netns')).sort(), netnsBefore);
    assert.equal(await ok(['inspect', 'web2', '--format', '{{.State.Status}}']), 'created');
    assert.equal(curl(`http://127.0.0.1:${port}/www`).code, 0);
    // a port held by another program is refused the same way
    const other = net.createServer().listen(0, '0.0.0.0');
    await new Promise((r) => other.once('listening', r));
    const busy = (other.address() as net.AddressInfo).port;
    const r2 = await docker(srv, ['run', '-d', '-p', `${busy}:80`, IMG, ...HTTPD]);
    other.close();
    assert.match(r2.stderr, /port is already allocated/);
    await ok(['rm', '-f', 'web2']);
  });

  test('-p 127.0.0.1::80 and -P: chosen ports, reported by docker port, reachable; stop frees them', async () => {
    await ok(['run', '-d', '--name', 'local', '-p', '127.0.0.1::80', IMG, ...HTTPD]);
    const lp = await ok(['port', 'local', '80']);
    assert.match(lp, /^127\.0\.0\.1:\d+$/);
    await until(() => curl(`http://${lp}/www`).code === 0, 10_000, 'httpd on the chosen port');
    await ok(['run', '-d', '--name', 'all', '--expose', '80', '--expose', '81/udp', '-P', IMG, ...HTTPD]);
    const ap = await ok(['port', 'all']);
    const tcp = /80\/tcp -> 0\.0\.0\.0:(\d+)/.exec(ap);
    assert.ok(tcp && /81\/udp -> 0\.0\.0\.0:\d+/.test(ap), ap);
    await until(() => curl(`http://127.0.0.1:${tcp![1]}/www`).code === 0, 10_000, 'httpd on the -P port');
    await ok(['stop', '-t', '0', 'local', 'all']);
    assert.equal(await ok(['port', 'local']), '');
    // the port is free again: anything can bind it
    const s = net.createServer().listen(Number(tcp![1]), '0.0.0.0');
    await new Promise((r, j) => { s.once('listening', r); s.once('error', j); });
    s.close();
    await ok(['rm', 'local', 'all']);
  });

  test('user network: names and aliases resolve; connect and disconnect a running container; rm refused while in use', async () => {
    await ok(['network', 'create', '--subnet', SUBNET, '--label', 'suite=net', 'pnet']);
    const clash = await docker(srv, ['network', 'create', 'pnet']);
    assert.match(clash.stderr, /network with name pnet already exists/);
    const overlap = await docker(srv, ['network', 'create', '--subnet', SUBNET.replace('.0/24', '.128/25'), 'pnet-overlap']);
    assert.match(overlap.stderr, /overlaps with network pnet/);
    await ok(['run', '-d', '--name', 'api', '--network', 'pnet', '--network-alias', 'backend', IMG, ...HTTPD]);
    const apiIp = await ok(['inspect', 'api', '--format', '{{(index .NetworkSettings.Networks "pnet").IPAddress}}']);
    assert.ok(apiIp.startsWith(SUBNET.replace('0/24', '')), apiIp);
    const out = await ok(['run', '--rm', '--network', 'pnet', IMG, 'sh', '-c', 'wget -qO- http://api/www && wget -qO- http://backend/www && cat /etc/resolv.conf']);
    const [byName, byAlias] = out.split('\n');
    assert.equal(byName, byAlias);
    assert.match(out, /nameserver 10\.214\.\d+\.1/);
    // the default bridge does not resolve names (as Docker)
    const plain = await docker(srv, ['run', '--rm', IMG, 'sh', '-c', 'nslookup web >/dev/null 2>&1 && echo resolved || echo no']);
    assert.equal(plain.stdout.trim(), 'no');
    // web (default bridge, running) joins pnet with an alias, then leaves it
    await ok(['network', 'connect', '--alias', 'front', 'pnet', 'web']);
    assert.equal(await ok(['exec', 'api', 'wget', '-qO-', 'http://front/www']), (await ok(['inspect', 'web', '--format', '{{.Id}}'])).slice(0, 12));
    const insp = JSON.parse(await ok(['network', 'inspect', 'pnet', '--format', '{{json .Containers}}'])) as Record<string, { Name: string }>;
    assert.deepEqual(Object.values(insp).map((c) => c.Name).sort(), ['api', 'web']);
    const busy = await docker(srv, ['network', 'rm', 'pnet']);
    assert.match(busy.stderr, /has active endpoints/);
    await ok(['network', 'disconnect', 'pnet', 'web']);
    const gone = await docker(srv, ['exec', 'api', 'nslookup', 'front']);
    assert.notEqual(gone.code, 0);
    assert.deepEqual(JSON.parse(await ok(['inspect', 'web', '--format', '{{json .NetworkSettings.Networks}}'])).pnet, undefined);
    // a static address and --add-host/--dns
    const st = await ok(['run', '--rm', '--network', 'pnet', '--ip', SUBNET.replace('0/24', '77'), '--add-host', 'db:10.9.9.9', '--hostname', 'box', IMG, 'sh', '-c', 'ip -4 -o addr show eth0; cat /etc/hosts; hostname']);
    assert.match(st, new RegExp(`inet ${SUBNET.replace('0/24', '77').replace(/\./g, '\\.')}/24`));
    assert.match(st, /10\.9\.9\.9\tdb/);
    assert.match(st, /\nbox$/);
    await ok(['rm', '-f', 'api']);
    await ok(['network', 'rm', 'pnet']);
  });

  test('engine SIGKILL: ports keep answering; the restarted engine re-adopts (IPv6 proxy back); teardown leaves no rules', async () => {
    const port = Number((await ok(['port', 'web', '80/tcp'])).split('\n')[0].split(':').pop());
    const bridges = JSON.parse(await ok(['network', 'inspect', 'bridge', '--format', '{{json .Options}}']))['com.docker.network.bridge.name'] as string;
    const subnet = await ok(['network', 'inspect', 'bridge', '--format', '{{(index .IPAM.Config 0).Subnet}}']);
    const dir = srv.dir;
    await srv.stop('SIGKILL');
    assert.equal(curl(`http://127.0.0.1:${port}/www`).code, 0, 'IPv4 port held by conmon, DNAT in place');
    assert.equal(curl(`http://${CLIENT_NET}.1:${port}/www`, CLIENT_NS).code, 0);
    srv = await startPier({ dir, socket: srv.socket });
    assert.equal(await ok(['inspect', 'web', '--format', '{{.State.Status}}']), 'running');
    assert.equal(curl(`http://[::1]:${port}/www`).code, 0, 'IPv6 proxy re-adopted');
    const taken = await docker(srv, ['run', '-d', '-p', `${port}:80`, IMG, 'true']);
    assert.match(taken.stderr, /port is already allocated/, 'still reserved after the restart');
    assert.ok(ourRules([bridges], [subnet]).length > 0, 'rules while running');
    await ok(['rm', '-f', ...(await ok(['ps', '-aq'])).split('\n').filter(Boolean)]);
    // the network's teardown ends after the removal answers (write-behind, docs/networking.md)
    await until(() => !existsSync(`/sys/class/net/${bridges}`) && !readdirSync(path.join(srv.runroot, 'netns')).length
      && !leftoverRules([bridges], [subnet]).length, 30_000, 'teardown finished');
    assert.deepEqual(leftoverRules([bridges], [subnet]), []);
    assert.ok(!existsSync(`/sys/class/net/${bridges}`), 'bridge removed with its last container');
    assert.deepEqual(readdirSync(path.join(srv.runroot, 'netns')), []);
    const aardvark = spawnSync('pgrep', ['-f', `aardvark-dns --config ${srv.runroot}`]).stdout.toString().trim();
    assert.equal(aardvark, '', 'no aardvark-dns left for this engine');
    assert.notEqual(curl(`http://127.0.0.1:${port}/www`).code, 0);
  });
});
