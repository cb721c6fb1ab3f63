#!/usr/bin/env node
// `npm run test:repeat -- N [tier ...]`: prepares once as `npm test` does (host setup, build,
// typecheck), then runs the test tiers N times on the current tree and prints, per test, in
// how many runs it failed. Each run's spec output and TAP stay in $TMPDIR/pier-repeat-<time>/.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseTap } from './tap-results.mjs';

const [nArg, ...tiers] = process.argv.slice(2);
const runs = Number(nArg ?? 1);
if (!Number.isInteger(runs) || runs < 1) {
  console.error('usage: npm run test:repeat -- N [tier ...]   (N = how many full runs, 1 or more)');
  process.exit(2);
}
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const out = path.join(os.tmpdir(), `pier-repeat-${new Date().toISOString().replace(/[:.]/g, '-')}`);
mkdirSync(out, { recursive: true });

const prep = spawnSync('bash', ['scripts/test.sh'], { cwd: root, stdio: 'inherit', env: { ...process.env, PIER_TEST_PREPARE_ONLY: '1' } });
if (prep.status !== 0) { console.error('test:repeat: preparing (setup, build, typecheck) failed'); process.exit(prep.status ?? 1); }

const failures = new Map(); // test → runs it failed in
const seen = new Set();
const summary = [];
for (let i = 1; i <= runs; i++) {
  const tap = path.join(out, `run-${i}.tap`), log = path.join(out, `run-${i}.log`);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ['scripts/run-tests.mjs', ...tiers], { cwd: root, env: { ...process.env, PIER_TEST_TAP: tap }, encoding: 'utf8', maxBuffer: 1 << 30 });
  writeFileSync(log, (r.stdout ?? '') + (r.stderr ?? ''));
  let results = [];
  try { results = parseTap(readFileSync(tap, 'utf8')); } catch { /* no TAP: the runner itself failed */ }
  const failed = results.filter((x) => !x.ok);
  for (const x of results) seen.add(x.name);
  for (const x of failed) failures.set(x.name, [...(failures.get(x.name) ?? []), i]);
  const line = `run ${i}/${runs}: exit ${r.status}, ${results.length} results, ${failed.length} failed, ${((Date.now() - t0) / 1000).toFixed(0)} s` +
    (failed.length ? ` — ${failed.map((x) => x.name).join('; ')}` : '') + (r.status !== 0 && !failed.length ? ` (see ${log})` : '');
  summary.push(line);
  console.log(line);
}

console.log(`\nper-test failures over ${runs} run(s) (logs and TAP in ${out}):`);
const rows = [...failures.entries()].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]));
if (!rows.length) console.log('  none: every test passed in every run');
for (const [name, which] of rows) console.log(`  ${String(which.length).padStart(3)}/${runs}  ${name}  (runs ${which.join(', ')})`);
console.log(`  ${seen.size - rows.length} of ${seen.size} tests (suites included) never failed`);
writeFileSync(path.join(out, 'summary.txt'), [...summary, '', ...rows.map(([n, w]) => `${w.length}/${runs} ${n} (runs ${w.join(', ')})`)].join('\n') + '\n');
process.exit(rows.length || summary.some((l) => !/exit 0,/.test(l)) ? 1 : 0);
