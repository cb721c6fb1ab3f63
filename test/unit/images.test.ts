// Pure logic of the image subsystem: references and short names, auth headers and
// files, image defaults, chain ids.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseReference, familiarName, isInsecureHost, formatReference } from '../../electron/engine/images/reference';
import { parseWwwAuthenticate, credentialsFromFile } from '../../electron/engine/images/registry';
import { chainIds } from '../../electron/engine/images/store';
import { imageDefaults, createImageService, type ImageRecord } from '../../electron/engine/images/index';

describe('references', () => {
  test('fully qualified names', () => {
    assert.deepEqual(parseReference('127.0.0.1:5000/a/b:1.0'), { domain: '127.0.0.1:5000', path: 'a/b', tag: '1.0', digest: undefined });
    assert.deepEqual(parseReference('localhost/x'), { domain: 'localhost', path: 'x', tag: 'latest', digest: undefined });
    const d = 'sha256:' + 'a'.repeat(64);
    assert.deepEqual(parseReference(`reg.example:443/x@${d}`), { domain: 'reg.example:443', path: 'x', tag: undefined, digest: d });
    assert.equal(formatReference(parseReference(`reg.example/x:t@${d}`)), `reg.example/x:t@${d}`);
  });
  test('short names use the configured default registry and the library/ rule', () => {
    assert.deepEqual(parseReference('busybox', 'reg.example:5000'), { domain: 'reg.example:5000', path: 'library/busybox', tag: 'latest', digest: undefined });
    assert.deepEqual(parseReference('me/app:2', 'reg.example:5000'), { domain: 'reg.example:5000', path: 'me/app', tag: '2', digest: undefined });
    assert.equal(parseReference('busybox').domain, '', 'no default: local-only short name');
    assert.equal(familiarName('reg.example:5000/library/busybox:latest', 'reg.example:5000'), 'busybox:latest');
    assert.equal(familiarName('reg.example:5000/me/app:2', 'reg.example:5000'), 'me/app:2');
    assert.equal(familiarName('other.example/x:1', 'reg.example:5000'), 'other.example/x:1');
  });
  test('malformed references name the reason', () => {
    assert.throws(() => parseReference('UPPER'), { code: 'EBADREF', message: /lowercase/ });
    assert.throws(() => parseReference('a:b:c'), { code: 'EBADREF' });
    assert.throws(() => parseReference('x@sha256:12'), { code: 'EBADREF', message: /digest/ });
    assert.throws(() => parseReference(''), { code: 'EBADREF' });
    assert.throws(() => parseReference('a//b'), { code: 'EBADREF' });
    assert.throws(() => parseReference('x:' + 't'.repeat(200)), { code: 'EBADREF' });
  });
  test('plain HTTP only for loopback and configured insecure registries', () => {
    assert.ok(isInsecureHost('127.0.0.1:5000'));
    assert.ok(isInsecureHost('127.3.4.5'));
    assert.ok(isInsecureHost('localhost:80'));
    assert.ok(!isInsecureHost('reg.example:5000'));
    assert.ok(isInsecureHost('reg.example:5000', ['reg.example:5000']));
  });
});

describe('registry auth', () => {
  test('WWW-Authenticate parsing', () => {
    assert.deepEqual(parseWwwAuthenticate('Bearer realm="https://auth.example/token",service="reg",scope="repository:a/b:pull"'),
      { scheme: 'bearer', params: { realm: 'https://auth.example/token', service: 'reg', scope: 'repository:a/b:pull' } });
    assert.deepEqual(parseWwwAuthenticate('Basic realm="x"'), { scheme: 'basic', params: { realm: 'x' } });
  });
  test('credentials from a docker-style auth file', () => {
    const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pier-auth-')), 'config.json');
    fs.writeFileSync(f, JSON.stringify({ auths: { 'http://127.0.0.1:5000/v1/': { auth: Buffer.from('u:p:w').toString('base64') }, 'other:1': { username: 'a', password: 'b' } } }));
    assert.deepEqual(credentialsFromFile(f, '127.0.0.1:5000'), { username: 'u', password: 'p:w' });
    assert.deepEqual(credentialsFromFile(f, 'other:1'), { username: 'a', password: 'b' });
    assert.equal(credentialsFromFile(f, 'none'), undefined);
  });
});

describe('image records', () => {
  test('chain ids', () => {
    const a = 'sha256:' + 'a'.repeat(64), b = 'sha256:' + 'b'.repeat(64);
    const c = chainIds([a, b]);
    assert.equal(c[0], a);
    assert.match(c[1], /^sha256:[a-f0-9]{64}$/);
    assert.notEqual(c[1], b);
  });
  test('imageDefaults maps the config, with a PATH when missing', () => {
    const img = { config: { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] },
      config: { Entrypoint: ['/e'], Cmd: ['c'], Env: ['A=1'], WorkingDir: '/w', User: '1:2', StopSignal: 'SIGINT', Labels: { l: 'v' }, Volumes: { '/data': {} } } } } as unknown as ImageRecord;
    const d = imageDefaults(img);
    assert.deepEqual(d, { entrypoint: ['/e'], cmd: ['c'], env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'A=1'], workingDir: '/w', user: '1:2', stopSignal: 'SIGINT', labels: { l: 'v' }, volumes: ['/data'] });
    const empty = imageDefaults({ config: { config: null } } as unknown as ImageRecord);
    assert.equal(empty.workingDir, '/');
    assert.deepEqual(empty.cmd, []);
  });
  test('pulling a short name without a default registry fails naming the setting', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pier-img-'));
    const saved = process.env.PIER_DEFAULT_REGISTRY;
    delete process.env.PIER_DEFAULT_REGISTRY;
    try {
      const svc = createImageService({ root });
      await assert.rejects(svc.pull('busybox'), { code: 'EBADREF', message: /PIER_DEFAULT_REGISTRY/ });
      await assert.rejects(svc.inspect('busybox'), { code: 'ENOIMAGE', message: /No such image: busybox/ });
    } finally {
      if (saved !== undefined) process.env.PIER_DEFAULT_REGISTRY = saved;
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
