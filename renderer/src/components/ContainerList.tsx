// Virtualised list: only the visible rows exist in the DOM, each subscribed to its
// own container. The list itself re-renders only when the visible id set or its order
// changes (sorted by CPU or memory: once per stats tick). While the list is shown it holds
// the all-containers stats stream (columns, sparklines).
import { useEffect, useRef } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useShallow } from 'zustand/react/shallow';
import { useContainers, visibleIds } from '../store/containers';
import { useUi } from '../store/ui';
import { ContainerRow } from './ContainerRow';
import { acquireStats, useStats } from '../store/stats';
import { sortIds, type SortKey } from '../lib/stats';

const ROW = 38;

export function ContainerList() {
  const filter = useUi((s) => s.filter);
  const stateFilter = useUi((s) => s.stateFilter);
  const sort = useUi((s) => s.sort);
  const latest = useStats((s) => (sort.key === 'cpu' || sort.key === 'mem' ? s.latest : undefined));
  const ids = useContainers(useShallow((s) => sortIds(visibleIds(s, filter, stateFilter), s.byId, latest, sort)));
  useEffect(() => acquireStats(), []);
  const parent = useRef<HTMLDivElement>(null);
  const v = useVirtualizer({ count: ids.length, getScrollElement: () => parent.current, estimateSize: () => ROW, overscan: 8, initialRect: { width: 1000, height: 800 } });
  if (!ids.length) return <div className="list-empty muted" data-testid="no-match">No container matches “{filter}”{stateFilter !== 'all' ? ` (${stateFilter})` : ''}.</div>;
  return (
    <div className="list" ref={parent} role="grid" aria-rowcount={ids.length} data-count={ids.length}>
      <div className="row head" role="row">
        <span className="cell check"><AllCheckbox ids={ids} /></span>
        <SortHead k="name" className="name" label="Name" /><span className="cell image">Image</span><span className="cell state">State</span>
        <span className="cell uptime">Uptime / finished</span><SortHead k="cpu" className="cpu" label="CPU" /><SortHead k="mem" className="mem" label="Memory" />
        <span className="cell ports">Ports</span><span className="cell command">Command</span><span className="cell actions" />
      </div>
      <div className="list-body" style={{ height: v.getTotalSize() }}>
        {v.getVirtualItems().map((it) => <ContainerRow key={ids[it.index]} id={ids[it.index]} top={it.start} height={ROW} />)}
      </div>
    </div>
  );
}

function AllCheckbox({ ids }: { ids: string[] }) {
  const n = useUi((s) => Object.keys(s.checked).length);
  const all = n > 0 && n === ids.length;
  return <input type="checkbox" aria-label="select all" checked={all} ref={(el) => { if (el) el.indeterminate = n > 0 && !all; }} onChange={() => useUi.getState().setChecked(all ? [] : ids)} />;
}

function SortHead({ k, label, className }: { k: SortKey; label: string; className: string }) {
  const sort = useUi((s) => s.sort);
  const error = useStats((s) => (k === 'name' ? undefined : s.error));
  const on = sort.key === k;
  return (
    <span className={`cell ${className}`} role="columnheader" aria-sort={on ? (sort.desc ? 'descending' : 'ascending') : 'none'}>
      <button className="link sort" data-sort={k} title={error ? `stats unavailable: ${error}` : `sort by ${label.toLowerCase()}`} onClick={() => useUi.getState().sortBy(k)}>
        {label}{on ? (sort.desc ? ' ▼' : ' ▲') : ''}
      </button>
    </span>
  );
}
