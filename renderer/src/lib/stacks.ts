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

/** The stack's state at a glance: "2/3 running · 1 unhealthy". */
export function glance(s: Stack): string {
  const parts = [`${s.running}/${s.ids.length} running`];
  if (s.unhealthy) parts.push(`${s.unhealthy} unhealthy`);
  return parts.join(' · ');
}

/** A line of the containers list: a stack's heading or one container. */
export type ListItem = { kind: 'stack'; project: string; count: number } | { kind: 'row'; id: string };

/**
 * The containers list with compose projects grouped: a project's heading stands where its first container (in
 * the list's order) would, its containers follow it (unless collapsed); other containers keep their place.
 */
export function listItems(ids: string[], byId: Record<string, ContainerSummary>, collapsed: Record<string, boolean>): ListItem[] {
  const members = new Map<string, string[]>();
  for (const id of ids) {
    const p = byId[id]?.labels[COMPOSE_PROJECT];
    if (p) members.set(p, [...(members.get(p) ?? []), id]);
  }
  const out: ListItem[] = [];
  const placed = new Set<string>();
  for (const id of ids) {
    const p = byId[id]?.labels[COMPOSE_PROJECT];
    if (!p) { out.push({ kind: 'row', id }); continue; }
    if (placed.has(p)) continue;
    placed.add(p);
    const group = members.get(p)!;
    out.push({ kind: 'stack', project: p, count: group.length });
    if (!collapsed[p]) for (const m of group) out.push({ kind: 'row', id: m });
  }
  return out;
}
