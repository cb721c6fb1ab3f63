// Builds Pier's test images offline from Debian's busybox-static (/bin/busybox).
//
//   node --import tsx scripts/build-test-images.ts [OUT_DIR] [--big-mb N]
//
// OUT_DIR (default: $PIER_TEST_IMAGES or <tmp>/pier-test-images) receives:
//   oci/                        an OCI image layout with these images (ref.name → image):
//     busybox  pier-test/busybox:latest  one layer: busybox + applet symlinks + test files
//     layered  pier-test/layered:latest  busybox's layer + a second layer that deletes
//                                        (.wh.), replaces, adds files and makes a directory opaque
//     zstd     pier-test/zstd:latest     busybox's layer compressed with zstd
//     big      pier-test/big:latest      layered + random-data layers + many small files (benchmarks)
//   images.docker.tar           a docker-archive (uncompressed layers) of busybox and layered
// All builds are deterministic (fixed timestamps, seeded data), so digests are stable.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as tar from 'tar-stream';

const BUILD_VERSION = '3';
const MTIME = new Date('2024-01-01T00:00:00Z');
const PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

type Entry =
  | { name: string; type: 'directory'; mode?: number; uid?: number; gid?: number }
  | { name: string; type: 'file'; data: Buffer | string; mode?: number; uid?: number; gid?: number }
  | { name: string; type: 'symlink' | 'link'; linkname: string };

export interface TestImage { name: string; ociRef: string; config: Record<string, unknown>; layerDiffIds: string[]; manifestDigest: string }
export interface TestImages { dir: string; ociDir: string; dockerArchive: string; images: Record<'busybox' | 'layered' | 'zstd' | 'big', TestImage> }

export function defaultTestImagesDir(): string {
  return process.env.PIER_TEST_IMAGES || path.join(os.tmpdir(), 'pier-test-images');
}

/** Packs entries into an uncompressed tar (in memory). */
export async function makeTar(entries: Entry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    pack.on('data', (c: unknown) => { chunks.push(c as Buffer); });
    pack.on('end', () => resolve());
    pack.on('error', reject);
  });
  for (const e of entries) {
    const base = { name: e.name, mtime: MTIME, uid: 0, gid: 0, uname: 'root', gname: 'root' };
    await new Promise<void>((resolve, reject) => {
      const cb = (err?: Error | null) => (err ? reject(err) : resolve());
      if (e.type === 'file') pack.entry({ ...base, type: 'file', mode: e.mode ?? 0o644, uid: e.uid ?? 0, gid: e.gid ?? 0 }, Buffer.from(e.data), cb);
      else if (e.type === 'directory') pack.entry({ ...base, type: 'directory', mode: e.mode ?? 0o755, uid: e.uid ?? 0, gid: e.gid ?? 0 }, cb);
      else pack.entry({ ...base, type: e.type, linkname: e.linkname, mode: 0o777 }, cb);
    });
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

const sha = (b: Buffer | string) => 'sha256:' + crypto.createHash('sha256').update(b).digest('hex');

function seeded(bytes: number, seed: string): Buffer {
  const key = crypto.createHash('sha256').update(seed).digest().subarray(0, 16);
  return crypto.createCipheriv('aes-128-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(bytes));
}

function busyboxApplets(bb: string): string[] {
  try {
    return execFileSync(bb, ['--list'], { encoding: 'utf8' }).split('\n').map((s) => s.trim()).filter((s) => /^[a-z0-9_.[-]+$/.test(s) && s !== 'busybox');
  } catch { return ['sh', 'ls', 'cat', 'echo', 'sleep', 'env', 'id', 'true', 'false', 'stat', 'ps', 'top']; }
}

export async function baseLayerEntries(bb = '/bin/busybox'): Promise<Entry[]> {
  const e: Entry[] = [
    { name: 'bin/', type: 'directory' },
    { name: 'bin/busybox', type: 'file', data: fs.readFileSync(bb), mode: 0o755 },
  ];
  for (const a of busyboxApplets(bb)) e.push({ name: `bin/${a}`, type: 'symlink', linkname: 'busybox' });
  e.push(
    { name: 'dev/', type: 'directory' },
    { name: 'etc/', type: 'directory' },
    { name: 'etc/passwd', type: 'file', data: 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' },
    { name: 'etc/group', type: 'file', data: 'root:x:0:\nnogroup:x:65534:\n' },
    { name: 'etc/hostname', type: 'file', data: 'pier\n' },
    { name: 'etc/pier/', type: 'directory' },
    { name: 'etc/pier/keep.txt', type: 'file', data: 'kept\n' },
    { name: 'etc/pier/delete-me.txt', type: 'file', data: 'delete me\n' },
    { name: 'etc/pier/replace-me.txt', type: 'file', data: 'original\n' },
    { name: 'etc/pier/owned.txt', type: 'file', data: 'owned by 1000\n', mode: 0o640, uid: 1000, gid: 1000 },
    { name: 'etc/pier/hardlink.txt', type: 'link', linkname: 'etc/pier/keep.txt' },
    { name: 'opt/', type: 'directory' },
    { name: 'opt/opaque/', type: 'directory' },
    { name: 'opt/opaque/a.txt', type: 'file', data: 'a\n' },
    { name: 'opt/opaque/sub/', type: 'directory' },
    { name: 'opt/opaque/sub/b.txt', type: 'file', data: 'b\n' },
    { name: 'proc/', type: 'directory' },
    { name: 'root/', type: 'directory', mode: 0o700 },
    { name: 'sys/', type: 'directory' },
    { name: 'tmp/', type: 'directory', mode: 0o1777 },
    { name: 'usr/', type: 'directory' },
    { name: 'usr/bin/', type: 'directory' },
    { name: 'var/', type: 'directory' },
  );
  return e;
}

export const secondLayerEntries: Entry[] = [
  { name: 'etc/', type: 'directory' },
  { name: 'etc/pier/', type: 'directory' },
  { name: 'etc/pier/.wh.delete-me.txt', type: 'file', data: '' },
  { name: 'etc/pier/replace-me.txt', type: 'file', data: 'replaced\n' },
  { name: 'etc/pier/added.txt', type: 'file', data: 'added in layer 2\n' },
  { name: 'opt/', type: 'directory' },
  { name: 'opt/opaque/', type: 'directory' },
  { name: 'opt/opaque/.wh..wh..opq', type: 'file', data: '' },
  { name: 'opt/opaque/c.txt', type: 'file', data: 'c\n' },
];

interface BuiltLayer { tar: Buffer; blob: Buffer; mediaType: string; diffId: string }
function gz(t: Buffer): BuiltLayer { return { tar: t, blob: zlib.gzipSync(t, { level: 6 }), mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', diffId: sha(t) }; }
function zst(t: Buffer): BuiltLayer {
  return { tar: t, blob: execFileSync('zstd', ['-q', '-c', '-3'], { input: t, maxBuffer: 1 << 30 }), mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd', diffId: sha(t) };
}

function configFor(layers: BuiltLayer[], c: Record<string, unknown>, history: string[]): Buffer {
  return Buffer.from(JSON.stringify({
    architecture: ({ x64: 'amd64', arm64: 'arm64' } as Record<string, string>)[process.arch] ?? process.arch,
    os: 'linux',
    created: MTIME.toISOString(),
    config: c,
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    history: [
      ...history.map((h) => ({ created: MTIME.toISOString(), created_by: h })),
      { created: MTIME.toISOString(), created_by: 'CMD (metadata only)', empty_layer: true },
    ],
  }));
}

export async function buildTestImages(outDir = defaultTestImagesDir(), opts: { bigMB?: number; force?: boolean } = {}): Promise<TestImages> {
  const bigMB = opts.bigMB ?? Number(process.env.PIER_TEST_BIG_MB ?? 24);
  const marker = path.join(outDir, '.complete');
  const stamp = `${BUILD_VERSION} ${bigMB}`;
  if (!opts.force && fs.existsSync(marker) && fs.readFileSync(marker, 'utf8').startsWith(stamp + '\n')) {
    return JSON.parse(fs.readFileSync(marker, 'utf8').split('\n').slice(1).join('\n')) as TestImages;
  }
  if (!fs.existsSync('/bin/busybox')) throw new Error('building test images needs /bin/busybox: install Debian\'s busybox-static');
  const tmp = `${outDir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  const ociTmp = path.join(tmp, 'oci');
  fs.mkdirSync(path.join(ociTmp, 'blobs', 'sha256'), { recursive: true });
  const putBlob = (b: Buffer) => { const d = sha(b); fs.writeFileSync(path.join(ociTmp, 'blobs', 'sha256', d.slice(7)), b); return { digest: d, size: b.length }; };

  const baseTar = await makeTar(await baseLayerEntries());
  const base = gz(baseTar);
  const second = gz(await makeTar(secondLayerEntries));
  const randomLayers: BuiltLayer[] = [];
  const per = Math.max(1, Math.ceil(bigMB / 3));
  for (let i = 0; i < 3; i++) randomLayers.push(gz(await makeTar([{ name: 'data/', type: 'directory' }, { name: `data/random-${i}.bin`, type: 'file', data: seeded(per << 20, `pier-${i}`) }])));
  const small: Entry[] = [{ name: 'usr/share/', type: 'directory' }, { name: 'usr/share/pier/', type: 'directory' }];
  for (let d = 0; d < 40; d++) {
    small.push({ name: `usr/share/pier/d${d}/`, type: 'directory' });
    for (let f = 0; f < 50; f++) small.push({ name: `usr/share/pier/d${d}/f${f}.txt`, type: 'file', data: `file ${d}/${f}\n`.repeat(1 + ((d * 50 + f) % 64)) });
  }
  const smallLayer = gz(await makeTar(small));

  const defs: Array<{ key: keyof TestImages['images']; layers: BuiltLayer[]; config: Record<string, unknown>; history: string[] }> = [
    { key: 'busybox', layers: [base], history: ['ADD busybox-static /'],
      config: { Entrypoint: ['/bin/busybox'], Cmd: ['sh'], Env: [PATH_ENV, 'PIER_TEST=busybox'], WorkingDir: '/tmp', Labels: { 'org.pier.test': 'busybox' } } },
    { key: 'layered', layers: [base, second], history: ['ADD busybox-static /', 'RUN rm delete-me.txt; replace replace-me.txt; opaque /opt/opaque'],
      config: { Entrypoint: ['/bin/sh', '-c'], Cmd: ['cat /etc/pier/replace-me.txt'], Env: [PATH_ENV, 'PIER_TEST=layered'], WorkingDir: '/etc/pier', Labels: { 'org.pier.test': 'layered', 'org.pier.layers': '2' }, StopSignal: 'SIGINT', User: '0:0' } },
    { key: 'zstd', layers: [zst(baseTar)], history: ['ADD busybox-static / (zstd)'],
      config: { Entrypoint: ['/bin/busybox'], Cmd: ['sh'], Env: [PATH_ENV, 'PIER_TEST=zstd'], WorkingDir: '/', Labels: { 'org.pier.test': 'zstd' } } },
    { key: 'big', layers: [base, second, ...randomLayers, smallLayer], history: ['ADD busybox-static /', 'RUN layer 2', 'ADD random 0', 'ADD random 1', 'ADD random 2', 'ADD 2000 small files'],
      config: { Entrypoint: ['/bin/busybox'], Cmd: ['sh'], Env: [PATH_ENV, 'PIER_TEST=big'], WorkingDir: '/data', Labels: { 'org.pier.test': 'big' } } },
  ];
  const index: object[] = [];
  const images = {} as TestImages['images'];
  const configs = new Map<string, Buffer>();
  for (const d of defs) {
    const cfg = configFor(d.layers, d.config, d.history);
    configs.set(d.key, cfg);
    const c = putBlob(cfg);
    const layers = d.layers.map((l) => ({ mediaType: l.mediaType, ...putBlob(l.blob) }));
    const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...c }, layers }));
    const m = putBlob(manifest);
    const name = `pier-test/${d.key}:latest`;
    index.push({ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...m, annotations: { 'org.opencontainers.image.ref.name': d.key, 'io.containerd.image.name': name } });
    images[d.key] = { name, ociRef: `oci:${path.join(outDir, 'oci')}:${d.key}`, config: d.config, layerDiffIds: d.layers.map((l) => l.diffId), manifestDigest: m.digest };
  }
  fs.writeFileSync(path.join(ociTmp, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  fs.writeFileSync(path.join(ociTmp, 'index.json'), JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: index }));

  // docker-archive: uncompressed layers, like `docker save`.
  const dockerEntries: Entry[] = [];
  const manifestJson: object[] = [];
  const added = new Set<string>();
  for (const key of ['busybox', 'layered'] as const) {
    const d = defs.find((x) => x.key === key)!;
    const cfg = configs.get(key)!;
    const cfgName = `${sha(cfg).slice(7)}.json`;
    dockerEntries.push({ name: cfgName, type: 'file', data: cfg });
    const layerNames = d.layers.map((l) => {
      const n = `${l.diffId.slice(7)}/layer.tar`;
      if (!added.has(n)) { added.add(n); dockerEntries.push({ name: `${l.diffId.slice(7)}/`, type: 'directory' }, { name: n, type: 'file', data: l.tar }); }
      return n;
    });
    manifestJson.push({ Config: cfgName, RepoTags: [images[key].name], Layers: layerNames });
  }
  dockerEntries.push({ name: 'manifest.json', type: 'file', data: JSON.stringify(manifestJson) });
  fs.writeFileSync(path.join(tmp, 'images.docker.tar'), await makeTar(dockerEntries));

  const result: TestImages = { dir: outDir, ociDir: path.join(outDir, 'oci'), dockerArchive: path.join(outDir, 'images.docker.tar'), images };
  fs.writeFileSync(path.join(tmp, '.complete'), `${stamp}\n${JSON.stringify(result)}`);
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.renameSync(tmp, outDir);
  return result;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const bi = args.indexOf('--big-mb');
  const bigMB = bi >= 0 ? Number(args.splice(bi, 2)[1]) : undefined;
  const r = await buildTestImages(args[0] ? path.resolve(args[0]) : undefined, { bigMB, force: true });
  console.log(`test images in ${r.dir}:`);
  for (const [k, v] of Object.entries(r.images)) console.log(`  ${k.padEnd(8)} ${v.name}  ${v.manifestDigest}`);
  console.log(`  docker-archive: ${r.dockerArchive}`);
}
