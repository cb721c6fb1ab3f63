// The command conmon runs when a container exits (its --exit-command): Pier's `container cleanup`, which
// records the exit, deletes the runtime state and removes --rm containers while no engine runs.
//
// While an engine watches the exit directory it holds an flock on <runroot>/exit-watch.lock and does all of
// that itself; the command then costs one sh + flock(1) and starts no Node process. Only when that lock is
// free (no engine, or one shutting down) does it run `pier container cleanup`, which takes the container's
// lock, so the two never act on a container at the same time.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const EXIT_WATCH_LOCK = 'exit-watch.lock';

// $1 = exit-watch lock, the rest = the cleanup argv. flock -E tells "held" (75) from failures (which go on).
// ELECTRON_RUN_AS_NODE lets an Electron binary run the CLI as plain Node (harmless for node).
const SCRIPT = 'l="$1"; shift; if command -v flock >/dev/null 2>&1; then flock -n -E 75 "$l" true 2>/dev/null; '
  + '[ $? -eq 75 ] && exit 0; fi; ELECTRON_RUN_AS_NODE=1 exec "$@"';

export interface CleanupTarget {
  root: string;
  runroot: string;
  runtimePath: string;
  /** runtime state dir (`runc --root`) */
  runtimeRoot: string;
}

/** argv of `pier container cleanup` for one container, after the `pier` invocation prefix. */
export function cleanupArgs(t: CleanupTarget, id: string): string[] {
  return ['container', 'cleanup', '--root', t.root, '--runroot', t.runroot, '--runtime', t.runtimePath, '--runtime-root', t.runtimeRoot, id];
}

/** The full exit command for conmon: sh, the lock check, then `<pier> container cleanup …`. */
export function exitCommand(pier: string[], t: CleanupTarget, id: string): string[] {
  return ['/bin/sh', '-c', SCRIPT, 'pier-exit', path.join(t.runroot, EXIT_WATCH_LOCK), ...pier, ...cleanupArgs(t, id)];
}

/**
 * How to invoke `pier` from conmon: this Node (or Electron, as Node) running bin/pier.js of this checkout.
 * Undefined when bin/pier.js is not next to the sources (e.g. inside a packaged app's archive): then exits are
 * recorded only by an engine (at once while one runs, else at the next start).
 */
export function defaultPierCommand(): string[] | undefined {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const rel of ['../../../bin/pier.js', '../../bin/pier.js']) {
    const p = path.resolve(here, rel);
    if (existsSync(p) && !p.includes('.asar' + path.sep)) return [process.execPath, p];
  }
  return undefined;
}

/**
 * `runtime delete --force ID` for `pier container cleanup` (no RuntimeInfo, no discovery: it must start fast).
 * As ConmonRuntime.delete, it succeeds only once the runtime's state dir for `id` is gone.
 */
export async function deleteRuntimeContainer(runtimePath: string, runtimeRoot: string, id: string): Promise<void> {
  const { run } = await import('./proc');
  const r = await run(runtimePath, ['--root', runtimeRoot, 'delete', '--force', id], { timeoutMs: 60_000 });
  if (!existsSync(path.join(runtimeRoot, id))) return;
  throw new Error(`cannot delete container ${id} from the runtime: ${r.stderr.trim() || 'its state remains'}`);
}
