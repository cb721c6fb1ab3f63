// One grid row; subscribes only to its own container, so an event for another container
// never re-renders it. aria-selected is the check (bulk selection); aria-current the open detail.
import { memo } from 'react';
import { useContainers } from '../store/containers';
import { useUi } from '../store/ui';
import { useActions } from '../store/actions';
import { useClock } from '../lib/clock';
import { ago, duration, shortId } from '../lib/format';
import { StateBadge } from './StateBadge';
import { RowActions } from './RowActions';
import { renderCount } from '../lib/probe';
import { PortLinks } from './PortLinks';
import { GridCell, GridRow } from './Grid';
import { CpuCell, MemCell } from './RowStats';

function Uptime({ startedAt, finishedAt, running }: { startedAt?: string; finishedAt?: string; running: boolean }) {
  const now = useClock((s) => s.now);
  const t = Math.max(now, Date.now());
  if (running && startedAt) return <>{duration(t - Date.parse(startedAt))}</>;
  if (finishedAt) return <span className="muted" title={new Date(finishedAt).toLocaleString()}>{ago(finishedAt, t)}</span>;
  return <span className="muted">–</span>;
}

export const ContainerRow = memo(function ContainerRow({ id, index, top, height }: { id: string; index: number; top: number; height: number }) {
  renderCount(id);
  const c = useContainers((s) => s.byId[id]);
  const open = useUi((s) => s.selected === id);
  const checked = useUi((s) => !!s.checked[id]);
  const error = useActions((s) => s.errors[id]);
  if (!c) return null;
  return (
    <GridRow
      index={index}
      className={`row${open ? ' selected' : ''}`}
      selected={checked}
      aria-current={open || undefined}
      data-id={c.id}
      data-name={c.name}
      style={{ transform: `translateY(${top}px)`, height }}
      onClick={() => useUi.getState().select(c.id)}
    >
      <GridCell className="cell check" onClick={(e) => e.stopPropagation()}>
        <input type="checkbox" aria-label={`select ${c.name}`} checked={checked} onChange={() => useUi.getState().toggleChecked(c.id)} />
      </GridCell>
      <GridCell className="cell name" title={c.id}>{c.name}<small className="muted"> {shortId(c.id)}</small></GridCell>
      <GridCell className="cell image" title={c.image}>{c.image}</GridCell>
      <GridCell className="cell state"><StateBadge c={c} /></GridCell>
      <GridCell className="cell uptime"><Uptime startedAt={c.startedAt} finishedAt={c.finishedAt} running={c.status === 'running'} /></GridCell>
      <CpuCell id={c.id} running={c.status === 'running' || c.status === 'paused'} />
      <MemCell id={c.id} running={c.status === 'running' || c.status === 'paused'} />
      <GridCell className="cell ports"><PortLinks ports={c.ports} /></GridCell>
      <GridCell className="cell command" title={c.command}>{c.command}</GridCell>
      <GridCell className="cell actions" onClick={(e) => e.stopPropagation()}>
        {error ? <span className="row-error" role="alert" title={error} onClick={() => useActions.getState().clearError(c.id)}>{error}</span> : <RowActions c={c} />}
      </GridCell>
    </GridRow>
  );
});
