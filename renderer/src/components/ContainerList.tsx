// Virtualised list: only the visible rows exist in the DOM, each subscribed to its
// own container. The list itself re-renders only when the visible id set or its order
// changes (sorted by CPU or memory: once per stats tick). While the list is shown it holds
// the all-containers stats stream (columns, sparklines).
// An ARIA grid (components/Grid): Enter opens a row's detail, Space checks it, Delete
// asks to remove it. Compose projects are grouped under a collapsible heading row
// (lib/stacks listItems) standing where their first container would; Enter or Space folds it.
import { useEffect, useMemo, useRef } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useShallow } from 'zustand/react/shallow';
import { useContainers, visibleIds } from '../store/containers';
import { useUi } from '../store/ui';
import { ContainerRow } from './ContainerRow';
import { acquireStats, useStats } from '../store/stats';
import { sortIds, type SortKey } from '../lib/stats';
import { ColumnHeader, Grid, GridHeaderRow } from './Grid';
import { focusSelectedTab } from './Tabs';
import { listItems, type ListItem } from '../lib/stacks';
import { StackHeadRow } from './StackHeadRow';

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

/** Enter/Space on a stack heading folds or unfolds it. */
function itemKey(item: ListItem, e: KeyboardEvent): boolean {
  if (item.kind === 'row') return rowKey(item.id, e);
  if (e.key === 'Enter' || e.key === ' ') { useUi.getState().toggleStack(item.project); return true; }
  return false;
}

const keyOf = (i: ListItem) => (i.kind === 'stack' ? `stack:${i.project}` : i.id);

export function ContainerList() {
  const filter = useUi((s) => s.filter);
  const stateFilter = useUi((s) => s.stateFilter);
  const sort = useUi((s) => s.sort);
  const latest = useStats((s) => (sort.key === 'cpu' || sort.key === 'mem' ? s.latest : undefined));
  const ids = useContainers(useShallow((s) => sortIds(visibleIds(s, filter, stateFilter), s.byId, latest, sort)));
  const collapsed = useUi((s) => s.collapsedStacks);
  // a container's project label never changes, so the grouping depends on the ids and what is folded only
  const items = useMemo(() => listItems(ids, useContainers.getState().byId, collapsed), [ids, collapsed]);
  useEffect(() => acquireStats(), []);
  const parent = useRef<HTMLDivElement>(null);
  const v = useVirtualizer({ count: items.length, getItemKey: (i) => keyOf(items[i]), getScrollElement: () => parent.current, estimateSize: () => ROW, overscan: 8, initialRect: { width: 1000, height: 800 } });
  if (!ids.length) return <div className="list-empty muted" data-testid="no-match">No container matches “{filter}”{stateFilter !== 'all' ? ` (${stateFilter})` : ''}.</div>;
  return (
    <Grid className="list" ref={parent} label="Containers" colCount={COLUMNS} rowCount={items.length} multiselectable
      attrs={{ 'data-count': ids.length }} page={10} scrollToRow={(i) => v.scrollToIndex(i)}
      onRowKey={(i, _el, e) => itemKey(items[i], e)}>
      <GridHeaderRow>
        <ColumnHeader className="cell check" label="Selected"><AllCheckbox ids={ids} /></ColumnHeader>
        <SortHead k="name" className="name" label="Name" /><ColumnHeader className="cell image">Image</ColumnHeader><ColumnHeader className="cell state">State</ColumnHeader>
        <ColumnHeader className="cell uptime">Uptime / finished</ColumnHeader><SortHead k="cpu" className="cpu" label="CPU" /><SortHead k="mem" className="mem" label="Memory" />
        <ColumnHeader className="cell ports">Ports</ColumnHeader><ColumnHeader className="cell command">Command</ColumnHeader><ColumnHeader className="cell actions" label="Actions" />
      </GridHeaderRow>
      <div className="list-body" role="rowgroup" style={{ height: v.getTotalSize() }}>
        {v.getVirtualItems().map((it) => {
          const item = items[it.index];
          return item.kind === 'stack'
            ? <StackHeadRow key={keyOf(item)} project={item.project} index={it.index} top={it.start} height={ROW} />
            : <ContainerRow key={item.id} id={item.id} index={it.index} top={it.start} height={ROW} />;
        })}
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
