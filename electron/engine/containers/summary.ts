import type { ContainerRecord } from '../store/types';
import type { ContainerSummary } from '../../common/types';

export function summarize(r: ContainerRecord): ContainerSummary {
  return {
    id: r.id,
    name: r.name,
    image: r.config.image ?? r.config.rootfs ?? '',
    imageId: r.config.imageId,
    command: r.config.args.join(' '),
    status: r.state.status,
    created: r.created,
    startedAt: r.state.startedAt,
    finishedAt: r.state.finishedAt,
    exitCode: r.state.exitCode,
    pid: r.state.pid,
    terminal: r.config.terminal,
    stdin: r.config.stdin,
    labels: r.config.labels,
    unexpectedExit: r.state.status === 'exited' && !r.state.stoppedByUser && (r.state.exitCode ?? 0) !== 0 ? true : undefined,
    error: r.state.error,
    ...(r.state.health ? { health: r.state.health.status } : {}),
    ...(r.state.restarting ? { restarting: true } : {}),
    ...(r.state.restartCount ? { restartCount: r.state.restartCount } : {}),
    oomKilled: r.state.oomKilled || undefined,
    networkMode: r.config.network,
    ...(r.state.net && (r.state.status === 'running' || r.state.status === 'paused') ? { ports: r.state.net.ports, networks: r.state.net.endpoints } : {}),
  };
}
