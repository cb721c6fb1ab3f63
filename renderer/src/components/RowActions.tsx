import type { ContainerSummary } from '../../../electron/common/types';
import { can } from '../../../electron/common/states';
import { useActions, type ContainerVerb } from '../store/actions';
import { useUi } from '../store/ui';

export function RowActions({ c, labels = false }: { c: ContainerSummary; labels?: boolean }) {
  const busy = useActions((s) => s.busy[c.id]);
  const run = (v: ContainerVerb) => () => void useActions.getState().run(c.id, v);
  const b = (verb: ContainerVerb, text: string, icon: string) => (
    <button className="icon" data-action={verb} disabled={!!busy} title={`${text} ${c.name}`} aria-label={`${text} ${c.name}`} onClick={run(verb)}>
      {busy === verb ? '…' : labels ? text : icon}
    </button>
  );
  return (
    <span className="row-actions">
      {can('start', c.status) && b('start', 'Start', '▶')}
      {can('stop', c.status) && b('stop', 'Stop', '■')}
      {can('pause', c.status) && b('pause', 'Pause', '❚❚')}
      {can('unpause', c.status) && b('unpause', 'Resume', '▶')}
      {can('stop', c.status) && labels && b('restart', 'Restart', '↻')}
      <button className="icon" data-action="remove" disabled={!!busy} title={`Remove ${c.name}`} aria-label={`Remove ${c.name}`} onClick={() => useUi.getState().openDialog({ kind: 'confirm-remove', ids: [c.id] })}>{labels ? 'Remove' : '✕'}</button>
    </span>
  );
}
