// Virtualised list: only the visible rows exist in the DOM, each subscribed to its
// own container. The list itself re-renders only when the visible id set or its order
// changes (sorted by CPU or memory: once per stats tick). While the list is shown it holds
// the all-containers stats stream (columns, sparklines).
// An ARIA grid (components/Grid): Enter opens a row's detail, Space checks it, Delete
// asks to remove it.
import { useEffect, useRef } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useShallow } from 'zustand/react/shallow';
import { useContainers, visibleIds } from '../store/containers';
import { useUi } from '../store/ui';
import { ContainerRow } from './ContainerRow';
import { acquireStats, useStats } from '../store/stats';
import { sortIds, type SortKey } from '../lib/stats';
import { ColumnHeader, Grid, GridHeaderRow } from './Grid';
import { focusSelectedTab } from './Tabs';

const ROW = 38;
const COLUMNS = 10;

/** Enter/Space/Delete on a container row. */
function rowKey(id: string, e: KeyboardEvent): boolean {
  const ui = useUi.getState();
  if (e.key === 'Enter') { ui.select(id); focusSelectedTab('detail'); return true; }
  if (e.key === ' ') { ui.toggleChecked(id); return true; }
  if (e.key === 'Delete') { ui.openDialog({ kind: 'confirm-remove', ids: [id] }); return true; }
  return false;
}

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
    <Grid className="list" ref={parent} label="Containers" colCount={COLUMNS} rowCount={ids.length} multiselectable
      attrs={{ 'data-count': ids.length }} page={10} scrollToRow={(i) => v.scrollToIndex(i)}
      onRowKey={(i, _el, e) => rowKey(ids[i], e)}>
      <GridHeaderRow>
        <ColumnHeader className="cell check" label="Selected"><AllCheckbox ids={ids} /></ColumnHeader>
        <SortHead k="name" className="name" label="Name" /><ColumnHeader className="cell image">Image</ColumnHeader><ColumnHeader className="cell state">State</ColumnHeader>
        <ColumnHeader className="cell uptime">Uptime / finished</ColumnHeader><SortHead k="cpu" className="cpu" label="CPU" /><SortHead k="mem" className="mem" label="Memory" />
        <ColumnHeader className="cell ports">Ports</ColumnHeader><ColumnHeader className="cell command">Command</ColumnHeader><ColumnHeader className="cell actions" label="Actions" />
      </GridHeaderRow>
      <div className="list-body" role="rowgroup" style={{ height: v.getTotalSize() }}>
        {v.getVirtualItems().map((it) => <ContainerRow key={ids[it.index]} id={ids[it.index]} index={it.index} top={it.start} height={ROW} />)}
      </div>
    </Grid>
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
