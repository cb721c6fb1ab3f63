// The Create/run form as plain data → contract params, validated with the contract's
// own schema before submit. Pure: unit-tested.
import { createParams, type Params } from '../../../electron/common/contract';
import { splitArgs } from './format';
import { parsePublish } from '../../../electron/common/ports';
import type { PortMapping } from '../../../electron/common/types';

export interface CreateForm {
  image: string; name: string; command: string; env: string; tty: boolean; interactive: boolean;
  /** '' = the engine's default (bridge), none, host, or a network's name */
  network: string; binds: string; start: boolean;
  /** -p specs, one per line or comma-separated: [ip:][hostPort:]containerPort[/udp] */
  ports: string;
  /** extra names on a user network, comma-separated */
  aliases: string;
  /** named volumes (an existing one, or a new name: created on start) mounted at path */
  volumes: VolumeMountForm[];
}
export interface VolumeMountForm { name: string; path: string; readOnly: boolean }

export const emptyForm = (image = ''): CreateForm => ({ image, name: '', command: '', env: '', tty: true, interactive: true, network: '', binds: '', start: true, ports: '', aliases: '', volumes: [] });

export type FormErrors = Partial<Record<keyof CreateForm, string>>;

export function toParams(f: CreateForm): { params?: Params<'containers.create'>; errors: FormErrors } {
  const errors: FormErrors = {};
  if (!f.image.trim()) errors.image = 'Choose an image (name:tag) or a root filesystem directory (absolute path).';
  let cmd: string[] | undefined;
  try { cmd = f.command.trim() ? splitArgs(f.command) : undefined; } catch (e) { errors.command = (e as Error).message; }
  const env = f.env.split('\n').map((l) => l.trim()).filter(Boolean);
  const badEnv = env.find((e) => !/^[^=\s]+=/.test(e));
  if (badEnv) errors.env = `"${badEnv}" is not NAME=value`;
  const binds: Array<{ source: string; destination: string; readOnly?: boolean }> = [];
  for (const line of f.binds.split('\n').map((l) => l.trim()).filter(Boolean)) {
    const [source, destination, mode, ...rest] = line.split(':');
    if (!source?.startsWith('/') || !destination?.startsWith('/') || rest.length || (mode && mode !== 'ro' && mode !== 'rw')) { errors.binds = `"${line}" is not /host/path:/container/path[:ro]`; break; }
    binds.push({ source, destination, ...(mode === 'ro' ? { readOnly: true } : {}) });
  }
  const ports: PortMapping[] = [];
  for (const spec of f.ports.split(/[\n,]/).map((l) => l.trim()).filter(Boolean)) {
    try { ports.push(...parsePublish(spec)); } catch (e) { errors.ports = (e as Error).message; break; }
  }
  const volumes: Array<{ name: string; destination: string; readOnly?: boolean }> = [];
  for (const v of f.volumes) {
    const name = v.name.trim(), dest = v.path.trim();
    if (!name && !dest) continue;
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(name)) { errors.volumes = name ? `"${name}" is not a volume name (letters, digits, _ . -)` : `choose a volume for ${dest}`; break; }
    if (!dest.startsWith('/')) { errors.volumes = `mount path of ${name} must be an absolute path in the container, e.g. /data`; break; }
    if (volumes.some((x) => x.destination === dest)) { errors.volumes = `${dest} is mounted twice`; break; }
    volumes.push({ name, destination: dest, ...(v.readOnly ? { readOnly: true } : {}) });
  }
  const aliases = f.aliases.split(/[\s,]+/).map((a) => a.trim()).filter(Boolean);
  if (aliases.length && ['', 'bridge', 'host', 'none'].includes(f.network)) errors.aliases = 'aliases need a user network (create one in Networks)';
  if (ports.length && (f.network === 'host' || f.network === 'none')) errors.ports = `ports cannot be published with network ${f.network}`;
  const raw = {
    image: f.image.trim() || undefined,
    ...(f.name.trim() ? { name: f.name.trim() } : {}),
    ...(cmd ? { cmd } : {}),
    ...(env.length ? { env } : {}),
    tty: f.tty, openStdin: f.interactive,
    ...(f.network ? { network: f.network } : {}),
    ...(binds.length ? { binds } : {}),
    ...(ports.length ? { ports } : {}),
    ...(aliases.length ? { networkAliases: aliases } : {}),
    ...(volumes.length ? { volumes } : {}),
    start: f.start,
  };
  const r = createParams.safeParse(raw);
  if (!r.success) for (const i of r.error.issues) {
    const k = (i.path[0] === 'cmd' ? 'command' : i.path[0] === 'networkAliases' ? 'aliases' : i.path[0]) as keyof CreateForm;
    if (k && !errors[k]) errors[k] = i.message;
  }
  return Object.keys(errors).length ? { errors } : { params: raw, errors };
}
