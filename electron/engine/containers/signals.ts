import { constants } from 'node:os';

const SIGNALS = constants.signals as Record<string, number>;

/** Parses "TERM", "SIGTERM", "15" → 15. Throws naming the bad value. */
export function parseSignal(s: string | number | undefined, fallback = 15): number {
  if (s === undefined || s === '') return fallback;
  if (typeof s === 'number') { if (Number.isInteger(s) && s > 0 && s < 65) return s; }
  else if (/^\d+$/.test(s)) { const n = Number(s); if (n > 0 && n < 65) return n; }
  else {
    const name = s.toUpperCase().startsWith('SIG') ? s.toUpperCase() : 'SIG' + s.toUpperCase();
    if (SIGNALS[name]) return SIGNALS[name];
  }
  throw Object.assign(new Error(`invalid signal "${s}"`), { code: 'EINVAL' });
}

/** Signals whose default action does not end the process. */
const HARMLESS = new Set(['SIGWINCH', 'SIGCHLD', 'SIGCONT', 'SIGURG', 'SIGSTOP', 'SIGTSTP', 'SIGTTIN', 'SIGTTOU']);
export function terminates(sig: number): boolean {
  const name = Object.entries(SIGNALS).find(([, n]) => n === sig)?.[0];
  return !name || !HARMLESS.has(name);
}
