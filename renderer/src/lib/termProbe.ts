// Test hook (only with window.__PIER_TEST__): read a terminal's buffer as text. With
// the WebGL renderer the text is on a canvas, so tests read the buffer instead.
import type { Terminal } from '@xterm/xterm';

const terms = new Map<string, Terminal>();
const on = typeof window !== 'undefined' && !!window.__PIER_TEST__;
if (on) {
  (window as unknown as { __pierTerm: unknown }).__pierTerm = {
    sessions: () => [...terms.keys()],
    /** the whole buffer, or only its last `last` lines (cheap enough to poll during a flood) */
    text(session: string, last?: number): string {
      const t = terms.get(session);
      if (!t) return '';
      const b = t.buffer.active;
      const lines: string[] = [];
      for (let i = last ? Math.max(0, b.length - last) : 0; i < b.length; i++) lines.push(b.getLine(i)?.translateToString(true) ?? '');
      return lines.join('\n');
    },
    raw(session: string) { return terms.get(session); },
    size(session: string) { const t = terms.get(session); return t ? { rows: t.rows, cols: t.cols } : undefined; },
  };
}

export function registerTerminal(session: string, t: Terminal): () => void {
  if (!on) return () => undefined;
  terms.set(session, t);
  return () => { if (terms.get(session) === t) terms.delete(session); };
}
