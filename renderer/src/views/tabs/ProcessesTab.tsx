// Processes: `docker top` for this container, asked again every 2 s while the tab is shown
// and the page visible. The columns are ps's own (-ef or aux).
import { useEffect, useState } from 'react';
import type { ContainerSummary, TopResult } from '../../../../electron/common/types';
import { can } from '../../../../electron/common/states';
import { api } from '../../api/client';
import { whileVisible } from '../../api/stats';

const EVERY_MS = 2000;

export function ProcessesTab({ c }: { c: ContainerSummary }) {
  const running = can('top', c.status);
  const [psArgs, setPsArgs] = useState<'-ef' | 'aux'>('-ef');
  const [top, setTop] = useState<TopResult>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    setTop(undefined);
    if (!running) return;
    return whileVisible(() => {
      let stopped = false,
        timer: ReturnType<typeof setTimeout> | undefined;
      const ask = () =>
        api()
          .call('containers.top', { id: c.id, psArgs })
          .then(
            (t) => {
              if (!stopped) {
                setTop(t);
                setError(undefined);
              }
            },
            (e) => {
              if (!stopped) setError((e as Error).message);
            },
          )
          .finally(() => {
            if (!stopped) timer = setTimeout(ask, EVERY_MS);
          });
      void ask();
      return () => {
        stopped = true;
        clearTimeout(timer);
      };
    });
  }, [c.id, running, psArgs]);

  if (!running)
    return (
      <div className="pad muted" data-testid="processes-empty">
        Processes are listed while {c.name} runs.
      </div>
    );
  return (
    <div className="processes-tab">
      <div className="term-bar">
        <select value={psArgs} onChange={(e) => setPsArgs(e.target.value as typeof psArgs)} aria-label="ps format">
          <option value="-ef">ps -ef</option>
          <option value="aux">ps aux (CPU, memory)</option>
        </select>
        <span className="muted small">
          {top ? `${top.processes.length} processes · refreshed every ${EVERY_MS / 1000} s` : 'Listing…'}
        </span>
      </div>
      {error && (
        <div className="error-line" role="alert">
          processes of {c.name}: {error}
        </div>
      )}
      {top && (
        <div className="processes-scroll">
          <table className="table processes" data-testid="processes">
            <thead>
              <tr>
                {top.titles.map((t) => (
                  <th key={t}>{t}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {top.processes.map((p, i) => (
                <tr key={`${p[1]}-${i}`}>
                  {p.map((v, k) => (
                    <td key={k}>{v}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
