// vite's import.meta.glob (resolved at build time by electron-vite): lets main pick up
// optional modules (the Docker API server) once they exist, without a build break before.
interface ImportMeta {
  glob<T = unknown>(pattern: string | string[], options?: { eager?: false; import?: string }): Record<string, () => Promise<T>>;
}
