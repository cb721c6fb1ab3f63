// Formatted, collapsible JSON (objects and arrays open two levels deep).
import { useState } from 'react';

export function JsonView({ value }: { value: unknown }) {
  return <pre className="json" data-testid="inspect-json"><Node v={value} depth={0} /></pre>;
}

function Node({ v, depth, k }: { v: unknown; depth: number; k?: string }) {
  const [open, setOpen] = useState(depth < 2);
  const key = k !== undefined ? <span className="j-key">"{k}": </span> : null;
  if (v === null || typeof v !== 'object') {
    const cls = typeof v === 'string' ? 'j-str' : typeof v === 'number' ? 'j-num' : 'j-lit';
    return <div className="j-line">{key}<span className={cls}>{JSON.stringify(v)}</span></div>;
  }
  const entries = Array.isArray(v) ? v.map((x, i) => [String(i), x] as const) : Object.entries(v as Record<string, unknown>);
  const [o, c] = Array.isArray(v) ? ['[', ']'] : ['{', '}'];
  if (!entries.length) return <div className="j-line">{key}{o}{c}</div>;
  return (
    <div className="j-node">
      <span className="j-toggle" onClick={() => setOpen(!open)}>{open ? '▾' : '▸'}</span>{key}{o}
      {open ? <div className="j-children">{entries.map(([ek, ev]) => <Node key={ek} k={Array.isArray(v) ? undefined : ek} v={ev} depth={depth + 1} />)}</div> : <span className="muted"> … {entries.length} </span>}
      {c}
    </div>
  );
}
