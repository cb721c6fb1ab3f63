// Vite config for the Electron Forge 8 Vite plugin (preload target): one CommonJS file
// with every dependency bundled (sandboxed preloads can require only `electron`).
import { defineConfig } from 'vite';

export default defineConfig({
  build: {
    rollupOptions: {
      external: ['electron'],
      output: { format: 'cjs', entryFileNames: 'preload.cjs', inlineDynamicImports: true },
    },
  },
});
