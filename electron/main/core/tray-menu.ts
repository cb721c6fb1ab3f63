// The tray menu as data: built from the containers list on every change (debounced by the
// caller), turned into an Electron Menu by a thin adapter (tray.ts). Pure.
import { SYSTEM_SOCKET, sameChoice, type EngineChoice } from './engine-choice';
import type { ContainerSummary } from '../../common/types';
import { can } from '../../common/states';

export type ContainerOp = 'terminal' | 'logs' | 'start' | 'stop' | 'pause' | 'unpause' | 'checkpoint-export' | 'remove';
export type TrayAction =
  | { kind: 'show' }
  | { kind: 'quit' }
  /** switch engines ('other' asks for a socket path) */
  | { kind: 'engine'; choice: EngineChoice | 'other' }
  | { kind: 'container'; op: ContainerOp; id: string; name: string };

/** A serialisable subset of Electron's MenuItemConstructorOptions; `action` replaces `click`. */
export interface TrayItem {
  id?: string;
  label?: string;
  type?: 'normal' | 'separator' | 'submenu';
  enabled?: boolean;
  toolTip?: string;
  submenu?: TrayItem[];
  action?: TrayAction;
}

export type TrayIconState = 'idle' | 'running' | 'busy';

export interface TrayContext {
  /** ids of containers with an action in flight (start/stop/checkpoint…) */
  busy?: ReadonlySet<string>;
  /** engine not available: say why in the menu */
  engineError?: string;
  /** checkpointing needs CRIU; when false the item is disabled with the reason */
  checkpointSupported?: boolean;
  /** cap on per-container submenus; the rest are summarised */
  maxContainers?: number;
  /** the engine in use (shown, and switchable, in an Engine submenu) */
  engine?: { label: string; choice: EngineChoice };
}

/** "Engine: <label>" with the three choices; the current one is marked. */
export function engineSubmenu(cur: { label: string; choice: EngineChoice }): TrayItem {
  const mark = (c: EngineChoice, label: string): TrayItem => {
    const on = sameChoice(c, cur.choice);
    return { id: `engine:${c.kind}`, label: `${on ? '✓ ' : ''}${esc(label)}`, enabled: !on, action: { kind: 'engine', choice: c } };
  };
  const other = cur.choice.kind === 'socket';
  return {
    id: 'engine', label: `Engine: ${esc(cur.label)}`, type: 'submenu', submenu: [
      mark({ kind: 'local' }, 'This app\'s engine (rootless for a normal user)'),
      mark({ kind: 'system' }, `System engine (${SYSTEM_SOCKET})`),
      { id: 'engine:socket', label: `${other ? '✓ ' : ''}Other pier socket…`, action: { kind: 'engine', choice: 'other' } },
    ],
  };
}

export interface Counts { running: number; paused: number; exited: number; created: number; total: number }
export function countContainers(list: readonly ContainerSummary[]): Counts {
  const c: Counts = { running: 0, paused: 0, exited: 0, created: 0, total: list.length };
  for (const x of list) {
    if (x.status === 'running') c.running++;
    else if (x.status === 'paused') c.paused++;
    else if (x.status === 'created') c.created++;
    else if (x.status === 'exited') c.exited++;
  }
  return c;
}

export function trayIconState(list: readonly ContainerSummary[], busy: ReadonlySet<string> = new Set()): TrayIconState {
  if (busy.size > 0) return 'busy';
  return list.some((c) => c.status === 'running' || c.status === 'paused') ? 'running' : 'idle';
}

export function trayTooltip(list: readonly ContainerSummary[], ctx: TrayContext = {}): string {
  if (ctx.engineError) return `Pier — engine not running: ${ctx.engineError}`;
  const c = countContainers(list);
  return `Pier — ${c.running} running, ${c.paused} paused, ${c.exited + c.created} stopped`;
}

const STATUS_LABEL: Record<ContainerSummary['status'], string> = { running: 'running', paused: 'paused', exited: 'exited', created: 'created', removing: 'removing' };
const shortId = (id: string) => id.slice(0, 12);
/** Menu labels treat `&` as a mnemonic marker on some platforms: escape it. */
const esc = (s: string) => s.replace(/&/g, '&&');

function statusText(c: ContainerSummary): string {
  if (c.status === 'exited' && c.exitCode !== undefined) return `exited (${c.exitCode})`;
  return STATUS_LABEL[c.status];
}

export function containerSubmenu(c: ContainerSummary, ctx: TrayContext = {}): TrayItem[] {
  const busy = ctx.busy?.has(c.id) ?? false;
  const act = (op: ContainerOp): TrayAction => ({ kind: 'container', op, id: c.id, name: c.name });
  const item = (id: ContainerOp, label: string, enabled: boolean, toolTip?: string): TrayItem => ({ id: `${id}:${c.id}`, label, enabled: enabled && !busy, action: act(id), ...(toolTip ? { toolTip } : {}) });
  const items: TrayItem[] = [
    { id: `status:${c.id}`, label: `${esc(c.image || 'rootfs')} — ${statusText(c)}${busy ? ' …' : ''}`, enabled: false },
    { type: 'separator' },
    item('terminal', 'Open Terminal', c.status === 'running'),
    item('logs', 'Logs', true),
    { type: 'separator' },
  ];
  if (can('stop', c.status)) items.push(item('stop', 'Stop', true));
  else items.push(item('start', 'Start', can('start', c.status)));
  if (can('unpause', c.status)) items.push(item('unpause', 'Resume', true));
  else items.push(item('pause', 'Pause', can('pause', c.status)));
  const cpOk = ctx.checkpointSupported !== false;
  items.push(item('checkpoint-export', 'Checkpoint && Export…', can('checkpoint', c.status) && cpOk, cpOk ? undefined : 'CRIU is not available (see System)'));
  items.push({ type: 'separator' });
  items.push(item('remove', 'Remove…', c.status !== 'removing'));
  return items;
}

const ORDER: Record<ContainerSummary['status'], number> = { running: 0, paused: 1, created: 2, exited: 3, removing: 4 };

/** The whole tray menu. The last two items are always "Show Pier" and "Quit". */
export function buildTrayMenu(list: readonly ContainerSummary[], ctx: TrayContext = {}): TrayItem[] {
  const items: TrayItem[] = [];
  if (ctx.engineError) {
    items.push({ id: 'engine-error', label: `Engine not running: ${esc(ctx.engineError)}`, enabled: false });
  } else {
    const c = countContainers(list);
    items.push({ id: 'counts', label: `${c.running} running · ${c.paused} paused · ${c.exited + c.created} stopped`, enabled: false });
    const max = ctx.maxContainers ?? 20;
    const sorted = [...list].sort((a, b) => ORDER[a.status] - ORDER[b.status] || a.name.localeCompare(b.name));
    if (sorted.length) items.push({ type: 'separator' });
    for (const x of sorted.slice(0, max)) {
      items.push({ id: `container:${x.id}`, label: `${esc(x.name || shortId(x.id))} (${statusText(x)})`, type: 'submenu', submenu: containerSubmenu(x, ctx) });
    }
    if (sorted.length > max) items.push({ id: 'more', label: `${sorted.length - max} more… (Show Pier)`, action: { kind: 'show' } });
    if (!sorted.length) items.push({ id: 'empty', label: 'No containers', enabled: false });
  }
  items.push({ type: 'separator' });
  if (ctx.engine) items.push(engineSubmenu(ctx.engine));
  items.push({ id: 'show', label: 'Show Pier', action: { kind: 'show' } });
  items.push({ id: 'quit', label: 'Quit (containers keep running)', action: { kind: 'quit' } });
  return items;
}

/** Depth-first search by id (tests, E2E and the adapter's click routing use it). */
export function findItem(items: readonly TrayItem[], id: string): TrayItem | undefined {
  for (const i of items) {
    if (i.id === id) return i;
    const s = i.submenu && findItem(i.submenu, id);
    if (s) return s;
  }
  return undefined;
}
