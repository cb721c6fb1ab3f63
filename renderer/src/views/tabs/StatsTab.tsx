// Stats: live plots of the last 5 minutes (CPU %, memory with its limit line, network and
// disk rates) and the current figures. Watches this container only while the tab is shown
// and the page is visible; the engine hands over the history it kept.
import { useEffect, useMemo, useState } from 'react';
import type { ContainerSummary, LimitsInfo, StatsPoint } from '../../../../electron/common/types';
import { hostLimits, watchStats, whileVisible } from '../../api/stats';
import { Plot, type PlotSeries } from '../../components/Plot';
import { appendPoints, columns, percent, rate } from '../../lib/stats';
import { bytes } from '../../lib/format';

const CPU: PlotSeries[] = [{ label: 'CPU', color: '#4f8cff' }];
const MEM: PlotSeries[] = [
  { label: 'used', color: '#3fb950' },
  { label: 'limit', color: '#f85149', dash: true },
];
const NET: PlotSeries[] = [
  { label: 'received', color: '#4f8cff' },
  { label: 'sent', color: '#d29922' },
];
const DISK: PlotSeries[] = [
  { label: 'read', color: '#a371f7' },
  { label: 'written', color: '#d29922' },
];

export function StatsTab({ c }: { c: ContainerSummary }) {
  const running = c.status === 'running' || c.status === 'paused';
  const [points, setPoints] = useState<StatsPoint[]>([]);
  const [error, setError] = useState<string>();
  const [limits, setLimits] = useState<LimitsInfo>();
  useEffect(() => {
    hostLimits().then(setLimits, () => undefined);
  }, []);
  useEffect(() => {
    if (!running) return;
    setError(undefined);
    const mine = (ps: StatsPoint[]) => ps.filter((p) => p.id === c.id);
    return whileVisible(() =>
      watchStats([c.id], {
        history: (h) => setPoints((cur) => appendPoints(cur, mine(h))),
        points: (p) => setPoints((cur) => appendPoints(cur, mine(p))),
        error: (e) => setError(e.message),
      }),
    );
  }, [c.id, running]);

  const cpu = useMemo(() => columns(points, ['cpu']), [points]);
  const mem = useMemo(() => columns(points, ['mem', 'memLimit']), [points]);
  const net = useMemo(() => columns(points, ['netRx', 'netTx']), [points]);
  const disk = useMemo(() => columns(points, ['blkRead', 'blkWrite']), [points]);
  const last = points[points.length - 1];

  if (error) {
    return (
      <div className="stats-tab pad">
        <div className="notice" data-testid="stats-unavailable">
          Stats are unavailable here: {error}. Pier reads each container's figures from its own cgroup; a rootless
          engine on a cgroup v1 host gives containers none. Logs, the terminal and Processes still work.
        </div>
      </div>
    );
  }
  if (!points.length) {
    return (
      <div className="stats-tab pad muted" data-testid="stats-empty">
        {running
          ? 'Waiting for the first readings (one a second)…'
          : `Stats are sampled while ${c.name} runs. Start it to see its CPU, memory, network and disk use.`}
      </div>
    );
  }
  return (
    <div className="stats-tab" data-testid="stats-tab">
      <div className="stats-summary" data-testid="stats-summary">
        <span title="100 % = one full CPU">
          CPU <b>{percent(last.cpu)}</b>
          {last.throttled > 0 && <small className="muted"> throttled {percent(last.throttled)} of periods</small>}
        </span>
        <span>
          Memory <b>{bytes(last.mem)}</b>
          {last.memLimit !== undefined && (
            <>
              {' '}
              / {bytes(last.memLimit)} <small className="muted">({percent((last.mem / last.memLimit) * 100)})</small>
            </>
          )}
        </span>
        <span>
          PIDs <b>{last.pids}</b>
          {last.pidsLimit !== undefined && <> / {last.pidsLimit}</>}
        </span>
        <span>
          Net ↓ {rate(last.netRx)} ↑ {rate(last.netTx)}
        </span>
        <span>
          Disk r {rate(last.blkRead)} w {rate(last.blkWrite)}
        </span>
        {!running && <span className="muted">stopped: last readings</span>}
      </div>
      <MemoryNote last={last} limits={limits} />
      <div className="plots">
        <Plot name="cpu" title="CPU (100 % = one CPU)" unit="percent" series={CPU} data={cpu} minMax={5} />
        <Plot name="memory" title="Memory (working set, as docker stats)" unit="bytes" series={MEM} data={mem} />
        <Plot
          name="network"
          title={
            c.networkMode === 'host' ? 'Network (host network: not the container’s own)' : 'Network (all interfaces)'
          }
          unit="rate"
          series={NET}
          data={net}
        />
        <Plot name="disk" title="Disk I/O (block devices)" unit="rate" series={DISK} data={disk} />
      </div>
    </div>
  );
}

function MemoryNote({ last, limits }: { last: StatsPoint; limits?: LimitsInfo }) {
  if (limits && !limits.memory) {
    return (
      <div className="notice small" data-testid="limits-unavailable">
        Limits unavailable here: {limits.reason ?? 'this host has no memory cgroup controller'}. Containers run without
        memory or CPU bounds.
      </div>
    );
  }
  if (last.memLimit === undefined) {
    return (
      <div className="muted small pad-x" data-testid="memory-note">
        No memory limit set{limits ? `: the host’s ${bytes(limits.memTotal)} applies` : ''}. Set one with{' '}
        <code>-m</code> or <code>docker update --memory</code>.
      </div>
    );
  }
  return (
    <div className="muted small pad-x" data-testid="memory-note">
      Memory limit {bytes(last.memLimit)}: the dashed line.
    </div>
  );
}
