// One row; subscribes only to its own container, so an event for another container
// never re-renders it.
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
import { CpuCell, MemCell } from './RowStats';

function Uptime({ startedAt, finishedAt, running }: { startedAt?: string; finishedAt?: string; running: boolean }) {
  const now = useClock((s) => s.now);
  const t = Math.max(now, Date.now());
  if (running && startedAt) return <>{duration(t - Date.parse(startedAt))}</>;
  if (finishedAt) return <span className="muted" title={new Date(finishedAt).toLocaleString()}>{ago(finishedAt, t)}</span>;
  return <span className="muted">–</span>;
}

export const ContainerRow = memo(function ContainerRow({ id, top, height }: { id: string; top: number; height: number }) {
  renderCount(id);
  const c = useContainers((s) => s.byId[id]);
  const selected = useUi((s) => s.selected === id);
  const checked = useUi((s) => !!s.checked[id]);
  const error = useActions((s) => s.errors[id]);
  if (!c) return null;
  return (
    <div
      className={`row${selected ? ' selected' : ''}`}
      role="row"
      aria-selected={selected}
      data-id={c.id}
      data-name={c.name}
      style={{ transform: `translateY(${top}px)`, height }}
      onClick={() => useUi.getState().select(c.id)}
    >
      <span className="cell check" onClick={(e) => e.stopPropagation()}>
        <input type="checkbox" aria-label={`select ${c.name}`} checked={checked} onChange={() => useUi.getState().toggleChecked(c.id)} />
      </span>
      <span className="cell name" title={c.id}>{c.name}<small className="muted"> {shortId(c.id)}</small></span>
      <span className="cell image" title={c.image}>{c.image}</span>
      <span className="cell state"><StateBadge c={c} /></span>
      <span className="cell uptime"><Uptime startedAt={c.startedAt} finishedAt={c.finishedAt} running={c.status === 'running'} /></span>
      <CpuCell id={c.id} running={c.status === 'running' || c.status === 'paused'} />
      <MemCell id={c.id} running={c.status === 'running' || c.status === 'paused'} />
      <span className="cell ports"><PortLinks ports={c.ports} /></span>
      <span className="cell command" title={c.command}>{c.command}</span>
      <span className="cell actions" onClick={(e) => e.stopPropagation()}>
        {error ? <span className="row-error" role="alert" title={error} onClick={() => useActions.getState().clearError(c.id)}>{error}</span> : <RowActions c={c} />}
      </span>
    </div>
  );
});
