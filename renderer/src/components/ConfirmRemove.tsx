import { useState } from 'react';
import { Dialog } from './Dialog';
import { useUi } from '../store/ui';
import { useShallow } from 'zustand/react/shallow';
import { useContainers } from '../store/containers';
import { useActions } from '../store/actions';

export function ConfirmRemove({ ids }: { ids: string[] }) {
  const names = useContainers(useShallow((s) => ids.map((id) => s.byId[id]?.name ?? id.slice(0, 12))));
  const close = useUi((s) => s.closeDialog);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const go = async () => {
    setBusy(true);
    const results = await Promise.all(ids.map((id) => useActions.getState().run(id, 'remove')));
    setBusy(false);
    if (results.every(Boolean)) { useUi.getState().setChecked([]); close(); }
    else setError(ids.map((id) => useActions.getState().errors[id]).filter(Boolean).join('; '));
  };
  return (
    <Dialog title={ids.length === 1 ? 'Remove container' : 'Remove containers'} role="alertdialog" describedBy="confirm-remove-msg">
      <p id="confirm-remove-msg">Remove {ids.length === 1 ? <b>{names[0]}</b> : `${ids.length} containers`}? Running ones are stopped first. This cannot be undone.</p>
      {ids.length > 1 && <p className="muted">{names.join(', ')}</p>}
      {error && <div className="error-line" role="alert">{error}</div>}
      <footer><button onClick={close}>Cancel</button><button className="danger" disabled={busy} onClick={go} data-testid="confirm-remove">{busy ? 'Removing…' : 'Remove'}</button></footer>
    </Dialog>
  );
}
