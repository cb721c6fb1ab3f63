// `--network container:<id>` and legacy `--link` on the default bridge, against a real dockerd (the
// reference, test/helpers/dockerd.ts) and `pier serve`: the same docker CLI scenarios on both, and
// what a client can observe (hosts entries, variables, shared namespace, inspect fields, errors)
// compared after replacing addresses, ids and names by placeholders.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { startPierWithImages, stopPier, docker, testImages, DOCKER, type PierServer } from './helpers';
import { startDockerd, dockerdSkipReason, type RefDockerd } from '../helpers/dockerd';

const IMG = 'pier-test/busybox';
const skip = dockerdSkipReason() ?? (!existsSync(DOCKER) ? `${DOCKER} not installed` : undefined);
const WEB = ['sh', '-c', 'mkdir -p /w && echo db-page > /w/index.html && exec httpd -f -p 80 -h /w'];

interface Server { env: NodeJS.ProcessEnv; output?: () => string }
type Obs = Record<string, unknown>;

/** The daemon's message of a failed CLI call ("Error response from daemon: X" → X), or "ok". */
function outcome(r: { code: number; stderr: string }): string {
  if (r.code === 0) return 'ok';
  const m = /Error response from daemon: (.*)/.exec(r.stderr);
  return m ? m[1].trim() : `exit ${r.code}: ${r.stderr.trim()}`;
}

async function observe(s: Server): Promise<Obs> {
  const run = (args: string[]) => docker(s, args);
  const out = async (args: string[]) => {
    const r = await run(args);
    assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
    return r.stdout.trim();
  };
  await out(['run', '-d', '--name', 'db', '--expose', '80', '-e', 'FOO=bar', IMG, ...WEB]);
  const dbId = await out(['inspect', 'db', '--format', '{{.Id}}']);
  const dbIp = await out(['inspect', 'db', '--format', '{{.NetworkSettings.IPAddress}}']);
  const dbHost = await out(['inspect', 'db', '--format', '{{.Config.Hostname}}']);
  const norm = (t: string) => t.split(dbIp).join('<IP>').split(dbId).join('<ID>').split(dbId.slice(0, 12)).join('<ID12>');
  const o: Obs = {};

  // links
  const hosts = await out(['run', '--rm', '--link', 'db', IMG, 'cat', '/etc/hosts']);
  o.linkHostsLine = norm(hosts.split('\n').find((l) => l.startsWith(dbIp)) ?? '(none)');
  const aliased = await out(['run', '--rm', '--name', 'cli', '--link', 'db:database', IMG, 'sh', '-c',
    `grep '^${dbIp}\t' /etc/hosts; wget -qO- http://database/`]);
  o.aliasHostsAndFetch = norm(aliased);
  const env = await out(['run', '--rm', '--name', 'cli2', '--link', 'db:database', IMG, 'env']);
  o.linkEnv = env.split('\n').filter((l) => l.startsWith('DATABASE_')).sort().map(norm);
  await out(['create', '--name', 'lk', '--link', 'db:database', IMG, 'true']);
  o.linkInspect = JSON.parse(await out(['inspect', 'lk', '--format', '{{json .HostConfig.Links}}']));
  o.linkMissing = outcome(await run(['create', '--link', 'nosuch', IMG, 'true']));
  await out(['create', '--name', 'stopped', IMG, 'true']);
  await out(['create', '--name', 'lk2', '--link', 'stopped', IMG, 'true']);
  o.linkStopped = outcome(await run(['start', 'lk2']));
  o.linkHostMode = outcome(await run(['create', '--network', 'host', '--link', 'db', IMG, 'true']));

  // container mode
  const shared = await out(['run', '--rm', '--network', 'container:db', IMG, 'sh', '-c',
    'hostname; wget -qO- http://127.0.0.1/; ip -4 -o addr show eth0 | awk \'{print $4}\'; grep -c "^<IP>" /etc/hosts || true'.replace('<IP>', dbIp)]);
  const [hn, page, addr, hostsHasDb] = shared.split('\n');
  o.containerMode = { sameHostname: hn === dbHost, page, sameAddress: addr.split('/')[0] === dbIp, hostsHasDb };
  await out(['create', '--name', 'cm', '--network', 'container:db', IMG, 'true']);
  const cm = JSON.parse(await out(['inspect', 'cm']))[0];
  o.containerModeInspect = {
    NetworkMode: norm(cm.HostConfig.NetworkMode), IPAddress: cm.NetworkSettings.IPAddress,
    Networks: cm.NetworkSettings.Networks, Ports: cm.NetworkSettings.Ports,
  };
  o.containerModeList = norm(await out(['ps', '-a', '--filter', 'name=^cm$', '--format', '{{.Networks}}|{{json .Ports}}']));
  o.joinStopped = norm(outcome(await run(['run', '--rm', '--network', 'container:stopped', IMG, 'true']))
    .split(await out(['inspect', 'stopped', '--format', '{{.Id}}'])).join('<STOPPED>'));
  const conflicts: Record<string, string> = {};
  for (const opt of [['-p', '8080:80'], ['-P'], ['--expose', '90'], ['--hostname', 'x'], ['--dns', '1.1.1.1'], ['--add-host', 'a:1.2.3.4'], ['--link', 'db']]) {
    conflicts[opt.join(' ')] = outcome(await run(['create', '--network', 'container:db', ...opt, IMG, 'true']));
  }
  o.containerModeConflicts = conflicts;
  await out(['rm', '-f', 'db']);
  o.startAfterTargetRemoved = norm(outcome(await run(['start', 'cm'])));
  return o;
}

describe('network modes compared with dockerd: --network container:<id>, --link', { skip }, () => {
  let pier: PierServer | undefined;
  let ref: RefDockerd | undefined;
  let theirs: Obs, ours: Obs;

  before(async () => {
    ref = await startDockerd({ bridge: 'piermodes0', subnet: '172.31.246' });
    const r = await docker(ref, ['load', '-i', await testImages()]);
    if (r.code !== 0) throw new Error(`docker load (dockerd): ${r.stderr}`);
    pier = await startPierWithImages();
    theirs = await observe(ref);
    ours = await observe(pier);
  });
  after(async () => {
    await stopPier(pier);
    if (ref) {
      const ids = (await docker(ref, ['ps', '-aq'])).stdout.split('\n').filter(Boolean);
      if (ids.length) await docker(ref, ['rm', '-f', ...ids]);
      await ref.stop();
    }
  });

  for (const key of ['linkHostsLine', 'aliasHostsAndFetch', 'linkEnv', 'linkInspect', 'linkMissing', 'linkStopped', 'linkHostMode',
    'containerMode', 'containerModeInspect', 'containerModeList', 'joinStopped', 'containerModeConflicts', 'startAfterTargetRemoved']) {
    test(key, () => assert.deepEqual(ours[key], theirs[key], `dockerd: ${JSON.stringify(theirs[key])}`));
  }

  test('container:<missing> is refused at create (dockerd 20.10 accepts it and fails at start)', async () => {
    const r = await docker(pier!, ['create', '--network', 'container:nosuch', IMG, 'true']);
    assert.equal(outcome(r), 'No such container: nosuch');
  });
});
