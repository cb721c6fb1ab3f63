// Volumes through the real docker CLI against `pier serve`: the local driver, copy-up of image content,
// persistence, anonymous volumes and `rm -v`, in-use refusal, prune, --mount/--tmpfs/--volumes-from, events.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { startPierWithImages, stopPier, docker, request, DOCKER, type PierServer } from './helpers';

const IMG = 'pier-test/busybox';
const skipAll = !existsSync(DOCKER) ? `${DOCKER} not installed` : process.getuid?.() !== 0 ? 'needs root (conmon + runc)' : undefined;
let srv: PierServer;

async function ok(args: string[]): Promise<string> {
  const r = await docker(srv, args);
  assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

describe('volumes through the docker CLI', { skip: skipAll }, () => {
  before(async () => { srv = await startPierWithImages(); });
  after(() => stopPier(srv));

  test('create, inspect, list with filters, remove', async () => {
    assert.equal((await ok(['volume', 'create', '--label', 'team=a', 'v1'])).trim(), 'v1');
    await ok(['volume', 'create', 'v2']);
    const insp = JSON.parse(await ok(['volume', 'inspect', 'v1']))[0];
    assert.equal(insp.Name, 'v1');
    assert.equal(insp.Driver, 'local');
    assert.equal(insp.Scope, 'local');
    assert.deepEqual(insp.Labels, { team: 'a' });
    assert.equal(insp.Mountpoint, path.join(srv.root, 'volumes', 'v1', '_data'));
    assert.ok(statSync(insp.Mountpoint).isDirectory());
    assert.match(insp.CreatedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.deepEqual((await ok(['volume', 'ls', '-q', '--filter', 'label=team=a'])).trim().split('\n'), ['v1']);
    assert.deepEqual((await ok(['volume', 'ls', '-q', '--filter', 'name=v'])).trim().split('\n').sort(), ['v1', 'v2']);
    // creating an existing name answers with that volume (as dockerd)
    assert.equal((await ok(['volume', 'create', 'v2'])).trim(), 'v2');
    await ok(['volume', 'rm', 'v1', 'v2']);
    const gone = await docker(srv, ['volume', 'inspect', 'v1']);
    assert.notEqual(gone.code, 0);
    assert.match(gone.stderr, /no such volume/i);
    assert.equal(existsSync(path.join(srv.root, 'volumes', 'v1')), false);
  });

  test('bad names are refused and change nothing', async () => {
    const r = await docker(srv, ['volume', 'create', '../x']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /invalid volume name "\.\.\/x"/);
    const raw = await request(srv.socket, 'POST', '/volumes/create', JSON.stringify({ Name: '.hidden' }));
    assert.equal(raw.status, 400);
    // the CLI makes relative host paths absolute; the API itself gets them from other clients
    const run = await request(srv.socket, 'POST', '/containers/create', JSON.stringify({ Image: IMG, HostConfig: { Binds: ['../x:/data'] } }));
    assert.equal(run.status, 400);
    assert.match(JSON.parse(run.body).message, /neither an absolute host path nor a volume name/);
    const opt = await request(srv.socket, 'POST', '/volumes/create', JSON.stringify({ Name: 'o', DriverOpts: { type: 'nfs', o: 'addr=1.2.3.4', device: ':/x' } }));
    assert.equal(opt.status, 400, opt.body);
    assert.equal((await ok(['volume', 'ls', '-q'])).trim(), '');
  });

  test('copy-up of image content on first mount, persistence after the container is gone', async () => {
    const ls = await ok(['run', '--rm', '-v', 'data:/etc/pier', IMG, 'sh', '-c', 'ls /etc/pier; stat -c "%u:%g %a" /etc/pier/owned.txt']);
    assert.match(ls, /keep\.txt/);
    assert.match(ls, /1000:1000 640/);
    const mp = JSON.parse(await ok(['volume', 'inspect', 'data']))[0].Mountpoint;
    const st = statSync(path.join(mp, 'owned.txt'));
    assert.deepEqual([st.uid, st.gid, st.mode & 0o777], [1000, 1000, 0o640]);
    assert.equal(statSync(path.join(mp, 'hardlink.txt')).ino, statSync(path.join(mp, 'keep.txt')).ino);
    await ok(['run', '--rm', '-v', 'data:/etc/pier', IMG, 'sh', '-c', 'echo written > /etc/pier/new.txt; rm /etc/pier/keep.txt']);
    // the second mount copies nothing again: the deleted file stays deleted
    const again = await ok(['run', '--rm', '-v', 'data:/etc/pier', IMG, 'sh', '-c', 'cat /etc/pier/new.txt; ls /etc/pier']);
    assert.match(again, /^written\n/);
    assert.doesNotMatch(again, /keep\.txt/);
    // nocopy: an empty new volume stays empty
    const nc = await ok(['run', '--rm', '--mount', 'type=volume,source=empty,target=/etc/pier,volume-nocopy', IMG, 'ls', '-A', '/etc/pier']);
    assert.equal(nc, '');
    // read-only
    const ro = await docker(srv, ['run', '--rm', '-v', 'data:/etc/pier:ro', IMG, 'sh', '-c', 'echo x > /etc/pier/y']);
    assert.notEqual(ro.code, 0);
    assert.match(ro.stderr, /Read-only file system/);
    await ok(['volume', 'rm', 'data', 'empty']);
  });

  test('anonymous volumes: -v /path, Mounts in inspect, rm -v removes them, named ones stay', async () => {
    const id = (await ok(['create', '-v', '/anon', '-v', 'named:/named', IMG, 'true'])).trim();
    const c = JSON.parse(await ok(['inspect', id]))[0];
    const mounts = c.Mounts as Array<{ Type: string; Name: string; Destination: string; Source: string; Driver: string; RW: boolean }>;
    const anon = mounts.find((m) => m.Destination === '/anon')!;
    assert.equal(anon.Type, 'volume');
    assert.match(anon.Name, /^[0-9a-f]{64}$/);
    assert.equal(anon.Driver, 'local');
    assert.equal(anon.Source, path.join(srv.root, 'volumes', anon.Name, '_data'));
    assert.equal(mounts.find((m) => m.Destination === '/named')!.Name, 'named');
    assert.ok(existsSync(anon.Source));
    // in use: refused with 409, even if the container is not running
    const inUse = await request(srv.socket, 'DELETE', '/volumes/named');
    assert.equal(inUse.status, 409);
    assert.match(JSON.parse(inUse.body).message, /volume is in use - \[[0-9a-f]{64}\]/);
    await ok(['rm', '-v', id]);
    assert.equal(existsSync(path.join(srv.root, 'volumes', anon.Name)), false);
    assert.equal((await ok(['volume', 'ls', '-q'])).trim(), 'named');
    // --rm removes anonymous volumes too
    const before = (await ok(['volume', 'ls', '-q'])).trim();
    await ok(['run', '--rm', '-v', '/scratch', IMG, 'true']);
    assert.equal((await ok(['volume', 'ls', '-q'])).trim(), before);
    await ok(['volume', 'rm', 'named']);
  });

  test('prune removes unused anonymous volumes, --all the named ones; df lists volumes', async () => {
    const keep = (await ok(['create', '-v', 'used:/u', IMG, 'true'])).trim();
    await ok(['volume', 'create', 'unused']);
    const anonC = (await ok(['create', '-v', '/a', IMG, 'true'])).trim();
    await ok(['rm', anonC]); // without -v: the anonymous volume stays behind, unused
    await ok(['run', '--rm', '-v', 'unused:/x', IMG, 'sh', '-c', 'head -c 5000 /dev/zero > /x/f']);
    const df = JSON.parse((await request(srv.socket, 'GET', '/system/df')).body);
    const unused = df.Volumes.find((v: { Name: string }) => v.Name === 'unused');
    assert.equal(unused.UsageData.Size, 5000);
    assert.equal(unused.UsageData.RefCount, 0);
    const p1 = await ok(['volume', 'prune', '-f']);
    assert.match(p1, /Total reclaimed space/);
    assert.deepEqual((await ok(['volume', 'ls', '-q'])).trim().split('\n').sort(), ['unused', 'used']);
    await ok(['volume', 'prune', '-f', '--all']);
    assert.deepEqual((await ok(['volume', 'ls', '-q'])).trim().split('\n'), ['used']);
    await ok(['rm', keep]);
    await ok(['volume', 'rm', 'used']);
  });

  test('--tmpfs, --mount type=tmpfs and type=bind, --volumes-from', async () => {
    const t = await ok(['run', '--rm', '--tmpfs', '/scratch:size=1m,mode=1770', IMG, 'sh', '-c', 'stat -c %a /scratch; grep " /scratch " /proc/mounts']);
    assert.match(t, /^1770\n/);
    assert.match(t, /tmpfs \/scratch tmpfs [^ ]*size=1024k/);
    assert.match(t, /noexec/);
    const m = await ok(['run', '--rm', '--mount', 'type=tmpfs,target=/t,tmpfs-size=2097152,tmpfs-mode=700', IMG, 'sh', '-c', 'stat -c %a /t; grep " /t " /proc/mounts']);
    assert.match(m, /^700\n/);
    assert.match(m, /size=2048k/);
    const host = path.join(srv.dir, 'hostdir');
    const b = await ok(['run', '--rm', '--mount', `type=bind,source=${srv.dir},target=/h`, IMG, 'sh', '-c', 'echo via-mount > /h/hostdir-file']);
    assert.equal(b, '');
    assert.equal(readFileSync(`${host}-file`, 'utf8'), 'via-mount\n');
    const src = (await ok(['create', '--name', 'vsrc', '-v', 'shared:/shared', IMG, 'true'])).trim();
    await ok(['run', '--rm', '--volumes-from', 'vsrc', IMG, 'sh', '-c', 'echo from-other > /shared/f']);
    const ro = await docker(srv, ['run', '--rm', '--volumes-from', 'vsrc:ro', IMG, 'sh', '-c', 'cat /shared/f; echo x > /shared/g']);
    assert.equal(ro.stdout, 'from-other\n');
    assert.match(ro.stderr, /Read-only file system/);
    await ok(['rm', src]);
    await ok(['volume', 'rm', 'shared']);
  });

  test('events: create, mount, unmount, destroy', async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    await ok(['volume', 'create', 'ev']);
    await ok(['run', '--rm', '-v', 'ev:/ev', IMG, 'true']);
    await ok(['volume', 'rm', 'ev']);
    const until = Math.ceil(Date.now() / 1000) + 1;
    const ev = await ok(['events', '--since', String(since), '--until', String(until), '--filter', 'type=volume', '--format', '{{.Action}} {{.Actor.ID}}']);
    const lines = ev.trim().split('\n').filter((l) => l.endsWith(' ev'));
    assert.deepEqual(lines, ['create ev', 'mount ev', 'unmount ev', 'destroy ev']);
  });
});
