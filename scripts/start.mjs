#!/usr/bin/env node
// `npm start`: the desktop app in development (electron-vite dev). Fetches Electron's binary first when it
// is missing (Electron ≥ 42 no longer downloads it at install time; this runs Electron's own installer,
// the `install-electron` of its package). Offline, says what failed and points to the browser UI.
// As root, says why the window cannot run as root and how to reach the system engine.
import { spawnSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

if (process.getuid?.() === 0 && process.env.PIER_START_AS_ROOT !== '1') {
  const { register } = await import('tsx/esm/api');
  register();
  const { rootRefusal } = await import(pathToFileURL(path.join(repo, 'electron/main/core/engine-choice.ts')).href);
  console.error(`pier: ${rootRefusal()}`);
  process.exit(1);
}

function electronBinary() {
  const pkg = path.dirname(require.resolve('electron/package.json'));
  const pathFile = path.join(pkg, 'path.txt');
  if (!fs.existsSync(pathFile)) return { pkg };
  const bin = path.join(pkg, 'dist', fs.readFileSync(pathFile, 'utf8').trim());
  return { pkg, bin: fs.existsSync(bin) ? bin : undefined };
}

let e = electronBinary();
if (!e.bin) {
  console.log('pier: Electron\'s binary is not installed yet: fetching it (install-electron)…');
  const r = spawnSync(process.execPath, [path.join(e.pkg, 'install.js')], { stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8' });
  e = electronBinary();
  if (r.status !== 0 || !e.bin) {
    const lines = (r.stderr || r.error?.message || `exit ${r.status}`).split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('at '));
    const why = lines.find((l) => /error|fail|ENOTFOUND|EAI_AGAIN|ECONN/i.test(l)) ?? lines[0] ?? 'unknown error';
    console.error(`pier: could not download Electron's binary (${why}).\n`
      + 'pier: the desktop window needs it; without network access use the browser UI instead:\n'
      + '        npx pier serve --web 127.0.0.1:8080\n'
      + 'pier: (it prints the URL to open, with its access token)');
    process.exit(1);
  }
}

const child = spawn(process.execPath, [require.resolve('electron-vite/bin/electron-vite.js'), 'dev', ...process.argv.slice(2)], { stdio: 'inherit', cwd: repo });
for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => child.kill(s));
child.on('exit', (code, sig) => process.exit(code ?? (sig ? 1 : 0)));
