// A list read with one RPC method and read again when an engine event concerns it.
// Stores of this shape (volumes, networks) differ only in the method and the events.
import { create } from 'zustand';
import type { MethodName, Result } from '../../../electron/common/contract';
import type { EngineEvent } from '../../../electron/common/types';
import { api } from '../api/client';

export interface EventListState<T> {
  list: T[];
  loaded: boolean;
  error?: string;
  refresh(): Promise<void>;
  /** refreshes when the list has been loaded once and `concerns(e)` */
  apply(e: EngineEvent): void;
}

type ListMethod = { [M in MethodName]: Result<M> extends unknown[] ? M : never }[MethodName];
type Row<M extends ListMethod> = Result<M> extends Array<infer T> ? T : never;

export function eventListStore<M extends ListMethod>(method: M, concerns: (e: EngineEvent) => boolean) {
  return create<EventListState<Row<M>>>()((set, get) => ({
    list: [],
    loaded: false,
    async refresh() {
      try {
        const list = (await api().call(method, {} as never)) as Row<M>[];
        set({ list, loaded: true, error: undefined });
      } catch (e) {
        set({ loaded: true, error: (e as Error).message });
      }
    },
    apply(e) {
      if (get().loaded && concerns(e)) void get().refresh();
    },
  }));
}
