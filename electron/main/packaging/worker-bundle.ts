// The image worker as a self-contained bundle, shared by electron-vite (electron.vite.config.ts) and Forge's Vite
// plugin (vite.forge.config.ts), so both packagers produce the same layout:
//
//   <main outDir>/index.js …                    main process (inside app.asar)
//   <main outDir>/../worker/unpack-worker.mjs    extraction worker, every dependency inlined (app.asar.unpacked)
//   <main outDir>/../worker/build/Release/pier_native.node   the addon the worker loads (unpacked)
//   <main outDir>/build/Release/pier_native.node the addon main loads (unpacked by the **\/*.node rule)
//
// Why: a worker thread started from inside the asar depends on Electron's asar hooks in the worker's ESM loader,
// and externalized dependencies would not resolve from app.asar.unpacked. A single .mjs (ESM without a
// package.json nearby) with nothing left to resolve loads from a plain directory. images/workers.ts finds it
// (workerLocation) and packaging/layout.mjs checks it.
import { build, type Plugin } from 'vite';
import { builtinModules } from 'node:module';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { WORKER_DIR, WORKER_FILE, ADDON_REL } from './layout.mjs';

/** The checkout: this file is bundled into a temporary config beside the build config, so search upwards. */
function findRepo(from: string): string {
  for (let d = from; ; d = path.dirname(d)) {
    if (existsSync(path.join(d, 'native', 'binding.gyp'))) return d;
    if (path.dirname(d) === d) throw new Error(`pier-worker-bundle: no checkout above ${from}`);
  }
}
const repo = findRepo(import.meta.dirname);

/** Copies the built addon to `dir/build/Release/`; warns (the build still succeeds) when it is not built. */
export function copyAddon(dir: string, warn: (m: string) => void): void {
  const src = path.join(repo, 'native', ADDON_REL);
  if (!existsSync(src)) { warn(`native addon not built (${src}); run npm install or node-gyp rebuild --directory native`); return; }
  const dest = path.join(dir, ADDON_REL);
  mkdirSync(path.dirname(dest), { recursive: true });
  copyFileSync(src, dest);
}

/** After the main build: the addon beside main, and the worker bundle (with its own addon copy) in ../worker. */
export function pierWorkerBundle(): Plugin {
  let outDir = '';
  return {
    name: 'pier-worker-bundle',
    apply: 'build',
    configResolved(c) { outDir = path.resolve(c.root, c.build.outDir); },
    async closeBundle() {
      const warn = (m: string) => this.warn(m);
      copyAddon(outDir, warn);
      const workerDir = path.resolve(outDir, '..', WORKER_DIR);
      await build({
        configFile: false,
        logLevel: 'warn',
        root: repo,
        build: {
          outDir: workerDir,
          emptyOutDir: true,
          target: 'node22',
          minify: false,
          sourcemap: false,
          ssr: path.join(repo, 'electron/engine/images/unpack-worker.ts'),
          rollupOptions: {
            external: [...builtinModules, ...builtinModules.map((m) => `node:${m}`)],
            output: { format: 'es', entryFileNames: WORKER_FILE, codeSplitting: false },
          },
        },
        ssr: { noExternal: true, target: 'node' },
      });
      copyAddon(workerDir, warn);
    },
  };
}
