// Where the built pieces are, relative to the bundled main.
//   electron-vite: out/main/index.js, out/preload/index.cjs, out/renderer/
//   Forge (Vite plugin): .vite/build/index.js, .vite/build/preload.cjs, .vite/renderer/main_window/
// In both, assets/ is two levels above the main bundle (the app directory or asar root).
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// Forge's Vite plugin defines these; under electron-vite they do not exist.
declare const MAIN_WINDOW_VITE_NAME: string | undefined;
declare const MAIN_WINDOW_VITE_DEV_SERVER_URL: string | undefined;

const here = path.dirname(fileURLToPath(import.meta.url));
const forgeName = typeof MAIN_WINDOW_VITE_NAME === 'string' ? MAIN_WINDOW_VITE_NAME : undefined;

export const PRELOAD = forgeName ? path.join(here, 'preload.cjs') : path.resolve(here, '..', 'preload', 'index.cjs');
export const RENDERER_DIR = forgeName ? path.resolve(here, '..', 'renderer', forgeName) : path.resolve(here, '..', 'renderer');
export const ASSETS_DIR = path.resolve(here, '..', '..', 'assets');
export const asset = (...p: string[]): string => path.join(ASSETS_DIR, ...p);

/** The renderer dev server (electron-vite dev / electron-forge start), only when not packaged. */
export function devServerUrl(isPackaged: boolean): string | undefined {
  if (isPackaged) return undefined;
  if (process.env.ELECTRON_RENDERER_URL) return process.env.ELECTRON_RENDERER_URL;
  return typeof MAIN_WINDOW_VITE_DEV_SERVER_URL === 'string' && MAIN_WINDOW_VITE_DEV_SERVER_URL ? MAIN_WINDOW_VITE_DEV_SERVER_URL : undefined;
}
