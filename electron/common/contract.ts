// The RPC contract: every method (name → params schema → result type), every event
// topic and every stream kind, declared once. The Electron IPC binding, the preload
// bridge, the web-mode WebSocket server and the renderer's client are generic over it.
// Every call is validated against `params` at the boundary; errors cross as {code, message}.
import { z } from 'zod';
import { containerName } from './names';
import type { ContainerSummary, EngineEvent, LimitsInfo, LogLine, StatsPoint, TopResult } from './types';

const id = z.string().min(1).max(128).regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'must be a container id or name');
const sessionId = z.string().regex(/^[a-z0-9-]{1,64}$/, 'must be a session id');
const size = z.object({ rows: z.number().int().min(1).max(1000), cols: z.number().int().min(1).max(1000) });
const ref = z.string().min(1).max(512);
const volumeName = z.string().min(1).max(255).regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, 'letters, digits, _ . - (not first)');
/** repository[:tag] as the docker CLI accepts it (lower-case path, optional host[:port]/ in front) */
export const imageTag = z.string().max(512).regex(
  /^(?:[a-zA-Z0-9.-]+(?::\d+)?\/)?[a-z0-9]+(?:[._-]+[a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-]+[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?$/,
  'a name like app, team/app:1.0 or localhost:5000/app:dev (lower case)');
/** a path inside a volume: relative, no "..", no NUL */
const volumePath = z.string().max(4096).refine((p) => !p.includes('\0') && !p.split('/').includes('..'), 'must stay inside the volume (no "..")');
const buildArg = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a build arg name');

const portMapping = z.object({
  hostIp: z.string().max(64).regex(/^$|^[0-9.]+$|^[0-9a-fA-F:]+$/, 'an IPv4 or IPv6 address, or empty for all'),
  hostPort: z.number().int().min(0).max(65535),
  hostPortEnd: z.number().int().min(1).max(65535).optional(),
  containerPort: z.number().int().min(1).max(65535),
  protocol: z.enum(['tcp', 'udp']),
}).strict();

const bytes = z.number().int().min(0).max(2 ** 50);
/** Resource limits in Docker's units (bytes, nano-CPUs, µs); the engine checks them against the host. */
export const resourcesParams = z.object({
  memory: bytes.optional(), memorySwap: z.number().int().min(-1).max(2 ** 50).optional(), memoryReservation: bytes.optional(),
  nanoCpus: z.number().int().min(0).max(1024e9).optional(), cpuShares: z.number().int().min(0).max(262144).optional(),
  cpuPeriod: z.number().int().min(0).max(1_000_000).optional(), cpuQuota: z.number().int().min(-1).max(2 ** 40).optional(),
  cpusetCpus: z.string().max(256).optional(), cpusetMems: z.string().max(256).optional(),
  pidsLimit: z.number().int().min(-1).max(2 ** 31).optional(), blkioWeight: z.number().int().min(0).max(1000).optional(),
}).strict();

export const createParams = z.object({
  name: containerName.optional(),
  image: ref.optional(),
  cmd: z.array(z.string()).max(1024).optional(),
  entrypoint: z.array(z.string()).max(1024).optional(),
  env: z.array(z.string().regex(/^[^=]+=/, 'must be NAME=value')).max(1024).optional(),
  workingDir: z.string().max(4096).optional(),
  user: z.string().max(256).optional(),
  tty: z.boolean().optional(),
  openStdin: z.boolean().optional(),
  hostname: z.string().max(253).optional(),
  readOnly: z.boolean().optional(),
  binds: z.array(z.object({ source: z.string().startsWith('/'), destination: z.string().startsWith('/'), readOnly: z.boolean().optional() })).max(64).optional(),
  /** 'none', 'host', 'bridge' (default network) or a user network's name */
  network: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, 'a network name, bridge, host or none').max(128).optional(),
  /** published ports (docker -p); hostPort 0 = any free port */
  ports: z.array(portMapping).max(256).optional(),
  /** names other containers on the (user) network also find it by */
  networkAliases: z.array(z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, 'letters, digits, _ . -').max(253)).max(32).optional(),
  labels: z.record(z.string(), z.string()).optional(),
  autoRemove: z.boolean().optional(),
  consoleSize: size.optional(),
  start: z.boolean().optional(),
  resources: resourcesParams.extend({ shmSize: bytes.optional(), oomKillDisable: z.boolean().optional() }).optional(),
  /** named volumes to mount (created when missing), as `-v name:/path[:ro]` */
  volumes: z.array(z.object({ name: volumeName, destination: z.string().startsWith('/').max(4096), readOnly: z.boolean().optional() }).strict()).max(64).optional(),
}).strict();

export interface NetworkSummary {
  id: string; name: string; subnet: string; gateway: string; bridge: string; internal: boolean; dns: boolean;
  isDefault: boolean; created: string; labels: Record<string, string>;
  containers: Array<{ id: string; name: string; ip: string; mac: string }>;
}
export const networkCreateParams = z.object({
  name: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, 'letters, digits, _ . - (not first)').max(128),
  subnet: z.string().regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, 'an IPv4 subnet like 10.1.2.0/24').optional(),
  gateway: z.string().regex(/^\d{1,3}(\.\d{1,3}){3}$/, 'an IPv4 address').optional(),
  internal: z.boolean().optional(),
}).strict();

export interface VolumeRow {
  name: string; mountpoint: string; createdAt: string; labels: Record<string, string>; anonymous: boolean;
  /** host folder of a bind volume (driver option device) */
  bind?: string; size: number; usedBy: Array<{ id: string; name: string; status: string }>;
}
export interface VolumeEntry { name: string; type: 'dir' | 'file' | 'symlink' | 'other'; size: number; mode: number; uid: number; gid: number; mtime: string; target?: string }
export type VolumeListing = { volume: string; path: string } & (
  | { kind: 'dir'; entries: VolumeEntry[] }
  | { kind: 'file'; size: number; text: string; truncated: boolean; binary: boolean });
/** a build started: its progress arrives as engine.event {type:'progress', kind:'build', task} */
export interface BuildStarted { task: string; dockerfile: string }
export const buildParams = z.object({
  /** the build context: a folder on the engine's machine */
  context: z.string().min(2).max(4096).startsWith('/', 'must be an absolute path'),
  /** relative to the context; default Dockerfile, else Containerfile */
  dockerfile: z.string().min(1).max(4096).refine((p) => !p.startsWith('/') && !p.split('/').includes('..'), 'must be a path inside the folder').optional(),
  tags: z.array(imageTag).max(16).optional(),
  buildArgs: z.record(buildArg, z.string().max(65536)).optional(),
  target: z.string().max(128).regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$|^$/, 'a stage name').optional(),
  noCache: z.boolean().optional(),
  pull: z.boolean().optional(),
}).strict();
export const commitParams = z.object({
  id: z.string().min(1).max(128).regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'must be a container id or name'),
  /** repository[:tag]; none: an untagged image */
  ref: imageTag.optional(),
  comment: z.string().max(4096).optional(),
  author: z.string().max(512).optional(),
  /** pause a running container while its files are read (default true) */
  pause: z.boolean().optional(),
  /** Dockerfile instructions (CMD, ENV, EXPOSE, LABEL, USER, WORKDIR, …), one per item */
  changes: z.array(z.string().min(1).max(4096)).max(64).optional(),
}).strict();

export interface ImageSummary { id: string; repoTags: string[]; size: number; created: string }
export interface CheckpointSummary { id: string; container: string; containerName: string; created: string; size: number; options: Record<string, boolean>; archive?: string; archiveSize?: number }
export interface SessionInfo {
  id: string; kind: 'attach' | 'exec' | 'host'; container?: string; title: string; tty: boolean; rows: number; cols: number; alive: boolean; exitCode?: number;
  /** why the session ended other than by its process exiting (a host shell whose pty host process died) */
  reason?: string;
}
export interface SystemInfo {
  version: string;
  root: string;
  runtime: { name: string; path: string; version: string; works: boolean; reason?: string }[];
  conmon: { path: string; version: string };
  criu?: { path: string; version: string; works: boolean; reason?: string };
  snapshotter?: { kind: string; reason?: string };
  containers: { total: number; running: number; paused: number; exited: number };
  apiSocket?: string;
  /** a rootless engine (in its user namespace) */
  rootless?: boolean;
  /** what the user should know: a missing subordinate id range, no cgroups… */
  warnings?: string[];
  /** the guard that protects extraction of untrusted archives (engine/path-guard.ts), as the image workers see it */
  pathGuard?: PathGuardInfo;
}
export interface PathGuardInfo {
  /** the native addon's openat2 guard loaded and passed its self-test in the image workers */
  native: boolean;
  /** why not, when it did not */
  reason?: string;
  /** require: a packaged app, refuses untrusted archives without the native guard unless allowJs */
  mode: 'require' | 'prefer' | 'off';
  /** the user allowed the pure-JS guard alone */
  allowJs: boolean;
  /** untrusted archives (pulls, loads, build contexts) are refused right now */
  refusing: boolean;
}

/** m<Result>()(paramsSchema): a method whose params are validated by the schema and whose result type is Result. */
const m = <R>() => <P extends z.ZodType>(params: P) => ({ params, result: undefined as unknown as R });
const opt = { rows: z.number().int().min(1).max(1000).optional(), cols: z.number().int().min(1).max(1000).optional() };
const cpId = z.string().regex(/^[a-z0-9-]{1,64}$/, 'must be a checkpoint id');
const name = containerName;

export const methods = {
  'containers.list': m<ContainerSummary[]>()(z.object({}).strict()),
  'containers.inspect': m<unknown>()(z.object({ id }).strict()),
  'containers.create': m<ContainerSummary>()(createParams),
  'containers.start': m<ContainerSummary>()(z.object({ id }).strict()),
  'containers.stop': m<ContainerSummary>()(z.object({ id, timeout: z.number().int().min(0).max(3600).optional() }).strict()),
  'containers.restart': m<ContainerSummary>()(z.object({ id }).strict()),
  'containers.kill': m<ContainerSummary>()(z.object({ id, signal: z.string().max(16).optional() }).strict()),
  'containers.pause': m<ContainerSummary>()(z.object({ id }).strict()),
  'containers.unpause': m<ContainerSummary>()(z.object({ id }).strict()),
  'containers.remove': m<void>()(z.object({ id, force: z.boolean().optional() }).strict()),
  'containers.rename': m<ContainerSummary>()(z.object({ id, name }).strict()),
  'containers.logs': m<LogLine[]>()(z.object({ id, tail: z.number().int().min(0).max(1_000_000).optional() }).strict()),
  /** opens a 'logs' stream (follow); returns its stream id */
  'containers.followLogs': m<{ stream: string }>()(z.object({ id, tail: z.number().int().min(0).max(100_000).optional() }).strict()),
  'streams.close': m<void>()(z.object({ stream: z.string().max(64) }).strict()),
  /** opens a 'logs' stream of every container of a compose project, interleaved by time, lines tagged by service */
  'stacks.followLogs': m<{ stream: string }>()(z.object({ project: z.string().min(1).max(256),
    tail: z.number().int().min(0).max(100_000).optional() }).strict()),
  /** removes every container of a compose project (and, with volumes, the project's named volumes) */
  'stacks.remove': m<void>()(z.object({ project: z.string().min(1).max(256), volumes: z.boolean().optional() }).strict()),
  /** processes of a running container (docker top; psArgs as for ps, default -ef) */
  'containers.top': m<TopResult>()(z.object({ id, psArgs: z.string().max(256).optional() }).strict()),
  /** changes limits; a running container gets them at once */
  'containers.update': m<{ container: ContainerSummary; warnings: string[] }>()(z.object({ id, resources: resourcesParams }).strict()),
  /** opens a 'stats' stream (one batch of points per second) for ids, or every running container; history = the last 5 min kept */
  'stats.watch': m<{ stream: string; history: StatsPoint[] }>()(z.object({ ids: z.array(id).max(5000).optional() }).strict()),
  /** what this host can limit (for "limits unavailable here") */
  'system.limits': m<LimitsInfo>()(z.object({}).strict()),

  'images.list': m<ImageSummary[]>()(z.object({}).strict()),
  /** progress arrives as engine.event {type:'progress', kind:'pull'} */
  'images.pull': m<ImageSummary>()(z.object({ ref }).strict()),
  'images.remove': m<void>()(z.object({ ref, force: z.boolean().optional() }).strict()),
  'images.inspect': m<unknown>()(z.object({ ref }).strict()),
  'images.load': m<ImageSummary[]>()(z.object({ path: z.string().startsWith('/') }).strict()),

  /** docker commit: the container's changes as a new image ("Save as image") */
  'containers.commit': m<ImageSummary>()(commitParams),
  /** builds a host folder; returns at once, progress follows as events; the image is announced as image built */
  'images.build': m<BuildStarted>()(buildParams),
  'images.buildCancel': m<void>()(z.object({ task: z.string().regex(/^build-[a-f0-9]{1,32}$/, 'must be a build task id') }).strict()),

  'volumes.list': m<VolumeRow[]>()(z.object({}).strict()),
  'volumes.inspect': m<VolumeRow>()(z.object({ name: volumeName }).strict()),
  'volumes.create': m<VolumeRow>()(z.object({ name: volumeName, labels: z.record(z.string().max(256), z.string().max(4096)).optional() }).strict()),
  /** refused (EINUSE, naming the containers) while a container uses it */
  'volumes.remove': m<void>()(z.object({ name: volumeName, force: z.boolean().optional() }).strict()),
  /** removes unused volumes: anonymous ones, or every unused one with all */
  'volumes.prune': m<{ deleted: string[]; bytes: number }>()(z.object({ all: z.boolean().optional() }).strict()),
  /** read-only: a folder's entries, or the first 64 KiB of a file */
  'volumes.browse': m<VolumeListing>()(z.object({ name: volumeName, path: volumePath }).strict()),

  'checkpoints.list': m<CheckpointSummary[]>()(z.object({ id: id.optional() }).strict()),
  'checkpoints.create': m<CheckpointSummary>()(z.object({ id, leaveRunning: z.boolean().optional(), tcpEstablished: z.boolean().optional(), fileLocks: z.boolean().optional(), preDump: z.boolean().optional(), export: z.boolean().optional() }).strict()),
  'checkpoints.restore': m<ContainerSummary>()(z.object({ checkpoint: cpId, name: name.optional() }).strict()),
  'checkpoints.import': m<ContainerSummary>()(z.object({ path: z.string().startsWith('/'), name: name.optional() }).strict()),
  'checkpoints.remove': m<void>()(z.object({ checkpoint: cpId }).strict()),

  /** sessions.* open or address a 'session' stream whose id is the session id */
  'sessions.attach': m<SessionInfo>()(z.object({ id, ...opt }).strict()),
  'sessions.exec': m<SessionInfo>()(z.object({ id, cmd: z.array(z.string()).min(1).max(256), tty: z.boolean().optional(), ...opt }).strict()),
  'sessions.host': m<SessionInfo>()(z.object({ ...opt }).strict()),
  'sessions.list': m<SessionInfo[]>()(z.object({}).strict()),
  /** starts delivering the session's output to this client (scrollback first) */
  'sessions.watch': m<SessionInfo>()(z.object({ session: sessionId }).strict()),
  'sessions.unwatch': m<void>()(z.object({ session: sessionId }).strict()),
  /** binary: `data` is xterm's onBinary string, one character per byte (legacy mouse reports), sent as those bytes */
  'sessions.write': m<void>()(z.object({ session: sessionId, data: z.string().max(32768), binary: z.boolean().optional() }).strict()
    .refine((p) => !p.binary || /^[\x00-\xff]*$/.test(p.data), { message: 'binary data must be characters 0-255 (one per byte)', path: ['data'] })),
  'sessions.resize': m<void>()(z.object({ session: sessionId, ...size.shape }).strict()),
  /** acknowledges bytes the client has consumed (flow control) */
  'sessions.ack': m<void>()(z.object({ session: sessionId, bytes: z.number().int().min(0).max(1 << 30) }).strict()),
  'sessions.close': m<void>()(z.object({ session: sessionId }).strict()),

  'networks.list': m<NetworkSummary[]>()(z.object({}).strict()),
  'networks.create': m<NetworkSummary>()(networkCreateParams),
  'networks.remove': m<void>()(z.object({ name }).strict()),
  'networks.connect': m<void>()(z.object({ network: name, id, aliases: z.array(name).max(32).optional() }).strict()),
  'networks.disconnect': m<void>()(z.object({ network: name, id }).strict()),

  'system.info': m<SystemInfo>()(z.object({}).strict()),
  /** allows (or stops allowing) extraction with the pure-JS path guard alone where the policy requires native */
  'system.pathGuard': m<PathGuardInfo>()(z.object({ allowJs: z.boolean() }).strict()),
  'system.df': m<{ images: number; layersSize: number; containers: number; checkpoints: number }>()(z.object({}).strict()),
} as const;

export type MethodName = keyof typeof methods;
export type Params<M extends MethodName> = z.input<(typeof methods)[M]['params']>;
export type Result<M extends MethodName> = (typeof methods)[M]['result'];

/** Event topics pushed from the engine to every client. */
export const topics = {
  'engine.event': null as unknown as EngineEvent,
} as const;
export type Topic = keyof typeof topics;

/**
 * Stream kinds. A stream is opened by a method (sessions.* return a session id; logs.follow),
 * then carries chunks to the client; the client acknowledges consumed bytes so the engine
 * can apply backpressure (flow control: pause the source above HIGH_WATERMARK unacked bytes).
 */
export const streams = {
  /** terminal/session output: { session, data: bytes } then { session, end, exitCode? } */
  session: null as unknown as { session: string; data?: Uint8Array; end?: boolean; exitCode?: number },
  /** log follow: { id, lines } */
  logs: null as unknown as { stream: string; lines?: LogLine[]; end?: boolean },
  /** stats: { stream, points } once per sampling interval */
  stats: null as unknown as { stream: string; points?: StatsPoint[]; end?: boolean },
} as const;
/** The one set of flow-control constants: the engine's session hub pauses above HIGH, resumes at or below LOW. */
export const FLOW = { HIGH_WATERMARK: 256 * 1024, LOW_WATERMARK: 64 * 1024, ACK_EVERY: 32 * 1024 } as const;

export interface RpcError { code: string; message: string }

/** Validates a call at the boundary. Throws an RpcError-shaped Error naming the method and field. */
export function validateCall(method: string, params: unknown): { method: MethodName; params: unknown } {
  if (!Object.prototype.hasOwnProperty.call(methods, method)) throw Object.assign(new Error(`unknown method "${method}"`), { code: 'EUNKNOWN' });
  const spec = methods[method as MethodName];
  const r = spec.params.safeParse(params ?? {});
  if (!r.success) {
    const issue = r.error.issues[0];
    throw Object.assign(new Error(`${method}: invalid ${issue.path.join('.') || 'parameters'}: ${issue.message}`), { code: 'EINVAL' });
  }
  return { method: method as MethodName, params: r.data };
}

// ---- Wire envelope (shared by the web-mode WebSocket, the Electron IPC binding and the renderer client) ----

/** client → engine */
export interface CallMessage { t: 'call'; id: number; method: MethodName; params?: unknown }
/** engine → client */
export type ServerMessage =
  | { t: 'result'; id: number; result?: unknown; error?: RpcError }
  | { t: 'event'; topic: Topic; payload: (typeof topics)[Topic] }
  | { t: 'stream'; kind: 'session'; payload: (typeof streams)['session'] }
  | { t: 'stream'; kind: 'logs'; payload: (typeof streams)['logs'] }
  | { t: 'stream'; kind: 'stats'; payload: (typeof streams)['stats'] };

/** Where the web-mode server accepts the WebSocket. */
export const WS_PATH = '/rpc';
/** Binary frames carry session output without JSON/base64 cost: [1][len][session id][bytes]. */
const SESSION_FRAME = 1;
export function encodeSessionFrame(session: string, data: Uint8Array): Uint8Array {
  const idBytes = new TextEncoder().encode(session);
  const out = new Uint8Array(2 + idBytes.length + data.length);
  out[0] = SESSION_FRAME; out[1] = idBytes.length;
  out.set(idBytes, 2); out.set(data, 2 + idBytes.length);
  return out;
}
export function decodeSessionFrame(buf: Uint8Array): { session: string; data: Uint8Array } | undefined {
  if (buf.length < 2 || buf[0] !== SESSION_FRAME || buf.length < 2 + buf[1]) return undefined;
  const n = buf[1];
  return { session: new TextDecoder().decode(buf.subarray(2, 2 + n)), data: buf.subarray(2 + n) };
}
