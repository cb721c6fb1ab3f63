// The OCI runtime's own words reach the user whole: logrus `msg="…"` fields keep their escaped quotes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runtimeMessage } from '../../electron/engine/runtime/conmon-runtime';

test('runtime messages keep escaped quotes and backslashes', () => {
  const stderr = 'time="2026-01-01T00:00:00Z" level=error msg="runc run failed: exec: \\"foo\\": executable file not found in $PATH"\n';
  assert.equal(runtimeMessage(stderr), 'runc run failed: exec: "foo": executable file not found in $PATH');
  assert.equal(runtimeMessage('level=error msg="a \\\\ b"'), 'a \\ b');
  assert.equal(runtimeMessage('plain first\ncontainer "x" does not exist\n'), 'container "x" does not exist');
});
