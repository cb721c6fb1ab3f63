// What Pier says when it quits: containers keep running under their conmon.
import type { ContainerSummary } from '../../common/types';

export function quitMessage(list: readonly ContainerSummary[]): { title: string; body: string; live: number } {
  const live = list.filter((c) => c.status === 'running' || c.status === 'paused');
  if (!live.length) return { title: 'Pier quit', body: 'No containers were running.', live: 0 };
  const names = live.slice(0, 5).map((c) => c.name).join(', ') + (live.length > 5 ? `, and ${live.length - 5} more` : '');
  const n = live.length === 1 ? '1 container keeps' : `${live.length} containers keep`;
  return { title: 'Pier quit — containers keep running', body: `${n} running: ${names}. Pier picks ${live.length === 1 ? 'it' : 'them'} up again at next start.`, live: live.length };
}
