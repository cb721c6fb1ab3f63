// Images and pull progress (per task, per layer), fed by engine progress events.
import { create } from 'zustand';
import type { ImageSummary } from '../../../electron/common/contract';
import type { EngineEvent } from '../../../electron/common/types';
import { api } from '../api/client';

export interface LayerProgress { status: string; current?: number; total?: number }
export interface PullTask { task: string; ref: string; status: string; layers: Record<string, LayerProgress>; done: boolean; error?: string }

export interface ImagesState {
  list: ImageSummary[];
  loaded: boolean;
  error?: string;
  pulls: Record<string, PullTask>;
  refresh(): Promise<void>;
  apply(e: EngineEvent): void;
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
    set({ pulls: { ...get().pulls, [e.task]: { ...prev, status: e.status, layers, done: !!e.done, error: e.error } } });
  },
}));
