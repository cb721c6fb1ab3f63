// Vite config for the Electron Forge 8 Vite plugin (main target). Forge merges in its
// own lib entry/format; electron-vite (electron.vite.config.ts) is the primary build.
import { defineConfig } from 'vite';
import { pierWorkerBundle } from './packaging/worker-bundle.ts';

export default defineConfig({
  build: {
    target: 'node22',
    sourcemap: true,
    rollupOptions: {
      external: ['electron', /^node:/, 'zod', 'tar-stream', 'ws'],
      output: { chunkFileNames: '[name]-[hash].js' },
    },
  },
  // the addon beside main and the image worker in .vite/worker: the layout electron-vite gives out/
  plugins: [pierWorkerBundle()],
});
