// Load and save: docker-archive and OCI layouts both ways, round trips keep every
// digest, skopeo reads what Pier writes, bad archives change nothing.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { buildTestImages, makeTar, type TestImages } from '../../scripts/build-test-images';
import { createImageService, createSnapshotter, type ImageService } from '../../electron/engine/images/index';

let imgs: TestImages;
let tmp: string;
const services: ImageService[] = [];
function svcAt(name: string): ImageService {
  const s = createImageService({ root: path.join(tmp, name) });
  services.push(s);
  return s;
}
const canSkopeo = (() => { try { execFileSync('skopeo', ['--version'], { stdio: 'ignore' }); return true; } catch { return false; } })();

before(async () => {
  imgs = await buildTestImages();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pier-archive-'));
});
after(async () => {
  for (const s of services) await s.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('load and save', () => {
  test('docker-archive: load → save → load keeps ids and layer digests; skopeo reads the saved archive', async () => {
    const a = svcAt('a');
    const loaded = await a.load(imgs.dockerArchive);
    assert.deepEqual(loaded.map((i) => i.repoTags[0]).sort(), ['pier-test/busybox:latest', 'pier-test/layered:latest']);
    const layered = await a.inspect('pier-test/layered');
    assert.deepEqual(layered.layers, imgs.images.layered.layerDiffIds);
    assert.deepEqual(layered.config.config?.Labels, { 'org.pier.test': 'layered', 'org.pier.layers': '2' });

    const out = path.join(tmp, 'saved.docker.tar');
    await a.save(['pier-test/busybox:latest', 'pier-test/layered:latest'], fs.createWriteStream(out));
    const b = svcAt('b');
    const reloaded = await b.load(fs.createReadStream(out));
    assert.deepEqual(reloaded.map((i) => i.id).sort(), loaded.map((i) => i.id).sort());
    for (const img of loaded) {
      const again = await b.inspect(img.id);
      assert.deepEqual(again.layers, img.layers);
      assert.deepEqual(again.repoTags, img.repoTags);
    }
    // byte-identical content: save again from the second store, same archive bytes
    const out2 = path.join(tmp, 'saved2.docker.tar');
    await b.save(['pier-test/busybox:latest', 'pier-test/layered:latest'], fs.createWriteStream(out2));
    assert.ok(fs.readFileSync(out).equals(fs.readFileSync(out2)), 'save is deterministic and content-preserving');
    if (canSkopeo) {
      const info = JSON.parse(execFileSync('skopeo', ['inspect', '--config', `docker-archive:${out}:pier-test/layered:latest`], { encoding: 'utf8' })) as { rootfs: { diff_ids: string[] } };
      assert.deepEqual(info.rootfs.diff_ids, imgs.images.layered.layerDiffIds);
    }
  });

  test('OCI layout directory: load → save as oci-archive keeps the manifest digest; skopeo and a reload agree', async () => {
    const c = svcAt('c');
    const loaded = await c.load(imgs.ociDir);
    assert.deepEqual(loaded.map((i) => i.repoTags[0]).sort(), ['pier-test/big:latest', 'pier-test/busybox:latest', 'pier-test/layered:latest', 'pier-test/zstd:latest']);
    const out = path.join(tmp, 'saved.oci.tar');
    await c.save(['pier-test/layered:latest'], fs.createWriteStream(out), { format: 'oci-archive' });
    const unpacked = path.join(tmp, 'oci-out');
    fs.mkdirSync(unpacked);
    execFileSync('tar', ['-xf', out, '-C', unpacked]);
    const index = JSON.parse(fs.readFileSync(path.join(unpacked, 'index.json'), 'utf8')) as { manifests: Array<{ digest: string; annotations: Record<string, string> }> };
    assert.equal(index.manifests.length, 1);
    assert.equal(index.manifests[0].digest, imgs.images.layered.manifestDigest, 'same manifest digest as the source layout');
    assert.equal(index.manifests[0].annotations['io.containerd.image.name'], 'pier-test/layered:latest');
    for (const f of fs.readdirSync(path.join(unpacked, 'blobs/sha256'))) {
      assert.ok(fs.readFileSync(path.join(unpacked, 'blobs/sha256', f)).equals(fs.readFileSync(path.join(imgs.ociDir, 'blobs/sha256', f))), `blob ${f} identical`);
    }
    if (canSkopeo) {
      const info = JSON.parse(execFileSync('skopeo', ['inspect', `oci-archive:${out}:latest`], { encoding: 'utf8' })) as { Digest: string };
      assert.equal(info.Digest, imgs.images.layered.manifestDigest);
    }
    const d = svcAt('d');
    const [again] = await d.load(out);
    assert.equal(again.id, (await c.inspect('pier-test/layered')).id);
    // a docker-archive loaded then saved as OCI, and the OCI saved as docker-archive, still load
    const e = svcAt('e');
    await e.load(imgs.dockerArchive);
    const o2 = path.join(tmp, 'cross.oci.tar');
    await e.save(['pier-test/busybox'], fs.createWriteStream(o2), { format: 'oci-archive' });
    const f = svcAt('f');
    const [x] = await f.load(o2);
    assert.equal(x.id, (await e.inspect('pier-test/busybox')).id);
  });

  test('loaded layers unpack into a working snapshot (overlay) and copy', async () => {
    const root = path.join(tmp, 'snap');
    const s = createImageService({ root });
    services.push(s);
    const [img] = (await s.load(imgs.dockerArchive)).filter((i) => i.repoTags[0] === 'pier-test/layered:latest');
    const snap = await createSnapshotter({ root, images: s });
    const r = await snap.prepare('l1', img);
    assert.equal(fs.readFileSync(path.join(r, 'etc/pier/replace-me.txt'), 'utf8'), 'replaced\n');
    assert.ok(!fs.existsSync(path.join(r, 'etc/pier/delete-me.txt')));
    assert.deepEqual(fs.readdirSync(path.join(r, 'opt/opaque')), ['c.txt']);
    await snap.remove('l1');
  });

  test('bad archives: truncated, not an archive, malicious names, wrong digests — nothing stored', async () => {
    const g = svcAt('g');
    const full = fs.readFileSync(imgs.dockerArchive);
    const cases: Array<[string, Buffer, RegExp]> = [
      ['truncated', full.subarray(0, Math.floor(full.length * 0.6)), /nothing was loaded|not a readable tar|has no/],
      ['garbage', Buffer.from('this is not a tar archive at all'.repeat(40)), /.*/],
      ['empty manifest', await makeTar([{ name: 'manifest.json', type: 'file', data: '[]' }]), /lists no images/],
      ['escaping config name', await makeTar([{ name: 'manifest.json', type: 'file', data: JSON.stringify([{ Config: '../../etc/passwd', RepoTags: ['x:1'], Layers: [] }]) }]), /has no/],
      ['config/layer mismatch', await makeTar([
        { name: 'c.json', type: 'file', data: JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: ['sha256:' + 'a'.repeat(64)] } }) },
        { name: 'l.tar', type: 'file', data: zlib.gzipSync(await makeTar([{ name: 'f', type: 'file', data: 'x' }])) },
        { name: 'manifest.json', type: 'file', data: JSON.stringify([{ Config: 'c.json', RepoTags: ['bad/diffid:1'], Layers: ['l.tar'] }]) },
      ]), /digest mismatch/],
      ['malicious layer', await makeTar([
        { name: 'c.json', type: 'file', data: JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: ['sha256:' + 'b'.repeat(64)] } }) },
        { name: 'l.tar', type: 'file', data: await makeTar([{ name: 'lnk', type: 'symlink', linkname: '/' }, { name: 'lnk/pier-escape', type: 'file', data: 'x' }]) },
        { name: 'manifest.json', type: 'file', data: JSON.stringify([{ Config: 'c.json', RepoTags: ['bad/escape:1'], Layers: ['l.tar'] }]) },
      ]), /symlink/],
    ];
    for (const [name, bytes, re] of cases) {
      const f = path.join(tmp, `bad-${name.replace(/\W/g, '_')}.tar`);
      fs.writeFileSync(f, bytes);
      await assert.rejects(g.load(f), (err: Error & { code?: string }) => {
        assert.equal(err.code, name === 'config/layer mismatch' ? 'EDIGEST' : 'EBADARCHIVE', `${name}: ${err.message}`);
        assert.match(err.message, re, name);
        return true;
      }, name);
    }
    assert.ok(!fs.existsSync('/pier-escape'));
    assert.deepEqual(await g.list(), []);
    const root = path.join(tmp, 'g', 'images');
    assert.deepEqual(fs.readdirSync(path.join(root, 'ingest')), []);
    assert.deepEqual(fs.readdirSync(path.join(root, 'layers')), []);
    assert.deepEqual(fs.readdirSync(path.join(root, 'blobs/sha256')), []);
    await assert.rejects(g.save(['nothing:here'], fs.createWriteStream(path.join(tmp, 'x.tar'))), { code: 'ENOIMAGE' });
  });
});
