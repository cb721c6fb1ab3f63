// Images and pull progress (per task, per layer), fed by engine progress events. A finished
// pull stays on screen for PRUNE_MS (a failed one for PRUNE_ERROR_MS, its error where the pull
// was started), then its entry is removed: the store holds only pulls in flight or just done.
import { create } from 'zustand';
import type { ImageSummary } from '../../../electron/common/contract';
import type { EngineEvent } from '../../../electron/common/types';
import { api } from '../api/client';
import { PRUNE_MS, PRUNE_ERROR_MS } from './prune';

export interface LayerProgress { status: string; current?: number; total?: number }
export interface PullTask { task: string; ref: string; status: string; layers: Record<string, LayerProgress>; done: boolean; error?: string }


export interface ImagesState {
  list: ImageSummary[];
  loaded: boolean;
  error?: string;
  pulls: Record<string, PullTask>;
  refresh(): Promise<void>;
  apply(e: EngineEvent): void;
  /** drops a finished pull, unless it changed since `task` */
  prune(id: string, task: PullTask): void;
}

export const useImages = create<ImagesState>()((set, get) => ({
  list: [],
  loaded: false,
  pulls: {},
  async refresh() {
    try { set({ list: await api().call('images.list', {}), loaded: true, error: undefined }); }
    catch (e) { set({ loaded: true, error: (e as Error).message }); }
  },
  apply(e) {
    if (e.type === 'image') { void get().refresh(); return; }
    if (e.type !== 'progress' || e.kind !== 'pull') return;
    const prev = get().pulls[e.task] ?? { task: e.task, ref: e.ref, status: e.status, layers: {}, done: false };
    const layers = e.layer ? { ...prev.layers, [e.layer]: { status: e.status, current: e.current, total: e.total } } : prev.layers;
    const task = { ...prev, status: e.status, layers, done: !!e.done, error: e.error };
    set({ pulls: { ...get().pulls, [e.task]: task } });
    if (task.done) setTimeout(() => get().prune(e.task, task), task.error ? PRUNE_ERROR_MS : PRUNE_MS);
  },
  prune(id, task) {
    if (get().pulls[id] !== task) return; // a newer event for the task: its own timer prunes it
    const pulls = { ...get().pulls };
    delete pulls[id];
    set({ pulls });
  },
}));
