// Docker's wire form of restart policies and healthchecks: create bodies in, inspect/list fields out.
import type { ContainerSummary, HealthcheckConfig, RestartPolicy } from '../../common/types';
import type { ContainerRecord } from '../store/types';
import { fromDockerHealthcheck, toDockerHealthcheck, type DockerHealthcheck } from '../containers/healthcheck-config';

export function restartPolicyFromBody(p?: { Name?: string; MaximumRetryCount?: number | null } | null): RestartPolicy | undefined {
  if (!p || p.Name === undefined) return undefined;
  return { name: p.Name as RestartPolicy['name'], maxRetries: p.MaximumRetryCount || undefined };
}

export function healthcheckFromBody(h?: DockerHealthcheck | null): HealthcheckConfig | undefined {
  return h ? fromDockerHealthcheck(h) : undefined;
}

/** The fields inspect adds for supervision (State.Health, State.Restarting, RestartCount, echoes). */
export function supervisionInspect(r: ContainerRecord) {
  const s = r.state, h = s.health;
  return {
    state: {
      Restarting: !!s.restarting,
      ...(s.restarting ? { Status: 'restarting' } : {}),
      ...(h ? { Health: { Status: h.status, FailingStreak: h.failingStreak, Log: h.log.map((p) => ({
        Start: p.start, End: p.end, ExitCode: p.exitCode, Output: p.output })) } } : {}),
    },
    restartCount: s.restartCount ?? 0,
    restartPolicy: { Name: r.config.restartPolicy?.name ?? '', MaximumRetryCount: r.config.restartPolicy?.maxRetries ?? 0 },
    healthcheck: r.config.healthcheckRequested ? toDockerHealthcheck(r.config.healthcheckRequested) : undefined,
  };
}

/** `docker ps` status suffix: " (healthy)", " (health: starting)", " (unhealthy)". */
export function healthSuffix(c: ContainerSummary): string {
  if (!c.health || c.status !== 'running') return '';
  return c.health === 'starting' ? ' (health: starting)' : ` (${c.health})`;
}
