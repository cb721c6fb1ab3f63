// Networks: the list (with each network's live containers), refreshed on network events and
// on container starts/exits (endpoints come and go with them).
import { create } from 'zustand';
import type { NetworkSummary } from '../../../electron/common/contract';
import type { EngineEvent } from '../../../electron/common/types';
import { api } from '../api/client';

export interface NetworksState {
  list: NetworkSummary[];
  loaded: boolean;
  error?: string;
  refresh(): Promise<void>;
  apply(e: EngineEvent): void;
}

export const useNetworks = create<NetworksState>()((set, get) => ({
  list: [],
  loaded: false,
  async refresh() {
    try { set({ list: await api().call('networks.list', {}), loaded: true, error: undefined }); }
    catch (e) { set({ loaded: true, error: (e as Error).message }); }
  },
  apply(e) {
    if (!get().loaded) return;
    if (e.type === 'network' || (e.type === 'container' && ['started', 'exited', 'removed'].includes(e.action))) void get().refresh();
  },
}));
