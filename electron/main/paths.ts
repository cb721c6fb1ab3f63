// Where the built pieces are, relative to the bundled main (out/main/index.js).
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
/** out/ */
export const OUT_DIR = path.resolve(here, '..');
export const PRELOAD = path.join(OUT_DIR, 'preload', 'index.cjs');
export const RENDERER_DIR = path.join(OUT_DIR, 'renderer');
/** assets/ sits next to out/ in the app directory (asar or source tree). */
export const ASSETS_DIR = path.resolve(OUT_DIR, '..', 'assets');
export const asset = (...p: string[]): string => path.join(ASSETS_DIR, ...p);
