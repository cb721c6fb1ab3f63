#!/usr/bin/env node
// `pier` command. Runs the TypeScript CLI through tsx (no build step needed).
import { register } from 'tsx/esm/api';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
register();
const here = path.dirname(fileURLToPath(import.meta.url));
const { main } = await import(path.join(here, '..', 'electron', 'cli.ts'));
await main(process.argv.slice(2));
