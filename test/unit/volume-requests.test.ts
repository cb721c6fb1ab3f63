// Docker's mount syntaxes (-v, --mount, --tmpfs, --volumes-from) parsed into mount requests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { anonymousVolumes, parseBindString, parseMountObject, parseTmpfsMap, parseVolumesFrom } from '../../electron/engine/volumes/requests';
import { validateVolumeName } from '../../electron/engine/volumes/service';
import { tmpfsMountOptions } from '../../electron/engine/volumes/requests';

test('-v: host paths are binds, names are volumes, options checked', () => {
  assert.deepEqual(parseBindString('/host:/c:ro'), { type: 'bind', source: '/host', target: '/c', readOnly: true });
  assert.deepEqual(parseBindString('data:/var/lib/x/:nocopy'), { type: 'volume', source: 'data', target: '/var/lib/x', readOnly: undefined, noCopy: true });
  assert.throws(() => parseBindString('../x:/c'), /neither an absolute host path nor a volume name/);
  assert.throws(() => parseBindString('data:relative'), /must be an absolute path/);
  assert.throws(() => parseBindString('data:/'), /cannot be "\/"/);
  assert.throws(() => parseBindString('data:/a/../b'), /contains "\.\."/);
  assert.throws(() => parseBindString('data:/c:bogus'), /unknown option "bogus"/);
  assert.deepEqual(anonymousVolumes({ '/a/': {} }), [{ type: 'volume', target: '/a' }]);
});

test('--mount objects', () => {
  assert.deepEqual(parseMountObject({ Type: 'volume', Source: 'v', Target: '/d', ReadOnly: true, VolumeOptions: { NoCopy: true } }),
    { type: 'volume', source: 'v', target: '/d', readOnly: true, noCopy: true, volumeLabels: undefined, volumeOptions: undefined });
  assert.equal(parseMountObject({ Type: 'volume', Target: '/d' }).source, undefined);
  assert.throws(() => parseMountObject({ Type: 'volume', Source: '../x', Target: '/d' }), /invalid volume name/);
  assert.throws(() => parseMountObject({ Type: 'bind', Source: 'rel', Target: '/d' }), /absolute source/);
  assert.throws(() => parseMountObject({ Type: 'npipe', Target: '/d' }), /type must be/);
  assert.throws(() => parseMountObject({ Type: 'volume', Target: '/d', VolumeOptions: { DriverConfig: { Name: 'nfs' } } }), /driver "nfs"/);
  const t = parseMountObject({ Type: 'tmpfs', Target: '/t', TmpfsOptions: { SizeBytes: 1024, Mode: 0o700 } });
  assert.deepEqual(tmpfsMountOptions(t), ['nosuid', 'nodev', 'noexec', 'size=1024', 'mode=700']);
});

test('--tmpfs options and --volumes-from', () => {
  const [t] = parseTmpfsMap({ '/run': 'size=64m,mode=1777,exec' });
  assert.deepEqual(tmpfsMountOptions(t), ['nosuid', 'nodev', 'size=64m', 'mode=1777', 'exec']);
  assert.throws(() => parseTmpfsMap({ '/run': 'size=big' }), /invalid tmpfs option "size=big"/);
  assert.throws(() => parseTmpfsMap({ '/run': 'bind' }), /invalid tmpfs option "bind"/);
  assert.deepEqual(parseVolumesFrom('c1:ro'), { container: 'c1', mode: 'ro' });
  assert.throws(() => parseVolumesFrom('c1:rx'), /CONTAINER\[:ro\|rw\]/);
});

test('volume names', () => {
  for (const ok of ['a', 'data', 'my_vol.1', 'A-b']) assert.doesNotThrow(() => validateVolumeName(ok));
  for (const bad of ['../x', '.x', '-x', 'a/b', '', 'x'.repeat(256)]) assert.throws(() => validateVolumeName(bad), /invalid volume name/);
});
