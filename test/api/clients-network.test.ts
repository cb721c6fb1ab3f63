// Network and port calls of real clients against `pier serve` on bridge networking:
// docker-py (networks.create/list/get/connect/disconnect/remove, ports=, container.ports) and
// testcontainers (exposed ports mapped to free host ports, an HTTP wait strategy on the mapped port).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { startPierWithImages, stopPier, DOCKER, type PierServer } from './helpers';

const hasPy = spawnSync('python3', ['-c', 'import docker'], { stdio: 'ignore' }).status === 0;
const skip = !existsSync(DOCKER) ? `${DOCKER} not installed` : process.getuid?.() !== 0 ? 'needs root (netavark)'
  : !existsSync('/usr/lib/podman/netavark') ? 'netavark not installed (scripts/setup-host.sh)' : undefined;
const SUBNET = `10.216.${100 + (process.pid % 100)}.0/24`;
let srv: PierServer;

const PY = String.raw`
import docker, json, sys, urllib.request
c = docker.DockerClient(base_url=sys.argv[1])
out = {}
n = c.networks.create('pynet', driver='bridge', ipam=docker.types.IPAMConfig(pool_configs=[docker.types.IPAMPool(subnet=sys.argv[2])]), labels={'by': 'py'})
out['names'] = sorted(x.name for x in c.networks.list())
out['by_label'] = [x.name for x in c.networks.list(filters={'label': 'by=py'})]
web = c.containers.run('pier-test/busybox', ['sh', '-c', 'echo py > /www; exec httpd -f -p 80 -h /'], detach=True, name='pyweb', ports={'80/tcp': None}, network='pynet')
web.reload()
out['ports'] = web.ports
port = web.ports['80/tcp'][0]['HostPort']
for i in range(100):
    try:
        out['http'] = urllib.request.urlopen('http://127.0.0.1:%s/www' % port, timeout=2).read().decode(); break
    except Exception:
        import time; time.sleep(0.05)
out['api_port'] = c.api.port(web.id, 80)
other = c.containers.run('pier-test/busybox', ['sleep', '60'], detach=True, name='pyother')
n.connect(other, aliases=['buddy'])
n.reload()
out['members'] = sorted(x.name for x in n.containers)
out['resolve'] = other.exec_run(['wget', '-qO-', 'http://pyweb/www']).output.decode()
n.disconnect(other)
try:
    n.remove()
    out['removed_in_use'] = True
except docker.errors.APIError as e:
    out['removed_in_use'] = e.status_code
web.remove(force=True); other.remove(force=True)
n.remove()
out['after'] = [x.name for x in c.networks.list(names=['pynet'])]
print(json.dumps(out))
`;

describe('client network calls against pier serve', { skip }, () => {
  before(async () => { srv = await startPierWithImages(); });
  after(() => stopPier(srv));

  test('docker-py: networks and ports', { skip: hasPy ? undefined : 'python3 docker module not installed' }, () => {
    const out = JSON.parse(execFileSync('python3', ['-c', PY, `unix://${srv.socket}`, SUBNET], { encoding: 'utf8', timeout: 90_000 })) as Record<string, unknown>;
    assert.deepEqual(out.names, ['bridge', 'host', 'none', 'pynet']);
    assert.deepEqual(out.by_label, ['pynet']);
    const ports = out.ports as Record<string, Array<{ HostIp: string; HostPort: string }>>;
    assert.deepEqual(ports['80/tcp'].map((p) => p.HostIp), ['0.0.0.0', '::']);
    assert.match(ports['80/tcp'][0].HostPort, /^\d+$/);
    assert.equal(out.http, 'py\n');
    assert.deepEqual((out.api_port as Array<{ HostPort: string }>).map((p) => p.HostPort), [ports['80/tcp'][0].HostPort, ports['80/tcp'][0].HostPort]);
    assert.deepEqual(out.members, ['pyother', 'pyweb']);
    assert.equal(out.resolve, 'py\n');
    assert.equal(out.removed_in_use, 403); // dockerd's status for active endpoints (test/api/conformance.test.ts)
    assert.deepEqual(out.after, []);
  });

  test('testcontainers: exposed port mapped, HTTP wait on it, getMappedPort', async () => {
    process.env.DOCKER_HOST = `unix://${srv.socket}`;
    process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';
    process.env.TESTCONTAINERS_HOST_OVERRIDE = '127.0.0.1';
    const { GenericContainer, Wait } = await import('testcontainers');
    const c = await new GenericContainer('pier-test/busybox:latest')
      .withCommand(['sh', '-c', 'echo tc > /www; exec httpd -f -p 80 -h /'])
      .withExposedPorts(80)
      .withWaitStrategy(Wait.forHttp('/www', 80).forStatusCode(200))
      .withStartupTimeout(30_000)
      .start();
    try {
      const port = c.getMappedPort(80);
      assert.ok(port > 0);
      const body = await (await fetch(`http://${c.getHost()}:${port}/www`)).text();
      assert.equal(body, 'tc\n');
    } finally {
      await c.stop({ timeout: 0 });
    }
  });
});
