// The container state machine, as one table: for every operation, the statuses it runs from, the status it
// leaves, where it is redundant and the refusal otherwise. Statuses are Docker's State.Status values the engine
// has ('restarting' is an exited container with a pending policy restart, `state.restarting`; there is no
// 'dead'). A 'created' container may or may not have its runtime container yet (`initialized`: conmon launched,
// after `init` / attach-before-start); running and paused ones always have it; an exited one may keep it (an
// auto-remove one until its removal, any other while the runtime could not delete it). Pure data, shared: the engine
// enforces it (engine/containers/states.ts), the desktop offers only the actions it allows (`can`).
import type { ContainerStatus } from './types';

export const STATUSES: readonly ContainerStatus[] = ['created', 'running', 'paused', 'exited', 'removing'];

/** What the table reads of a record's state. */
export interface StateView {
  status: ContainerStatus;
  /** the runtime container exists (conmon + runc state) */
  initialized: boolean;
}

export type Op =
  | 'start' // user or restart policy start; restart = stop + start
  | 'stop'
  | 'kill'
  | 'pause'
  | 'unpause'
  | 'remove' // without force
  | 'forceRemove' // stops a live container first
  | 'restore' // checkpoint restore in place (start --checkpoint)
  | 'checkpoint'
  | 'exec'
  | 'top' // the container's processes (docker top, the desktop's Processes tab)
  | 'attach' // Docker API attach (`docker start -a` attaches to an exited container)
  | 'terminal' // the desktop's attach session: a paused container's terminal can be watched
  | 'resize'
  | 'update'
  | 'rename'
  | 'exit'; // conmon's exit recorded (exit file, conmon gone, `pier container cleanup`)

export type Verdict = 'go' | 'noop';

export interface Rule {
  /** statuses the operation runs from */
  from: readonly ContainerStatus[];
  /** the status a successful operation leaves, when it sets one */
  to?: ContainerStatus;
  /** `from` counts only when the runtime container exists (`initialized`) */
  needsRuntime?: boolean;
  /** statuses where the operation is redundant: nothing happens, no error */
  noop?: readonly ContainerStatus[];
  /** refusal per status; `{name}` and `{status}` are filled in */
  refuse?: Partial<Record<ContainerStatus, string>>;
  /** refusal for the remaining statuses */
  otherwise?: string;
}

const NOT_RUNNING = 'container {name} is not running';
const BEING_REMOVED = 'container {name} is being removed';
const ALL = STATUSES;
const LIVE: readonly ContainerStatus[] = ['running', 'paused'];
const NOT_LIVE: readonly ContainerStatus[] = ['created', 'exited', 'removing'];

/** The table. Messages tests or clients match are kept word for word (docs/engine.md, "State transitions"). */
export const RULES: Readonly<Record<Op, Rule>> = {
  start: {
    from: ['created', 'exited'],
    to: 'running',
    noop: ['running'],
    refuse: { paused: 'container {name} is paused: unpause it instead', removing: BEING_REMOVED },
  },
  stop: { from: LIVE, to: 'exited', noop: NOT_LIVE },
  kill: { from: LIVE, otherwise: NOT_RUNNING },
  pause: {
    from: ['running'],
    to: 'paused',
    refuse: { paused: 'container {name} is already paused' },
    otherwise: 'container {name} is not running (it is {status})',
  },
  unpause: { from: ['paused'], to: 'running', otherwise: 'container {name} is not paused (it is {status})' },
  remove: {
    from: NOT_LIVE,
    to: 'removing',
    otherwise:
      'cannot remove container "/{name}": container is {status}: stop the container before removing or force remove',
  },
  forceRemove: { from: ALL, to: 'removing' },
  restore: {
    from: ['created', 'exited'],
    to: 'running',
    refuse: { removing: BEING_REMOVED },
    otherwise: 'container {name} is {status}: stop it before restoring',
  },
  checkpoint: {
    from: ['running'],
    refuse: { paused: 'container {name} is paused; unpause it first' },
    otherwise: 'container {name} is not running (it is {status}); only running containers can be checkpointed',
  },
  exec: {
    from: ['running'],
    refuse: { paused: 'container {name} is paused, unpause the container before exec' },
    otherwise: NOT_RUNNING,
  },
  top: { from: LIVE, needsRuntime: true, otherwise: NOT_RUNNING },
  attach: {
    from: ['created', 'running', 'exited'],
    refuse: { paused: 'container {name} is paused, unpause the container before attach.', removing: BEING_REMOVED },
  },
  terminal: { from: ['created', 'running', 'paused'], otherwise: 'container {name} is not running: start it first' },
  resize: { from: ['created', 'running', 'paused'], needsRuntime: true, otherwise: NOT_RUNNING },
  update: { from: ['created', 'running', 'paused', 'exited'], refuse: { removing: BEING_REMOVED } },
  rename: { from: ['created', 'running', 'paused', 'exited'], refuse: { removing: BEING_REMOVED } },
  exit: { from: ['created', 'running', 'paused'], to: 'exited', needsRuntime: true, noop: ALL },
};

/** The table's answer: 'go', 'noop', or the refusal with the container's name and status filled in. */
export function verdict(op: Op, s: StateView, name: string): 'go' | 'noop' | { refusal: string } {
  const rule = RULES[op];
  if (rule.from.includes(s.status) && (!rule.needsRuntime || s.initialized)) return 'go';
  if (rule.noop?.includes(s.status)) return 'noop';
  const text = rule.refuse?.[s.status] ?? rule.otherwise ?? `cannot ${op} container {name}: it is {status}`;
  return { refusal: text.replaceAll('{name}', name).replaceAll('{status}', s.status) };
}

/** Whether the operation runs from this status (the desktop's buttons and menus; the engine re-checks). */
export function can(op: Op, status: ContainerStatus): boolean {
  return RULES[op].from.includes(status);
}

/** A process runs (or is frozen) in the container: Docker's State.Running. */
export function isLive(status: ContainerStatus): boolean {
  return status === 'running' || status === 'paused';
}
