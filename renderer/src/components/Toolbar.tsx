// Filters and bulk actions over the checked containers.
import { useState } from 'react';
import { useUi } from '../store/ui';
import { useContainers, type StateFilter } from '../store/containers';
import { useActions, type ContainerVerb } from '../store/actions';
import { can } from '../../../electron/common/states';

export function Toolbar() {
  const filter = useUi((s) => s.filter);
  const stateFilter = useUi((s) => s.stateFilter);
  const checked = useUi((s) => s.checked);
  const ids = Object.keys(checked);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const bulk = (verb: ContainerVerb) => async () => {
    setBusy(true); setError(undefined);
    const byId = useContainers.getState().byId;
    const eligible = ids.filter((id) => {
      const st = byId[id]?.status;
      return verb === 'start' || verb === 'stop' || verb === 'pause' || verb === 'unpause' ? !!st && can(verb, st) : true;
    });
    const ok = await Promise.all(eligible.map((id) => useActions.getState().run(id, verb)));
    const failed = eligible.filter((_, i) => !ok[i]);
    if (failed.length) setError(`${verb} failed for ${failed.length} of ${eligible.length}: ${failed.map((id) => useActions.getState().errors[id]).join('; ')}`);
    setBusy(false);
  };
  return (
    <div className="toolbar">
      <input id="container-filter" type="search" placeholder="Filter by name, image, id, command  ( / )" value={filter} onChange={(e) => useUi.getState().setFilter(e.target.value)} aria-label="Filter containers" />
      <select value={stateFilter} onChange={(e) => useUi.getState().setStateFilter(e.target.value as StateFilter)} aria-label="State filter">
        <option value="all">All states</option><option value="running">Running</option><option value="paused">Paused</option><option value="stopped">Stopped</option>
      </select>
      {ids.length > 0 && (
        <span className="bulk" data-testid="bulk">
          <b>{ids.length} selected</b>
          <button disabled={busy} onClick={bulk('start')}>Start</button>
          <button disabled={busy} onClick={bulk('stop')}>Stop</button>
          <button disabled={busy} onClick={bulk('pause')}>Pause</button>
          <button disabled={busy} onClick={bulk('unpause')}>Resume</button>
          <button disabled={busy} className="danger" onClick={() => useUi.getState().openDialog({ kind: 'confirm-remove', ids })}>Remove</button>
          <button className="link" onClick={() => useUi.getState().setChecked([])}>Clear</button>
        </span>
      )}
      <span className="grow" />
      <button className="primary" onClick={() => useUi.getState().openDialog({ kind: 'create' })} title="n">New container</button>
      {error && <div className="error-line wide" role="alert">{error} <button className="link" onClick={() => setError(undefined)}>×</button></div>}
    </div>
  );
}
