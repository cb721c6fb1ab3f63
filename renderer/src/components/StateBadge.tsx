import type { ContainerSummary } from '../../../electron/common/types';
import { HealthBadge } from './HealthBadge';

export function StateBadge({ c }: { c: ContainerSummary }) {
  const label = c.status === 'exited' ? `exited (${c.exitCode ?? '?'})${c.oomKilled ? ' · out of memory' : ''}` : c.status;
  // red only for exits nobody asked for (a stop's SIGKILL 137 is not a failure)
  const bad = c.status === 'exited' && ((!!c.unexpectedExit && c.exitCode !== 0) || !!c.oomKilled);
  const state = <span className={`badge st-${c.status}${bad ? ' bad' : ''}`} data-state={c.status} title={c.error ?? (c.oomKilled ? 'the kernel killed the container: it ran out of memory (OOM)' : label)}>{label}</span>;
  return c.health && c.status === 'running' ? <>{state} <HealthBadge health={c.health} /></> : state;
}
