// A compose stack's actions — start, stop, restart every container, remove the stack (volumes only when
// confirmed). A failure is shown in their place (as a container row does) until clicked. Shared by the Stacks view
// and the containers list.
import { useState } from 'react';
import { api } from '../api/client';
import type { Stack } from '../lib/stacks';

type StackAction = 'start' | 'stop' | 'restart';

export function StackActions({ stack, children }: { stack: Stack; children?: React.ReactNode }) {
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const run = async (what: string, fn: () => Promise<unknown>) => {
    setBusy(true); setError(undefined);
    try { await fn(); } catch (e) { setError(`${what} ${stack.project}: ${(e as Error).message}`); } finally { setBusy(false); }
  };
  const each = (a: StackAction) => run(a, () => Promise.all(stack.ids.map((id) => api().call(`containers.${a}`, { id }))));
  const remove = () => {
    const withVolumes = window.confirm(`Remove stack ${stack.project} (${stack.ids.length} containers)?\n\n`
      + 'OK removes its containers. Its named volumes are kept unless you confirm that next.');
    if (!withVolumes) return;
    const volumes = window.confirm(`Also remove the named volumes of ${stack.project}? Their data is lost.`);
    void run('remove', () => api().call('stacks.remove', { project: stack.project, volumes }));
  };
  if (error) return <span className="row-error" role="alert" title={error} onClick={(e) => { e.stopPropagation(); setError(undefined); }}>{error}</span>;
  return (
    <span className="stack-actions" onClick={(e) => e.stopPropagation()}>
      <button disabled={busy || stack.running === stack.ids.length} onClick={() => each('start')}>Start</button>
      <button disabled={busy || stack.running === 0} onClick={() => each('stop')}>Stop</button>
      <button disabled={busy} onClick={() => each('restart')}>Restart</button>
      <button disabled={busy} onClick={remove}>Remove…</button>
      {children}
    </span>
  );
}
