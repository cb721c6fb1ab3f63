// The pure-JS path guard (what extraction uses when the native addon cannot load) passes the
// same escape tests as the openat2 guard: images-extract.test.ts again, with the addon off.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

test('images-extract.test.ts passes with PIER_NATIVE_GUARD=0 (pure-JS guard only)', () => {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-reporter=dot', path.join(here, 'images-extract.test.ts')],
    {
      env: { ...process.env, PIER_NATIVE_GUARD: '0' },
      encoding: 'utf8',
    },
  );
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
});
