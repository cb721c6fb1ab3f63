// Images against a real registry: Debian's docker-registry on 127.0.0.1 (anonymous,
// basic auth, and behind a bearer-token front), images built offline from
// busybox-static and pushed with skopeo. Pull, check the unpacked layers through an
// overlay snapshot (and a copy snapshot), digest errors, faults, kill mid-pull.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startRegistry, registryAvailable, freePort, type TestRegistry } from '../helpers/registry';
import { buildTestImages, type TestImages } from '../../scripts/build-test-images';
import { createImageService, createSnapshotter, imageDefaults, type ImageProgress, type ImageService } from '../../electron/engine/images/index';

const here = path.dirname(fileURLToPath(import.meta.url));
const skip = registryAvailable();
let imgs: TestImages;
let reg: TestRegistry;
let authReg: TestRegistry;
const roots: string[] = [];
const services: ImageService[] = [];
const AUTH = { username: 'pier', password: 'dock s3cret' };

function newService(extra: { defaultRegistry?: string; authFile?: string; root?: string } = {}): { svc: ImageService; root: string } {
  const root = extra.root ?? fs.mkdtempSync(path.join(os.tmpdir(), 'pier-images-'));
  roots.push(root);
  const svc = createImageService({ root, defaultRegistry: extra.defaultRegistry, authFile: extra.authFile ?? path.join(root, 'no-auth.json') });
  services.push(svc);
  return { svc, root };
}

function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir);
}

before(async () => {
  if (skip) return;
  imgs = await buildTestImages();
  [reg, authReg] = await Promise.all([startRegistry(), startRegistry({ auth: AUTH })]);
  for (const k of ['busybox', 'layered', 'zstd', 'big'] as const) reg.push(imgs.images[k].ociRef, `pier-test/${k}:latest`);
  authReg.push(imgs.images.layered.ociRef, 'private/layered:v1');
});

after(async () => {
  for (const s of services) await s.close();
  await Promise.all([reg?.stop(), authReg?.stop()]);
  for (const r of roots) {
    // unmount anything a failed test left behind, then remove
    const info = fs.readFileSync('/proc/self/mountinfo', 'utf8');
    for (const line of info.split('\n')) {
      const mp = line.split(' ')[4];
      if (mp && mp.startsWith(r + '/')) spawn('umount', ['-l', mp]);
    }
    fs.rmSync(r, { recursive: true, force: true });
  }
});

describe('images: pull from a local registry', { skip }, () => {
  test('pull the two-layer image, with progress; the overlay snapshot shows the merged tree', async () => {
    const { svc, root } = newService();
    const events: ImageProgress[] = [];
    const ref = `${reg.host}/pier-test/layered:latest`;
    const img = await svc.pull(ref, { onProgress: (p) => events.push(p) });
    assert.equal(img.repoTags[0], ref);
    assert.match(img.repoDigests[0], new RegExp(`^${reg.host}/pier-test/layered@${imgs.images.layered.manifestDigest}$`));
    assert.deepEqual(img.layers, imgs.images.layered.layerDiffIds);
    assert.ok(img.size > 1_000_000, `size ${img.size}`);
    // progress: resolving, per-layer downloading with byte counts, extracting, done
    assert.equal(events[0].status, 'resolving');
    assert.equal(events.at(-1)!.status, 'done');
    for (const st of ['downloading', 'verifying', 'extracting', 'done']) assert.ok(events.some((e) => e.layer && e.status === st), `no ${st} event`);
    const dl = events.filter((e) => e.status === 'downloading' && e.current === e.total && e.total! > 1_000_000);
    assert.equal(dl.length, 1, 'the busybox layer reports its full size once done');

    const d = imageDefaults(img);
    assert.deepEqual(d.entrypoint, ['/bin/sh', '-c']);
    assert.deepEqual(d.cmd, ['cat /etc/pier/replace-me.txt']);
    assert.ok(d.env.includes('PIER_TEST=layered'));
    assert.equal(d.workingDir, '/etc/pier');
    assert.equal(d.user, '0:0');
    assert.equal(d.stopSignal, 'SIGINT');
    assert.deepEqual(d.labels, { 'org.pier.test': 'layered', 'org.pier.layers': '2' });

    const snap = await createSnapshotter({ root, images: svc });
    assert.equal(snap.kind, 'overlay', `overlay expected as root: ${snap.reason}`);
    const rootfs = await snap.prepare('c1', img);
    assert.equal(await snap.prepare('c1', img), rootfs, 'prepare is idempotent');
    checkLayeredTree(rootfs);
    // writes go to the upper dir only
    fs.writeFileSync(path.join(rootfs, 'etc/pier/new.txt'), 'written in container');
    fs.rmSync(path.join(rootfs, 'etc/pier/keep.txt'));
    assert.ok(fs.existsSync(path.join(snap.diffDir('c1')!, 'etc/pier/new.txt')));
    // after "engine restart": unmount, a new snapshotter mounts again and the changes are there
    await snap.unmount('c1');
    assert.ok(!fs.existsSync(path.join(rootfs, 'etc/pier/replace-me.txt')), 'unmounted');
    const snap2 = await createSnapshotter({ root, images: svc });
    const again = await snap2.mount('c1');
    assert.equal(fs.readFileSync(path.join(again, 'etc/pier/new.txt'), 'utf8'), 'written in container');
    assert.ok(!fs.existsSync(path.join(again, 'etc/pier/keep.txt')));
    assert.equal(fs.readFileSync(path.join(again, 'etc/pier/replace-me.txt'), 'utf8'), 'replaced\n');
    // a second container shares the layers but not the writes
    const other = await snap2.prepare('c2', img);
    assert.ok(fs.existsSync(path.join(other, 'etc/pier/keep.txt')));
    await snap2.remove('c1');
    await snap2.remove('c2');
    assert.ok(!fs.existsSync(path.join(root, 'snapshots', 'c1')));

    // the image in use cannot be removed
    await assert.rejects(svc.remove(ref, { inUse: (id) => id === img.id }), { code: 'EINUSE', message: /in use/ });

    // copy snapshots give the same tree
    const copy = await createSnapshotter({ root, images: svc, force: 'copy' });
    assert.equal(copy.kind, 'copy');
    const croot = await copy.prepare('c3', img);
    checkLayeredTree(croot);
    assert.equal(copy.diffDir('c3'), undefined);
    await copy.remove('c3');
  });

  test('pull again: layers exist, image is reused; a shared layer is stored once', async () => {
    const { svc, root } = newService();
    await svc.pull(`${reg.host}/pier-test/busybox:latest`);
    const events: ImageProgress[] = [];
    await svc.pull(`${reg.host}/pier-test/layered:latest`, { onProgress: (p) => events.push(p) });
    assert.ok(events.some((e) => e.status === 'exists' && e.layer), 'the busybox layer is reused');
    const again: ImageProgress[] = [];
    await svc.pull(`${reg.host}/pier-test/layered:latest`, { onProgress: (p) => again.push(p) });
    assert.ok(again.filter((e) => e.layer).every((e) => e.status === 'exists'));
    assert.equal(listFiles(path.join(root, 'images', 'layers')).length, 2);
    assert.equal((await svc.list()).length, 2);
  });

  test('zstd layers', async () => {
    const { svc, root } = newService();
    const img = await svc.pull(`${reg.host}/pier-test/zstd:latest`);
    const snap = await createSnapshotter({ root, images: svc });
    const rootfs = await snap.prepare('z', img);
    assert.ok(fs.statSync(path.join(rootfs, 'bin/busybox')).size > 500_000);
    await snap.remove('z');
  });

  test('short names resolve against the configured default registry', async () => {
    const { svc } = newService({ defaultRegistry: reg.host });
    const img = await svc.pull('pier-test/busybox');
    assert.deepEqual(img.repoTags, ['pier-test/busybox:latest']);
    assert.equal((await svc.inspect(`${reg.host}/pier-test/busybox:latest`)).id, img.id);
    assert.equal((await svc.inspect('pier-test/busybox')).id, img.id);
    assert.equal((await svc.inspect(img.id.slice(7, 19))).id, img.id);
    // one-component names get library/ on the default registry: not pushed there
    await assert.rejects(svc.pull('busybox'), { code: 'ENOIMAGE', message: /library\/busybox/ });
  });

  test('by digest', async () => {
    const { svc } = newService();
    const img = await svc.pull(`${reg.host}/pier-test/busybox@${imgs.images.busybox.manifestDigest}`);
    assert.deepEqual(img.repoTags, []);
    assert.equal((await svc.inspect(`${reg.host}/pier-test/busybox@${imgs.images.busybox.manifestDigest}`)).id, img.id);
  });

  test('errors: unknown image, unknown tag, unreachable registry, malformed reference', async () => {
    const { svc } = newService();
    await assert.rejects(svc.pull(`${reg.host}/nope/nothing:latest`), (e: Error & { code?: string }) => e.code === 'ENOIMAGE' && e.message.includes('nope/nothing'));
    await assert.rejects(svc.pull(`${reg.host}/pier-test/busybox:nosuchtag`), { code: 'ENOIMAGE', message: /nosuchtag/ });
    const port = await freePort();
    await assert.rejects(svc.pull(`127.0.0.1:${port}/x:1`), { code: 'EREGISTRY', message: new RegExp(`127.0.0.1:${port}.*unreachable`) });
    await assert.rejects(svc.pull(`${reg.host}/Bad/Name`), { code: 'EBADREF' });
    await assert.rejects(svc.inspect('nothing:here'), { code: 'ENOIMAGE', message: 'No such image: nothing:here' });
    assert.deepEqual(await svc.list(), []);
  });

  test('cancel: aborting a pull stores no image', async () => {
    const { svc, root } = newService();
    const ac = new AbortController();
    const p = svc.pull(`${reg.host}/pier-test/big:latest`, { signal: ac.signal, onProgress: (e) => { if (e.status === 'downloading' && e.current) ac.abort(new Error('user cancelled')); } });
    await assert.rejects(p, /user cancelled/);
    assert.deepEqual(await svc.list(), []);
    assert.deepEqual(listFiles(path.join(root, 'images', 'ingest')), []);
    assert.deepEqual(listFiles(path.join(root, 'images', 'layers')).filter((n) => n.startsWith('.tmp')), []);
  });
});

function checkLayeredTree(rootfs: string): void {
  assert.ok(!fs.existsSync(path.join(rootfs, 'etc/pier/delete-me.txt')), 'whited-out file is gone');
  assert.equal(fs.readFileSync(path.join(rootfs, 'etc/pier/replace-me.txt'), 'utf8'), 'replaced\n');
  assert.equal(fs.readFileSync(path.join(rootfs, 'etc/pier/keep.txt'), 'utf8'), 'kept\n');
  assert.equal(fs.readFileSync(path.join(rootfs, 'etc/pier/added.txt'), 'utf8'), 'added in layer 2\n');
  assert.deepEqual(fs.readdirSync(path.join(rootfs, 'opt/opaque')).sort(), ['c.txt'], 'opaque directory hides the lower contents');
  const owned = fs.statSync(path.join(rootfs, 'etc/pier/owned.txt'));
  assert.equal(owned.uid, 1000);
  assert.equal(owned.mode & 0o7777, 0o640);
  assert.equal(fs.statSync(path.join(rootfs, 'tmp')).mode & 0o7777, 0o1777);
  assert.equal(fs.readlinkSync(path.join(rootfs, 'bin/sh')), 'busybox');
  assert.equal(fs.statSync(path.join(rootfs, 'bin/busybox')).mode & 0o777, 0o755);
  assert.equal(fs.statSync(path.join(rootfs, 'etc/pier/hardlink.txt')).ino, fs.statSync(path.join(rootfs, 'etc/pier/keep.txt')).ino);
  assert.equal(fs.statSync(path.join(rootfs, 'etc/pier/keep.txt')).mtime.toISOString(), '2024-01-01T00:00:00.000Z');
}

describe('images: authentication', { skip }, () => {
  test('basic auth: refused without credentials, accepted with them (explicit or from the auth file)', async () => {
    const ref = `${authReg.host}/private/layered:v1`;
    const { svc } = newService();
    await assert.rejects(svc.pull(ref), { code: 'EAUTH', message: new RegExp(`${authReg.host}.*(requires authentication|credentials)`) });
    await assert.rejects(svc.pull(ref, { auth: { username: 'pier', password: 'wrong' } }), { code: 'EAUTH', message: /denied.*"pier"/ });
    assert.deepEqual(await svc.list(), []);
    const img = await svc.pull(ref, { auth: AUTH });
    assert.deepEqual(img.repoTags, [ref]);

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pier-authfile-'));
    roots.push(dir);
    const authFile = path.join(dir, 'config.json');
    fs.writeFileSync(authFile, JSON.stringify({ auths: { [authReg.host]: { auth: Buffer.from(`${AUTH.username}:${AUTH.password}`).toString('base64') } } }));
    const { svc: svc2 } = newService({ authFile });
    assert.equal((await svc2.pull(ref)).id, img.id);
  });

  test('bearer tokens: challenge → token service (with basic credentials) → retried request', async () => {
    const { server, host, tokenRequests } = await bearerFront(reg);
    try {
      const { svc } = newService();
      const ref = `${host}/pier-test/busybox:latest`;
      await assert.rejects(svc.pull(ref), { code: 'EAUTH', message: /token service.*refused anonymous/ });
      const img = await svc.pull(ref, { auth: AUTH });
      assert.deepEqual(img.layers, imgs.images.busybox.layerDiffIds);
      assert.ok(tokenRequests.some((u) => u.includes('scope=repository%3Apier-test%2Fbusybox%3Apull') && u.includes('service=pier-test')), tokenRequests.join('\n'));
    } finally { server.close(); }
  });
});

/** A bearer-token front for a registry: /token needs basic auth, /v2/* needs the token. */
async function bearerFront(upstream: TestRegistry): Promise<{ server: http.Server; host: string; tokenRequests: string[] }> {
  const tokenRequests: string[] = [];
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const server = http.createServer(async (req, res) => {
    const url = req.url ?? '/';
    if (url.startsWith('/token')) {
      tokenRequests.push(url);
      const want = 'Basic ' + Buffer.from(`${AUTH.username}:${AUTH.password}`).toString('base64');
      if (req.headers.authorization !== want) { res.writeHead(401).end(); return; }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: 'tok-123' }));
      return;
    }
    if (req.headers.authorization !== 'Bearer tok-123') {
      const repo = /^\/v2\/(.+)\/(manifests|blobs)\//.exec(url)?.[1] ?? '';
      res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${host}/token",service="pier-test",scope="repository:${repo}:pull"` }).end();
      return;
    }
    const up = await fetch(upstream.url + url, { headers: { accept: req.headers.accept ?? '*/*' } });
    const headers: Record<string, string> = {};
    for (const h of ['content-type', 'content-length', 'docker-content-digest']) { const v = up.headers.get(h); if (v) headers[h] = v; }
    res.writeHead(up.status, headers);
    res.end(Buffer.from(await up.arrayBuffer()));
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return { server, host, tokenRequests };
}

describe('images: faults', { skip }, () => {
  test('a tampered blob in the registry: digest error, nothing stored', async () => {
    const tampered = await startRegistry();
    try {
      tampered.push(imgs.images.layered.ociRef, 'pier-test/layered:latest');
      // flip one byte in the middle of the second layer's blob, keeping its size
      const idx = JSON.parse(fs.readFileSync(path.join(imgs.ociDir, 'index.json'), 'utf8')) as { manifests: Array<{ digest: string; annotations: Record<string, string> }> };
      const mdesc = idx.manifests.find((m) => m.annotations['org.opencontainers.image.ref.name'] === 'layered')!;
      const manifest = JSON.parse(fs.readFileSync(path.join(imgs.ociDir, 'blobs/sha256', mdesc.digest.slice(7)), 'utf8')) as { layers: Array<{ digest: string }> };
      for (const l of manifest.layers) {
        const f = tampered.blobFile(l.digest);
        const b = fs.readFileSync(f);
        b[b.length >> 1] ^= 0xff;
        fs.writeFileSync(f, b);
      }
      const { svc, root } = newService();
      await assert.rejects(svc.pull(`${tampered.host}/pier-test/layered:latest`), (e: Error & { code?: string }) => {
        assert.equal(e.code, 'EDIGEST');
        assert.match(e.message, /digest mismatch/);
        assert.match(e.message, /pier-test\/layered/);
        return true;
      });
      assert.deepEqual(await svc.list(), []);
      for (const l of manifest.layers) assert.ok(!fs.existsSync(path.join(root, 'images/blobs/sha256', l.digest.slice(7))), 'tampered blob not stored');
      assert.deepEqual(listFiles(path.join(root, 'images/layers')), []);
      assert.deepEqual(listFiles(path.join(root, 'images/ingest')), []);
    } finally { await tampered.stop(); }
  });

  for (const when of ['downloading', 'extracting'] as const) {
    test(`killing the process while ${when}: no image visible; pulling again completes`, async () => {
      const { root } = newService();
      const ref = `${reg.host}/pier-test/big:latest`;
      const script = path.join(root, 'kill-pull.mts');
      fs.writeFileSync(script, [
        `import { createImageService } from ${JSON.stringify(path.resolve(here, '../../electron/engine/images/index.ts'))};`,
        `const svc = createImageService({ root: ${JSON.stringify(root)} });`,
        `let n = 0;`,
        `await svc.pull(${JSON.stringify(ref)}, { onProgress: (p) => {`,
        `  if (p.status === ${JSON.stringify(when)} && (${JSON.stringify(when)} !== 'downloading' || (p.current && p.current < (p.total ?? 0))) && ++n === 2) { console.log('KILL'); process.kill(process.pid, 'SIGKILL'); }`,
        `} });`,
        `console.log('COMPLETED');`,
      ].join('\n'));
      const out = await new Promise<{ code: number | null; signal: string | null; stdout: string }>((resolve) => {
        const c = spawn(process.execPath, ['--import', 'tsx', script], { cwd: path.resolve(here, '../..'), stdio: ['ignore', 'pipe', 'inherit'] });
        let stdout = '';
        c.stdout.on('data', (d) => { stdout += d; });
        c.on('exit', (code, signal) => resolve({ code, signal, stdout }));
      });
      assert.equal(out.signal, 'SIGKILL', `child was not killed mid-pull: ${out.stdout}`);
      const { svc } = newService({ root });
      assert.deepEqual(await svc.list(), [], 'no partial image');
      assert.deepEqual(listFiles(path.join(root, 'images/ingest')), [], 'temporary files cleaned at start');
      assert.deepEqual(listFiles(path.join(root, 'images/layers')).filter((n) => n.startsWith('.tmp')), []);
      const img = await svc.pull(ref);
      assert.equal(img.layers.length, 6);
      const snap = await createSnapshotter({ root, images: svc });
      const rootfs = await snap.prepare('k', img);
      assert.equal(fs.readdirSync(path.join(rootfs, 'usr/share/pier')).length, 40);
      assert.ok(fs.statSync(path.join(rootfs, 'data/random-2.bin')).size > 1 << 20);
      await snap.remove('k');
    });
  }
});

describe('images: tag, remove, history, prune, disk usage', { skip }, () => {
  test('lifecycle', async () => {
    const { svc, root } = newService();
    const ref = `${reg.host}/pier-test/layered:latest`;
    const img = await svc.pull(ref);
    const bb = await svc.pull(`${reg.host}/pier-test/busybox:latest`);
    await svc.tag(ref, 'local/layered:v2');
    assert.deepEqual((await svc.inspect('local/layered:v2')).repoTags.sort(), [ref, 'local/layered:v2'].sort());
    await assert.rejects(svc.tag(ref, 'Bad:Name'), { code: 'EBADREF' });
    await assert.rejects(svc.tag('missing:1', 'x:1'), { code: 'ENOIMAGE' });

    const h = await svc.history(img.id);
    assert.equal(h.length, 3);
    assert.equal(h[0].emptyLayer, true);
    assert.match(h[1].createdBy, /RUN rm delete-me/);
    assert.ok(h[2].size > 1_000_000);

    const du = await svc.diskUsage();
    assert.equal(du.images, 2);
    assert.ok(du.layersSize >= img.size && du.layersSize < img.size + 1000, 'the shared layer is counted once');

    // removing one of two tags only untags
    assert.deepEqual(await svc.remove('local/layered:v2'), { untagged: ['local/layered:v2'], deleted: [] });
    // by id while several tags would be a conflict; here one tag is left: deletes
    await svc.tag(img.id, 'local/layered:v3');
    await assert.rejects(svc.remove(img.id), { code: 'EINUSE', message: /several tags/ });
    // forced while in use: untagged, content kept for the container
    const forced = await svc.remove(img.id, { force: true, inUse: (id) => id === img.id });
    assert.deepEqual(forced.deleted, []);
    assert.deepEqual((await svc.inspect(img.id)).repoTags, []);
    // prune: the dangling image goes unless in use
    assert.deepEqual((await svc.prune({ inUse: (id) => id === img.id })).deleted, []);
    const pr = await svc.prune({ inUse: () => false });
    assert.ok(pr.deleted.includes(img.id));
    assert.ok(pr.spaceReclaimed > 0);
    assert.equal(listFiles(path.join(root, 'images/layers')).length, 1, 'the busybox layer is still used');
    const rm = await svc.remove(`${reg.host}/pier-test/busybox:latest`);
    assert.ok(rm.deleted.includes(bb.id));
    assert.deepEqual(listFiles(path.join(root, 'images/layers')), []);
    assert.deepEqual(listFiles(path.join(root, 'images/blobs/sha256')), []);
    assert.deepEqual(await svc.list(), []);
  });
});
