// Issue 11, item 14: /info claims only what Pier enforces. Each limit /info says it supports is set on a container
// and read back from the container's own cgroup; plugins, forwarding sysctls and live restore are checked against
// what the engine and the host do.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { startPierWithImages, stopPier, docker, request, DOCKER, type PierServer } from './helpers';

const skip = !existsSync(DOCKER) ? `${DOCKER} not installed` : process.getuid?.() !== 0 ? 'needs root (conmon + runc)' : undefined;
let srv: PierServer;
const sysctl = (f: string) => { try { return readFileSync(f, 'utf8').trim() === '1'; } catch { return false; } };

describe('/info claims', { skip }, () => {
  before(async () => { srv = await startPierWithImages(); });
  after(() => stopPier(srv));

  test('every limit /info claims is enforced in the container\'s cgroup', async () => {
    const info = JSON.parse((await request(srv.socket, 'GET', '/info')).body) as Record<string, unknown>;
    const flags: Array<[string, string[], string, RegExp]> = [
      ['MemoryLimit', ['-m', '64m'], '/sys/fs/cgroup/memory/memory.limit_in_bytes', /^67108864$/],
      ['SwapLimit', ['-m', '64m', '--memory-swap', '96m'], '/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes', /^100663296$/],
      ['CpuCfsQuota', ['--cpus', '0.5'], '/sys/fs/cgroup/cpu/cpu.cfs_quota_us', /^50000$/],
      ['CPUShares', ['--cpu-shares', '512'], '/sys/fs/cgroup/cpu/cpu.shares', /^512$/],
      ['CPUSet', ['--cpuset-cpus', '0'], '/sys/fs/cgroup/cpuset/cpuset.cpus', /^0$/],
      ['PidsLimit', ['--pids-limit', '42'], '/sys/fs/cgroup/pids/pids.max', /^42$/],
    ];
    let checked = 0;
    for (const [flag, args, file, want] of flags) {
      if (info[flag] !== true) continue;
      const r = await docker(srv, ['run', '--rm', '--network', 'none', ...args, 'pier-test/busybox', 'cat', file]);
      assert.equal(r.code, 0, `${flag}: ${r.stderr}`);
      assert.match(r.stdout.trim(), want, `${flag} is claimed: ${args.join(' ')} must show in ${file}`);
      checked++;
    }
    assert.ok(checked > 0 || (info.Warnings as string[]).some((w) => /limit/.test(w)), 'no limit claimed and no warning saying so');
    assert.equal(info.KernelMemory, false);
  });

  test('plugins, forwarding and live restore are what the engine and host do', async () => {
    const info = JSON.parse((await request(srv.socket, 'GET', '/info')).body) as {
      Plugins: { Volume: string[]; Network: string[] }; IPv4Forwarding: boolean; BridgeNfIptables: boolean; LiveRestoreEnabled: boolean;
    };
    assert.equal(info.IPv4Forwarding, sysctl('/proc/sys/net/ipv4/ip_forward'));
    assert.equal(info.BridgeNfIptables, sysctl('/proc/sys/net/bridge/bridge-nf-call-iptables'));
    assert.deepEqual(info.Plugins.Volume, ['local']);
    const v = await docker(srv, ['volume', 'create', '--driver', 'local', 'claims-v']);
    assert.equal(v.code, 0, v.stderr);
    if (info.Plugins.Network.includes('bridge')) {
      const n = await docker(srv, ['network', 'create', '--driver', 'bridge', 'claimsnet']);
      assert.equal(n.code, 0, n.stderr);
      await docker(srv, ['network', 'rm', 'claimsnet']);
    }
    // live restore (containers outlive the engine) is what test/integration/readopt and exit-command check
    assert.equal(info.LiveRestoreEnabled, true);
  });
});
