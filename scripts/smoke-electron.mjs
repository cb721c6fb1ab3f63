#!/usr/bin/env node
// `npm run smoke:electron`: the real desktop app, end to end, on a machine that has an
// Electron binary (ELECTRON_OVERRIDE_DIST_PATH=<dir with the electron executable>, or
// node_modules/electron/dist after `npx install-electron`). Builds out/, then runs the
// electron tier (test/electron/shell.test.ts): a fresh profile and a temporary engine root;
// the window and renderer load; the engine answers; a container is listed and driven from the
// tray; a terminal attaches; the tray is built and close-to-tray reports whether a tray host
// exists; a checkpoint archive is dragged out (where CRIU works); quitting leaves the
// container running. Where no Electron binary exists it prints why and exits 0.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dirs = [process.env.ELECTRON_OVERRIDE_DIST_PATH, path.join(root, 'node_modules/electron/dist')].filter(Boolean);
const bin = dirs.map((d) => path.join(d, 'electron')).find((p) => existsSync(p) && statSync(p).isFile());

function skip(reason) {
  console.log(`smoke:electron skipped: ${reason}`);
  process.exit(0);
}
if (!bin)
  skip(
    `no Electron binary (looked in ${dirs.join(', ')}); set ELECTRON_OVERRIDE_DIST_PATH or run \`npx install-electron\``,
  );
if (process.getuid?.() !== 0) skip('needs root (the smoke test runs real conmon + runc containers)');

const step = (what, cmd, args, env = {}) => {
  console.log(`smoke:electron: ${what}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.status !== 0) {
    console.error(`smoke:electron: ${what} failed`);
    process.exit(r.status ?? 1);
  }
};
step('building out/ (electron-vite + renderer)', 'npm', ['run', '--silent', 'build']);
step(`running the app (${bin})`, process.execPath, ['scripts/run-tests.mjs', 'electron'], {
  ELECTRON_OVERRIDE_DIST_PATH: path.dirname(bin),
});
console.log('smoke:electron: passed');
