// electron-vite: builds main (ESM), preload (one sandbox-compatible CommonJS file) and the
// renderer into out/. `electron-vite build` needs no Electron binary; `dev`/`preview` do.
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pierWorkerBundle } from './electron/main/packaging/worker-bundle';

const root = path.dirname(fileURLToPath(import.meta.url));
const r = (...p: string[]) => path.resolve(root, ...p);

export default defineConfig({
  main: {
    build: {
      outDir: r('out/main'),
      target: 'node22',
      sourcemap: true,
      externalizeDeps: true,
      rollupOptions: {
        // the image worker is its own self-contained bundle in out/worker (packaging/worker-bundle.ts); the pty host
        // process is a second entry beside index.js (engine/sessions/pty-host-client.ts finds it as ./pty-host.js)
        input: { index: r('electron/main/index.ts'), 'pty-host': r('electron/engine/sessions/pty-host.ts') },
        output: {
          format: 'es',
          entryFileNames: '[name].js',
          // chunks beside index.js: modules that use import.meta.url find their siblings
          chunkFileNames: '[name]-[hash].js',
          // the addon's loader (ES private fields) in its own chunk, as it was when the worker was a second entry:
          // the security audit's parser cannot read private fields and would skip index.js (main's hardening)
          manualChunks: (id: string) => (/\/native\/index\.ts$/.test(id) ? 'native' : undefined),
        },
      },
    },
    // the addon beside main (native/index.ts loads <dir>/build/Release) and the worker bundle in out/worker
    plugins: [pierWorkerBundle()],
  },
  preload: {
    build: {
      outDir: r('out/preload'),
      sourcemap: false,
      // sandboxed preloads can require only a few built-ins: bundle everything (zod too)
      externalizeDeps: false,
      isolatedEntries: true,
      rollupOptions: {
        input: { index: r('electron/preload/index.ts') },
        external: ['electron'],
        output: { format: 'cjs', entryFileNames: '[name].cjs', inlineDynamicImports: true },
      },
    },
  },
  renderer: {
    root: r('renderer'),
    base: './',
    plugins: [react()],
    resolve: { alias: { '@common': r('electron/common') } },
    build: {
      outDir: r('out/renderer'),
      target: 'chrome140',
      sourcemap: false,
      chunkSizeWarningLimit: 2000,
      rollupOptions: { input: { index: r('renderer/index.html') } },
    },
  },
});
