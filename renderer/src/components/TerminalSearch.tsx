import { useEffect, useRef, useState } from 'react';
import type { SearchAddon } from '@xterm/addon-search';

const DECOR = { matchBackground: '#5a4a00', activeMatchBackground: '#c89b00', matchOverviewRuler: '#c89b00', activeMatchColorOverviewRuler: '#ffcc00' };

export function TerminalSearch({ search, onClose }: { search: SearchAddon; onClose: () => void }) {
  const [q, setQ] = useState('');
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => { input.current?.focus(); return () => search.clearDecorations(); }, [search]);
  const find = (back = false) => { if (q) (back ? search.findPrevious(q, { decorations: DECOR }) : search.findNext(q, { decorations: DECOR })); };
  return (
    <div className="term-search">
      <input ref={input} value={q} placeholder="Find in terminal" aria-label="Find in terminal"
        onChange={(e) => { setQ(e.target.value); if (e.target.value) search.findNext(e.target.value, { incremental: true, decorations: DECOR }); }}
        onKeyDown={(e) => { if (e.key === 'Enter') { e.preventDefault(); find(e.shiftKey); } if (e.key === 'Escape') { e.stopPropagation(); onClose(); } }} />
      <button onClick={() => find(true)} aria-label="Previous match">↑</button>
      <button onClick={() => find()} aria-label="Next match">↓</button>
      <button className="link" onClick={onClose} aria-label="Close search">×</button>
    </div>
  );
}
