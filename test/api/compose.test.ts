// Compose against `pier serve`: Compose v1 (Debian's docker-compose 1.29, Python) and Compose v2 (the CLI plugin
// from /opt/pier-dockerd) run the same stack — a web server built from the project (`build:`) with a published
// port, a named volume (filled from the image) and a healthcheck, a worker that reaches it by service name and
// waits for it to be healthy — through up, ps, logs, exec, run --rm, scale, restart, stop/start and down -v;
// afterwards nothing of the stack is left (containers, networks, volumes, bridges, firewall rules).
// Compose v2 builds with BuildKit unless DOCKER_BUILDKIT=0; Pier has the classic builder only (docs/api.md).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { startPierWithImages, stopPier, docker, until, type PierServer } from './helpers';
import { freePort } from '../helpers/registry';
import { COMPOSE_V2_PLUGIN_DIR } from '../helpers/dockerd';
import { leftoverRules } from '../helpers/netrules';

const V1 = '/usr/bin/docker-compose';
const V2 = path.join(COMPOSE_V2_PLUGIN_DIR, 'docker-compose');
const root = process.getuid?.() === 0 ? undefined : 'needs root (conmon + runc + netavark)';

function stackFile(port: number): string {
  return `version: "3.7"
services:
  web:
    build: ./web
    ports: ["${port}:80"]
    volumes: ["data:/www"]
    healthcheck:
      test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1/"]
      interval: 1s
      retries: 30
    labels: { tier: front }
    stop_grace_period: 1s
  worker:
    image: pier-test/busybox:latest
    command: ["sh", "-c", "while :; do wget -q -O - http://web/ && sleep 1; done"]
    stop_grace_period: 1s
    depends_on:
      web: { condition: service_healthy }
volumes:
  data: {}
`;
}

/** The web service's build context: the page is in the image; the named volume over /www is filled from it. */
function webContext(dir: string): void {
  mkdirSync(path.join(dir, 'web'), { recursive: true });
  writeFileSync(path.join(dir, 'web', 'index.html'), 'hello-from-web\n');
  writeFileSync(path.join(dir, 'web', 'Dockerfile'), [
    'FROM pier-test/busybox:latest',
    'COPY index.html /www/index.html',
    'CMD ["httpd", "-f", "-v", "-p", "80", "-h", "/www"]',
  ].join('\n') + '\n');
}

function get(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/' }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

const bridges = () => execFileSync('ip', ['-o', 'link', 'show', 'type', 'bridge'], { encoding: 'utf8' })
  .split('\n').filter(Boolean).map((l) => l.split(':')[1].trim().split('@')[0]).sort();
/** The host interface that carries `gateway`. */
const ifaceWith = (gateway: string) => execFileSync('ip', ['-o', '-4', 'addr', 'show'], { encoding: 'utf8' })
  .split('\n').find((l) => l.includes(` inet ${gateway}/`))?.split(/\s+/)[1];


interface Flavour {
  name: string; bin: string; skip?: string; argv(args: string[]): [string, string[]];
  /** the image `build:` made, and the log prefix of replica n of a service */
  built: string; prefix(service: string, n: number): string;
}
const flavours: Flavour[] = [
  { name: 'Compose v1', bin: V1, skip: existsSync(V1) ? undefined : `${V1} not installed (Debian docker-compose)`,
    argv: (args) => [V1, args], built: 'shop_web', prefix: (s, n) => `${s}_${n}` },
  { name: 'Compose v2', bin: V2, skip: existsSync(V2) ? undefined : `${V2} not found (run scripts/setup-dockerd.sh)`,
    argv: (args) => ['/usr/local/bin/docker', ['compose', ...args]], built: 'shop-web', prefix: (s, n) => `${s}-${n}` },
];

for (const f of flavours) {
  describe(`${f.name} against pier serve`, { skip: root ?? f.skip }, () => {
    let srv: PierServer | undefined;
    let dir: string;
    let env: NodeJS.ProcessEnv;
    before(async () => {
      srv = await startPierWithImages();
      dir = mkdtempSync(path.join(os.tmpdir(), 'pier-compose-'));
      const cfg = path.join(dir, 'docker-config');
      mkdirSync(path.join(cfg, 'cli-plugins'), { recursive: true });
      if (existsSync(V2)) symlinkSync(V2, path.join(cfg, 'cli-plugins', 'docker-compose'));
      env = { ...srv.env, DOCKER_CONFIG: cfg, COMPOSE_PROJECT_NAME: 'shop', DOCKER_BUILDKIT: '0' };
      webContext(dir);
    });
    after(async () => { await stopPier(srv); rmSync(dir, { recursive: true, force: true }); });

    const compose = (args: string[], timeout = 120_000) => {
      const [cmd, argv] = f.argv(['-f', path.join(dir, 'docker-compose.yml'), ...args]);
      try {
        return execFileSync(cmd, argv, { env, cwd: dir, encoding: 'utf8', timeout, stdio: ['ignore', 'pipe', 'pipe'] });
      } catch (e) {
        const x = e as { stderr?: string; stdout?: string };
        throw new Error(`${f.name} ${args.join(' ')} failed:\n${x.stderr ?? ''}${x.stdout ?? ''}\n${srv!.output().slice(-2000)}`);
      }
    };
    const projectContainers = async (all = true) => (await docker(srv!, ['ps', ...(all ? ['-a'] : []), '-q',
      '--filter', 'label=com.docker.compose.project=shop'])).stdout.split('\n').filter(Boolean);
    const health = async (name: string) => (await docker(srv!, ['inspect', name, '--format', '{{.State.Health.Status}}'])).stdout.trim();

    test('build, up, reach, logs, scale, exec, run, restart, down -v leaves nothing', async () => {
      const port = await freePort();
      writeFileSync(path.join(dir, 'docker-compose.yml'), stackFile(port));
      compose(['up', '-d']);
      const web = (await docker(srv!, ['ps', '-q', '--filter', 'label=com.docker.compose.service=web'])).stdout.trim();
      await until(async () => (await health(web)) === 'healthy', 60_000, 'web healthy');
      assert.equal(await get(port), 'hello-from-web\n');
      const ipam = async (net: string) => (await docker(srv!, ['network', 'inspect', net, '--format',
        '{{(index .IPAM.Config 0).Subnet}} {{(index .IPAM.Config 0).Gateway}}'])).stdout.trim().split(' ');
      const [subnet, gateway] = await ipam('shop_default');
      // the stack's bridge, and the default one (up while a port is published: testcontainers.test.ts)
      const stackBridges = [ifaceWith(gateway), ifaceWith((await ipam('bridge'))[1])];
      assert.ok(stackBridges.every(Boolean), `bridges of shop_default and bridge: ${stackBridges}`);
      assert.equal((await docker(srv!, ['image', 'inspect', f.built, '--format', '{{json .Config.Cmd}}'])).stdout.trim(),
        '["httpd","-f","-v","-p","80","-h","/www"]', 'built from the project\'s Dockerfile');
      assert.equal((await projectContainers()).length, 2, 'one container per service, listed once');
      // the worker found the web by service name
      await until(() => compose(['logs', '--no-color', 'worker']).includes('hello-from-web'), 30_000, 'worker reached web');
      assert.match(compose(['ps']), /healthy/);
      assert.equal(compose(['exec', '-T', 'web', 'cat', '/www/index.html']), 'hello-from-web\n');
      assert.match(compose(['run', '--rm', '--no-deps', 'worker', 'echo', 'one-off']), /one-off/);
      compose(['up', '-d', '--scale', 'worker=3']);
      await until(async () => (await projectContainers(false)).length === 4, 30_000, 'three workers running');
      // every replica reaches the web by service name; the web logs each request (httpd -v): logs interleave them
      let logs = '';
      await until(() => {
        logs = compose(['logs', '--no-color']);
        return [1, 2, 3].every((n) => new RegExp(`${f.prefix('worker', n)}\\s*\\| hello-from-web`).test(logs))
          && new RegExp(`${f.prefix('web', 1)}\\s*\\| .*response:200`).test(logs);
      }, 30_000, 'logs of every replica and of the web').catch((e: Error) => { throw new Error(`${e.message}:\n${logs}`); });
      compose(['restart', 'web']);
      await until(async () => (await health(web)) === 'healthy', 60_000, 'web healthy after restart');
      const stopOut = compose(['stop']);
      assert.equal((await projectContainers(false)).length, 0, `${stopOut}\n${(await docker(srv!, ['ps', '-a'])).stdout}`);
      compose(['start']);
      await until(async () => (await projectContainers(false)).length === 4, 30_000, 'all started');
      assert.equal(await until(() => get(port).catch(() => undefined), 30_000, 'web answering'), 'hello-from-web\n');
      compose(['down', '-v', '--remove-orphans']);
      assert.deepEqual(await projectContainers(), []);
      assert.doesNotMatch((await docker(srv!, ['network', 'ls', '--format', '{{.Name}}'])).stdout, /shop/);
      assert.doesNotMatch((await docker(srv!, ['volume', 'ls', '--format', '{{.Name}}'])).stdout, /shop/);
      // the networks' teardown ends after `down` answers (write-behind, docs/networking.md)
      await until(() => !bridges().some((b) => stackBridges.includes(b)) && !leftoverRules(stackBridges as string[], [subnet]).length, 30_000, 'no bridge or rule of the stack left behind');
      assert.deepEqual(leftoverRules(stackBridges as string[], [subnet]), [], 'no firewall rule of the stack left');
      assert.equal((await docker(srv!, ['rmi', f.built])).code, 0, 'the built image is no longer in use');
    });
  });
}
