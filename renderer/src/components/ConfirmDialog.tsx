// A confirmation for a destructive action on images, volumes, networks or stacks: an alertdialog whose message is
// its description, Cancel focused first (the safe choice), an optional extra choice as a checkbox, the action's
// error shown in place (the dialog stays open), focus returned by Dialog.
import { useState } from 'react';
import { Dialog } from './Dialog';
import { useUi, type ConfirmSpec } from '../store/ui';

export function ConfirmDialog({ spec }: { spec: ConfirmSpec }) {
  const close = useUi((s) => s.closeDialog);
  const [busy, setBusy] = useState(false);
  const [option, setOption] = useState(false);
  const [error, setError] = useState<string>();
  const go = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await spec.run(option);
      close();
    } catch (e) {
      setError((e as Error).message);
      setBusy(false);
    }
  };
  return (
    <Dialog title={spec.title} role="alertdialog" describedBy="confirm-msg" initialFocus="footer button">
      <p id="confirm-msg">{spec.message}</p>
      {spec.option && (
        <label className="setting">
          <input type="checkbox" name="confirm-option" checked={option} onChange={(e) => setOption(e.target.checked)} />{' '}
          {spec.option}
        </label>
      )}
      {error && (
        <div className="error-line" role="alert">
          {error}
        </div>
      )}
      <footer>
        <button onClick={close}>Cancel</button>
        <button className="danger" disabled={busy} onClick={() => void go()} data-testid="confirm-action">
          {busy ? 'Working…' : spec.action}
        </button>
      </footer>
    </Dialog>
  );
}

/** Runs `each` over `items` one at a time; throws one error naming every failure (the others are done). */
export async function forEach<T>(items: T[], each: (item: T) => Promise<unknown>, name: (item: T) => string) {
  const failed: string[] = [];
  for (const it of items) {
    try {
      await each(it);
    } catch (e) {
      failed.push(`${name(it)}: ${(e as Error).message}`);
    }
  }
  if (failed.length) throw new Error(failed.join('; '));
}
