// electron-vite: builds main (ESM), preload (one sandbox-compatible CommonJS file) and the
// renderer into out/. `electron-vite build` needs no Electron binary; `dev`/`preview` do.
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';

const root = path.dirname(fileURLToPath(import.meta.url));
const r = (...p: string[]) => path.resolve(root, ...p);

/**
 * The native addon is loaded from `<dir of the bundled loader>/build/Release/pier_native.node`
 * (native/index.ts); in the bundle that directory is out/main, so the built addon is copied
 * there. electron-builder unpacks it from the asar (asarUnpack **\/*.node).
 */
function copyNativeAddon(): Plugin {
  return {
    name: 'pier-copy-native-addon',
    apply: 'build',
    writeBundle() {
      const src = r('native/build/Release/pier_native.node');
      if (!existsSync(src)) { this.warn(`native addon not built (${src}); run npm install or node-gyp rebuild --directory native`); return; }
      const dest = r('out/main/build/Release/pier_native.node');
      mkdirSync(path.dirname(dest), { recursive: true });
      copyFileSync(src, dest);
    },
  };
}

export default defineConfig({
  main: {
    build: {
      outDir: r('out/main'),
      target: 'node22',
      sourcemap: true,
      externalizeDeps: true,
      rollupOptions: {
        input: {
          index: r('electron/main/index.ts'),
          // started by the image worker pool as new URL('./unpack-worker.js', import.meta.url)
          'unpack-worker': r('electron/engine/images/unpack-worker.ts'),
        },
        output: {
          format: 'es',
          entryFileNames: '[name].js',
          // chunks beside index.js: modules that use import.meta.url find their siblings
          chunkFileNames: '[name]-[hash].js',
        },
      },
    },
    plugins: [copyNativeAddon()],
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
