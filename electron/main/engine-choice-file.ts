// The saved engine choice: <userData>/engine.json, written atomically. Does not import electron.
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { engineChoice, parseChoice, type EngineChoice } from './core/engine-choice';

const FILE = 'engine.json';

export async function loadChoice(userData: string): Promise<ReturnType<typeof parseChoice>> {
  let raw: unknown;
  try { raw = JSON.parse(await readFile(path.join(userData, FILE), 'utf8')); } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return parseChoice(undefined);
    return { ...parseChoice(undefined), problem: `ignored ${path.join(userData, FILE)}: ${(e as Error).message}` };
  }
  return parseChoice(raw);
}

export async function saveChoice(userData: string, choice: EngineChoice): Promise<void> {
  const valid = engineChoice.parse(choice);
  const file = path.join(userData, FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(valid) + '\n', { mode: 0o600 });
  await rename(tmp, file);
}
