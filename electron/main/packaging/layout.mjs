// The packaged app's layout, one description for both packagers (electron-builder.json, forge.config.ts), the
// build step (worker-bundle.ts) and the tests that check a built app directory (checkAppLayout).
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

/** The worker bundle's directory, a sibling of the main bundle's directory (out/worker, .vite/worker). */
export const WORKER_DIR = 'worker';
/** ESM file name that needs no package.json around it. */
export const WORKER_FILE = 'unpack-worker.mjs';
/** Where native/index.ts looks for the addon, relative to the directory of the module that bundles it. */
export const ADDON_REL = 'build/Release/pier_native.node';
/** The node-pty prebuilt package for this platform (loaded by the pty host; .node files cannot load from an asar). */
export const PTY_PACKAGE = `@lydell/node-pty-${process.platform}-${process.arch}`;

/** electron-builder's asarUnpack (globs relative to the app directory) for a main bundle built into `mainDir`. */
export function unpackGlobs(mainDir) {
  return ['**/*.node', `**/${workerDirOf(mainDir)}/**`, '**/node_modules/@lydell/node-pty-*/**'];
}

/**
 * The same files for Forge (@electron/packager → @electron/asar). Its `unpack` glob is matched against absolute
 * paths without `dot`, so `**` never enters `.vite` (or any dot directory above the project): native modules are
 * matched by base name, and the directories by `unpackDir`, which is matched against paths relative to the app.
 */
export function forgeAsarOptions(mainDir) {
  return { unpack: '*.node', unpackDir: `{${workerDirOf(mainDir)},node_modules/@lydell/node-pty-*}` };
}

const workerDirOf = (mainDir) => path.posix.join(path.posix.dirname(mainDir), WORKER_DIR);

/**
 * What Forge packages (an @electron/packager `ignore` function over paths like "/.vite/build/index.js"): the Vite
 * output, assets, production node_modules and package.json, like electron-builder.json's "files".
 */
export function forgeIgnore(file) {
  if (file === '') return false;
  if (file.endsWith('.map')) return true;
  return !/^\/(\.vite|assets|node_modules|package\.json)(\/|$)/.test(file);
}

/**
 * The desktop file's actions: where no tray icon can be shown (stock GNOME), the launcher's menu is the way back
 * to a running Pier ("Show Pier" = a second launch, which shows the first instance's window) and out of it.
 */
export const DESKTOP_ACTIONS = {
  Show: { Name: 'Show Pier', Exec: 'pier --show' },
  Quit: { Name: 'Quit Pier (containers keep running)', Exec: 'pier --quit' },
};

/**
 * Checks a built app directory (the one holding `resources/`). Returns what is wrong, [] when the layout is right:
 * main, preload and renderer inside app.asar; the worker bundle and both addon copies outside it, in
 * app.asar.unpacked at the path the bundled code computes; tray icons; no sources, tests or maps.
 */
export function checkAppLayout(appDir, opts = { mainDir: 'out/main', preload: 'out/preload/index.cjs', renderer: 'out/renderer/index.html' }) {
  const require = createRequire(import.meta.url);
  const asar = require('@electron/asar');
  const problems = [];
  const archive = path.join(appDir, 'resources', 'app.asar');
  if (!existsSync(archive)) return [`${archive} is missing`];
  const unpacked = archive + '.unpacked';
  const listed = new Set(asar.listPackage(archive, {}).map((f) => f.replace(/^[\\/]/, '').split(path.sep).join('/')));
  const inAsar = (f) => {
    if (!listed.has(f)) return false;
    try { return !asar.statFile(archive, f, false).unpacked; } catch { return false; }
  };
  const outside = (f) => existsSync(path.join(unpacked, f)) && statSync(path.join(unpacked, f)).size > 0;
  const pkg = JSON.parse(asar.extractFile(archive, 'package.json').toString('utf8'));
  if (pkg.main !== `${opts.mainDir}/index.js`) problems.push(`package.json "main" is ${pkg.main}, not ${opts.mainDir}/index.js`);
  for (const f of [`${opts.mainDir}/index.js`, `${opts.mainDir}/pty-host.js`, opts.preload, opts.renderer, 'assets/tray/running.png', 'assets/tray/idle.png', 'assets/drag-archive.png']) {
    if (!inAsar(f)) problems.push(`${f} is not in app.asar`);
  }
  const workerDir = workerDirOf(opts.mainDir);
  for (const f of [`${workerDir}/${WORKER_FILE}`, `${workerDir}/${ADDON_REL}`, `${opts.mainDir}/${ADDON_REL}`]) {
    if (!outside(f)) problems.push(`${f} is not unpacked (app.asar.unpacked)`);
  }
  const nodeFiles = [...listed].filter((f) => f.endsWith('.node'));
  for (const f of nodeFiles) if (inAsar(f)) problems.push(`${f}: a native module inside app.asar (cannot be loaded)`);
  if (!nodeFiles.some((f) => f.startsWith(`node_modules/${PTY_PACKAGE}/`))) problems.push(`${PTY_PACKAGE} (node-pty) is not packaged`);
  const worker = path.join(unpacked, workerDir, WORKER_FILE);
  if (existsSync(worker)) {
    const src = readFileSync(worker, 'utf8');
    const bare = [...src.matchAll(/^\s*import\s[^'"]*["']([^"']+)["']/gm)].map((m) => m[1]).filter((s) => !s.startsWith('node:') && !isBuiltin(s));
    if (bare.length) problems.push(`${WORKER_FILE} imports ${bare.join(', ')}: it must be self-contained (nothing resolves from app.asar.unpacked)`);
  }
  for (const f of listed) {
    if (f.endsWith('.map') || /^(test|bench|electron|native\/src|scripts|docs)\//.test(f)) problems.push(`${f} should not be packaged`);
  }
  return problems;
}

function isBuiltin(s) {
  const require = createRequire(import.meta.url);
  return require('node:module').builtinModules.includes(s);
}
