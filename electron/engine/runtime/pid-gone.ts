// One PidWatcher (pidfds on the addon's thread) for every "tell me when this process has exited" in the engine
// that is not a container's conmon (containers/conmon-watch.ts keeps its own, keyed by container).
import { PidWatcher } from '../../../native/index';

const waiting = new Map<number, Array<() => void>>();
let watcher: PidWatcher | undefined;

function settle(pid: number): void {
  const fns = waiting.get(pid) ?? [];
  waiting.delete(pid);
  for (const fn of fns) fn();
}

/**
 * Calls `fn` once `pid` has exited — at once (synchronously) when it is not running. Returns a cancel that
 * drops `fn` (and the pidfd when nobody else waits for `pid`).
 */
export function onPidGone(pid: number, fn: () => void): () => void {
  watcher ??= new PidWatcher(settle);
  waiting.set(pid, [...(waiting.get(pid) ?? []), fn]);
  if (!watcher.watch(pid)) settle(pid);
  return () => {
    const rest = (waiting.get(pid) ?? []).filter((f) => f !== fn);
    if (rest.length) return void waiting.set(pid, rest);
    waiting.delete(pid);
    watcher?.unwatch(pid);
  };
}
