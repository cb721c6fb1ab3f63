// Docker's presentation helpers: human durations ("Up 3 minutes"), timestamps, short ids.

/** moby's go-units HumanDuration. */
export function humanDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 1) return 'Less than a second';
  if (s === 1) return '1 second';
  if (s < 60) return `${s} seconds`;
  const m = Math.round(s / 60);
  if (m === 1) return 'About a minute';
  if (m < 60) return `${m} minutes`;
  const h = Math.round(s / 3600);
  if (h === 1) return 'About an hour';
  if (h < 48) return `${h} hours`;
  if (h < 24 * 7 * 2) return `${Math.round(h / 24)} days`;
  if (h < 24 * 30 * 2) return `${Math.round(h / 24 / 7)} weeks`;
  if (h < 24 * 365 * 2) return `${Math.round(h / 24 / 30)} months`;
  return `${Math.round(h / 24 / 365)} years`;
}

export const ZERO_TIME = '0001-01-01T00:00:00Z';
export const unixSeconds = (iso: string | undefined) => (iso ? Math.floor(Date.parse(iso) / 1000) : 0);

/** conmon's k8s timestamp (local offset, nanoseconds) → RFC3339Nano UTC as docker prints with --timestamps. */
export function toRfc3339NanoUtc(ts: string): string {
  const m = ts.match(/^(.*T\d\d:\d\d:\d\d)(\.\d+)?(.*)$/);
  if (!m) return ts;
  const base = new Date(Date.parse(m[1] + (m[3] || 'Z')));
  const frac = (m[2] ?? '.0').slice(1).padEnd(9, '0').slice(0, 9);
  return base.toISOString().slice(0, 19) + '.' + frac + 'Z';
}
