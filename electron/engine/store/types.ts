// Persisted container records. One JSON file per container: <root>/containers/<id>/container.json.
import type { BindMount, NetworkMode } from '../spec/spec';
import type { ContainerNetConfig } from '../network/types';
import type { HealthcheckConfig, HealthStatus, RestartPolicy } from '../../common/types';
import type { Resources } from '../../common/types';

export type ContainerStatus = 'created' | 'running' | 'paused' | 'exited' | 'removing';

export interface ContainerConfig {
  image?: string;
  imageId?: string;
  /** the full argv (entrypoint + cmd resolved) */
  args: string[];
  entrypoint?: string[];
  cmd?: string[];
  env: string[];
  cwd: string;
  user: string;
  terminal: boolean;
  /** keep stdin open (docker -i) */
  stdin: boolean;
  stdinOnce?: boolean;
  hostname: string;
  readOnlyRoot: boolean;
  binds: BindMount[];
  network: NetworkMode;
  /** container mode: the id of the container whose network namespace this one joins */
  netContainer?: string;
  /** bridge mode: networks, published ports, DNS and hosts entries */
  net?: ContainerNetConfig;
  labels: Record<string, string>;
  stopSignal: string;
  stopTimeout: number;
  autoRemove: boolean;
  consoleSize?: { rows: number; cols: number };
  /** rootfs given directly (no image snapshot) */
  rootfs?: string;
  restartPolicy?: RestartPolicy;
  /** the effective healthcheck (create's, else the image's); absent = none */
  healthcheck?: HealthcheckConfig;
  /** Docker create-request fields kept only to be reported back as sent (api/echo.ts) */
  echo?: Record<string, unknown>;
  /** the healthcheck the client sent at create (echoed as Config.Healthcheck) */
  healthcheckRequested?: HealthcheckConfig;
  /** volumes and tmpfs mounts (binds stay in `binds`) */
  mounts?: StoredMount[];
  /** limits as checked at create/update (defaults applied) */
  resources?: Resources;
}

/** One probe's result, as Docker's State.Health.Log keeps it (the last five). */
export interface HealthProbe { start: string; end: string; exitCode: number; output: string }
export interface HealthState { status: HealthStatus; failingStreak: number; log: HealthProbe[] }

export type StoredMount =
  | { type: 'volume'; name: string; destination: string; readOnly?: boolean; noCopy?: boolean; anonymous?: boolean }
  | { type: 'tmpfs'; destination: string; options: string[] };

export interface ContainerState {
  status: ContainerStatus;
  /** runtime container exists (conmon launched); false after exit cleanup */
  initialized: boolean;
  pid: number;
  conmonPid: number;
  startedAt?: string;
  finishedAt?: string;
  exitCode?: number;
  /** set when Pier stopped/killed it, so exits are not "unexpected" */
  stoppedByUser?: boolean;
  restoredFrom?: string;
  /** the last run was ended by the OOM killer (conmon wrote <bundle>/oom) */
  oomKilled?: boolean;
  error?: string;
  health?: HealthState;
  /** restarts made by the restart policy since the last start by the user */
  restartCount?: number;
  /** a policy restart is scheduled */
  restarting?: boolean;
  /** bridge mode, while the namespace exists: bound ports and addresses (the network store is authoritative) */
  net?: { ports: import('../network/types').BoundPort[]; endpoints: Array<{ name: string; ip: string; gateway: string; mac: string }> };
}

export interface ContainerRecord {
  id: string;
  name: string;
  created: string;
  config: ContainerConfig;
  state: ContainerState;
}
