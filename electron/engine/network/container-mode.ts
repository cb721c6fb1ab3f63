// `--network container:<id>`: a container joins another one's network namespace (Docker's
// container mode). It shares that container's addresses, ports, /etc/hosts, resolv.conf and
// hostname; it has no network configuration of its own (ports, DNS, hosts entries, hostname and
// links are refused at create, with dockerd's messages — see api/networks.ts).
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { ContainerRecord } from '../store/types';
import type { BindMount } from '../spec/spec';
import { isLive } from '../containers/states';

const err = (message: string, code: string) => Object.assign(new Error(message), { code });

export interface JoinedNetwork {
  /** the namespace to join; undefined when the target uses the host's */
  netnsPath?: string;
  mounts: BindMount[];
  hostname: string;
}

export interface JoinDeps {
  get(ref: string): ContainerRecord;
  /** the bridge-mode namespace file of a running container, if it has one */
  netnsOf(id: string): string | undefined;
  bundle(r: ContainerRecord): string;
}

/** The id a `container:REF` mode names; Docker's message when there is no such container. */
export function targetId(mode: string, get: JoinDeps['get']): string {
  const ref = mode.slice('container:'.length);
  if (!ref) throw err('network mode container: needs a container name or id', 'EINVAL');
  // 400, not 404: a client reads 404 on create as "no such image" and tries to pull
  try { return get(ref).id; } catch { throw err(`No such container: ${ref}`, 'EINVAL'); }
}

/** What a container in container mode joins at start; the target must be running. */
export function joinTarget(self: ContainerRecord, d: JoinDeps): JoinedNetwork {
  const id = self.config.netContainer!;
  let t: ContainerRecord;
  try { t = d.get(id); } catch { throw err(`No such container: ${id}`, 'ENETJOIN'); }
  if (t.id === self.id) throw err('cannot join own network', 'EINVAL');
  const running = isLive(t.state.status) && t.state.pid > 0;
  if (!running) throw err(`cannot join network of a non running container: ${t.id}`, 'ENETJOIN');
  if (t.config.network === 'container') return joinTarget(t, d);
  const mounts: BindMount[] = [];
  for (const f of ['hosts', 'resolv.conf', 'hostname']) {
    const source = path.join(d.bundle(t), f);
    if (t.config.net && existsSync(source)) mounts.push({ source, destination: `/etc/${f}` });
  }
  const netnsPath = t.config.network === 'host' ? undefined : d.netnsOf(t.id) ?? `/proc/${t.state.pid}/ns/net`;
  return { netnsPath, mounts, hostname: t.config.hostname };
}
