// A compose stack's actions — start, stop, restart every container, remove the stack (after a confirmation that
// offers to remove its named volumes too, off by default). A failure is shown in their place (as a container row does) until clicked. Shared by the Stacks view
// and the containers list.
import { useState } from 'react';
import { api } from '../api/client';
import type { Stack } from '../lib/stacks';
import { useUi } from '../store/ui';

/** Asks before removing a compose stack; its named volumes go too only when that box is ticked. */
export function confirmRemoveStack(stack: Stack): void {
  const n = stack.ids.length;
  useUi.getState().openDialog({
    kind: 'confirm',
    spec: {
      title: 'Remove stack',
      message:
        `Remove stack ${stack.project} (${n} container${n === 1 ? '' : 's'})? Running ones are stopped first. ` +
        'Its named volumes are kept unless you tick the box.',
      option: `Also remove the named volumes of ${stack.project} (their data is lost)`,
      action: 'Remove',
      run: (volumes) => api().call('stacks.remove', { project: stack.project, volumes }),
    },
  });
}

type StackAction = 'start' | 'stop' | 'restart';

export function StackActions({ stack, children }: { stack: Stack; children?: React.ReactNode }) {
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const run = async (what: string, fn: () => Promise<unknown>) => {
    setBusy(true);
    setError(undefined);
    try {
      await fn();
    } catch (e) {
      setError(`${what} ${stack.project}: ${(e as Error).message}`);
    } finally {
      setBusy(false);
    }
  };
  const each = (a: StackAction) =>
    run(a, () => Promise.all(stack.ids.map((id) => api().call(`containers.${a}`, { id }))));
  if (error)
    return (
      <span
        className="row-error"
        role="alert"
        title={error}
        onClick={(e) => {
          e.stopPropagation();
          setError(undefined);
        }}
      >
        {error}
      </span>
    );
  return (
    <span className="stack-actions" onClick={(e) => e.stopPropagation()}>
      <button disabled={busy || stack.running === stack.ids.length} onClick={() => each('start')}>
        Start
      </button>
      <button disabled={busy || stack.running === 0} onClick={() => each('stop')}>
        Stop
      </button>
      <button disabled={busy} onClick={() => each('restart')}>
        Restart
      </button>
      <button disabled={busy} onClick={() => confirmRemoveStack(stack)} aria-label={`Remove stack ${stack.project}`}>
        Remove…
      </button>
      {children}
    </span>
  );
}
