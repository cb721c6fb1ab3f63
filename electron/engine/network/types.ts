// Networking records (persisted in <root>/network/state.json by NetworkStore) and the
// per-container options a container record carries. Plain data; no I/O.

import type { DockerPortBindings, EndpointOptions, PortMapping } from '../../common/types';

export type { EndpointOptions, PortMapping };
export type Protocol = PortMapping['protocol'];

/** A bridge network. The default one is named "bridge" (Docker's name). */
export interface NetworkRecord {
  id: string;
  name: string;
  driver: 'bridge';
  /** host bridge interface netavark creates on first use */
  bridge: string;
  subnet: string;
  gateway: string;
  /** allocate only from this sub-range (docker --ip-range) */
  ipRange?: string;
  internal: boolean;
  /** aardvark-dns name resolution (user networks; not the default bridge, as Docker) */
  dnsEnabled: boolean;
  labels: Record<string, string>;
  options: Record<string, string>;
  created: string;
  isDefault?: boolean;
  /** removed by the user while a stopped container's teardown was still under way; forgotten after it */
  removing?: boolean;
}

/** Network settings stored in the container's config (everything the user asked for). */
export interface ContainerNetConfig {
  /** networks in join order; the first is the primary one (eth0) */
  networks: Record<string, EndpointOptions>;
  ports: PortMapping[];
  /** HostConfig.PortBindings exactly as the client sent it */
  portBindings?: DockerPortBindings;
  exposedPorts?: string[];
  dns?: string[];
  dnsSearch?: string[];
  dnsOptions?: string[];
  /** "host:ip" entries for /etc/hosts */
  extraHosts?: string[];
  /** legacy links: the linked container (id and name at create) under an alias */
  links?: Link[];
}

export interface Link { id: string; name: string; alias: string }

/** One live endpoint: the container on one network. */
export interface Endpoint {
  network: string;
  networkId: string;
  iface: string;
  ip: string;
  prefix: number;
  gateway: string;
  mac: string;
  aliases: string[];
  endpointId: string;
  /** which netavark setup call made it (0 = at start, with the ports); teardown repeats that call */
  group?: number;
}

/** A host port Pier holds for a container (conmon keeps the socket open). */
export interface BoundPort extends PortMapping { hostPort: number }

/**
 * A container's network namespace and what is set up in it. Written before the namespace is
 * created (phase "creating") and after netavark setup (phase "ready"): the next engine start
 * tears down whatever a crash left half-made.
 */
export interface Attachment {
  containerId: string;
  containerName: string;
  netns: string;
  phase: 'creating' | 'ready';
  endpoints: Endpoint[];
  /** reserved addresses (network name → IPv4) — the IPAM record */
  addresses: Record<string, string>;
  ports: BoundPort[];
  hostname: string;
  /** rootless engine: the port forwarder serving `ports` (forwarder.ts) */
  forwarderPid?: number;
}
