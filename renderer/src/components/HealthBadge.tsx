import type { HealthStatus } from '../../../electron/common/types';

const LABEL: Record<HealthStatus, string> = { starting: 'health: starting', healthy: 'healthy', unhealthy: 'unhealthy' };

/** The container's healthcheck status; nothing when it has no healthcheck. */
export function HealthBadge({ health }: { health?: HealthStatus }) {
  if (!health) return null;
  return <span className={`badge health-${health}`} data-health={health} title="healthcheck">{LABEL[health]}</span>;
}
