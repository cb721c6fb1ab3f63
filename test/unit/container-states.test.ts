// The container transition table (electron/engine/containers/states.ts): every operation in every state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  InvalidStateError,
  RULES,
  STATUSES,
  hasRuntime,
  isLive,
  transition,
  type Op,
  type StateView,
} from '../../electron/engine/containers/states';
import { can } from '../../electron/common/states';

// States as the table sees them: 'created' twice (with and without its runtime container).
const STATES: Array<[string, StateView]> = [
  ['created', { status: 'created', initialized: false }],
  ['created+rt', { status: 'created', initialized: true }],
  ['running', { status: 'running', initialized: true }],
  ['paused', { status: 'paused', initialized: true }],
  ['exited', { status: 'exited', initialized: false }],
  ['removing', { status: 'removing', initialized: false }],
];

// Expected, written out independently of the table: go, noop, or the message (N = the container's name).
const NR = 'container N is not running';
const RM = 'container N is being removed';
const EXPECTED: Record<Op, string[]> = {
  //          created, created+rt, running, paused, exited, removing
  start: ['go', 'go', 'noop', 'container N is paused: unpause it instead', 'go', RM],
  stop: ['noop', 'noop', 'go', 'go', 'noop', 'noop'],
  kill: [NR, NR, 'go', 'go', NR, NR],
  pause: [
    'container N is not running (it is created)',
    'container N is not running (it is created)',
    'go',
    'container N is already paused',
    'container N is not running (it is exited)',
    'container N is not running (it is removing)',
  ],
  unpause: [
    'container N is not paused (it is created)',
    'container N is not paused (it is created)',
    'container N is not paused (it is running)',
    'go',
    'container N is not paused (it is exited)',
    'container N is not paused (it is removing)',
  ],
  remove: [
    'go',
    'go',
    'cannot remove container "/N": container is running: stop the container before removing or force remove',
    'cannot remove container "/N": container is paused: stop the container before removing or force remove',
    'go',
    'go',
  ],
  forceRemove: ['go', 'go', 'go', 'go', 'go', 'go'],
  restore: [
    'go',
    'go',
    'container N is running: stop it before restoring',
    'container N is paused: stop it before restoring',
    'go',
    RM,
  ],
  checkpoint: [
    'container N is not running (it is created); only running containers can be checkpointed',
    'container N is not running (it is created); only running containers can be checkpointed',
    'go',
    'container N is paused; unpause it first',
    'container N is not running (it is exited); only running containers can be checkpointed',
    'container N is not running (it is removing); only running containers can be checkpointed',
  ],
  exec: [NR, NR, 'go', 'container N is paused, unpause the container before exec', NR, NR],
  top: [NR, NR, 'go', 'go', NR, NR],
  attach: ['go', 'go', 'go', 'container N is paused, unpause the container before attach.', 'go', RM],
  terminal: [
    'go',
    'go',
    'go',
    'go',
    'container N is not running: start it first',
    'container N is not running: start it first',
  ],
  resize: [NR, 'go', 'go', 'go', NR, NR],
  update: ['go', 'go', 'go', 'go', 'go', RM],
  rename: ['go', 'go', 'go', 'go', 'go', RM],
  exit: ['noop', 'go', 'go', 'go', 'noop', 'noop'],
};

function outcome(op: Op, s: StateView, name: string): string {
  try {
    return transition(op, s, name);
  } catch (e) {
    assert.ok(e instanceof InvalidStateError, `${op}: an InvalidStateError`);
    assert.equal((e as InvalidStateError).code, 'ESTATE');
    return e.message;
  }
}

test('every operation in every state: go, noop or the expected refusal', () => {
  assert.deepEqual(Object.keys(RULES).sort(), Object.keys(EXPECTED).sort(), 'the test covers every operation');
  for (const op of Object.keys(EXPECTED) as Op[]) {
    STATES.forEach(([label, s], i) => {
      assert.equal(outcome(op, s, 'N'), EXPECTED[op][i], `${op} from ${label}`);
    });
  }
});

test('every refusal names the container and comes from the table, not the fallback', () => {
  for (const op of Object.keys(RULES) as Op[]) {
    for (const [label, s] of STATES) {
      const m = outcome(op, s, 'web-1');
      if (m === 'go' || m === 'noop') continue;
      assert.match(m, /web-1/, `${op} from ${label} names the container`);
      assert.doesNotMatch(m, /\{name\}|\{status\}|^cannot \w+ container web-1: it is/, `${op} from ${label}`);
    }
  }
});

test('rules name only statuses the engine has', () => {
  for (const [op, rule] of Object.entries(RULES)) {
    if (rule.to) assert.ok(STATUSES.includes(rule.to), `${op} → ${rule.to}`);
    for (const s of rule.from) assert.ok(STATUSES.includes(s), `${op} from ${s}`);
  }
});

test("isLive is Docker's State.Running; hasRuntime adds a created container with its runtime container", () => {
  assert.deepEqual(
    STATUSES.filter((s) => isLive(s)),
    ['running', 'paused'],
  );
  assert.deepEqual(
    STATES.filter(([, s]) => hasRuntime(s)).map(([l]) => l),
    ['created+rt', 'running', 'paused'],
  );
});

test("the desktop's `can` offers exactly the statuses an operation runs from", () => {
  for (const op of Object.keys(EXPECTED) as Op[]) {
    for (const status of STATUSES) {
      const label = status === 'created' ? 'created+rt' : status;
      const i = STATES.findIndex(([l]) => l === label);
      assert.equal(can(op, status), EXPECTED[op][i] === 'go', `${op} from ${status}`);
    }
  }
});
