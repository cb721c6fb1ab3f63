// scripts/test-repeat.mjs counts failures per test from node:test's TAP output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
// @ts-expect-error plain ESM script without types
import { parseTap } from '../../scripts/tap-results.mjs';

test('TAP results: nested names, failures, skips; a file that fails to load is a result too', () => {
  const tap = [
    'TAP version 13',
    '# Subtest: top ok',
    'ok 1 - top ok',
    '  ---',
    '  duration_ms: 1',
    '  ...',
    '# Subtest: suite',
    '    # Subtest: inner fails',
    '    not ok 1 - inner fails',
    '      ---',
    '      location: \'/x/a.test.ts:3:1\'',
    '      ...',
    '    # Subtest: inner skipped',
    '    ok 2 - inner skipped # SKIP no podman',
    '    1..2',
    'not ok 2 - suite',
    '# Subtest: /work/test/unit/broken.test.ts',
    'not ok 3 - /work/test/unit/broken.test.ts',
    '1..3',
  ].join('\n');
  assert.deepEqual(parseTap(tap), [
    { name: 'top ok', ok: true, skipped: false },
    { name: 'suite > inner fails', ok: false, skipped: false },
    { name: 'suite > inner skipped', ok: true, skipped: true },
    { name: 'suite', ok: false, skipped: false },
    { name: '/work/test/unit/broken.test.ts', ok: false, skipped: false },
  ]);
});
