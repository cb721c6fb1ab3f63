#!/usr/bin/env node
// `npm run format:check`: Prettier --check on the files listed in scripts/lint/formatted.txt.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const files = readFileSync(path.join(root, 'scripts/lint/formatted.txt'), 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));
const bin = path.join(root, 'node_modules/.bin/prettier');
const r = spawnSync(bin, ['--check', '--log-level', 'warn', ...files], { cwd: root, stdio: 'inherit' });
if (r.status !== 0) console.error('format:check: run `npx prettier --write <file>` on the files above');
process.exit(r.status ?? 1);
