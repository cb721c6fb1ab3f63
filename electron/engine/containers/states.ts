// The container state machine (electron/common/states.ts holds the table) as the engine enforces it: every
// operation asks `transition()` which of three it is:
//   'go'   — allowed: the operation runs (and leaves the container in the rule's `to`, when it sets one);
//   'noop' — redundant: nothing to do, not an error (the API's 304 for start/stop);
//   throws InvalidStateError (code ESTATE → 409) with the table's message, naming the container.
// Lifecycle operations ask under the container's lock (containers/service.ts); pre-checks that answer before any
// work starts (API handlers, sessions, resize) ask without it and the locked check has the last word.
// Small imports: `pier container cleanup` loads this once per exit.
import { verdict, type Op, type StateView, type Verdict } from '../../common/states';

export { RULES, STATUSES, isLive, type Op, type Rule, type StateView, type Verdict } from '../../common/states';

export class InvalidStateError extends Error {
  readonly code = 'ESTATE';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidStateError';
  }
}

/** Whether `op` runs ('go'), has nothing to do ('noop') or is refused (InvalidStateError naming `name`). */
export function transition(op: Op, s: StateView, name: string): Verdict {
  const v = verdict(op, s, name);
  if (typeof v === 'object') throw new InvalidStateError(v.refusal);
  return v;
}

/** The runtime has (or may have) a live container for this state: an exit is still to be recorded. */
export function hasRuntime(s: StateView): boolean {
  return verdict('exit', s, '') === 'go';
}
