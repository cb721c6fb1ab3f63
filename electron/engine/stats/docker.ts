// Docker's /containers/{id}/stats JSON from two raw readings (current and previous), so
// `docker stats` computes the same columns as against dockerd.
import type { RawSample } from './cgroup';

const ZERO_TIME = '0001-01-01T00:00:00Z';

function cpuStats(s: RawSample | undefined) {
  if (!s) return { cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 }, throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 } };
  return {
    cpu_usage: { total_usage: s.cpu.total, ...(s.cpu.percpu ? { percpu_usage: s.cpu.percpu } : {}), usage_in_kernelmode: s.cpu.system, usage_in_usermode: s.cpu.user },
    system_cpu_usage: s.systemCpu, online_cpus: s.onlineCpus,
    throttling_data: { periods: s.cpu.periods, throttled_periods: s.cpu.throttledPeriods, throttled_time: s.cpu.throttledTime },
  };
}

export function dockerStats(name: string, id: string, cur: RawSample | undefined, prev: RawSample | undefined, v2: boolean) {
  const nullBlkio = { io_service_bytes_recursive: null, io_serviced_recursive: null, io_queue_recursive: null, io_service_time_recursive: null, io_wait_time_recursive: null, io_merged_recursive: null, io_time_recursive: null, sectors_recursive: null };
  const mem = cur?.memory;
  return {
    name: '/' + name, id,
    read: cur ? new Date(cur.time).toISOString() : ZERO_TIME,
    preread: prev ? new Date(prev.time).toISOString() : ZERO_TIME,
    pids_stats: cur ? { current: cur.pids.current, ...(cur.pids.limit !== undefined ? { limit: cur.pids.limit } : {}) } : {},
    blkio_stats: cur ? { ...nullBlkio, io_service_bytes_recursive: cur.blkio.entries } : nullBlkio,
    num_procs: 0, storage_stats: {},
    cpu_stats: cpuStats(cur), precpu_stats: cpuStats(prev),
    memory_stats: mem ? {
      usage: mem.usage, ...(v2 ? {} : { max_usage: mem.maxUsage ?? 0, failcnt: mem.failcnt ?? 0 }), stats: mem.stats, limit: mem.limit,
    } : {},
    ...(cur?.networks ? { networks: cur.networks } : {}),
  };
}
