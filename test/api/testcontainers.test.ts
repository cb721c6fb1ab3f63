// testcontainers-node 11.9.0 (dockerode underneath: unversioned paths, `true` booleans, exec without Upgrade)
// against `pier serve`, with Ryuk enabled (a stand-in built on this host: test/fixtures/ryuk) and no host
// override: on this machine /.dockerenv exists, so testcontainers reaches published ports at the gateway of the
// `bridge` network. Flows: log wait, logs, exec; exposed ports with Wait.forListeningPorts and Wait.forHttp,
// files and content copied in before start, a Network with an alias, a health check; DockerComposeEnvironment
// (Compose v2); and a session that ends without cleaning up, which Ryuk reaps.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startPierWithImages, stopPier, docker, until, DOCKER, REPO, type PierServer } from './helpers';
import { COMPOSE_V2_PLUGIN_DIR } from '../helpers/dockerd';
import { buildRyukImage, ryukSkipReason } from '../helpers/ryuk';
import { leftoverRules } from '../helpers/netrules';

const IMG = 'pier-test/busybox:latest';
const V2 = path.join(COMPOSE_V2_PLUGIN_DIR, 'docker-compose');
const skip = !existsSync(DOCKER) ? `${DOCKER} not installed (used to load the test image)`
  : process.getuid?.() !== 0 ? 'needs root (conmon + runc)' : ryukSkipReason();
let srv: PierServer;
let dir: string;
let gateway: string;

const COMPOSE_FILE = `services:
  web:
    image: ${IMG}
    command: ["sh", "-c", "trap 'exit 0' TERM; echo hello-compose > /data/index.html; httpd -f -p 80 -h /data & wait"]
    ports: ["80"]
    volumes: ["data:/data"]
    healthcheck:
      test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1/"]
      interval: 1s
      retries: 30
  worker:
    image: ${IMG}
    command: ["sh", "-c", "trap 'exit 0' TERM; while :; do wget -q -O - http://web/; sleep 1 & wait; done"]
volumes:
  data: {}
`;

const text = async (url: string) => (await fetch(url)).text();
const ok = async (args: string[]) => {
  const r = await docker(srv, args);
  assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
};
const lines = async (args: string[]) => (await ok(args)).split('\n').filter(Boolean);
/** The host interface that carries the network's gateway address. */
const bridgeOf = async (network: string) => {
  const gw = await ok(['network', 'inspect', network, '--format', '{{(index .IPAM.Config 0).Gateway}}']);
  const line = execFileSync('ip', ['-o', '-4', 'addr', 'show'], { encoding: 'utf8' }).split('\n').find((l) => l.includes(` inet ${gw}/`));
  assert.ok(line, `an interface with ${gw} (network ${network})`);
  return line.split(/\s+/)[1];
};

describe('testcontainers against pier serve (Ryuk on)', { skip }, () => {
  before(async () => {
    srv = await startPierWithImages();
    buildRyukImage(srv.env);
    dir = mkdtempSync(path.join(os.tmpdir(), 'pier-tc-'));
    const cfg = path.join(dir, 'docker-config');
    mkdirSync(path.join(cfg, 'cli-plugins'), { recursive: true });
    if (existsSync(V2)) symlinkSync(V2, path.join(cfg, 'cli-plugins', 'docker-compose'));
    mkdirSync(path.join(dir, 'stack'));
    writeFileSync(path.join(dir, 'stack', 'docker-compose.yml'), COMPOSE_FILE);
    writeFileSync(path.join(dir, 'a.txt'), 'from-a-file\n');
    // testcontainers reads its configuration from the environment when first loaded
    Object.assign(process.env, { DOCKER_HOST: `unix://${srv.socket}`, DOCKER_CONFIG: cfg, RYUK_CONTAINER_IMAGE: 'pier-test/ryuk:1' });
    delete process.env.TESTCONTAINERS_RYUK_DISABLED;
    delete process.env.TESTCONTAINERS_HOST_OVERRIDE;
    gateway = existsSync('/.dockerenv') ? await ok(['network', 'inspect', 'bridge', '--format', '{{(index .IPAM.Config 0).Gateway}}']) : 'localhost';
  });
  after(() => stopPier(srv));

  test('GenericContainer: start, wait for a log message, logs, exec, stop; Ryuk runs with the API socket', async () => {
    const { GenericContainer, Wait } = await import('testcontainers');
    const c = await new GenericContainer(IMG)
      .withCommand(['sh', '-c', 'echo booting; echo ready to serve; echo to-stderr >&2; sleep 300'])
      .withEnvironment({ GREETING: 'hello from pier' })
      .withLabels({ suite: 'testcontainers' })
      .withWaitStrategy(Wait.forLogMessage('ready to serve'))
      .withStartupTimeout(30_000)
      .start();
    try {
      const logs = await c.logs();
      const out = await new Promise<string>((resolve) => {
        let s = '';
        logs.on('data', (d: Buffer | string) => { s += d.toString(); if (s.includes('to-stderr')) { logs.destroy(); resolve(s); } });
        logs.on('end', () => resolve(s));
      });
      assert.match(out, /booting/);
      assert.match(out, /ready to serve/);
      const ex = await c.exec(['sh', '-c', 'echo $GREETING; echo oops >&2; exit 3']);
      assert.equal(ex.exitCode, 3);
      assert.equal(ex.stdout, 'hello from pier\n');
      assert.equal(ex.stderr, 'oops\n');
      assert.equal(c.getLabels().suite, 'testcontainers');
      assert.equal(await ok(['ps', '--filter', 'label=suite=testcontainers', '--format', '{{.State}}']), 'running');
      const session = c.getLabels()['org.testcontainers.session-id'];
      assert.ok(session, 'labelled with the session Ryuk watches');
      const ryuk = await ok(['ps', '--filter', `name=testcontainers-ryuk-${session}`, '--format', '{{.ID}}']);
      assert.ok(ryuk, 'the Ryuk stand-in is running');
      assert.match(await ok(['inspect', ryuk, '--format', '{{range .Mounts}}{{.Source}}:{{.Destination}}{{end}}']),
        new RegExp(`${srv.socket}:/var/run/docker.sock`));
    } finally {
      await c.stop({ timeout: 0 });
    }
    assert.deepEqual(await lines(['ps', '-aq', '--filter', 'label=suite=testcontainers']), [], 'stop removes the container');
  });

  test('exposed ports (Wait.forListeningPorts, Wait.forHttp + health check), copied files, Network alias', async () => {
    const { GenericContainer, Network, Wait } = await import('testcontainers');
    const network = await new Network().start();
    const server = await new GenericContainer(IMG)
      .withCommand(['sh', '-c', 'mkdir -p /www && cat /in/a.txt /etc/b.txt > /www/index.html && httpd -f -p 8080 -h /www'])
      .withExposedPorts(8080)
      .withNetwork(network).withNetworkAliases('server')
      .withCopyFilesToContainer([{ source: path.join(dir, 'a.txt'), target: '/in/a.txt' }])
      .withCopyContentToContainer([{ content: 'from-content\n', target: '/etc/b.txt', mode: 0o600 }])
      .withWaitStrategy(Wait.forListeningPorts())
      .start();
    const checked = await new GenericContainer(IMG)
      .withCommand(['sh', '-c', 'echo ok > /tmp/health; httpd -f -p 80 -h /tmp'])
      .withExposedPorts(80)
      .withHealthCheck({ test: ['CMD', 'test', '-f', '/tmp/health'], interval: 500, retries: 20 })
      .withWaitStrategy(Wait.forAll([Wait.forHttp('/health', 80).forStatusCode(200), Wait.forHealthCheck()]))
      .start();
    const client = await new GenericContainer(IMG).withNetwork(network).withCommand(['sleep', '300']).start();
    const bridge = await bridgeOf(network.getName());
    try {
      assert.equal(server.getHost(), gateway, 'published ports are reached at the bridge gateway (/.dockerenv) or localhost');
      assert.equal(await text(`http://${server.getHost()}:${server.getMappedPort(8080)}/`), 'from-a-file\nfrom-content\n');
      assert.equal(await text(`http://${checked.getHost()}:${checked.getMappedPort(80)}/health`), 'ok\n');
      assert.equal(await ok(['inspect', checked.getId(), '--format', '{{.State.Health.Status}}']), 'healthy');
      const mode = await server.exec(['stat', '-c', '%a', '/etc/b.txt']);
      assert.equal(mode.output.trim(), '600');
      const viaAlias = await client.exec(['wget', '-q', '-O', '-', 'http://server:8080/']);
      assert.equal(viaAlias.output, 'from-a-file\nfrom-content\n');
    } finally {
      await Promise.all([server.stop(), checked.stop(), client.stop()]);
    }
    await network.stop();
    assert.deepEqual(await lines(['ps', '-aq', '--filter', `id=${server.getId()}`, '--filter', `id=${client.getId()}`]), []);
    assert.equal((await docker(srv, ['network', 'inspect', network.getName()])).code, 1, 'network removed');
    // the teardown ends after the removal answers (write-behind, docs/networking.md)
    await until(() => !existsSync(`/sys/class/net/${bridge}`), 30_000, `bridge ${bridge} removed`);
  });

  test('DockerComposeEnvironment (Compose v2): health wait, published port, service name, down leaves nothing',
    { skip: existsSync(V2) ? undefined : `${V2} not found (run scripts/setup-dockerd.sh)` }, async () => {
      const { DockerComposeEnvironment, Wait } = await import('testcontainers');
      const env = await new DockerComposeEnvironment(path.join(dir, 'stack'), 'docker-compose.yml')
        .withProjectName('tcstack')
        .withWaitStrategy('web-1', Wait.forHealthCheck())
        .withWaitStrategy('worker-1', Wait.forLogMessage('hello-compose'))
        .up();
      const web = env.getContainer('web-1');
      assert.equal(web.getHost(), gateway);
      assert.equal(await text(`http://${web.getHost()}:${web.getMappedPort(80)}/`), 'hello-compose\n');
      assert.equal(await ok(['inspect', web.getId(), '--format', '{{.State.Health.Status}}']), 'healthy');
      const bridge = await bridgeOf('tcstack_default');
      await env.down();
      assert.deepEqual(await lines(['ps', '-aq', '--filter', 'label=com.docker.compose.project=tcstack']), []);
      assert.deepEqual(await lines(['network', 'ls', '-q', '--filter', 'label=com.docker.compose.project=tcstack']), []);
      assert.deepEqual(await lines(['volume', 'ls', '-q', '--filter', 'label=com.docker.compose.project=tcstack']), []);
      await until(() => !existsSync(`/sys/class/net/${bridge}`), 30_000, `bridge ${bridge} removed`);
    });

  test('Ryuk reaps what an ended session left: containers, networks, Compose project with its volume; then itself',
    { skip: existsSync(V2) ? undefined : `${V2} not found (run scripts/setup-dockerd.sh)` }, async () => {
      const reapers = async () => lines(['ps', '-a', '--format', '{{.Names}}', '--filter', 'name=testcontainers-ryuk-']);
      const ours = await reapers(); // this test process's own session (if an earlier test started one)
      const child = spawn(process.execPath, [path.join(REPO, 'test/fixtures/testcontainers-session.mjs'), path.join(dir, 'stack'), IMG],
        { env: { ...process.env, TESTCONTAINERS_RYUK_RECONNECTION_TIMEOUT: '1s' }, cwd: REPO, stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '', err = '';
      child.stdout.on('data', (d) => { out += d; });
      child.stderr.on('data', (d) => { err += d; });
      const exited = new Promise<number | null>((r) => child.once('exit', r));
      await Promise.race([until(() => out.includes('\n'), 120_000, 'the session to start'),
        exited.then((code) => { throw new Error(`session exited (${code}):\n${err}`); })]);
      const left = JSON.parse(out) as { networkName: string; container: string; composeContainer: string };
      const nets = [left.networkName, 'tcreap_default'];
      const info = await Promise.all(nets.map(async (n) => ({ bridge: await bridgeOf(n),
        subnet: await ok(['network', 'inspect', n, '--format', '{{(index .IPAM.Config 0).Subnet}}']) })));
      assert.equal(await ok(['volume', 'inspect', 'tcreap_data', '--format', '{{.Name}}']), 'tcreap_data');
      assert.equal((await reapers()).length, ours.length + 1, 'the session started its own Ryuk');
      child.stdin.end();
      assert.equal(await exited, 0);
      await until(async () => {
        const ps = await lines(['ps', '-aq', '--no-trunc']);
        const netNames = await lines(['network', 'ls', '--format', '{{.Name}}']);
        return !ps.includes(left.container) && !ps.includes(left.composeContainer)
          && !nets.some((n) => netNames.includes(n)) && !(await lines(['volume', 'ls', '-q'])).includes('tcreap_data');
      }, 60_000, 'Ryuk removing the session\'s containers, networks and volume');
      await until(async () => (await reapers()).join() === ours.join(), 30_000, 'the session\'s Ryuk gone (AutoRemove)');
      for (const { bridge, subnet } of info) {
        await until(() => !existsSync(`/sys/class/net/${bridge}`) && !leftoverRules([bridge], [subnet]).length, 30_000, `bridge ${bridge} and its rules removed`);
        assert.deepEqual(leftoverRules([bridge], [subnet]), [], `no rule left for ${bridge} ${subnet}`);
      }
    });
});
