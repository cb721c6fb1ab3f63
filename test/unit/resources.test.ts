// Limits → OCI spec, validation against the host, and the stats parsers/derivations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyResources, checkResources, linuxResources, mergeUpdate, parseCpuList, type LimitSupport } from '../../electron/engine/spec/resources';
import { generateSpec } from '../../electron/engine/spec/spec';
import { cgroupDirs, parseBlkio, parseNetDev, sampleCgroup, workingSet, type RawSample } from '../../electron/engine/stats/cgroup';
import { OpenFiles, openFileCount } from '../../electron/engine/stats/openfiles';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { toPoint } from '../../electron/engine/stats/sampler';
import { dockerStats } from '../../electron/engine/stats/docker';
import { filterPs } from '../../electron/engine/stats/top';
import { toResources, resourcesHostConfig } from '../../electron/engine/api/resources';

const host: LimitSupport = {
  memory: true, swap: true, memoryReservation: true, oomKillDisable: true, cpuCfs: true, cpuShares: true, cpuset: true, pids: true,
  blkioWeight: false, cpus: '0-1', mems: '0', ncpu: 2, hardLimits: { nofile: 20000, nproc: 1000 },
};

test('limits: Docker defaults (swap = 2 × memory) and the OCI resources they become', () => {
  const { resources, warnings } = checkResources({ memory: 32 << 20, nanoCpus: 0.5e9, pidsLimit: 10, cpusetCpus: '0', cpuShares: 512 }, host);
  assert.deepEqual(warnings, []);
  assert.equal(resources.memorySwap, 64 << 20);
  assert.deepEqual(linuxResources(resources), {
    memory: { limit: 32 << 20, swap: 64 << 20 }, cpu: { shares: 512, period: 100000, quota: 50000, cpus: '0' }, pids: { limit: 10 },
  });
});

test('limits: bad values name the flag and the reason; unsupported ones are discarded with a warning', () => {
  assert.throws(() => checkResources({ memory: 1 << 20 }, host), /--memory: the minimum memory limit allowed is 6MB/);
  assert.throws(() => checkResources({ memory: 64 << 20, memorySwap: 32 << 20 }, host), /--memory-swap must be at least --memory/);
  assert.throws(() => checkResources({ memorySwap: 64 << 20 }, host), /--memory-swap needs --memory/);
  assert.throws(() => checkResources({ nanoCpus: 3e9 }, host), /--cpus: the range is 0.01 to 2.00/);
  assert.throws(() => checkResources({ nanoCpus: 1e9, cpuQuota: 50000 }, host), /conflicts/);
  assert.throws(() => checkResources({ cpusetCpus: '0-3' }, host), /--cpuset-cpus 0-3: not available on this host \(available: 0-1\)/);
  assert.throws(() => checkResources({ cpusetCpus: 'x' }, host), /invalid --cpuset-cpus/);
  assert.throws(() => checkResources({ ulimits: [{ name: 'nofile', soft: 30000, hard: 30000 }] }, host), /hard limit 30000 is above this host's limit 20000; raising RLIMIT_NOFILE/);
  assert.throws(() => checkResources({ ulimits: [{ name: 'bogus', soft: 1, hard: 1 }] }, host), /unknown limit/);
  assert.throws(() => checkResources({ ulimits: [{ name: 'nproc', soft: 20, hard: 10 }] }, host), /soft limit exceeds/);
  const w = checkResources({ blkioWeight: 300 }, host);
  assert.equal(w.resources.blkioWeight, undefined);
  assert.match(w.warnings[0], /--blkio-weight discarded/);
  const none = checkResources({ memory: 64 << 20, pidsLimit: 5 }, { ...host, memory: false, swap: false, pids: false, reason: 'rootless on cgroup v1' });
  assert.deepEqual(none.resources, {});
  assert.ok(none.warnings.every((x) => /rootless on cgroup v1/.test(x)) && none.warnings.length === 2);
  assert.deepEqual(parseCpuList('0-2,5', 'x'), [0, 1, 2, 5]);
});

test('limits: applied to the spec — resources, rlimits replacing the default nofile, /dev/shm size', () => {
  const spec = generateSpec({ rootfs: '/r', process: { args: ['sh'] }, nofileHard: 20000 });
  applyResources(spec, { memory: 64 << 20, shmSize: 16 << 20, ulimits: [{ name: 'nproc', soft: 100, hard: 200 }, { name: 'nofile', soft: 100, hard: 200 }] });
  const res = spec.linux.resources as Record<string, unknown>;
  assert.deepEqual(res.devices, [{ allow: false, access: 'rwm' }], 'the device rule stays');
  assert.deepEqual(res.memory, { limit: 64 << 20 });
  assert.deepEqual(spec.process.rlimits, [{ type: 'RLIMIT_NOFILE', soft: 100, hard: 200 }, { type: 'RLIMIT_NPROC', soft: 100, hard: 200 }]);
  assert.ok(spec.mounts.find((m) => m.destination === '/dev/shm')!.options!.includes('size=16384k'));
});

test('update: merges, keeps memory ≤ memory+swap, --cpus replaces period/quota', () => {
  assert.throws(() => mergeUpdate({ memory: 32 << 20, memorySwap: 64 << 20 }, { memory: 128 << 20 }), /update --memory-swap at the same time/);
  assert.deepEqual(mergeUpdate({ memory: 32 << 20, memorySwap: 64 << 20 }, { memory: 48 << 20 }), { memory: 48 << 20, memorySwap: 64 << 20 });
  assert.deepEqual(mergeUpdate({ cpuPeriod: 50000, cpuQuota: 25000 }, { nanoCpus: 1e9 }), { nanoCpus: 1e9 });
});

test('API: HostConfig fields in and out (0 = unset; inspect shows Docker zero values)', () => {
  const r = toResources({ Memory: 33554432, MemorySwap: 0, NanoCpus: 5e8, PidsLimit: 10, Ulimits: [{ Name: 'nproc', Soft: 1, Hard: 2 }], Unknown: 1 }, 'HostConfig');
  assert.deepEqual(r, { memory: 33554432, nanoCpus: 5e8, pidsLimit: 10, ulimits: [{ name: 'nproc', soft: 1, hard: 2 }] });
  assert.throws(() => toResources({ Memory: 'lots' }, 'HostConfig'), /Memory/);
  const hc = resourcesHostConfig(undefined);
  assert.equal(hc.PidsLimit, null);
  assert.equal(hc.ShmSize, 64 << 20);
});

test('stats parsers: net/dev without lo, blkio v1 and v2, working set as docker stats computes it', () => {
  const net = parseNetDev('Inter-|\n face |\n    lo: 10 1 0 0 0 0 0 0 10 1 0 0 0 0 0 0\n  eth0: 1500 10 1 2 0 0 0 0 900 8 0 3 0 0 0 0\n');
  assert.deepEqual(Object.keys(net), ['eth0']);
  assert.equal(net.eth0.rx_bytes, 1500); assert.equal(net.eth0.tx_bytes, 900); assert.equal(net.eth0.tx_dropped, 3);
  const v1 = parseBlkio('8:0 Read 4096\n8:0 Write 8192\n8:0 Sync 1\n8:0 Total 12288\nTotal 12288\n', false);
  assert.equal(v1.read, 4096); assert.equal(v1.write, 8192); assert.equal(v1.entries.length, 4);
  const v2 = parseBlkio('8:0 rbytes=100 wbytes=200 rios=1 wios=2 dbytes=0 dios=0\n', true);
  assert.deepEqual([v2.read, v2.write], [100, 200]);
  assert.equal(workingSet(1000, { total_inactive_file: 300 }, false), 700);
  assert.equal(workingSet(1000, { inactive_file: 300 }, true), 700);
  assert.equal(workingSet(100, { total_inactive_file: 300 }, false), 100);
});

const raw = (t: number, cpu: number, sys: number, o: Partial<RawSample> = {}): RawSample => ({
  time: t, systemCpu: sys, onlineCpus: 2,
  cpu: { total: cpu, user: 0, system: 0, percpu: [cpu, 0], periods: t / 100, throttledPeriods: t / 200, throttledTime: 0 },
  memory: { usage: 2000, limit: 4000, limited: true, stats: { total_inactive_file: 500 }, workingSet: 1500, cache: 600 },
  pids: { current: 3, limit: 10 }, blkio: { read: t, write: 2 * t, entries: [] },
  networks: { eth0: { rx_bytes: t * 10, tx_bytes: t, rx_packets: 0, rx_errors: 0, rx_dropped: 0, tx_packets: 0, tx_errors: 0, tx_dropped: 0 } }, ...o,
});

test('stats: CPU % with Docker\'s formula, rates per second, limit only when the container has one', () => {
  const p = toPoint('c', raw(2000, 1.5e9, 4e9), raw(1000, 1e9, 2e9));
  assert.equal(p.cpu, 50); // 0.5 s of CPU over 2 s of host CPU time on 2 CPUs → half a CPU
  assert.equal(p.throttled, 50);
  assert.equal(p.netRx, 10000); assert.equal(p.netTx, 1000);
  assert.equal(p.blkRead, 1000); assert.equal(p.blkWrite, 2000);
  assert.equal(p.mem, 1500); assert.equal(p.memLimit, 4000);
  const j = dockerStats('web', 'c', raw(2000, 1.5e9, 4e9), raw(1000, 1e9, 2e9), false);
  assert.equal(j.name, '/web');
  assert.equal(j.precpu_stats.cpu_usage.total_usage, 1e9);
  assert.equal(j.cpu_stats.online_cpus, 2);
  assert.deepEqual(j.memory_stats, { usage: 2000, max_usage: 0, failcnt: 0, stats: { total_inactive_file: 500 }, limit: 4000 });
  assert.ok(j.networks?.eth0);
});

test('top: ps output filtered to the container\'s PIDs, the command keeps its spaces', () => {
  const out = 'UID PID PPID C STIME TTY TIME CMD\nroot 1 0 0 01:00 ? 00:00:01 /sbin/init\nroot 42 1 0 01:00 ? 00:00:00 sh -c sleep 1\n';
  assert.deepEqual(filterPs(out, [42]), { titles: ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD'], processes: [['root', '42', '1', '0', '01:00', '?', '00:00:00', 'sh -c sleep 1']] });
  assert.throws(() => filterPs('USER COMMAND\nroot x\n', [1]), /no PID column/);
});

test('kept-open counter files: fresh content on every read, missing files undefined, all fds closed', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pier-openfiles-'));
  try {
    const f = path.join(dir, 'memory.usage_in_bytes');
    writeFileSync(f, '100\n');
    const files = new OpenFiles();
    const before = openFileCount();
    assert.equal(files.read(f), '100\n');
    writeFileSync(f, '2048\n');
    assert.equal(files.read(f), '2048\n', 'read again from offset 0');
    assert.equal(files.read(path.join(dir, 'missing')), undefined);
    assert.equal(openFileCount(), before + 1);
    // the engine's own cgroup, light: no per-CPU list (Docker JSON only), the UI's figures there
    const d = cgroupDirs(process.pid);
    if (d) {
      const light = sampleCgroup(d, Date.now(), files.read, false);
      const full = sampleCgroup(d, Date.now(), files.read, true);
      if (light && full && !d.v2) {
        assert.equal(light.cpu.percpu, undefined);
        assert.ok(full.cpu.percpu?.length);
        assert.equal(light.onlineCpus, full.onlineCpus);
      }
    }
    files.close();
    assert.equal(openFileCount(), before);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
