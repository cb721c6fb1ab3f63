// A view's stats subscription: opens an engine `stats.watch` stream (ids, or every running
// container), hands over the kept history and then one batch per sampling tick, and closes
// the stream on stop. Points that arrive before the call's answer (which names the stream)
// are held and delivered after the history. After a lost connection it watches again.
import type { LimitsInfo, StatsPoint } from '../../../electron/common/types';
import { api } from './client';

export interface StatsHandlers {
  /** the engine's history for the watched containers (also after a reconnect) */
  history(points: StatsPoint[]): void;
  points(points: StatsPoint[]): void;
  /** the watch was refused (e.g. ENOCGROUP: a rootless engine on cgroup v1 has no per-container cgroups) */
  error(e: Error): void;
}

export function watchStats(ids: string[] | undefined, h: StatsHandlers): () => void {
  let stream: string | undefined,
    stopped = false,
    wasClosed = false;
  const early = new Map<string, StatsPoint[]>();
  const offStream = api().onStream('stats', (p) => {
    if (!p.points) return;
    if (stream === undefined) {
      early.set(p.stream, [...(early.get(p.stream) ?? []), ...p.points]);
      return;
    }
    if (p.stream === stream) h.points(p.points);
  });
  const open = () => {
    api()
      .call('stats.watch', ids ? { ids } : {})
      .then(
        (r) => {
          if (stopped) {
            api()
              .call('streams.close', { stream: r.stream })
              .catch(() => undefined);
            return;
          }
          stream = r.stream;
          h.history(r.history);
          const e = early.get(r.stream);
          early.clear();
          if (e) h.points(e);
        },
        (e) => {
          if (!stopped) h.error(e as Error);
        },
      );
  };
  const offState = api().onState((s) => {
    if (s === 'closed' || s === 'unauthorized') {
      wasClosed = true;
      stream = undefined;
    }
    if (s === 'open' && wasClosed) {
      wasClosed = false;
      open();
    }
  });
  open();
  return () => {
    stopped = true;
    offStream();
    offState();
    if (stream)
      api()
        .call('streams.close', { stream })
        .catch(() => undefined);
  };
}

/** Calls `fn` now and whenever the page becomes visible; its cleanup runs when the page is hidden or on stop. */
export function whileVisible(fn: () => () => void): () => void {
  let cleanup: (() => void) | undefined;
  const sync = () => {
    if (document.visibilityState === 'hidden') {
      cleanup?.();
      cleanup = undefined;
    } else if (!cleanup) cleanup = fn();
  };
  document.addEventListener('visibilitychange', sync);
  sync();
  return () => {
    document.removeEventListener('visibilitychange', sync);
    cleanup?.();
    cleanup = undefined;
  };
}

let limits: Promise<LimitsInfo> | undefined;
/** What this host can limit (asked once per page; asked again after a failure). */
export function hostLimits(): Promise<LimitsInfo> {
  if (!limits)
    limits = api()
      .call('system.limits', {})
      .catch((e) => {
        limits = undefined;
        throw e;
      });
  return limits;
}
