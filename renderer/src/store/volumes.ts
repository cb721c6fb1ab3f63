// Volumes: rows with sizes and the containers using them, refreshed on volume events and when containers
// come and go (their users change).
import { create } from 'zustand';
import type { VolumeRow } from '../../../electron/common/contract';
import type { EngineEvent } from '../../../electron/common/types';
import { api } from '../api/client';

export interface VolumesState {
  list: VolumeRow[];
  loaded: boolean;
  error?: string;
  refresh(): Promise<void>;
  apply(e: EngineEvent): void;
}

export const useVolumes = create<VolumesState>()((set, get) => ({
  list: [],
  loaded: false,
  async refresh() {
    try { set({ list: await api().call('volumes.list', {}), loaded: true, error: undefined }); }
    catch (e) { set({ loaded: true, error: (e as Error).message }); }
  },
  apply(e) {
    if (!get().loaded) return;
    if ((e.type === 'volume' && e.action !== 'mount' && e.action !== 'unmount') || (e.type === 'container' && ['created', 'removed'].includes(e.action))) void get().refresh();
  },
}));
