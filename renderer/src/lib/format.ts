export function shortId(id: string): string { return id.replace(/^sha256:/, '').slice(0, 12); }

export function bytes(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '–';
  const u = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
  return `${n < 10 && i ? n.toFixed(1) : Math.round(n)} ${u[i]}`;
}

/** A span of time, short and then in words: "59s", "5m 3s", "1h 2m", "3 days", "11 months". */
export function duration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${m % 60}m`;
  // past two days the hours are noise: whole days, weeks, months, years in words
  const d = Math.floor(h / 24);
  if (d < 14) return `${d} days`;
  if (d < 60) return `${Math.floor(d / 7)} weeks`;
  if (d < 730) return `${Math.floor(d / 30)} months`;
  return `${Math.floor(d / 365)} years`;
}

const RELATIVE: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 86400], ['month', 30 * 86400], ['week', 7 * 86400], ['day', 86400], ['hour', 3600], ['minute', 60],
];
const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

/** A past moment in words: "just now", "5 minutes ago", "yesterday", "11 months ago". */
export function ago(iso: string | undefined, now = Date.now()): string {
  if (!iso) return '–';
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return '–';
  const s = Math.round((t - now) / 1000);
  if (Math.abs(s) < 45) return 'just now';
  for (const [unit, size] of RELATIVE) if (Math.abs(s) >= size) return relative.format(Math.trunc(s / size), unit);
  return relative.format(s, 'second');
}

/** Splits a command line like a shell would for simple cases: quotes and backslashes. */
export function splitArgs(s: string): string[] {
  const out: string[] = [];
  let cur = '', q: '"' | "'" | null = null, has = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (q) { if (ch === q) q = null; else if (ch === '\\' && q === '"' && i + 1 < s.length) cur += s[++i]; else cur += ch; continue; }
    if (ch === '"' || ch === "'") { q = ch; has = true; continue; }
    if (ch === '\\' && i + 1 < s.length) { cur += s[++i]; has = true; continue; }
    if (/\s/.test(ch)) { if (has || cur) out.push(cur); cur = ''; has = false; continue; }
    cur += ch;
  }
  if (q) throw new Error(`unterminated ${q} quote`);
  if (has || cur) out.push(cur);
  return out;
}
