// Checkpoints per container and the progress of a running checkpoint/export/restore. A
// finished entry is removed PRUNE_MS after it finished (PRUNE_ERROR_MS when it failed).
import { create } from 'zustand';
import type { CheckpointSummary } from '../../../electron/common/contract';
import type { EngineEvent } from '../../../electron/common/types';
import { api } from '../api/client';
import { PRUNE_MS, PRUNE_ERROR_MS } from './prune';

export interface CpProgress { kind: string; status: string; current?: number; total?: number; done: boolean; error?: string }

export interface CheckpointsState {
  byContainer: Record<string, CheckpointSummary[] | undefined>;
  error: Record<string, string | undefined>;
  progress: Record<string, CpProgress | undefined>;
  refresh(container: string): Promise<void>;
  apply(e: EngineEvent): void;
}

export const useCheckpoints = create<CheckpointsState>()((set, get) => ({
  byContainer: {},
  error: {},
  progress: {},
  async refresh(container) {
    try {
      const list = await api().call('checkpoints.list', { id: container });
      set({ byContainer: { ...get().byContainer, [container]: list }, error: { ...get().error, [container]: undefined } });
    } catch (e) {
      set({ error: { ...get().error, [container]: (e as Error).message } });
    }
  },
  apply(e) {
    if (e.type === 'container' && (e.action === 'checkpointed' || e.action === 'restored')) { void get().refresh(e.id); return; }
    if (e.type !== 'progress' || e.kind === 'pull' || e.kind === 'load') return;
    const p: CpProgress = { kind: e.kind, status: e.status, current: e.current, total: e.total, done: !!e.done, error: e.error };
    set({ progress: { ...get().progress, [e.ref]: p } });
    if (p.done) {
      setTimeout(() => {
        if (get().progress[e.ref] !== p) return;
        const progress = { ...get().progress };
        delete progress[e.ref];
        set({ progress });
      }, p.error ? PRUNE_ERROR_MS : PRUNE_MS);
    }
  },
}));
