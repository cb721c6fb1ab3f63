// Logs: follow toggle, timestamps, stdout/stderr filter, search with highlighted
// matches (Enter / Shift+Enter to step), download. Lines live in a LogBuffer, not in
// React state; the list is virtualised.
import { useEffect, useMemo, useReducer, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { ContainerSummary } from '../../../../electron/common/types';
import { api } from '../../api/client';
import { LogBuffer, asText, filterLines, matchIndexes } from '../../lib/logBuffer';
import { Highlight } from '../../components/Highlight';
import { ErrorLine } from '../../components/ErrorLine';

export function LogsTab({ c }: { c: ContainerSummary }) {
  const buf = useRef(new LogBuffer()).current;
  const [, bump] = useReducer((x: number) => x + 1, 0);
  const [follow, setFollow] = useState(true);
  const [timestamps, setTimestamps] = useState(false);
  const [stream, setStream] = useState<'all' | 'stdout' | 'stderr'>('all');
  const [q, setQ] = useState('');
  const [cursor, setCursor] = useState(0);
  const [error, setError] = useState<string>();
  const [ended, setEnded] = useState(false);
  const running = c.status === 'running' || c.status === 'paused';

  useEffect(() => {
    buf.reset(); setError(undefined); setEnded(false); bump();
    let streamId: string | undefined, stopped = false;
    const early = new Map<string, Parameters<LogBuffer['push']>[0]>();
    if (!follow) {
      api().call('containers.logs', { id: c.id, tail: 10000 }).then((l) => { if (!stopped) { buf.push(l); bump(); } }, (e) => setError((e as Error).message));
      return () => { stopped = true; };
    }
    const off = api().onStream('logs', (p) => {
      if (streamId === undefined) { if (p.lines) early.set(p.stream, [...(early.get(p.stream) ?? []), ...p.lines]); return; }
      if (p.stream !== streamId) return;
      if (p.lines) { buf.push(p.lines); bump(); }
      if (p.end) setEnded(true);
    });
    api().call('containers.followLogs', { id: c.id, tail: 10000 }).then(({ stream: sid }) => {
      if (stopped) { api().call('streams.close', { stream: sid }).catch(() => undefined); return; }
      streamId = sid;
      const e = early.get(sid);
      if (e) { buf.push(e); bump(); }
      early.clear();
    }, (e) => setError((e as Error).message));
    return () => {
      stopped = true; off();
      if (streamId) api().call('streams.close', { stream: streamId }).catch(() => undefined);
    };
    // restart following when the container starts again
  }, [c.id, follow, running, buf]);

  const lines = filterLines(buf.lines, stream);
  const matches = useMemo(() => matchIndexes(lines, q), [lines, q, buf.version]);
  const parent = useRef<HTMLDivElement>(null);
  const v = useVirtualizer({ count: lines.length, getScrollElement: () => parent.current, estimateSize: () => 18, overscan: 20, initialRect: { width: 800, height: 600 } });
  const atBottom = useRef(true);

  useEffect(() => {
    if (follow && atBottom.current && !q && lines.length) v.scrollToIndex(lines.length - 1, { align: 'end' });
  }, [buf.version, follow, q, lines.length, v]);

  const goto = (k: number) => {
    if (!matches.length) return;
    const n = ((k % matches.length) + matches.length) % matches.length;
    setCursor(n);
    v.scrollToIndex(matches[n], { align: 'center' });
  };
  const download = () => {
    const url = URL.createObjectURL(new Blob([asText(lines, true)], { type: 'text/plain' }));
    const a = document.createElement('a');
    a.href = url; a.download = `${c.name}-${new Date().toISOString().replace(/[:.]/g, '-')}.log`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  const active = matches.length ? matches[Math.min(cursor, matches.length - 1)] : -1;

  return (
    <div className="logs-tab">
      <div className="term-bar">
        <label><input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} /> Follow</label>
        <label><input type="checkbox" checked={timestamps} onChange={(e) => setTimestamps(e.target.checked)} /> Timestamps</label>
        <select value={stream} onChange={(e) => setStream(e.target.value as typeof stream)} aria-label="Streams">
          <option value="all">stdout + stderr</option><option value="stdout">stdout</option><option value="stderr">stderr</option>
        </select>
        <input type="search" placeholder="Search logs" aria-label="Search logs" value={q}
          onChange={(e) => { setQ(e.target.value); setCursor(0); }}
          onKeyDown={(e) => { if (e.key === 'Enter') { e.preventDefault(); goto(cursor + (e.shiftKey ? -1 : 1)); } }} />
        <span className="muted small" data-testid="log-matches">{q ? `${matches.length ? cursor + 1 : 0}/${matches.length} matches` : `${lines.length} lines`}</span>
        <span className="grow" />
        <button onClick={download} disabled={!lines.length}>Download</button>
      </div>
      <ErrorLine text={error && `logs of ${c.name}: ${error}`} />
      {buf.dropped > 0 && <div className="notice">Showing the last {lines.length} lines ({buf.dropped} older lines dropped; Download has what is shown).</div>}
      <div className="log-view" ref={parent} onScroll={(e) => { const el = e.currentTarget; atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40; }}>
        {!lines.length && <div className="muted pad">{follow && running ? 'Waiting for output…' : 'No output.'}</div>}
        <div style={{ height: v.getTotalSize(), position: 'relative' }}>
          {v.getVirtualItems().map((it) => {
            const l = lines[it.index];
            return (
              <div key={it.index} className={`log-line ${l.stream}${it.index === active ? ' active' : ''}`} style={{ transform: `translateY(${it.start}px)` }} data-index={it.index}>
                {timestamps && <span className="ts">{l.time}</span>}
                <Highlight text={l.text} q={q} />
              </div>
            );
          })}
        </div>
      </div>
      {follow && ended && <div className="muted small pad">{c.name} stopped; following resumes when it starts.</div>}
    </div>
  );
}
