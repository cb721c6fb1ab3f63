// The System view's resource dashboard: CPU and memory of all containers together over the
// last 5 minutes, the top consumers (click: that container's Stats tab), and what this host
// can limit. Holds the all-containers stats stream while shown.
import { useEffect, useMemo, useState } from 'react';
import type { LimitsInfo } from '../../../electron/common/types';
import { acquireStats, useStats } from '../store/stats';
import { useContainers } from '../store/containers';
import { useUi } from '../store/ui';
import { hostLimits } from '../api/stats';
import { Plot, type PlotSeries } from '../components/Plot';
import { bytes } from '../lib/format';
import { percent } from '../lib/stats';

const CPU: PlotSeries[] = [{ label: 'all containers', color: '#4f8cff' }];
const MEM: PlotSeries[] = [{ label: 'all containers', color: '#3fb950' }];
const TOP = 5;

export function ResourceDashboard() {
  useEffect(() => acquireStats(), []);
  const totals = useStats((s) => s.totals);
  const latest = useStats((s) => s.latest);
  const error = useStats((s) => s.error);
  const names = useContainers((s) => s.byId);
  const running = useContainers((s) =>
    s.order.some((id) => s.byId[id].status === 'running' || s.byId[id].status === 'paused'),
  );
  const [limits, setLimits] = useState<LimitsInfo>();
  useEffect(() => {
    hostLimits().then(setLimits, () => undefined);
  }, []);
  const cpu = useMemo(() => [totals.map((x) => x.t / 1000), totals.map((x) => x.cpu)], [totals]);
  const mem = useMemo(() => [totals.map((x) => x.t / 1000), totals.map((x) => x.mem)], [totals]);
  const top = Object.values(latest)
    .filter((p) => names[p.id])
    .sort((a, b) => b.cpu - a.cpu || b.mem - a.mem)
    .slice(0, TOP);
  const ncpu = limits?.ncpu;

  return (
    <section className="dashboard" data-testid="dashboard">
      <h2>Resources</h2>
      <LimitsLine limits={limits} />
      {error ? (
        <div className="notice" data-testid="stats-unavailable">
          Stats are unavailable here: {error}.
        </div>
      ) : !running && !totals.length ? (
        <div className="muted pad" data-testid="dashboard-empty">
          No container is running: CPU and memory appear here while containers run.
        </div>
      ) : (
        <>
          <div className="plots">
            <Plot
              name="engine-cpu"
              title={`CPU, all containers (100 % = one CPU${ncpu ? `; this host has ${ncpu}` : ''})`}
              unit="percent"
              series={CPU}
              data={cpu}
              minMax={100}
            />
            <Plot
              name="engine-memory"
              title={`Memory, all containers${limits ? ` (host: ${bytes(limits.memTotal)})` : ''}`}
              unit="bytes"
              series={MEM}
              data={mem}
            />
          </div>
          <h3>Top consumers</h3>
          {top.length ? (
            <table className="table" data-testid="top-consumers">
              <thead>
                <tr>
                  <th>Container</th>
                  <th>CPU</th>
                  <th>Memory</th>
                  <th>PIDs</th>
                </tr>
              </thead>
              <tbody>
                {top.map((p) => (
                  <tr
                    key={p.id}
                    data-id={p.id}
                    className="clickable"
                    onClick={() => useUi.getState().select(p.id, 'stats')}
                  >
                    <td>{names[p.id].name}</td>
                    <td>{percent(p.cpu)}</td>
                    <td>
                      {bytes(p.mem)}
                      {p.memLimit !== undefined && <span className="muted"> of {bytes(p.memLimit)}</span>}
                    </td>
                    <td>{p.pids}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <div className="muted">Waiting for the first readings…</div>
          )}
        </>
      )}
    </section>
  );
}

function LimitsLine({ limits }: { limits?: LimitsInfo }) {
  if (!limits) return null;
  const kinds: Array<[string, boolean]> = [
    ['memory', limits.memory],
    ['swap', limits.swap],
    ['CPU', limits.cpu],
    ['cpusets', limits.cpuset],
    ['PIDs', limits.pids],
    ['block I/O weight', limits.blkioWeight],
  ];
  const none = kinds.every(([, ok]) => !ok);
  return (
    <div className={none ? 'notice small' : 'muted small'} data-testid={none ? 'limits-unavailable' : 'limits'}>
      {none ? (
        `Limits unavailable here: ${limits.reason ?? 'no cgroup controllers'}. ` +
        '-m, --cpus and --pids-limit are accepted and discarded with a warning.'
      ) : (
        <>
          Limits this host enforces (cgroup v{limits.cgroupVersion}
          {limits.rootless ? ', rootless' : ''}):{' '}
          {kinds.map(([k, ok]) => (
            <span key={k} className={ok ? 'ok-mark' : 'no-mark'}>
              {k}{' '}
            </span>
          ))}
          {limits.reason ? ` — ${limits.reason}` : ''}
        </>
      )}
    </div>
  );
}
