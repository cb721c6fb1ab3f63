// One container-name rule (electron/common/names.ts) for the engine, the contract and the API.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertContainerName, containerName, containerNameProblem } from '../../electron/common/names';
import { createParams } from '../../electron/common/contract';

test("container names: Docker's rule, with a message naming the name and the rule", () => {
  for (const ok of ['db', 'web-1', 'a.b_c', '0x', 'A'.repeat(128)])
    assert.equal(containerNameProblem(ok), undefined, ok);
  for (const bad of ['a', '', '-x', '_x', '.x', 'a/b', 'a b', 'é1', '/web', 'A'.repeat(129)]) {
    const p = containerNameProblem(bad);
    assert.ok(p, `${JSON.stringify(bad)} is refused`);
    assert.match(p, /invalid container name/);
  }
  assert.throws(
    () => assertContainerName('x'),
    (e: NodeJS.ErrnoException) => e.code === 'EINVAL' && /"x"/.test(e.message),
  );
  assert.equal(containerName.safeParse('db').success, true);
  assert.equal(containerName.safeParse('a').success, false);
  assert.equal(createParams.safeParse({ name: '-bad' }).success, false);
});
