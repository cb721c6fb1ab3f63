// Vite config for Forge's build of the pty host process entry (engine/sessions/pty-host.ts): like the main target's,
// without the worker-bundle step (the main entry's build writes .vite/worker once).
import { defineConfig } from 'vite';

export default defineConfig({
  build: {
    target: 'node22',
    sourcemap: true,
    rollupOptions: { external: ['electron', /^node:/, '@lydell/node-pty'] },
  },
});
