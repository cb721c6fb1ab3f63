// `npm run bench [name...]`: runs every bench/*.bench.ts (or the named ones) and prints
// one markdown table per case. Each bench module exports `cases(): Promise<BenchCase[]>`
// (and optionally `cleanup()`); results are also written to bench/results.md.
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runCase, formatResult, type BenchCase } from './harness.ts';

const dir = path.dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const files = readdirSync(dir).filter((f) => f.endsWith('.bench.ts') && (!wanted.length || wanted.some((w) => f.includes(w)))).sort();
const out: string[] = [`# Pier benchmarks (${new Date().toISOString()})`, ''];
for (const f of files) {
  const mod = (await import(pathToFileURL(path.join(dir, f)).href)) as { cases: () => Promise<BenchCase[]>; cleanup?: () => Promise<void> };
  try {
    for (const bc of await mod.cases()) {
      const text = formatResult(await runCase(bc));
      console.log(text + '\n');
      out.push(text, '');
    }
  } catch (err) {
    const msg = `### ${f}: failed: ${(err as Error).message}`;
    console.log(msg);
    out.push(msg, '');
  } finally {
    await mod.cleanup?.();
  }
}
writeFileSync(path.join(dir, 'results.md'), out.join('\n'));
