// A stack's logs: every service interleaved by time, each line prefixed by its service in a stable colour;
// follow and search as for one container.
import { useEffect, useMemo, useReducer, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { api } from '../../api/client';
import { LogBuffer, matchIndexes } from '../../lib/logBuffer';
import { serviceColor } from '../../lib/stacks';
import { Highlight } from '../../components/Highlight';
import { ErrorLine } from '../../components/ErrorLine';

export function StackLogs({ project }: { project: string }) {
  const buf = useRef(new LogBuffer()).current;
  const [, bump] = useReducer((x: number) => x + 1, 0);
  const [q, setQ] = useState('');
  const [error, setError] = useState<string>();
  const [follow, setFollow] = useState(true);

  useEffect(() => {
    buf.reset(); setError(undefined); bump();
    let streamId: string | undefined, stopped = false;
    const early: NonNullable<Parameters<LogBuffer['push']>[0]> = [];
    const off = api().onStream('logs', (p) => {
      if (streamId === undefined) { if (p.lines) early.push(...p.lines); return; }
      if (p.stream === streamId && p.lines) { buf.push(p.lines); bump(); }
    });
    api().call('stacks.followLogs', { project, tail: 2000 }).then(({ stream }) => {
      if (stopped) { api().call('streams.close', { stream }).catch(() => undefined); return; }
      streamId = stream;
      if (early.length) { buf.push(early); bump(); }
    }, (e) => setError((e as Error).message));
    return () => {
      stopped = true; off();
      if (streamId) api().call('streams.close', { stream: streamId }).catch(() => undefined);
    };
  }, [project, buf]);

  const lines = buf.lines;
  const matches = useMemo(() => matchIndexes(lines, q), [lines, q, buf.version]);
  const parent = useRef<HTMLDivElement>(null);
  const v = useVirtualizer({ count: lines.length, getScrollElement: () => parent.current, estimateSize: () => 18,
    overscan: 20, initialRect: { width: 800, height: 400 } });
  useEffect(() => {
    if (follow && !q && lines.length) v.scrollToIndex(lines.length - 1, { align: 'end' });
  }, [buf.version, follow, q, lines.length, v]);

  return (
    <div className="logs-tab stack-logs" data-testid="stack-logs">
      <div className="term-bar">
        <label><input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} /> Follow</label>
        <input type="search" placeholder="Search stack logs" aria-label="Search stack logs" value={q}
          onChange={(e) => setQ(e.target.value)} />
        <span className="muted small">{q ? `${matches.length} matches` : `${lines.length} lines`}</span>
      </div>
      <ErrorLine text={error && `logs of stack ${project}: ${error}`} />
      <div className="log-view" ref={parent}>
        {!lines.length && <div className="muted pad">No output yet.</div>}
        <div style={{ height: v.getTotalSize(), position: 'relative' }}>
          {v.getVirtualItems().map((it) => {
            const l = lines[it.index];
            return (
              <div key={it.index} className={`log-line ${l.stream}`} style={{ transform: `translateY(${it.start}px)` }}
                data-source={l.source}>
                <span className="src" style={{ color: serviceColor(l.source ?? '') }}>{l.source} |</span>{' '}
                <Highlight text={l.text} q={q} />
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
