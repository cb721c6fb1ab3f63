// Packaging configs, checked where they cannot run for real: electron-builder.json (schema
// + a dry run of the `dir` target against a stub Electron whose fuse wire is then read
// back), the shared fuse policy, forge.config.ts (imported and type-checked).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync, mkdirSync, rmSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { fusePolicy, afterPack } from '../../electron/main/packaging/fuses.mjs';
import { checkAppLayout, unpackGlobs, forgeAsarOptions, forgeIgnore, DESKTOP_ACTIONS, WORKER_FILE, PTY_PACKAGE as PTY } from '../../electron/main/packaging/layout.mjs';
import { Worker } from 'node:worker_threads';

const root = path.resolve(import.meta.dirname, '../..');
const require = createRequire(import.meta.url);
const builderConfig = JSON.parse(readFileSync(path.join(root, 'electron-builder.json'), 'utf8'));

test('fuse policy: RunAsNode, NODE_OPTIONS and inspect off; inspect on only for an E2E build', () => {
  const p = fusePolicy({});
  assert.equal(p.runAsNode, false);
  assert.equal(p.enableNodeOptionsEnvironmentVariable, false);
  assert.equal(p.enableNodeCliInspectArguments, false);
  assert.equal(p.grantFileProtocolExtraPrivileges, false);
  assert.equal(p.onlyLoadAppFromAsar, true);
  assert.equal(p.enableCookieEncryption, true);
  assert.equal(fusePolicy({ PIER_E2E_BUILD: '1' }).enableNodeCliInspectArguments, true);
  assert.equal(fusePolicy({ PIER_E2E_BUILD: 'yes' }).enableNodeCliInspectArguments, false);
});

test('afterPack hook flips the policy through electron-builder', async () => {
  const calls: unknown[] = [];
  const ctx = { packager: { generateFuseConfig: async (f: unknown) => ({ mapped: f }), addElectronFuses: async (c: unknown, cfg: unknown) => { calls.push([c, cfg]); } } };
  await afterPack(ctx);
  assert.deepEqual(calls, [[ctx, { mapped: fusePolicy() }]]);
});

test('electron-builder.json: Linux AppImage/deb/rpm, .node unpacked, no rebuild, fuses via afterPack', async () => {
  assert.deepEqual(builderConfig.linux.target, ['AppImage', 'deb', 'rpm']);
  assert.ok(builderConfig.asarUnpack.includes('**/*.node'));
  assert.equal(builderConfig.asar, true);
  assert.equal(builderConfig.npmRebuild, false);
  assert.equal(builderConfig.afterPack, './electron/main/packaging/fuses.mjs');
  assert.ok(existsSync(path.join(root, builderConfig.afterPack)));
  assert.equal(builderConfig.electronFuses, undefined, 'fuses come from the env-aware hook, not the static option');
  for (const f of ['out/main/**', 'out/preload/**', 'out/renderer/**', 'assets/**']) assert.ok(builderConfig.files.includes(f), f);
  assert.ok(builderConfig.deb.depends.includes('conmon'));
  assert.ok(existsSync(path.join(root, builderConfig.linux.icon, '512x512.png')));
  // the packager's own schema validation
  const { validateConfiguration } = require('app-builder-lib/out/util/config/config');
  const { DebugLogger } = require('builder-util');
  await validateConfiguration(structuredClone(builderConfig), new DebugLogger(false));
  await assert.rejects(validateConfiguration({ ...structuredClone(builderConfig), notAnOption: true }, new DebugLogger(false)), /unknown property 'notAnOption'/);
});

test('built output: every main chunk and the preload parse; the preload requires only electron', (t) => {
  const mainDir = path.join(root, 'out/main');
  if (!existsSync(path.join(mainDir, 'index.js')) || !existsSync(path.join(root, 'out/preload/index.cjs'))) { t.skip('out/ not built: run `npx electron-vite build` first'); return; }
  const files = readdirSync(mainDir).filter((f) => f.endsWith('.js')).map((f) => path.join(mainDir, f));
  files.push(path.join(root, 'out/preload/index.cjs'));
  for (const f of files) {
    // catches load-time syntax errors such as a bundled module's `require` colliding with the ESM shim
    const r = spawnSync(process.execPath, ['--check', f], { encoding: 'utf8' });
    assert.equal(r.status, 0, `${path.relative(root, f)}: ${r.stderr}`);
  }
  const preload = readFileSync(path.join(root, 'out/preload/index.cjs'), 'utf8');
  const required = new Set([...preload.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]));
  assert.deepEqual([...required], ['electron'], 'sandboxed preloads can only require electron (and a few built-ins)');
  assert.doesNotMatch(preload, /^import |^export /m, 'CommonJS, not ESM');
  const main = readFileSync(path.join(mainDir, 'index.js'), 'utf8');
  assert.ok(existsSync(path.join(root, 'out/worker', WORKER_FILE)), 'image worker bundle in out/worker');
  assert.ok(!existsSync(path.join(mainDir, 'unpack-worker.js')), 'no stale worker entry beside index.js');
  if (existsSync(path.join(root, 'electron/engine/api/server.ts'))) assert.match(main, /startApiServer/, 'API server bundled');
});

test('electron-builder dir target against a stub Electron: asar, unpacked addon, fuses flipped', { timeout: 180_000 }, async (t) => {
  if (!existsSync(path.join(root, 'out/main/index.js')) || !existsSync(path.join(root, 'out/preload/index.cjs'))) {
    t.skip('out/ not built: run `npx electron-vite build` first');
    return;
  }
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'pier-pack-'));
  const dist = path.join(tmp, 'electron-dist');
  mkdirSync(dist);
  // a stand-in for the Electron binary: only the fuse wire matters (sentinel, version 1, 9 fuses at Electron's defaults)
  const wire = Buffer.from([49, 48, 49, 49, 48, 48, 48, 49, 49]);
  writeFileSync(path.join(dist, 'electron'), Buffer.concat([Buffer.from('#!/bin/sh\nexit 0\n'), Buffer.alloc(32), Buffer.from('dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'), Buffer.from([1, wire.length]), wire, Buffer.alloc(32)]), { mode: 0o755 });
  writeFileSync(path.join(dist, 'version'), '45.5.0');
  const out = path.join(tmp, 'dist');
  const r = spawnSync(process.execPath, [path.join(root, 'node_modules/electron-builder/cli.js'), '--linux', 'dir', '--publish', 'never', `-c.electronDist=${dist}`, `-c.directories.output=${out}`], { cwd: root, encoding: 'utf8', timeout: 170_000, env: { ...process.env, PIER_E2E_BUILD: '' } });
  assert.equal(r.status, 0, `electron-builder failed:\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
  const app = path.join(out, 'linux-unpacked');
  assert.ok(existsSync(path.join(app, 'pier')), 'executable renamed to pier');
  assert.deepEqual(checkAppLayout(app), [], 'bundle layout');
  await assertWorkerRuns(path.join(app, 'resources/app.asar.unpacked/out/worker', WORKER_FILE));
  const { getCurrentFuseWire, FuseV1Options } = await import('@electron/fuses');
  const fuses = await getCurrentFuseWire(path.join(app, 'pier')) as unknown as Record<number, number>;
  const ON = 49, OFF = 48;
  assert.equal(fuses[FuseV1Options.RunAsNode], OFF);
  assert.equal(fuses[FuseV1Options.EnableNodeOptionsEnvironmentVariable], OFF);
  assert.equal(fuses[FuseV1Options.EnableNodeCliInspectArguments], OFF);
  assert.equal(fuses[FuseV1Options.GrantFileProtocolExtraPrivileges], OFF);
  assert.equal(fuses[FuseV1Options.OnlyLoadAppFromAsar], ON);
  assert.equal(fuses[FuseV1Options.EnableCookieEncryption], ON);
  const asar = spawnSync(process.execPath, [path.join(root, 'node_modules/@electron/asar/bin/asar.js'), 'list', path.join(app, 'resources/app.asar')], { encoding: 'utf8' });
  assert.equal(asar.status, 0, asar.stderr);
  assert.ok(!asar.stdout.split('\n').some((l) => l.includes('/node_modules/esbuild/')), 'no build tools');
  rmSync(tmp, { recursive: true, force: true });
});

test('forge.config.ts: Vite plugin entries exist, FusesPlugin mirrors the policy; type-checks', { timeout: 120_000 }, async () => {
  const { default: config } = await import('../../forge.config.ts');
  const plugins = config.plugins as Array<{ name: string; config?: unknown; fusesConfig?: Record<string, unknown> }>;
  const vite = plugins.find((p) => p.name === 'vite')!;
  assert.ok(vite, 'vite plugin');
  const vc = vite.config as { build: Array<{ entry: string; config: string; target: string }>; renderer: Array<{ config: string }> };
  for (const b of vc.build) { assert.ok(existsSync(path.join(root, b.entry)), b.entry); assert.ok(existsSync(path.join(root, b.config)), b.config); }
  assert.deepEqual(vc.build.map((b) => b.target), ['main', 'main', 'preload']);
  assert.deepEqual(vc.build.map((b) => path.basename(b.entry, '.ts')), ['index', 'pty-host', 'index'], 'Forge names outputs by entry: pty-host.js beside index.js');
  assert.ok(existsSync(path.join(root, vc.renderer[0].config)));
  const fuses = plugins.find((p) => p.name === 'fuses')!.fusesConfig!;
  const { FuseV1Options } = await import('@electron/fuses');
  assert.equal(fuses[FuseV1Options.RunAsNode], false);
  assert.equal(fuses[FuseV1Options.EnableNodeOptionsEnvironmentVariable], false);
  assert.equal(fuses[FuseV1Options.EnableNodeCliInspectArguments], false);
  assert.equal(fuses[FuseV1Options.GrantFileProtocolExtraPrivileges], false);
  assert.deepEqual((config.packagerConfig as { asar: unknown }).asar, forgeAsarOptions('.vite/build'));
  const main = vc.build.find((b) => b.entry === 'electron/main/index.ts')!;
  const { default: mainConfig } = await import(pathToFileURL(path.join(root, main.config)).href) as { default: { plugins: Array<{ name: string }> } };
  assert.ok(mainConfig.plugins.some((p) => p.name === 'pier-worker-bundle'), 'Forge main build writes the worker bundle too');
  const makers = (config.makers as Array<{ name: string }>).map((m) => m.name);
  assert.ok(makers.includes('@electron-forge/maker-deb') && makers.includes('@electron-forge/maker-rpm'));

  const tsconfig = path.join(mkdtempSync(path.join(os.tmpdir(), 'pier-tsc-')), 'tsconfig.json');
  writeFileSync(tsconfig, JSON.stringify({
    extends: path.join(root, 'tsconfig.base.json'),
    compilerOptions: { types: ['node'], typeRoots: [path.join(root, 'node_modules/@types')], lib: ['ES2023', 'DOM', 'DOM.Iterable'], skipLibCheck: true },
    files: ['forge.config.ts', 'electron.vite.config.ts', 'electron/main/vite.forge.config.ts', 'electron/preload/vite.forge.config.ts', 'electron/preload/api.ts',
      'electron/main/core/tray-menu.ts', 'electron/main/core/drag.ts', 'electron/main/core/drop.ts', 'electron/main/core/security.ts', 'electron/main/core/window-state.ts', 'electron/main/core/notify.ts', 'electron/main/core/args.ts', 'electron/main/core/quit.ts']
      .map((f) => path.join(root, f)),
  }));
  const tsc = spawnSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', tsconfig, '--noEmit'], { encoding: 'utf8', timeout: 110_000 });
  assert.equal(tsc.status, 0, tsc.stdout + tsc.stderr);
});

/** Starts the packaged worker file with worker_threads and asks for its guard: it loads, and finds its addon. */
async function assertWorkerRuns(file: string): Promise<void> {
  const w = new Worker(file);
  try {
    const reply = await new Promise<{ result?: unknown; error?: unknown }>((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
      w.postMessage({ id: 1, task: { kind: 'guard' }, policy: { mode: 'require', allowJs: false } });
    });
    assert.deepEqual(reply, { id: 1, result: { native: true } }, `${file}: worker reachable with its addon`);
  } finally { await w.terminate(); }
}

test('both packagers unpack the same files and give the desktop file the same actions (the tray-less way back)', () => {
  assert.deepEqual(builderConfig.asarUnpack, unpackGlobs('out/main'));
  assert.ok(builderConfig.files.includes('out/worker/**'));
  assert.deepEqual(builderConfig.linux.desktop.desktopActions, DESKTOP_ACTIONS);
  const tpl = readFileSync(path.join(root, 'assets/linux/pier.desktop.ejs'), 'utf8');
  assert.match(tpl, /^Actions=Show;Quit;$/m);
  for (const [id, a] of Object.entries(DESKTOP_ACTIONS)) {
    const block = tpl.split(`[Desktop Action ${id}]\n`)[1]?.split('\n\n')[0] ?? '';
    assert.match(block, new RegExp(`^Name=${a.Name.replace(/[()]/g, '\\$&')}$`, 'm'), id);
    assert.match(block, new RegExp(`^Exec=<%= name %> ${a.Exec.split(' ').slice(1).join(' ')}$`, 'm'), id);
  }
  // Forge's ignore keeps what electron-builder's "files" keeps
  for (const f of ['', '/.vite/build/index.js', '/.vite/worker/unpack-worker.mjs', '/assets/tray/idle.png', '/package.json', '/node_modules/ws/index.js']) assert.equal(forgeIgnore(f), false, f);
  for (const f of ['/electron/main/index.ts', '/test/unit/x.test.ts', '/native/src/addon.cc', '/out/main/index.js', '/.vite/build/index.js.map', '/docs/electron.md']) assert.equal(forgeIgnore(f), true, f);
});

test("Forge's layout: its main Vite build step writes .vite/worker, and its asar unpack glob passes the same layout check", { timeout: 120_000 }, async (t) => {
  if (!existsSync(path.join(root, 'out/preload/index.cjs'))) { t.skip('out/ not built: run `npx electron-vite build` first'); return; }
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'pier-forge-'));
  const stage = path.join(tmp, '.under-a-dot-dir', 'app'); // the asar globs must not depend on where the checkout is
  const built = path.join(tmp, 'built');
  // the build Forge's Vite plugin runs for the main target (its own lib entry, our config with the worker plugin)
  const { build, mergeConfig, loadConfigFromFile } = await import('vite');
  const loaded = await loadConfigFromFile({ command: 'build', mode: 'production' }, path.join(root, 'electron/main/vite.forge.config.ts'));
  await build(mergeConfig(loaded!.config, {
    configFile: false, root, logLevel: 'silent',
    build: { outDir: path.join(built, '.vite/build'), emptyOutDir: true, ssr: false, lib: { entry: path.join(root, 'electron/main/index.ts'), formats: ['es'], fileName: () => 'index.js' } },
  }));
  const ptyLoaded = await loadConfigFromFile({ command: 'build', mode: 'production' }, path.join(root, 'electron/main/vite.forge.pty.config.ts'));
  await build(mergeConfig(ptyLoaded!.config, {
    configFile: false, root, logLevel: 'silent',
    build: { outDir: path.join(built, '.vite/build'), emptyOutDir: false, lib: { entry: path.join(root, 'electron/engine/sessions/pty-host.ts'), formats: ['es'], fileName: () => 'pty-host.js' } },
  }));
  assert.ok(existsSync(path.join(built, '.vite/worker', WORKER_FILE)), 'worker bundle beside .vite/build');
  // what the packager copies: everything its ignore function keeps
  cpSync(built, stage, { recursive: true, filter: (f) => !forgeIgnore(f.slice(built.length)) });
  // preload and renderer as Forge places them; package.json and node-pty as the packager copies them
  mkdirSync(path.join(stage, '.vite/renderer/main_window'), { recursive: true });
  writeFileSync(path.join(stage, '.vite/build/preload.cjs'), readFileSync(path.join(root, 'out/preload/index.cjs')));
  writeFileSync(path.join(stage, '.vite/renderer/main_window/index.html'), readFileSync(path.join(root, 'out/renderer/index.html')));
  cpSync(path.join(root, 'assets'), path.join(stage, 'assets'), { recursive: true, filter: (f) => !f.endsWith('.ejs') });
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  writeFileSync(path.join(stage, 'package.json'), JSON.stringify({ ...pkg, main: '.vite/build/index.js' }));
  const pty = path.dirname(require.resolve(`${PTY}/package.json`));
  cpSync(pty, path.join(stage, 'node_modules', PTY), { recursive: true });
  const { default: config } = await import('../../forge.config.ts');
  const asarOpts = config.packagerConfig!.asar as { unpack: string; unpackDir: string };
  const appDir = path.join(tmp, 'Pier');
  mkdirSync(path.join(appDir, 'resources'), { recursive: true });
  const { createPackageWithOptions } = require('@electron/asar');
  await createPackageWithOptions(stage, path.join(appDir, 'resources/app.asar'), asarOpts);
  assert.deepEqual(checkAppLayout(appDir, { mainDir: '.vite/build', preload: '.vite/build/preload.cjs', renderer: '.vite/renderer/main_window/index.html' }), []);
  await assertWorkerRuns(path.join(appDir, 'resources/app.asar.unpacked/.vite/worker', WORKER_FILE));
  rmSync(tmp, { recursive: true, force: true });
});
