// A trailing debounce with a maximum wait, so a burst of engine events rebuilds the tray
// once, and a continuous stream still rebuilds at least every maxWait ms.
export interface Debounced { (): void; flush(): void; cancel(): void }

export function debounce(fn: () => void, wait: number, maxWait = wait * 4, timers: { set: typeof setTimeout; clear: typeof clearTimeout } = { set: setTimeout, clear: clearTimeout }): Debounced {
  let t: ReturnType<typeof setTimeout> | undefined;
  let first: number | undefined;
  const run = () => { if (t) timers.clear(t); t = undefined; first = undefined; fn(); };
  const d = (() => {
    const now = Date.now();
    first ??= now;
    if (t) timers.clear(t);
    const left = Math.max(0, Math.min(wait, first + maxWait - now));
    t = timers.set(run, left);
  }) as Debounced;
  d.flush = () => { if (t) run(); };
  d.cancel = () => { if (t) timers.clear(t); t = undefined; first = undefined; };
  return d;
}
