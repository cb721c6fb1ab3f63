// Pure pieces of the rootless engine: subordinate id ranges, the advice when one is missing,
// the nsenter re-exec argv, rootless spec substitutions, the cgroup policy and default paths.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSubIds, rangeAdvice, freeRangeStart, nsenterArgs, usernsState, USERNS_ENV } from '../../electron/engine/runtime/userns';
import { cgroupPolicy, isRootless, rootlessSpecOptions, canChown } from '../../electron/engine/runtime/rootless';
import { generateSpec } from '../../electron/engine/spec/spec';

const SUBUID = 'alice:100000:65536\n# comment\n1005:165536:65536\nbad:line\nbob:x:10\n';

test('subordinate ranges: by name or by uid, first match, malformed lines ignored', () => {
  assert.deepEqual(parseSubIds(SUBUID, 'alice', 1001), { start: 100000, count: 65536 });
  assert.deepEqual(parseSubIds(SUBUID, 'carol', 1005), { start: 165536, count: 65536 });
  assert.equal(parseSubIds(SUBUID, 'bob', 1006), undefined);
  assert.equal(parseSubIds('', 'alice', 1001), undefined);
});

test('missing range: the advice names the files, the user and a free range to add', () => {
  const free = freeRangeStart(SUBUID, 'alice:300000:1000\n');
  assert.equal(free, 301000);
  const msg = rangeAdvice('dave', ['uid', 'gid'], free);
  assert.match(msg, /no subordinate uid and gid range for user dave in \/etc\/subuid and \/etc\/subgid/);
  assert.match(msg, /single-id mapping/);
  assert.match(msg, /usermod --add-subuids 301000-366535 --add-subgids 301000-366535 dave/);
  assert.equal(freeRangeStart(''), 100000);
});

test('re-exec: nsenter joins user and mount namespaces of the pause process, keeps credentials and cwd', () => {
  assert.deepEqual(nsenterArgs(42, '/home/a', ['/usr/bin/node', 'bin/pier.js', 'serve']),
    ['--preserve-credentials', '--user', '--mount', '--target', '42', '--wd=/home/a', '--', '/usr/bin/node', 'bin/pier.js', 'serve']);
});

test('the handed-over state is believed only inside a user namespace', () => {
  // the test runs as real root in the initial namespace: the variable alone proves nothing
  assert.equal(usernsState({ [USERNS_ENV]: JSON.stringify({ uid: 1000, gid: 1000, user: 'a', mapping: 'single', pause: 1 }) }), undefined);
  assert.equal(isRootless(), process.getuid!() !== 0);
});

test('system engine: cgroups available, no rootless spec changes, any owner may be given', () => {
  if (process.getuid!() !== 0) return;
  assert.equal(cgroupPolicy().available, true);
  assert.equal(rootlessSpecOptions(), undefined);
  assert.equal(canChown(1000, 1000), true);
});

test('rootless spec: /sys is a read-only rbind, no cgroup mount, devpts loses gid=5 when it is unmapped', () => {
  const base = { rootfs: '/r', process: { args: ['sh'] } };
  const plain = generateSpec(base);
  assert.ok(plain.mounts.some((m) => m.type === 'sysfs'));
  const single = generateSpec({ ...base, rootless: { ttyGidMapped: false } });
  const sys = single.mounts.find((m) => m.destination === '/sys')!;
  assert.deepEqual(sys, { destination: '/sys', type: 'bind', source: '/sys', options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro'] });
  assert.equal(single.mounts.find((m) => m.destination === '/sys/fs/cgroup'), undefined);
  assert.ok(!single.mounts.find((m) => m.type === 'devpts')!.options!.includes('gid=5'));
  const ranged = generateSpec({ ...base, rootless: { ttyGidMapped: true } });
  assert.ok(ranged.mounts.find((m) => m.type === 'devpts')!.options!.includes('gid=5'));
  assert.equal(ranged.mounts.length, plain.mounts.length - 1);
});
