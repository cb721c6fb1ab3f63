// Compose stacks as the UI sees them: containers grouped by their project label. Pure.
import type { ContainerSummary } from '../../../electron/common/types';
import { COMPOSE_PROJECT, COMPOSE_SERVICE } from '../../../electron/common/types';

export interface Stack {
  project: string;
  ids: string[];
  running: number;
  unhealthy: number;
  /** the stack's state at a glance */
  state: 'running' | 'partial' | 'stopped';
}

/** Stacks by project name; containers in each keep the store's order. */
export function groupStacks(byId: Record<string, ContainerSummary>, order: string[]): Stack[] {
  const m = new Map<string, string[]>();
  for (const id of order) {
    const p = byId[id]?.labels[COMPOSE_PROJECT];
    if (p) m.set(p, [...(m.get(p) ?? []), id]);
  }
  return [...m.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([project, ids]) => {
    const cs = ids.map((i) => byId[i]);
    const running = cs.filter((c) => c.status === 'running' || c.status === 'paused').length;
    const unhealthy = cs.filter((c) => c.health === 'unhealthy').length;
    return { project, ids, running, unhealthy, state: running === 0 ? 'stopped' : running === ids.length ? 'running' : 'partial' };
  });
}

/** A stable signature of the grouping, so views re-render only when membership or states change. */
export function stacksKey(byId: Record<string, ContainerSummary>, order: string[]): string {
  return groupStacks(byId, order).map((s) => `${s.project}:${s.ids.join(',')}:${s.running}:${s.unhealthy}`).join('|');
}

export function serviceOf(c: ContainerSummary): string {
  return c.labels[COMPOSE_SERVICE] ?? c.name;
}

/** A colour per service name that stays the same across runs and reloads. */
export function serviceColor(source: string): string {
  let h = 0;
  for (let i = 0; i < source.length; i++) h = (h * 31 + source.charCodeAt(i)) >>> 0;
  return `hsl(${h % 360} 65% 60%)`;
}
