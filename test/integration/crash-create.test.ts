// Issue 11, item 15: the engine SIGKILLed in the middle of 10 parallel `run`s. The runtime is runc behind a gate
// (a wrapper named runc whose `create` waits for a file after runc's own create), so the kill lands while the
// runtime holds containers whose records never learnt of them. The next engine lists every container, each starts, and `rm -f` leaves no
// runc init, conmon, runtime state or cgroup.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openEngine } from '../../electron/engine/open';
import { CONMON_CGROUP, cgroupHierarchies } from '../../electron/engine/runtime/conmon-cgroup';
import { testDirs } from '../helpers/rootfs';
import { diskRecord, runcStatus, until } from '../helpers/crash';

const here = path.dirname(fileURLToPath(import.meta.url));
const N = 10;

/** A `runc` that, after a real `create`, marks `<gate>.<id>` and waits for `<gate>` to exist before exiting. */
function gatedRunc(dir: string, gate: string): string {
  const bin = path.join(dir, 'runc');
  writeFileSync(bin, `#!/bin/sh
/usr/sbin/runc "$@"; rc=$?
for last; do :; done
case " $* " in *" create "*) : > "${gate}.$last"; while [ ! -e "${gate}" ]; do sleep 0.01; done ;; esac
exit $rc
`);
  chmodSync(bin, 0o755);
  return bin;
}

/** PIDs of processes whose command line contains `needle` and whose executable is `exe` (basename). */
function processes(exe: string, needle: string): number[] {
  const out: number[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8');
      if (path.basename(cmd.split('\0')[0]) === exe && cmd.includes(needle)) out.push(Number(p));
    } catch { /* gone */ }
  }
  return out;
}

/** Processes whose cgroup path (any hierarchy) names one of `ids`. */
function processesInCgroupsOf(ids: string[]): number[] {
  const out: number[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const cg = readFileSync(`/proc/${p}/cgroup`, 'utf8');
      if (ids.some((id) => cg.includes(id))) out.push(Number(p));
    } catch { /* gone */ }
  }
  return out;
}

/** cgroup directories named after one of `ids`: under this process's own cgroup, and under conmon's. */
function leftoverCgroups(ids: string[]): string[] {
  const out: string[] = [];
  for (const h of cgroupHierarchies()) for (const id of ids) if (existsSync(path.join(h.mount, CONMON_CGROUP, id))) out.push(path.join(h.mount, CONMON_CGROUP, id));
  for (const line of readFileSync('/proc/self/cgroup', 'utf8').split('\n').filter(Boolean)) {
    const [, ctrls, rel] = line.split(':');
    const name = ctrls === '' ? 'unified' : ctrls.replace(/^name=/, '');
    for (const id of ids) {
      const dir = path.join('/sys/fs/cgroup', name, rel, id);
      if (existsSync(dir)) out.push(dir);
    }
  }
  return out;
}

test('engine SIGKILLed in the middle of 10 parallel runs: every container there, start works, rm -f leaves nothing', async () => {
  const d = testDirs();
  const gate = path.join(d.base, 'gate');
  const runc = gatedRunc(d.base, gate);
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, '..', 'helpers', 'engine-parallel-child.ts'), d.root, d.runroot, d.rootfs, String(N), runc], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((r) => child.once('exit', r));
  try {
    // killed once the runtime has created a container the engine has not heard of (its create has not returned)
    const created = () => readdirSync(d.base).filter((n) => n.startsWith('gate.')).map((n) => n.slice(5));
    await until('a runtime create done', () => created().length > 0, 60_000);
    child.kill('SIGKILL');
    await exited;
    const unknown = created();
    writeFileSync(gate, '');
    const ids = readdirSync(path.join(d.root, 'containers')).filter((n) => /^[0-9a-f]{64}$/.test(n));
    assert.ok(unknown.every((id) => ids.includes(id) && runcStatus(d, id) === 'created'));
    // the case of the issue is there: a runtime container whose record says it was never initialized
    assert.ok(unknown.some((id) => (diskRecord(d, id)?.state as { initialized?: boolean }).initialized === false));

    const engine = await openEngine({ root: d.root, runroot: d.runroot, runtime: runc });
    try {
      assert.equal(engine.containers.list().length, ids.length, 'every container created before the kill is listed');
      for (const id of ids) {
        await engine.containers.start(id);
        assert.equal(engine.containers.inspect(id).status, 'running');
        assert.equal(runcStatus(d, id), 'running');
      }
      for (const id of ids) await engine.containers.remove(id, { force: true });
      assert.deepEqual(engine.containers.list(), []);
    } finally {
      await engine.close();
    }
    assert.deepEqual(processes('conmon', d.runroot), [], 'no conmon left');
    assert.deepEqual(processesInCgroupsOf(ids), [], 'no process (runc init, sleep) left in a container cgroup');
    assert.deepEqual(readdirSync(path.join(d.runroot, 'runc')), [], 'no runtime state left');
    assert.deepEqual(leftoverCgroups(ids), [], 'no cgroup left');
  } finally {
    if (child.exitCode === null && child.signalCode === null) { child.kill('SIGKILL'); await exited; }
    writeFileSync(gate, '');
    d.cleanup();
  }
});

test('rm -f of a container whose runtime create the record never learnt of: runtime container, conmon, cgroup gone', async () => {
  const d = testDirs();
  const engine = await openEngine({ root: d.root, runroot: d.runroot });
  try {
    const rec = await engine.containers.create({ rootfs: d.rootfs, name: 'cut', cmd: ['sleep', '300'] });
    await engine.containers.init(rec.id);
    // the record as an engine crash right after the runtime create leaves it: never initialized
    rec.state = { ...rec.state, initialized: false, pid: 0, conmonPid: 0 };
    await engine.containers.d.store.save(rec);
    assert.equal(runcStatus(d, rec.id), 'created');
    assert.equal(processes('conmon', d.runroot).length, 1);
    await engine.containers.remove(rec.id, { force: true });
    assert.equal(runcStatus(d, rec.id), undefined, 'runtime container deleted');
    assert.deepEqual(processes('conmon', d.runroot), [], 'conmon gone');
    assert.deepEqual(processesInCgroupsOf([rec.id]), [], 'runc init gone');
    assert.deepEqual(leftoverCgroups([rec.id]), [], 'cgroup gone');
    assert.deepEqual(readdirSync(path.join(d.runroot, 'runc')), [], 'no runtime state left');
  } finally {
    await engine.close();
    d.cleanup();
  }
});
