// `npm start` (scripts/start.mjs): as root it refuses with the reason and the way to the system engine;
// without Electron's binary and without a reachable download, it says what failed and points to the
// browser UI. (The download is pointed at a closed local port, so the test never depends on a network.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../helpers/electron-build';

const script = path.join(repoRoot, 'scripts/start.mjs');
const hasBinary = fs.existsSync(path.join(repoRoot, 'node_modules/electron/path.txt'));

test('as root: refuses, naming the sandbox and the system engine', { skip: process.getuid?.() !== 0 ? 'needs root' : undefined }, () => {
  const r = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /pier: Pier's window does not run as root: Chromium's sandbox refuses it/);
  assert.match(r.stderr, /System engine \(\/run\/pier\/docker\.sock\)/);
});

test('offline, no Electron binary: says what failed and points to npx pier serve --web', { skip: hasBinary ? 'Electron\'s binary is installed here' : undefined }, () => {
  const env = { ...process.env, PIER_START_AS_ROOT: '1', ELECTRON_MIRROR: 'http://127.0.0.1:9/', ELECTRON_GET_USE_PROXY: '' };
  const r = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 120_000, env });
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stdout, /fetching it \(install-electron\)/);
  assert.match(r.stderr, /pier: could not download Electron's binary \(.+\)/);
  assert.match(r.stderr, /npx pier serve --web 127\.0\.0\.1:8080/);
  assert.equal(fs.existsSync(path.join(repoRoot, 'node_modules/electron/path.txt')), false, 'nothing half-installed');
});
