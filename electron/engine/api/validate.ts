// Request bodies and query parameters, validated at the boundary. Docker bodies accept
// unknown fields, as moby does (the CLI sends ~1.7 KB of HostConfig Pier has no use
// for); wrong types and bad values are 400 naming the field. Pier's own routes are strict.
import { z } from 'zod';
import { badRequest } from './errors';

const strOrList = z.union([z.string(), z.array(z.string().max(1 << 16)).max(4096)]).nullish()
  .transform((v) => (v == null ? undefined : typeof v === 'string' ? [v] : v));
const int = z.number().int();

export const HostConfigSchema = z.looseObject({
  AutoRemove: z.boolean().nullish(),
  Binds: z.array(z.string().max(8192)).max(1024).nullish(),
  NetworkMode: z.string().max(256).nullish(),
  ConsoleSize: z.tuple([int.min(0).max(65535), int.min(0).max(65535)]).nullish(),
  ReadonlyRootfs: z.boolean().nullish(),
  Privileged: z.boolean().nullish(),
  PortBindings: z.record(z.string(), z.unknown()).nullish(),
  PublishAllPorts: z.boolean().nullish(),
  Mounts: z.array(z.unknown()).max(1024).nullish(),
  Tmpfs: z.record(z.string().max(4096), z.string().max(4096)).nullish(),
  VolumesFrom: z.array(z.string().max(512)).max(256).nullish(),
  Init: z.boolean().nullish(),
  RestartPolicy: z.looseObject({ Name: z.string().max(64).optional(), MaximumRetryCount: int.min(0).max(1e6).nullish() }).nullish(),
});

export const CreateContainerSchema = z.looseObject({
  Image: z.string().max(4096).nullish(),
  Cmd: strOrList,
  Entrypoint: strOrList,
  Env: z.array(z.string().max(1 << 16)).max(4096).nullish(),
  WorkingDir: z.string().max(4096).nullish(),
  User: z.string().max(256).nullish(),
  Hostname: z.string().max(253).nullish(),
  Tty: z.boolean().nullish(),
  OpenStdin: z.boolean().nullish(),
  StdinOnce: z.boolean().nullish(),
  AttachStdin: z.boolean().nullish(),
  AttachStdout: z.boolean().nullish(),
  AttachStderr: z.boolean().nullish(),
  Labels: z.record(z.string().max(4096), z.string().max(1 << 16)).nullish(),
  Volumes: z.record(z.string().max(4096), z.unknown()).nullish(),
  StopSignal: z.string().max(32).nullish(),
  StopTimeout: int.min(-1).max(1e6).nullish(),
  Healthcheck: z.looseObject({
    Test: z.array(z.string().max(1 << 16)).max(4096).nullish(), Interval: int.min(0).nullish(),
    Timeout: int.min(0).nullish(), Retries: int.min(0).max(1e6).nullish(), StartPeriod: int.min(0).nullish(),
  }).nullish(),
  HostConfig: HostConfigSchema.nullish(),
  NetworkingConfig: z.unknown().optional(),
});
export type CreateContainerBody = z.infer<typeof CreateContainerSchema>;

export const ExecCreateSchema = z.looseObject({
  Cmd: z.array(z.string().max(1 << 16)).min(1, 'Cmd: no exec command specified').max(4096),
  Tty: z.boolean().nullish(),
  AttachStdin: z.boolean().nullish(),
  AttachStdout: z.boolean().nullish(),
  AttachStderr: z.boolean().nullish(),
  Detach: z.boolean().nullish(),
  DetachKeys: z.string().max(64).nullish(),
  Env: z.array(z.string().max(1 << 16)).max(4096).nullish(),
  WorkingDir: z.string().max(4096).nullish(),
  User: z.string().max(256).nullish(),
  Privileged: z.boolean().nullish(),
  ConsoleSize: z.tuple([int.min(0).max(65535), int.min(0).max(65535)]).nullish(),
});

export const ExecStartSchema = z.looseObject({
  Detach: z.boolean().nullish(),
  Tty: z.boolean().nullish(),
  ConsoleSize: z.tuple([int.min(0).max(65535), int.min(0).max(65535)]).nullish(),
});

export const StopBodySchema = z.looseObject({ t: int.nullish() });

/** Parses `value` with `schema`; a failure is 400 naming the field and the reason. */
export function parse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const at = issue.path.length ? issue.path.join('.') : '(body)';
  throw badRequest(`invalid ${what}: ${at}: ${issue.message}`);
}

/** moby's boolean query values: "", 0, no, false, none are false; anything else true. */
export function qbool(q: URLSearchParams, key: string, dflt = false): boolean {
  const v = q.get(key);
  if (v === null) return dflt;
  return !['', '0', 'no', 'false', 'none'].includes(v.toLowerCase());
}

/** Integer query parameter, 400 naming it when not an integer. */
export function qint(q: URLSearchParams, key: string): number | undefined {
  const v = q.get(key);
  if (v === null || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) throw badRequest(`invalid value for ${key}: "${v}" is not an integer`);
  return Number(v);
}

/** Docker's `filters` JSON: {"key": ["v", …]} or the legacy {"key": {"v": true}}. */
export function qfilters(q: URLSearchParams): Map<string, string[]> {
  const raw = q.get('filters');
  const out = new Map<string, string[]>();
  if (!raw) return out;
  let obj: unknown;
  try { obj = JSON.parse(raw); } catch { throw badRequest(`invalid filters: not JSON: ${raw.slice(0, 100)}`); }
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw badRequest('invalid filters: expected a JSON object');
  for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) out.set(k, v as string[]);
    else if (v && typeof v === 'object') out.set(k, Object.entries(v as Record<string, unknown>).filter(([, b]) => b === true).map(([s]) => s));
    else throw badRequest(`invalid filters: "${k}" must be a list of strings`);
  }
  return out;
}

/** Docker time parameters: unix seconds (fractional) or RFC3339. */
export function qtime(q: URLSearchParams, key: string): number | undefined {
  const v = q.get(key);
  if (v === null || v === '') return undefined;
  if (/^-?\d+(\.\d+)?$/.test(v)) return Number(v);
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw badRequest(`invalid value for ${key}: "${v}" is not a timestamp`);
  return t / 1000;
}

/** Docker's filter rule: the values of one filter key are alternatives, except `label`, where all must hold. */
export function filterValues(key: string, vals: string[], test: (v: string) => boolean): boolean {
  return key === 'label' ? vals.every(test) : vals.some(test);
}
