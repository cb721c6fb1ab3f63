// Session metadata (never bytes): which engine session a container's Terminal/Shell tab
// and the host terminal show. Sessions live in the engine; this only remembers ids, and
// is re-filled from sessions.list after a reload.
import { create } from 'zustand';
import type { SessionInfo } from '../../../electron/common/contract';

export type Slot = `attach:${string}` | `shell:${string}` | 'host';

export interface SessionsState {
  bySlot: Partial<Record<Slot, SessionInfo>>;
  set(slot: Slot, info: SessionInfo | undefined): void;
  adopt(list: SessionInfo[]): void;
}

export const useSessions = create<SessionsState>()((set, get) => ({
  bySlot: {},
  set: (slot, info) => set({ bySlot: { ...get().bySlot, [slot]: info } }),
  adopt(list) {
    const bySlot = { ...get().bySlot };
    for (const s of list) {
      if (!s.alive) continue;
      const slot: Slot = s.kind === 'host' ? 'host' : s.kind === 'attach' ? `attach:${s.container}` : `shell:${s.container}`;
      if (!bySlot[slot]) bySlot[slot] = s;
    }
    set({ bySlot });
  },
}));
