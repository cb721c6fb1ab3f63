// A list row's CPU (with a one-minute sparkline) and memory cells. Each subscribes to its own
// container's latest reading only, so a stats tick re-renders these cells of the visible
// running rows and nothing else.
import { memo } from 'react';
import { useStats, spark } from '../store/stats';
import { sparkPath, percent } from '../lib/stats';
import { bytes } from '../lib/format';
import { renderCount } from '../lib/probe';

const W = 44,
  H = 16;

export const CpuCell = memo(function CpuCell({ id, running }: { id: string; running: boolean }) {
  const p = useStats((s) => (running ? s.latest[id] : undefined));
  const unavailable = useStats((s) => !!s.error);
  renderCount(`stats:${id}`);
  if (!p)
    return (
      <span role="gridcell" tabIndex={-1} className="cell cpu muted">
        {running ? (unavailable ? '–' : '…') : ''}
      </span>
    );
  return (
    <span
      role="gridcell"
      tabIndex={-1}
      className="cell cpu"
      title={`CPU ${percent(p.cpu)} (100 % = one CPU); the line: the last minute`}
    >
      <svg className="spark" width={W} height={H} viewBox={`0 0 ${W} ${H}`} aria-hidden="true">
        <polyline points={sparkPath(spark.get(id), W, H)} />
      </svg>
      <span className="num">{percent(p.cpu)}</span>
    </span>
  );
});

export const MemCell = memo(function MemCell({ id, running }: { id: string; running: boolean }) {
  const p = useStats((s) => (running ? s.latest[id] : undefined));
  const unavailable = useStats((s) => !!s.error);
  if (!p)
    return (
      <span role="gridcell" tabIndex={-1} className="cell mem muted">
        {running ? (unavailable ? '–' : '…') : ''}
      </span>
    );
  const title =
    p.memLimit !== undefined ? `${bytes(p.mem)} of its ${bytes(p.memLimit)} limit` : `${bytes(p.mem)} (no limit)`;
  return (
    <span role="gridcell" tabIndex={-1} className="cell mem" title={title}>
      <span className="num">{bytes(p.mem)}</span>
      {p.memLimit !== undefined && <small className="muted"> /{bytes(p.memLimit)}</small>}
    </span>
  );
});
