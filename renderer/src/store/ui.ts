// UI state: current view, selection, filters, open dialogs, toasts.
import { create } from 'zustand';
import type { StateFilter } from './containers';
import { DEFAULT_SORT, nextSort, type Sort, type SortKey } from '../lib/stats';

export type View = 'containers' | 'stacks' | 'images' | 'volumes' | 'networks' | 'system' | 'host' | 'settings';
export type DetailTab = 'terminal' | 'shell' | 'logs' | 'stats' | 'processes' | 'inspect' | 'checkpoints';
export type Dialog = { kind: 'create'; image?: string } | { kind: 'palette' } | { kind: 'confirm-remove'; ids: string[] }
  | { kind: 'commit'; id: string }
  /** web: set when a folder was dropped (a browser gives no path) */
  | { kind: 'build'; context?: string; dockerfile?: string; note?: string }
  | { kind: 'confirm'; spec: ConfirmSpec }
  | undefined;
/** A confirmation (components/ConfirmDialog): `run` does the work; a thrown error is shown in the dialog. */
export interface ConfirmSpec {
  title: string;
  message: string;
  /** the confirming button's label, e.g. "Remove" */
  action: string;
  /** an extra choice shown as a checkbox, off by default, e.g. "Also remove its named volumes" */
  option?: string;
  run(option: boolean): Promise<void>;
}
export interface Toast { id: number; text: string; kind: 'error' | 'info' }

export interface UiState {
  view: View;
  selected?: string;
  tab: DetailTab;
  filter: string;
  stateFilter: StateFilter;
  checked: Record<string, true>;
  /** containers list order (column headers) */
  sort: Sort;
  /** compose projects folded in the containers list */
  collapsedStacks: Record<string, boolean>;
  dialog: Dialog;
  toasts: Toast[];
  connection: 'connecting' | 'open' | 'closed' | 'unauthorized';
  setView(v: View): void;
  select(id?: string, tab?: DetailTab): void;
  setTab(t: DetailTab): void;
  setFilter(f: string): void;
  setStateFilter(f: StateFilter): void;
  sortBy(k: SortKey): void;
  toggleStack(project: string): void;
  toggleChecked(id: string): void;
  setChecked(ids: string[]): void;
  openDialog(d: Dialog): void;
  closeDialog(): void;
  toast(text: string, kind?: Toast['kind']): void;
  dismiss(id: number): void;
  setConnection(c: UiState['connection']): void;
}

let toastId = 1;

export const useUi = create<UiState>()((set, get) => ({
  view: 'containers',
  tab: 'terminal',
  filter: '',
  stateFilter: 'all',
  checked: {},
  sort: DEFAULT_SORT,
  collapsedStacks: {},
  dialog: undefined,
  toasts: [],
  connection: 'connecting',
  setView: (view) => set({ view }),
  select: (selected, tab) => set({ selected, view: 'containers', ...(tab ? { tab } : {}) }),
  setTab: (tab) => set({ tab }),
  setFilter: (filter) => set({ filter }),
  setStateFilter: (stateFilter) => set({ stateFilter }),
  sortBy: (k) => set({ sort: nextSort(get().sort, k) }),
  toggleStack: (p) => set({ collapsedStacks: { ...get().collapsedStacks, [p]: !get().collapsedStacks[p] } }),
  toggleChecked(id) {
    const checked = { ...get().checked };
    if (checked[id]) delete checked[id]; else checked[id] = true;
    set({ checked });
  },
  setChecked: (ids) => set({ checked: Object.fromEntries(ids.map((i) => [i, true as const])) }),
  openDialog: (dialog) => set({ dialog }),
  closeDialog: () => set({ dialog: undefined }),
  toast(text, kind = 'error') {
    const t = { id: toastId++, text, kind };
    set({ toasts: [...get().toasts.slice(-4), t] });
    setTimeout(() => get().dismiss(t.id), kind === 'error' ? 8000 : 4000);
  },
  dismiss: (id) => set({ toasts: get().toasts.filter((t) => t.id !== id) }),
  setConnection: (connection) => set({ connection }),
}));
