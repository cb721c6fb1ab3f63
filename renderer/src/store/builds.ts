// Builds: one entry per build task, fed by progress events {kind:'build'} (step, output, end). Every window sees
// every build (a build started in one window shows its log in another).
import { create } from 'zustand';
import type { EngineEvent } from '../../../electron/common/types';

/** Output kept per build (the end of it) */
const MAX_LOG = 256 * 1024;

export interface BuildTask {
  task: string; ref: string; step: number; total: number; status: string; log: string;
  done: boolean; error?: string; imageId?: string;
}

export interface BuildsState {
  byTask: Record<string, BuildTask>;
  apply(e: EngineEvent): void;
}

export const useBuilds = create<BuildsState>()((set, get) => ({
  byTask: {},
  apply(e) {
    if (e.type !== 'progress' || e.kind !== 'build') return;
    const prev = get().byTask[e.task] ?? { task: e.task, ref: e.ref, step: 0, total: 0, status: '', log: '', done: false };
    let log = prev.log + (e.text ?? '');
    if (log.length > MAX_LOG) log = log.slice(log.length - MAX_LOG);
    const next: BuildTask = {
      ...prev, log, step: e.current ?? prev.step, total: e.total ?? prev.total,
      status: e.status === 'output' ? prev.status : e.status, done: !!e.done, error: e.error, imageId: e.imageId ?? prev.imageId,
    };
    set({ byTask: { ...get().byTask, [e.task]: next } });
  },
}));
