// Virtualised list: only the visible rows exist in the DOM, each subscribed to its
// own container. The list itself re-renders only when the visible id set changes.
import { useRef } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useShallow } from 'zustand/react/shallow';
import { useContainers, visibleIds } from '../store/containers';
import { useUi } from '../store/ui';
import { ContainerRow } from './ContainerRow';

const ROW = 38;

export function ContainerList() {
  const filter = useUi((s) => s.filter);
  const stateFilter = useUi((s) => s.stateFilter);
  const ids = useContainers(useShallow((s) => visibleIds(s, filter, stateFilter)));
  const parent = useRef<HTMLDivElement>(null);
  const v = useVirtualizer({ count: ids.length, getScrollElement: () => parent.current, estimateSize: () => ROW, overscan: 8, initialRect: { width: 1000, height: 800 } });
  if (!ids.length) return <div className="list-empty muted" data-testid="no-match">No container matches “{filter}”{stateFilter !== 'all' ? ` (${stateFilter})` : ''}.</div>;
  return (
    <div className="list" ref={parent} role="grid" aria-rowcount={ids.length} data-count={ids.length}>
      <div className="row head" role="row">
        <span className="cell check"><AllCheckbox ids={ids} /></span>
        <span className="cell name">Name</span><span className="cell image">Image</span><span className="cell state">State</span>
        <span className="cell uptime">Uptime / finished</span><span className="cell ports">Ports</span><span className="cell command">Command</span><span className="cell actions" />
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
