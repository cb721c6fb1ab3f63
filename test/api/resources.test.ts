// Resource limits, docker update, stats and top with the real docker CLI against `pier serve`
// (real conmon + runc): every limit is checked in the container's cgroup files, not only echoed.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { startPierWithImages, stopPier, docker, request, until, DOCKER, type PierServer } from './helpers';

const IMG = 'pier-test/busybox';
const MiB = 1024 * 1024;
const skipAll = !existsSync(DOCKER) ? `${DOCKER} not installed` : process.getuid?.() !== 0 ? 'needs root (conmon + runc)' : undefined;
const v1 = !existsSync('/sys/fs/cgroup/cgroup.controllers');
let srv: PierServer;

async function ok(args: string[]): Promise<string> {
  const r = await docker(srv, args);
  assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

/** The container's cgroup file for a controller (v1) or the unified dir (v2). */
async function cg(name: string, ctrl: string, file: string): Promise<string> {
  const pid = Number(await ok(['inspect', '-f', '{{.State.Pid}}', name]));
  const lines = readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n');
  const line = v1 ? lines.find((l) => l.split(':')[1]?.split(',').includes(ctrl)) : lines.find((l) => l.startsWith('0::'));
  const dir = v1 ? `/sys/fs/cgroup/${line!.split(':')[1]}${line!.split(':')[2]}` : `/sys/fs/cgroup${line!.split(':')[2]}`;
  return readFileSync(`${dir}/${file}`, 'utf8').trim();
}

const cpuUsageNs = async (name: string) => v1 ? Number(await cg(name, 'cpuacct', 'cpuacct.usage')) : Number((await cg(name, 'cpu', 'cpu.stat')).match(/usage_usec (\d+)/)![1]) * 1000;

describe('resource limits, update, stats and top', { skip: skipAll }, () => {
  before(async () => { srv = await startPierWithImages(); });
  after(() => stopPier(srv));

  test('limits reach the cgroup, the spec and HostConfig', { skip: !v1 && 'asserts cgroup v1 file names' }, async () => {
    await ok(['run', '-d', '--name', 'lim', '-m', '32m', '--memory-reservation', '16m', '--cpus', '0.5', '--cpu-shares', '512',
      '--cpuset-cpus', '0', '--pids-limit', '10', '--shm-size', '16m', '--ulimit', 'nproc=100:200', IMG,
      'sh', '-c', 'df -k /dev/shm; echo ulimit $(ulimit -Su) $(ulimit -Hu); exec sleep 300']);
    assert.equal(await cg('lim', 'memory', 'memory.limit_in_bytes'), String(32 * MiB));
    assert.equal(await cg('lim', 'memory', 'memory.memsw.limit_in_bytes'), String(64 * MiB), 'swap defaults to twice the memory, as with dockerd');
    assert.equal(await cg('lim', 'memory', 'memory.soft_limit_in_bytes'), String(16 * MiB));
    assert.equal(await cg('lim', 'cpu', 'cpu.cfs_quota_us'), '50000');
    assert.equal(await cg('lim', 'cpu', 'cpu.cfs_period_us'), '100000');
    assert.equal(await cg('lim', 'cpu', 'cpu.shares'), '512');
    assert.equal(await cg('lim', 'cpuset', 'cpuset.cpus'), '0');
    assert.equal(await cg('lim', 'pids', 'pids.max'), '10');
    const out = await until(async () => { const l = await ok(['logs', 'lim']); return /ulimit/.test(l) && l; }, 20_000, 'the container\'s report');
    assert.match(out, /shm\s+16384\s/);
    assert.match(out, /ulimit 100 200/);
    // an exec'd process gets the container's rlimits too (as with dockerd)
    await ok(['exec', '-d', 'lim', 'sleep', '301']);
    const execPid = await until(async () => (await ok(['top', 'lim'])).split('\n').find((l) => /sleep 301/.test(l))?.trim().split(/\s+/)[1], 10_000, 'the exec');
    assert.match(readFileSync(`/proc/${execPid}/limits`, 'utf8'), /Max processes\s+100\s+200\s/);
    const hc = JSON.parse(await ok(['inspect', '-f', '{{json .HostConfig}}', 'lim']));
    assert.deepEqual(
      [hc.Memory, hc.MemorySwap, hc.MemoryReservation, hc.NanoCpus, hc.CpuShares, hc.CpusetCpus, hc.PidsLimit, hc.ShmSize, hc.Ulimits],
      [32 * MiB, 64 * MiB, 16 * MiB, 5e8, 512, '0', 10, 16 * MiB, [{ Name: 'nproc', Soft: 100, Hard: 200 }]],
    );
    await ok(['rm', '-f', 'lim']);
  });

  test('--pids-limit 10: the 11th process cannot be forked', async () => {
    // at the peak: outer sh, its sleep, inner sh and 7 more sleeps = 10; the inner loop's next fork fails and it
    // exits, so 8 sleeps remain — exactly 10 processes were allowed and the 11th was refused
    const inner = 'for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do sleep 300 & done';
    await ok(['run', '-d', '--name', 'pids', '--pids-limit', '10', IMG, 'sh', '-c', `sleep 300 & sh -c '${inner}'; echo done; wait`]);
    const logs = await until(async () => { const l = await docker(srv, ['logs', 'pids']); return /done/.test(l.stdout) && l; }, 20_000, 'the fork loop');
    assert.match(logs.stderr, /can't fork/);
    const top = await ok(['top', 'pids']);
    assert.equal(top.split('\n').filter((l) => /\ssleep 300$/.test(l)).length, 8, top);
    assert.equal(await cg('pids', 'pids', 'pids.current'), '9');
    await ok(['rm', '-f', 'pids']);
  });

  test('docker update --memory on a running container takes effect and is kept', { skip: !v1 && 'asserts cgroup v1 file names' }, async () => {
    await ok(['run', '-d', '--name', 'upd', '-m', '32m', IMG, 'sleep', '300']);
    assert.equal(await ok(['update', '--memory', '64m', '--memory-swap', '128m', '--pids-limit', '20', 'upd']), 'upd');
    assert.equal(await cg('upd', 'memory', 'memory.limit_in_bytes'), String(64 * MiB));
    assert.equal(await cg('upd', 'memory', 'memory.memsw.limit_in_bytes'), String(128 * MiB));
    assert.equal(await cg('upd', 'pids', 'pids.max'), '20');
    assert.equal(await ok(['inspect', '-f', '{{.HostConfig.Memory}} {{.HostConfig.PidsLimit}}', 'upd']), `${64 * MiB} 20`);
    assert.match(await ok(['stats', '--no-stream', '--format', '{{.MemUsage}}', 'upd']), /\/ 64MiB$/);
    const bad = await docker(srv, ['update', '--memory', '512m', 'upd']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /memory-swap/);
    await ok(['restart', '-t', '0', 'upd']);
    assert.equal(await cg('upd', 'memory', 'memory.limit_in_bytes'), String(64 * MiB), 'the update outlives a restart');
    await ok(['rm', '-f', 'upd']);
  });

  test('--cpus 0.5: a busy loop gets half a CPU', async (t) => {
    // two loops want two CPUs; the quota allows half of one. An unlimited one-loop control container
    // in the same window shows what the host could give. The upper bound holds whatever the host does;
    // the lower bound only means something when the host gave the control loop a whole CPU: on a
    // saturated host CFS shares the CPUs out and a throttled group gets less than its quota.
    t.after(() => docker(srv, ['rm', '-f', 'half', 'ctl']));
    await ok(['run', '-d', '--name', 'half', '--cpus', '0.5', IMG, 'sh', '-c', 'while :; do :; done & while :; do :; done']);
    await ok(['run', '-d', '--name', 'ctl', IMG, 'sh', '-c', 'while :; do :; done']);
    const t0 = process.hrtime.bigint(), a0 = await cpuUsageNs('half'), c0 = await cpuUsageNs('ctl');
    await new Promise((r) => setTimeout(r, 4000));
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    const half = ((await cpuUsageNs('half')) - a0) / 1e9 / secs * 100, ctl = ((await cpuUsageNs('ctl')) - c0) / 1e9 / secs * 100;
    assert.ok(half <= 60, `limited container used ${half.toFixed(1)}% of a CPU (limit 50%)`);
    if (ctl >= 90) assert.ok(half >= 40, `limited container used ${half.toFixed(1)}% while an unlimited loop got ${ctl.toFixed(1)}%`);
    else t.diagnostic(`host saturated (an unlimited loop got ${ctl.toFixed(1)}%): lower bound not measurable`);
    const thr = await cg('half', 'cpu', 'cpu.stat');
    if (ctl > 60) assert.ok(Number(thr.match(/nr_throttled (\d+)/)![1]) > 0, 'the quota throttled it');
    // the API's CPU % (Docker's formula) agrees with the cgroup over the stream
    const s = await request(srv.socket, 'GET', '/containers/half/stats?stream=0');
    const j = JSON.parse(s.body);
    const pct = ((j.cpu_stats.cpu_usage.total_usage - j.precpu_stats.cpu_usage.total_usage) / (j.cpu_stats.system_cpu_usage - j.precpu_stats.system_cpu_usage)) * j.cpu_stats.online_cpus * 100;
    assert.ok(pct <= 65, `docker stats CPU % ${pct.toFixed(1)} is within the limit`);
  });

  test('stats agree with the cgroup files; docker stats --no-stream prints a row per container', async (t) => {
    t.after(() => docker(srv, ['rm', '-f', 's1', 's2', 's3']));
    for (const n of ['s1', 's2', 's3']) await ok(['run', '-d', '--name', n, '-m', '48m', IMG, 'sh', '-c', 'sleep 1000 & sleep 1000 & wait']);
    const r = await request(srv.socket, 'GET', '/containers/s1/stats?stream=0');
    assert.equal(r.status, 200, r.body);
    const j = JSON.parse(r.body);
    assert.equal(j.name, '/s1');
    assert.ok(j.precpu_stats.cpu_usage.total_usage > 0 && j.precpu_stats.system_cpu_usage > 0, 'precpu_stats filled (not one-shot)');
    assert.ok(j.cpu_stats.cpu_usage.total_usage >= j.precpu_stats.cpu_usage.total_usage);
    assert.ok(j.cpu_stats.cpu_usage.total_usage <= await cpuUsageNs('s1'), 'CPU usage is the cgroup counter');
    assert.equal(j.pids_stats.current, 3);
    assert.equal(j.memory_stats.limit, 48 * MiB);
    if (v1) {
      assert.equal(j.pids_stats.current, Number(await cg('s1', 'pids', 'pids.current')));
      const usage = Number(await cg('s1', 'memory', 'memory.usage_in_bytes'));
      assert.ok(Math.abs(j.memory_stats.usage - usage) < 2 * MiB, `memory usage ${j.memory_stats.usage} vs cgroup ${usage}`);
      assert.ok('total_inactive_file' in j.memory_stats.stats, 'memory.stat passes through (docker stats subtracts inactive file)');
    }
    const one = JSON.parse((await request(srv.socket, 'GET', '/containers/s1/stats?stream=0&one-shot=1')).body);
    assert.equal(one.precpu_stats.cpu_usage.total_usage, 0, 'one-shot has no precpu');
    const rows = (await ok(['stats', '--no-stream', '--format', '{{.Name}} {{.MemUsage}} {{.PIDs}}'])).split('\n').sort();
    assert.equal(rows.length, 3, rows.join('\n'));
    rows.forEach((row, i) => assert.match(row, new RegExp(`^s${i + 1} \\S+ / 48MiB 3$`)));
    const table = await ok(['stats', '--no-stream']);
    assert.match(table.split('\n')[0], /CONTAINER ID\s+NAME\s+CPU %\s+MEM USAGE \/ LIMIT\s+MEM %\s+NET I\/O\s+BLOCK I\/O\s+PIDS/);
    const aux = await ok(['top', 's1', 'aux']);
    assert.match(aux.split('\n')[0], /USER\s+PID\s+%CPU/);
    assert.equal(aux.split('\n').filter((l) => /\ssleep 1000$/.test(l)).length, 2);
  });

  test('bad limits are refused naming the flag and create nothing; unsupported ones warn', async () => {
    const before = await ok(['ps', '-aq']);
    for (const [args, msg] of [
      [['-m', '1m'], /minimum memory limit allowed is 6MB/],
      [['--cpus', '64'], /range is 0.01 to/],
      [['--cpuset-cpus', '99'], /--cpuset-cpus 99: not available on this host/],
      [['--ulimit', 'nofile=99999999:99999999'], /--ulimit nofile: hard limit 99999999 is above this host's limit \d+; raising RLIMIT_NOFILE/],
      [['-m', '64m', '--memory-swap', '32m'], /--memory-swap must be at least --memory/],
    ] as const) {
      const r = await docker(srv, ['run', '--rm', ...args, IMG, 'true']);
      assert.notEqual(r.code, 0, args.join(' '));
      assert.match(r.stderr, msg);
    }
    assert.equal(await ok(['ps', '-aq']), before, 'nothing was created');
    const info = JSON.parse((await request(srv.socket, 'GET', '/info')).body);
    const blkio = v1 ? ['weight', 'bfq.weight'].some((f) => existsSync(`/sys/fs/cgroup/blkio/blkio.${f}`)) : undefined;
    if (v1) {
      assert.deepEqual([info.MemoryLimit, info.SwapLimit, info.CpuCfsQuota, info.CPUShares, info.CPUSet, info.PidsLimit, info.OomKillDisable],
        [true, existsSync('/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes'), true, true, true, true, true]);
    }
    if (blkio === false) {
      assert.ok(info.Warnings.includes('WARNING: No blkio weight support'));
      const w = await docker(srv, ['run', '--rm', '--blkio-weight', '300', IMG, 'true']);
      assert.equal(w.code, 0, w.stderr);
      assert.match(w.stderr, /--blkio-weight discarded/);
    }
  });
});
