// One client's stats streams: each is a watch on the engine's shared sampler, forwarded as
// one 'stats' message per tick. Closed by streams.close or when the client goes away.
import { randomUUID } from 'node:crypto';
import type { Engine } from '../engine/engine';
import type { ServerMessage } from '../common/contract';
import type { LimitsInfo, StatsPoint } from '../common/types';
import { hostLimits, cgroupVersion } from '../engine/stats/host';
import { isRootless, requireCgroups } from '../engine/runtime/rootless';
import os from 'node:os';

export class StatsWatches {
  private active = new Map<string, () => void>();
  constructor(private engine: Engine, private send: (m: ServerMessage) => void) {}

  open(ids?: string[]): { stream: string; history: StatsPoint[] } {
    requireCgroups('stats');
    for (const id of ids ?? []) this.engine.containers.get(id); // unknown ids fail before a stream exists
    const full = ids?.map((id) => this.engine.containers.get(id).id);
    const stream = `stats-${randomUUID()}`;
    const off = this.engine.stats.watch(full ?? 'all', (rs) => {
      const points = rs.flatMap((r) => (r.point ? [r.point] : []));
      if (points.length) this.send({ t: 'stream', kind: 'stats', payload: { stream, points } });
    }, { full: false });
    this.active.set(stream, off);
    const running = full ?? this.engine.containers.list().filter((c) => c.status === 'running' || c.status === 'paused').map((c) => c.id);
    return { stream, history: running.flatMap((id) => this.engine.stats.history(id)) };
  }

  close(stream: string): boolean {
    const off = this.active.get(stream);
    if (!off) return false;
    this.active.delete(stream);
    off();
    return true;
  }

  closeAll(): void { for (const s of [...this.active.keys()]) this.close(s); }
}

export function limitsInfo(): LimitsInfo {
  const l = hostLimits();
  return {
    cgroupVersion: cgroupVersion(), rootless: isRootless(), memory: l.memory, swap: l.swap, cpu: l.cpuCfs, cpuset: l.cpuset,
    pids: l.pids, blkioWeight: l.blkioWeight, oomKillDisable: l.oomKillDisable, reason: l.reason, ncpu: l.ncpu, memTotal: os.totalmem(),
  };
}
