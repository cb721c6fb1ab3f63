// DTOs shared by the engine, the RPC contract, the renderer and the API.
// No Node, no DOM: plain data only.

export type ContainerStatus = 'created' | 'running' | 'paused' | 'exited' | 'removing';

export interface ContainerSummary {
  id: string;
  name: string;
  image: string;
  imageId?: string;
  command: string;
  status: ContainerStatus;
  created: string;
  startedAt?: string;
  finishedAt?: string;
  exitCode?: number;
  pid: number;
  terminal: boolean;
  stdin: boolean;
  labels: Record<string, string>;
  /** set when the last exit was not requested by the user */
  unexpectedExit?: boolean;
  /** the kernel's OOM killer ended the last run (conmon's `oom` file) */
  oomKilled?: boolean;
  /** 'none', 'host' or 'bridge' (then `networks` names them) */
  networkMode?: string;
  /** published ports as bound (host port chosen) while it runs */
  ports?: PortMapping[];
  /** addresses on its networks while it runs */
  networks?: Array<{ name: string; ip: string; gateway: string; mac: string }>;
  error?: string;
  /** present when the container has a healthcheck */
  health?: HealthStatus;
  /** waiting to be restarted by its restart policy */
  restarting?: boolean;
  restartCount?: number;
}

export type HealthStatus = 'starting' | 'healthy' | 'unhealthy';

/** Docker's restart policies; maxRetries applies to on-failure (0 = unlimited). */
export interface RestartPolicy { name: '' | 'no' | 'always' | 'on-failure' | 'unless-stopped'; maxRetries?: number }

/** A healthcheck (Docker's Healthcheck config, durations in ms). test: ['CMD', …] | ['CMD-SHELL', cmd] | ['NONE']. */
export interface HealthcheckConfig { test: string[]; intervalMs?: number; timeoutMs?: number; retries?: number; startPeriodMs?: number }

/** HostConfig.PortBindings in Docker's wire form (container port → host bindings). */
export type DockerPortBindings = Record<string, Array<{ HostIp?: string; HostPort?: string }> | null>;

export interface CreateContainerOptions {
  name?: string;
  /** image reference (needs the image service) or a rootfs directory */
  image?: string;
  rootfs?: string;
  /** overrides the image's Cmd */
  cmd?: string[];
  /** overrides the image's Entrypoint ([] clears it) */
  entrypoint?: string[];
  env?: string[];
  workingDir?: string;
  user?: string;
  tty?: boolean;
  /** keep stdin open (docker -i) */
  openStdin?: boolean;
  stdinOnce?: boolean;
  hostname?: string;
  readOnly?: boolean;
  binds?: Array<{ source: string; destination: string; readOnly?: boolean }>;
  /** 'none', 'host', 'bridge' (the default network) or a network's name */
  network?: string;
  /** more networks to join (name → aliases/static address); the one named in `network` comes first */
  networks?: Record<string, EndpointOptions>;
  ports?: PortMapping[];
  /** HostConfig.PortBindings as a Docker client sent it (reported back unchanged) */
  portBindings?: DockerPortBindings;
  exposedPorts?: string[];
  dns?: string[];
  dnsSearch?: string[];
  dnsOptions?: string[];
  /** "host:ip" lines for /etc/hosts (docker --add-host) */
  extraHosts?: string[];
  /** legacy links (docker --link NAME[:ALIAS]): /etc/hosts entries and ALIAS_* variables */
  links?: string[];
  labels?: Record<string, string>;
  stopSignal?: string;
  stopTimeout?: number;
  autoRemove?: boolean;
  consoleSize?: { rows: number; cols: number };
  restartPolicy?: RestartPolicy;
  /** overrides the image's healthcheck (test ['NONE'] disables it) */
  healthcheck?: HealthcheckConfig;
  /** volumes, extra binds and tmpfs mounts (see engine/volumes) */
  mounts?: MountRequest[];
  /** `--volumes-from CONTAINER[:ro|rw]` */
  volumesFrom?: string[];
  /** API only: request fields reported back exactly as sent */
  echo?: Record<string, unknown>;
  /** resource limits (cgroups, rlimits, /dev/shm) */
  resources?: Resources;
}

/** One requested mount: a volume (named, or anonymous without source), a host bind or a tmpfs. */
export interface MountRequest {
  type: 'volume' | 'bind' | 'tmpfs';
  /** volume name (none: anonymous) or absolute host path */
  source?: string;
  target: string;
  readOnly?: boolean;
  /** volume: do not copy the image's content into an empty volume */
  noCopy?: boolean;
  /** volume: labels and driver options used when the volume is created by this mount */
  volumeLabels?: Record<string, string>;
  volumeOptions?: Record<string, string>;
  tmpfsSize?: number;
  tmpfsMode?: number;
  /** --tmpfs options as given (validated) */
  tmpfsOptions?: string[];
}

export interface VolumeSummary {
  name: string;
  driver: 'local';
  mountpoint: string;
  createdAt: string;
  labels: Record<string, string>;
  options: Record<string, string>;
  anonymous: boolean;
  /** ids of the containers that use it */
  usedBy: string[];
  /** bytes, when asked for */
  size?: number;
}

/** One published port (docker -p); hostIp "" = every address, hostPort 0 = any free port. */
export interface PortMapping {
  hostIp: string;
  hostPort: number;
  /** inclusive end of a host port range to pick from (docker -p 8000-8010:80) */
  hostPortEnd?: number;
  containerPort: number;
  protocol: 'tcp' | 'udp';
}

/** How a container joins one network (docker --network-alias, --ip). */
export interface EndpointOptions { aliases?: string[]; ipv4?: string }

export interface Ulimit { name: string; soft: number; hard: number }

/** Resource limits in Docker's units: bytes, nano-CPUs, µs; 0/undefined = unset. */
export interface Resources {
  memory?: number;
  /** memory + swap; -1 = unlimited swap */
  memorySwap?: number;
  memoryReservation?: number;
  nanoCpus?: number;
  cpuShares?: number;
  cpuPeriod?: number;
  cpuQuota?: number;
  cpusetCpus?: string;
  cpusetMems?: string;
  /** ≤ 0 = unlimited */
  pidsLimit?: number;
  blkioWeight?: number;
  oomKillDisable?: boolean;
  shmSize?: number;
  ulimits?: Ulimit[];
}

export type ContainerAction = 'created' | 'started' | 'exited' | 'paused' | 'unpaused' | 'removed' | 'renamed' | 'restored' | 'checkpointed' | 'killed' | 'stopped' | 'health_status' | 'oom' | 'updated' | 'committed';

export type EngineEvent =
  | { type: 'container'; action: ContainerAction; id: string; name: string; container?: ContainerSummary; exitCode?: number; health?: HealthStatus;
      /** `committed`: the image made from the container */
      commit?: { imageId: string; ref?: string; comment?: string }; time: number }
  | { type: 'image'; action: 'pulled' | 'removed' | 'tagged' | 'untagged' | 'loaded' | 'built' | 'committed' | 'pruned'; id: string; ref?: string; labels?: Record<string, string>; reclaimed?: number; time: number }
  | { type: 'network'; action: 'create' | 'destroy' | 'connect' | 'disconnect'; id: string; name: string; container?: string; time: number }
  | { type: 'volume'; action: 'create' | 'mount' | 'unmount' | 'destroy'; id: string; container?: string; destination?: string; readOnly?: boolean; time: number }
  | { type: 'progress'; task: string; kind: 'pull' | 'checkpoint' | 'restore' | 'export' | 'import' | 'load' | 'build'; ref: string; status: string; layer?: string; current?: number; total?: number; done?: boolean; error?: string;
      /** build: output since the last event; the built image at the end */
      text?: string; imageId?: string; time: number };

export interface LogLine {
  time: string; stream: 'stdout' | 'stderr'; text: string;
  /** in a stack's interleaved logs: the service (and replica) the line came from */
  source?: string;
}

/** Compose's labels, which group containers into stacks. */
export const COMPOSE_PROJECT = 'com.docker.compose.project';
export const COMPOSE_SERVICE = 'com.docker.compose.service';
export const COMPOSE_NUMBER = 'com.docker.compose.container-number';

/** One stats reading of a running container, as the UI plots it (rates per second, bytes). */
export interface StatsPoint {
  id: string;
  /** ms since the epoch */
  t: number;
  /** % of one CPU (200 = two full CPUs), Docker's CPU % */
  cpu: number;
  /** share of CFS periods that were throttled since the last reading, 0–100 */
  throttled: number;
  /** working set (usage minus inactive file cache), as `docker stats` shows */
  mem: number;
  /** memory limit; undefined when the container has none (the host's memory applies) */
  memLimit?: number;
  memCache: number;
  netRx: number;
  netTx: number;
  blkRead: number;
  blkWrite: number;
  pids: number;
  pidsLimit?: number;
}

/** What the host enforces, for the UI's "limits unavailable here" states. */
export interface LimitsInfo {
  cgroupVersion: 1 | 2;
  rootless: boolean;
  memory: boolean; swap: boolean; cpu: boolean; cpuset: boolean; pids: boolean; blkioWeight: boolean; oomKillDisable: boolean;
  reason?: string;
  ncpu: number;
  memTotal: number;
}

export interface TopResult { titles: string[]; processes: string[][] }
