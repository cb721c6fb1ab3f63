export const WORKER_DIR: string;
export const WORKER_FILE: string;
export const ADDON_REL: string;
export const PTY_PACKAGE: string;
export function unpackGlobs(mainDir: string): string[];
export function forgeAsarOptions(mainDir: string): { unpack: string; unpackDir: string };
export const DESKTOP_ACTIONS: Record<'Show' | 'Quit', { Name: string; Exec: string }>;
export function checkAppLayout(appDir: string, opts?: { mainDir: string; preload: string; renderer: string }): string[];
export function forgeIgnore(file: string): boolean;
