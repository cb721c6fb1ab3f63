// Where the built Electron main process is, and whether it is fresh enough to test.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

export const repoRoot = path.resolve(import.meta.dirname, '../..');
export const mainJs = path.join(repoRoot, 'out/main/index.js');

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? walk(path.join(dir, d.name)) : [path.join(dir, d.name)]));
}

/** Why the built main cannot be tested (not built, or older than its sources), else undefined. */
export function builtMainSkipReason(): string | undefined {
  if (!existsSync(mainJs) || !existsSync(path.join(repoRoot, 'out/preload/index.cjs'))) return 'out/ not built: run `npx electron-vite build` first';
  const newest = Math.max(...['electron/main', 'electron/preload'].flatMap((d) => walk(path.join(repoRoot, d))).map((f) => statSync(f).mtimeMs));
  if (newest > statSync(mainJs).mtimeMs) return 'out/main is older than electron/main or electron/preload: run `npx electron-vite build`';
  return undefined;
}
