// The OOM killer ends a container: conmon's `oom` file is read, OOMKilled is recorded, `oom` is published
// before `exited`. The limit is set directly on the container's memory cgroup (limits come with the stats work).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { openEngine } from '../../electron/engine/open';
import { testDirs } from '../helpers/rootfs';

/** The memory cgroup directory of a process (v1 `memory` hierarchy, else v2). */
function memoryCgroup(pid: number): { dir: string; v1: boolean } {
  const lines = readFileSync(`/proc/${pid}/cgroup`, 'utf8').trim().split('\n').map((l) => l.split(':'));
  const v1 = lines.find(([, ctl]) => ctl.split(',').includes('memory'));
  if (v1 && existsSync('/sys/fs/cgroup/memory')) return { dir: `/sys/fs/cgroup/memory${v1[2]}`, v1: true };
  const v2 = lines.find(([h]) => h === '0');
  const base = existsSync('/sys/fs/cgroup/cgroup.controllers') ? '/sys/fs/cgroup' : '/sys/fs/cgroup/unified';
  return { dir: `${base}${v2![2]}`, v1: false };
}

test('OOM-killed container: OOMKilled recorded, oom event before exited; a clean rerun clears it', { timeout: 60_000 }, async () => {
  const d = testDirs();
  const engine = await openEngine({ root: d.root, runroot: d.runroot });
  try {
    const c = await engine.containers.create({ rootfs: d.rootfs, name: 'hog', cmd: ['sh', '-c', 'if [ -e /tmp/ok ]; then exit 0; fi; exec dd if=/dev/zero of=/dev/null bs=64M count=1'] });
    await engine.containers.init(c.id);
    const cg = memoryCgroup(engine.containers.get(c.id).state.pid);
    if (cg.v1) {
      writeFileSync(`${cg.dir}/memory.limit_in_bytes`, String(16 << 20));
      if (existsSync(`${cg.dir}/memory.memsw.limit_in_bytes`)) writeFileSync(`${cg.dir}/memory.memsw.limit_in_bytes`, String(16 << 20));
    } else {
      writeFileSync(`${cg.dir}/memory.max`, String(16 << 20));
      writeFileSync(`${cg.dir}/memory.swap.max`, '0');
    }
    const actions: string[] = [];
    engine.events.subscribe((e) => { if (e.type === 'container' && e.id === c.id) actions.push(e.action); });
    await engine.containers.start(c.id);
    assert.equal(await engine.containers.wait(c.id), 137);
    const s = engine.containers.inspect(c.id);
    assert.equal(s.oomKilled, true);
    assert.deepEqual(actions.filter((a) => a === 'oom' || a === 'exited'), ['oom', 'exited']);

    writeFileSync(`${d.rootfs}/tmp/ok`, '');
    await engine.containers.start(c.id);
    assert.equal(await engine.containers.wait(c.id), 0);
    assert.equal(engine.containers.inspect(c.id).oomKilled, undefined, 'the next run was not OOM-killed');
  } finally {
    for (const x of engine.containers.list()) await engine.containers.remove(x.id, { force: true }).catch(() => undefined);
    await engine.close();
    d.cleanup();
  }
});
