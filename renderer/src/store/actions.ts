// Per-container action state: which action is in flight and the last error, shown on
// the row or in the detail header where the action was taken.
import { create } from 'zustand';
import { api } from '../api/client';
import { useContainers } from './containers';

export type ContainerVerb = 'start' | 'stop' | 'restart' | 'pause' | 'unpause' | 'kill' | 'remove';

export interface ActionsState {
  busy: Record<string, ContainerVerb | undefined>;
  errors: Record<string, string | undefined>;
  run(id: string, verb: ContainerVerb): Promise<boolean>;
  clearError(id: string): void;
}

export const useActions = create<ActionsState>()((set, get) => ({
  busy: {},
  errors: {},
  async run(id, verb) {
    set({ busy: { ...get().busy, [id]: verb }, errors: { ...get().errors, [id]: undefined } });
    try {
      if (verb === 'remove') {
        await api().call('containers.remove', { id, force: true });
        useContainers.getState().remove(id);
      } else {
        const c = await api().call(`containers.${verb}`, { id });
        useContainers.getState().upsert(c);
      }
      return true;
    } catch (e) {
      const name = useContainers.getState().byId[id]?.name ?? id.slice(0, 12);
      set({ errors: { ...get().errors, [id]: `${verb} ${name}: ${(e as Error).message}` } });
      return false;
    } finally {
      set({ busy: { ...get().busy, [id]: undefined } });
    }
  },
  clearError: (id) => set({ errors: { ...get().errors, [id]: undefined } }),
}));
