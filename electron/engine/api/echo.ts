// Create-request fields dockerd reports back exactly as the client sent them (inspect's HostConfig and Config,
// the list's HostConfig): kept with the container only to be echoed, never interpreted.
import type { ContainerRecord } from '../store/types';

export interface DockerEcho {
  NetworkMode: string;
  AttachStdin: boolean;
  AttachStdout: boolean;
  AttachStderr: boolean;
  Binds: string[] | null;
  PortBindings: unknown;
}

interface CreateBody {
  AttachStdin?: boolean | null; AttachStdout?: boolean | null; AttachStderr?: boolean | null;
  HostConfig?: { NetworkMode?: string | null; Binds?: string[] | null; PortBindings?: unknown } | null;
}

export function echoFromBody(body: CreateBody): DockerEcho {
  const hc = body.HostConfig ?? {};
  return {
    NetworkMode: hc.NetworkMode || 'default', AttachStdin: !!body.AttachStdin, AttachStdout: !!body.AttachStdout,
    AttachStderr: !!body.AttachStderr, Binds: hc.Binds ?? null, PortBindings: portBindings(hc.PortBindings),
  };
}

/** As sent, with each binding's missing HostIp/HostPort as "" (dockerd's struct has both). */
function portBindings(pb: unknown): unknown {
  if (!pb || typeof pb !== 'object') return pb ?? null;
  return Object.fromEntries(Object.entries(pb as Record<string, unknown>).map(([k, list]) => [k, Array.isArray(list)
    ? list.map((b: { HostIp?: string; HostPort?: string }) => ({ HostIp: b?.HostIp ?? '', HostPort: b?.HostPort ?? '' }))
    : list]));
}

/** The echo of a container created through the API (none for containers created by the UI or the CLI). */
export function echoOf(r: ContainerRecord): DockerEcho | undefined {
  return r.config.echo as DockerEcho | undefined;
}

/** The list's Command: dockerd quotes arguments that contain a space. */
export function dockerCommand(args: string[]): string {
  return args.map((a, i) => (i > 0 && a.includes(' ') ? `'${a}'` : a)).join(' ');
}
