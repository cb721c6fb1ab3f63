// Containers, keyed by id. Engine events replace one entry at a time (its object
// identity changes, nobody else's), so only that row re-renders. A full list is fetched
// once at start and again after a reconnect, never per event.
import { create } from 'zustand';
import type { ContainerSummary, EngineEvent } from '../../../electron/common/types';

export interface ContainersState {
  byId: Record<string, ContainerSummary>;
  /** creation order, newest first */
  order: string[];
  loaded: boolean;
  loadError?: string;
  setAll(list: ContainerSummary[]): void;
  setLoadError(msg: string): void;
  upsert(c: ContainerSummary): void;
  remove(id: string): void;
  apply(e: EngineEvent): void;
}

const newestFirst = (a: ContainerSummary, b: ContainerSummary) => (a.created < b.created ? 1 : a.created > b.created ? -1 : 0);

export const useContainers = create<ContainersState>()((set, get) => ({
  byId: {},
  order: [],
  loaded: false,
  setAll(list) {
    const byId: Record<string, ContainerSummary> = {};
    for (const c of list) byId[c.id] = c;
    set({ byId, order: [...list].sort(newestFirst).map((c) => c.id), loaded: true, loadError: undefined });
  },
  setLoadError(msg) { set({ loadError: msg, loaded: true }); },
  upsert(c) {
    const s = get();
    const known = c.id in s.byId;
    set({ byId: { ...s.byId, [c.id]: c }, ...(known ? {} : { order: [c.id, ...s.order] }) });
  },
  remove(id) {
    const s = get();
    if (!(id in s.byId)) return;
    const byId = { ...s.byId };
    delete byId[id];
    set({ byId, order: s.order.filter((x) => x !== id) });
  },
  apply(e) {
    if (e.type !== 'container') return;
    if (e.action === 'removed') { get().remove(e.id); return; }
    if (e.container) get().upsert(e.container);
  },
}));

export type StateFilter = 'all' | 'running' | 'paused' | 'stopped';

export function matches(c: ContainerSummary, text: string, state: StateFilter): boolean {
  if (state === 'running' && c.status !== 'running') return false;
  if (state === 'paused' && c.status !== 'paused') return false;
  if (state === 'stopped' && c.status !== 'exited' && c.status !== 'created') return false;
  if (!text) return true;
  const t = text.toLowerCase();
  return c.name.toLowerCase().includes(t) || c.image.toLowerCase().includes(t) || c.id.startsWith(t) || c.command.toLowerCase().includes(t);
}

/** Ids shown for a filter; a stable array when nothing relevant changed (callers use useShallow). */
export function visibleIds(s: Pick<ContainersState, 'byId' | 'order'>, text: string, state: StateFilter): string[] {
  if (!text && state === 'all') return s.order;
  return s.order.filter((id) => matches(s.byId[id], text, state));
}
