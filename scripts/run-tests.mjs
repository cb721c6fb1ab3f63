#!/usr/bin/env node
// Runs Pier's test tiers with Node's own test runner (node:test) and tsx.
// Usage: node scripts/run-tests.mjs [tier ...]   tiers: unit integration api e2e electron (default: all)
// Test files are test/<tier>/**/*.test.ts. Tiers run one after another; files of a tier run
// with --test-concurrency=1 because integration tests share the host's conmon/runc.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const all = ['unit', 'integration', 'api', 'e2e', 'electron'];
const tiers = process.argv.slice(2).length ? process.argv.slice(2) : all;
const filter = process.env.PIER_TEST_FILTER;

function walk(dir) {
  let out = [];
  let names = [];
  try { names = readdirSync(dir); } catch { return out; }
  for (const n of names.sort()) {
    const p = path.join(dir, n);
    if (statSync(p).isDirectory()) out = out.concat(walk(p));
    else if (n.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const files = [];
for (const tier of tiers) {
  if (!all.includes(tier)) { console.error(`unknown test tier "${tier}" (known: ${all.join(', ')})`); process.exit(2); }
  const found = walk(path.join('test', tier)).filter((f) => !filter || f.includes(filter));
  console.log(`${tier}: ${found.length} file(s)`);
  files.push(...found);
}
if (!files.length) { console.error('no test files found'); process.exit(1); }
// One runner invocation, so the run ends with one summary (tests/pass/fail).
// PIER_TEST_TAP=<file> also writes TAP there (scripts/test-repeat.mjs counts failures from it).
const tap = process.env.PIER_TEST_TAP;
const reporters = ['--test-reporter=spec', '--test-reporter-destination=stdout', ...(tap ? ['--test-reporter=tap', `--test-reporter-destination=${tap}`] : [])];
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...reporters, ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
