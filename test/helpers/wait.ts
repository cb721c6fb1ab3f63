// Waiting for a condition in tests: poll it until it holds. The deadline only bounds a
// failure (a hung condition fails with its name); it never decides a pass.
export async function until<T>(fn: () => Promise<T | undefined | null | false> | T | undefined | null | false, what: string, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as T;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Reads a file, or undefined while it does not exist. */
export async function readIfExists(file: string): Promise<string | undefined> {
  const { readFile } = await import('node:fs/promises');
  return readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => { if (e.code === 'ENOENT') return undefined; throw e; });
}
