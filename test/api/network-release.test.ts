// Write-behind network teardown (docs/networking.md, "Teardown after the answer"): a stopped or removed
// container's network is torn down after the API has answered. What needs its resources waits for that
// teardown: the same static address and host port at once, a network of the same name and subnet right
// after `network rm`. The stopped container's upkeep leaves a new container's firewall rule alone. An engine
// killed while such a teardown runs finishes it at its next start.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { startPier, startPierWithImages, stopPier, docker, until, DOCKER, type PierServer } from './helpers';
import { interfacesIn, leftoverRules } from '../helpers/netrules';
import { freePort } from '../helpers/registry';

const IMG = 'pier-test/busybox';
const NETAVARK = existsSync('/usr/lib/podman/netavark') && existsSync('/usr/lib/podman/aardvark-dns');
const skip = !existsSync(DOCKER) ? `${DOCKER} not installed` : process.getuid?.() !== 0 ? 'needs root (netavark)'
  : !NETAVARK ? 'netavark/aardvark-dns not installed (scripts/setup-host.sh)' : undefined;
/** httpd answering with a word of the test's own */
const HTTPD = (word: string) => ['sh', '-c', `echo ${word} > /www; exec httpd -f -p 80 -h /`];
let srv: PierServer;

/** A /24 no host interface carries (other engines on the host allocate from pools of their own). */
function freeSubnet(): string {
  for (;;) {
    const s = `10.217.${Math.floor(Math.random() * 250) + 2}.0/24`;
    if (!interfacesIn(s).length) return s;
  }
}

/** The host bridge that carries the subnet (netavark makes it with the network's first container). */
function bridgeOf(subnet: string): string {
  const [bridge] = interfacesIn(subnet);
  assert.ok(bridge, `a bridge with an address in ${subnet}`);
  return bridge;
}

async function ok(args: string[]): Promise<string> {
  const r = await docker(srv, args);
  assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

async function get(port: number): Promise<string | undefined> {
  return fetch(`http://127.0.0.1:${port}/www`).then((r) => r.text(), () => undefined);
}

/** The network's bridge and every rule naming it or its subnet are gone, and no namespace file is left. */
async function settled(bridge: string, subnet: string): Promise<void> {
  await until(() => !existsSync(`/sys/class/net/${bridge}`) && !readdirSync(path.join(srv.runroot, 'netns')).length
    && !leftoverRules([bridge], [subnet]).length, 30_000, `teardown of ${bridge} finished`);
}

describe('write-behind network teardown', { skip }, () => {
  before(async () => { srv = await startPierWithImages(); });
  after(async () => {
    if (!srv) return;
    const ids = (await docker(srv, ['ps', '-aq'])).stdout.split('\n').filter(Boolean);
    if (ids.length) await docker(srv, ['rm', '-f', ...ids]);
    for (const n of (await docker(srv, ['network', 'ls', '-q', '--filter', 'type=custom'])).stdout.split('\n').filter(Boolean)) {
      await docker(srv, ['network', 'rm', n]);
    }
    await stopPier(srv);
  });

  test('right after stop and rm: the same static address, host port, network name and subnet are available', async () => {
    const subnet = freeSubnet();
    const ip = subnet.replace('.0/24', '.10');
    const port = await freePort();
    await ok(['network', 'create', '--subnet', subnet, 'wbnet']);
    await ok(['run', '-d', '--name', 'first', '--network', 'wbnet', '--ip', ip, '-p', `${port}:80`, IMG, ...HTTPD('first')]);
    const bridge = bridgeOf(subnet);
    assert.equal(await until(() => get(port), 10_000, 'first answering'), 'first\n');

    await ok(['stop', '-t', '0', 'first']);
    assert.equal(await ok(['network', 'inspect', 'wbnet', '--format', '{{len .Containers}}']), '0', 'a stopped container is no endpoint');
    await ok(['run', '-d', '--name', 'second', '--network', 'wbnet', '--ip', ip, '-p', `${port}:80`, IMG, ...HTTPD('second')]);
    assert.equal(await until(() => get(port).then((b) => (b === 'second\n' ? b : undefined)), 10_000, 'second answering'), 'second\n');
    assert.equal(await ok(['inspect', 'second', '--format', '{{.NetworkSettings.Networks.wbnet.IPAddress}}']), ip);

    await ok(['rm', '-f', 'first', 'second']);
    await ok(['network', 'rm', 'wbnet']);
    assert.equal((await docker(srv, ['network', 'inspect', 'wbnet'])).code, 1, 'gone for clients at once');
    await ok(['network', 'create', '--subnet', subnet, 'wbnet']);
    await ok(['run', '-d', '--name', 'third', '--network', 'wbnet', '--ip', ip, '-p', `${port}:80`, IMG, ...HTTPD('third')]);
    assert.equal(await until(() => get(port).then((b) => (b === 'third\n' ? b : undefined)), 10_000, 'third answering'), 'third\n');
    const bridge2 = bridgeOf(subnet);
    await ok(['rm', '-f', 'third']);
    await ok(['network', 'rm', 'wbnet']);
    await settled(bridge, subnet);
    await settled(bridge2, subnet);
  });

  test('the last container on a network stopped and another started at once: the new one keeps its PIER_FORWARD rule', async () => {
    // the stopped container's upkeep (after the answer) must not take the network's rule from the new one,
    // which other hosts need to reach its port (FORWARD policy DROP)
    const subnet = freeSubnet();
    await ok(['network', 'create', '--subnet', subnet, 'wbnext']);
    await ok(['run', '-d', '--name', 'before', '--network', 'wbnext', '-p', `${await freePort()}:80`, IMG, ...HTTPD('before')]);
    const bridge = bridgeOf(subnet);
    await ok(['stop', '-t', '0', 'before']);
    const port = await freePort();
    await ok(['run', '-d', '--name', 'after', '--network', 'wbnext', '-p', `${port}:80`, IMG, ...HTTPD('after')]);
    // a graceful engine stop waits for every teardown under way (drain); the containers keep running
    const { dir, socket } = srv;
    await srv.stop();
    srv = await startPier({ dir, socket });
    const rules = execFileSync('iptables', ['-S', 'PIER_FORWARD'], { encoding: 'utf8' });
    assert.match(rules, new RegExp(`-d ${subnet.replace(/\./g, '\\.')} -o ${bridge} `), rules);
    assert.equal(await until(() => get(port), 10_000, 'after answering'), 'after\n');
    await ok(['rm', '-f', 'before', 'after']);
    await ok(['network', 'rm', 'wbnext']);
    await settled(bridge, subnet);
  });

  test('the engine killed right after a network removal: the next start finishes the teardown', async () => {
    const subnet = freeSubnet();
    const port = await freePort();
    await ok(['network', 'create', '--subnet', subnet, 'wbkill']);
    await ok(['run', '-d', '--name', 'doomed', '--network', 'wbkill', '-p', `${port}:80`, IMG, ...HTTPD('doomed')]);
    const bridge = bridgeOf(subnet);
    assert.equal(await until(() => get(port), 10_000, 'doomed answering'), 'doomed\n');
    await ok(['rm', '-f', 'doomed']);
    await ok(['network', 'rm', 'wbkill']);
    const { dir, socket } = srv;
    await srv.stop('SIGKILL');
    srv = await startPier({ dir, socket });
    assert.equal((await docker(srv, ['network', 'inspect', 'wbkill'])).code, 1, 'the removed network stays removed');
    assert.doesNotMatch(await ok(['network', 'ls', '--format', '{{.Name}}']), /wbkill/);
    await settled(bridge, subnet);
    assert.equal(await get(port), undefined, 'nothing answers on the port');
    await ok(['network', 'create', '--subnet', subnet, 'wbkill']);
    await ok(['network', 'rm', 'wbkill']);
  });
});
