import type { ContainerSummary } from '@common/types';

export function StateBadge({ c }: { c: ContainerSummary }) {
  const label = c.status === 'exited' ? `exited (${c.exitCode ?? '?'})` : c.status;
  const bad = c.status === 'exited' && c.exitCode !== 0 && c.exitCode !== undefined;
  return <span className={`badge st-${c.status}${bad ? ' bad' : ''}`} data-state={c.status} title={c.error ?? label}>{label}</span>;
}
