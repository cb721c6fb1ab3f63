// Issue 11, item 8: conmon leaves the engine's cgroup before the start byte. The engine runs in a cgroup of its own
// (in every hierarchy); every process in that cgroup and below is SIGKILLed, as systemd's KillMode=control-group or
// a session logout would. The containers keep running, and the next engine re-adopts them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { openEngine } from '../../electron/engine/open';
import { cgroupHierarchies } from '../../electron/engine/runtime/conmon-cgroup';
import { testDirs } from '../helpers/rootfs';
import { runcStatus } from '../helpers/crash';

const here = path.dirname(fileURLToPath(import.meta.url));
const skip = process.getuid?.() !== 0 ? 'needs root (cgroups, conmon + runc)' : undefined;

/** A cgroup named `name` under this process's own cgroup, in every hierarchy: the dirs. */
function makeCgroup(name: string): string[] {
  const own = new Map<string, string>();
  for (const line of readFileSync('/proc/self/cgroup', 'utf8').split('\n').filter(Boolean)) {
    const [, ctrls, rel] = line.split(':');
    own.set(ctrls, rel);
  }
  const dirs: string[] = [];
  for (const h of cgroupHierarchies()) {
    const opts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').find((l) => l.split(' ')[4] === h.mount)!.split(' - ')[1].split(' ')[2].split(',');
    const rel = h.v2 ? own.get('') : [...own].find(([c]) => c && c.split(',').every((x) => opts.includes(x)))?.[1];
    if (rel === undefined) continue;
    const dir = path.join(h.mount, rel, name);
    mkdirSync(dir);
    if (h.cpuset) for (const f of ['cpuset.cpus', 'cpuset.mems']) writeFileSync(path.join(dir, f), readFileSync(path.join(path.dirname(dir), f), 'utf8'));
    dirs.push(dir);
  }
  return dirs;
}

/** PIDs in a cgroup dir and every cgroup below it. */
function procsBelow(dir: string): number[] {
  if (!existsSync(dir)) return [];
  const pids = readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
  for (const d of readdirSync(dir, { withFileTypes: true })) if (d.isDirectory()) pids.push(...procsBelow(path.join(dir, d.name)));
  return pids;
}
function removeCgroup(dir: string): void {
  if (!existsSync(dir)) return;
  for (const d of readdirSync(dir, { withFileTypes: true })) if (d.isDirectory()) removeCgroup(path.join(dir, d.name));
  try { rmdirSync(dir); } catch { /* still busy: left for the host */ }
}

test('killing every process of the engine\'s cgroup leaves containers running; the next engine re-adopts them', { skip }, async () => {
  const d = testDirs();
  const cg = makeCgroup(`pier-test-engine-${randomBytes(4).toString('hex')}`);
  const spec = [{ name: 'c1', cmd: ['sh', '-c', 'echo up; sleep 300'] }, { name: 'c2', cmd: ['sleep', '300'] }];
  try {
    // the engine joins the test cgroup before it runs anything
    const script = 'for f in "$@"; do echo $$ > "$f/cgroup.procs"; done; exec "$PIER_NODE" --import tsx "$PIER_CHILD" "$PIER_ARGS_ROOT" "$PIER_ARGS_RUN" "$PIER_ARGS_ROOTFS" "$PIER_ARGS_SPEC"';
    const child = spawn('/bin/sh', ['-c', script, 'sh', ...cg], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, PIER_NODE: process.execPath, PIER_CHILD: path.join(here, '..', 'helpers', 'engine-child.ts'), PIER_ARGS_ROOT: d.root, PIER_ARGS_RUN: d.runroot, PIER_ARGS_ROOTFS: d.rootfs, PIER_ARGS_SPEC: JSON.stringify(spec) },
    });
    const ids = await new Promise<string[]>((resolve, reject) => {
      let buf = '';
      child.stdout!.on('data', (b) => { buf += b; const m = buf.match(/\{"ready".*\}\n/); if (m) resolve(JSON.parse(m[0]).ready); });
      child.on('exit', (c) => reject(new Error(`engine child exited early (${c})`)));
    });
    const exited = new Promise((r) => child.once('exit', r));
    // what systemd does to a control group: SIGKILL to everything in it and below, until it is empty
    for (let round = 0; round < 50; round++) {
      const pids = [...new Set(cg.flatMap(procsBelow))];
      if (!pids.length) break;
      for (const p of pids) { try { process.kill(p, 'SIGKILL'); } catch { /* gone */ } }
      await new Promise((r) => setTimeout(r, 20));
    }
    await exited;
    assert.deepEqual([...new Set(cg.flatMap(procsBelow))], [], 'the engine\'s cgroup is empty');
    for (const id of ids) assert.equal(runcStatus(d, id), 'running', 'the container survived');

    const engine = await openEngine({ root: d.root, runroot: d.runroot });
    try {
      for (const id of ids) assert.equal(engine.containers.inspect(id).status, 'running');
      const lines: string[] = [];
      for await (const e of engine.containers.logs('c1', {})) lines.push(e.line.toString());
      assert.deepEqual(lines, ['up']);
      await engine.containers.stop('c2', 0);
      assert.equal(engine.containers.inspect('c2').exitCode, 137, 'the re-adopted conmon reports the exit');
    } finally {
      for (const c of engine.containers.list()) await engine.containers.remove(c.id, { force: true }).catch(() => undefined);
      await engine.close();
    }
  } finally {
    cg.forEach(removeCgroup);
    d.cleanup();
  }
});
