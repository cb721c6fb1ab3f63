// The netavark driver: podman's network-options JSON on stdin, `setup|teardown NETNS`,
// Pier's own --config directory (its own aardvark-dns state, apart from podman's).
import { existsSync } from 'node:fs';
import { run } from '../runtime/proc';
import type { Endpoint, EndpointOptions, NetworkRecord, PortMapping } from './types';

export const NETAVARK_PATHS = ['/usr/lib/podman/netavark', '/usr/libexec/podman/netavark', '/usr/local/libexec/podman/netavark'];
export const AARDVARK_PATHS = ['/usr/lib/podman/aardvark-dns', '/usr/libexec/podman/aardvark-dns', '/usr/local/libexec/podman/aardvark-dns'];

export class NetavarkError extends Error {
  readonly code = 'ENETAVARK';
  constructor(message: string) { super(message); this.name = 'NetavarkError'; }
}

export interface NetavarkPaths { netavark: string; aardvark: string }

export function findNetavark(env = process.env): NetavarkPaths {
  const netavark = env.PIER_NETAVARK || NETAVARK_PATHS.find((p) => existsSync(p));
  const aardvark = env.PIER_AARDVARK || AARDVARK_PATHS.find((p) => existsSync(p));
  if (!netavark) throw new NetavarkError('netavark not found: install the netavark package (scripts/setup-host.sh) or set PIER_NETAVARK');
  if (!aardvark) throw new NetavarkError('aardvark-dns not found: install the aardvark-dns package (scripts/setup-host.sh) or set PIER_AARDVARK');
  return { netavark, aardvark };
}

export interface SetupRequest {
  containerId: string;
  containerName: string;
  /** network name → endpoint (interface, static ip, aliases) */
  joins: Array<{ net: NetworkRecord; iface: string; ip: string; aliases: string[] }>;
  ports: Array<PortMapping & { hostPort: number }>;
  dnsServers?: string[];
}

/**
 * The name netavark knows a network by: its bridge's (unique on the host). netavark names its
 * iptables chains after the network name, so two engines that both call a network "bridge"
 * would share chains and tear down each other's rules.
 */
export const netavarkName = (n: NetworkRecord): string => n.bridge;

/** The JSON netavark reads (podman's NetworkOptions). Pure. */
export function networkOptions(r: SetupRequest, mtu?: number): unknown {
  const networks: Record<string, unknown> = {}, info: Record<string, unknown> = {};
  for (const j of r.joins) {
    const name = netavarkName(j.net);
    networks[name] = { interface_name: j.iface, static_ips: [j.ip], aliases: j.aliases };
    info[name] = {
      name, id: j.net.id, driver: 'bridge', network_interface: j.net.bridge,
      subnets: [{ subnet: j.net.subnet, gateway: j.net.gateway }], ipv6_enabled: false, internal: j.net.internal,
      dns_enabled: j.net.dnsEnabled, ipam_options: { driver: 'host-local' }, options: mtu ? { mtu: String(mtu) } : {},
    };
  }
  return {
    container_id: r.containerId, container_name: r.containerName, networks, network_info: info,
    // IPv4 only: IPv6 host addresses are served by Pier's proxy (DNAT cannot reach ::1)
    port_mappings: r.ports.filter((p) => !p.hostIp.includes(':')).map((p) => ({
      host_ip: p.hostIp, container_port: p.containerPort, host_port: p.hostPort, range: 1, protocol: p.protocol,
    })),
    ...(r.dnsServers?.length ? { dns_servers: r.dnsServers } : {}),
  };
}

export interface NetavarkOptions {
  /** rootless engine: netavark runs inside the rootless network namespace through this argv prefix */
  wrap?: (bin: string, args: string[]) => [string, string[]];
  /** bridge and veth MTU (rootless: slirp4netns's 65520; default: netavark's 1500) */
  mtu?: number;
}

/** Runs tasks one at a time, in call order. */
class Turns {
  private last: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.last.then(fn, fn);
    this.last = next.catch(() => undefined);
    return next;
  }
}

export class Netavark {
  /**
   * netavark is not safe to run concurrently on one config dir (two setups on a new network both create its
   * firewall chain: "Chain already exists"); podman serialises its calls with a lock too.
   */
  private turns = new Turns();
  constructor(readonly paths: NetavarkPaths, readonly configDir: string, private readonly o: NetavarkOptions = {}) {}

  /** Runs fn between netavark calls, never during one (bridge upkeep that netavark must not race). */
  exclusive<T>(fn: () => Promise<T>): Promise<T> { return this.turns.run(fn); }

  private call(verb: 'setup' | 'teardown', netns: string, input: unknown): Promise<string> {
    return this.turns.run(() => this.callNow(verb, netns, input));
  }

  private async callNow(verb: 'setup' | 'teardown', netns: string, input: unknown): Promise<string> {
    const args = ['--config', this.configDir, ...(this.o.wrap ? ['--rootless', 'true'] : []), '--aardvark-binary', this.paths.aardvark, verb, netns];
    const [bin, argv] = this.o.wrap ? this.o.wrap(this.paths.netavark, args) : [this.paths.netavark, args];
    const r = await run(bin, argv, { input: JSON.stringify(input), timeoutMs: 60_000 });
    if (r.code !== 0) {
      let msg = '';
      try { msg = (JSON.parse(r.stdout) as { error?: string }).error ?? ''; } catch { /* not JSON */ }
      const stderr = r.stderr.split('\n').filter((l) => l.trim() && !/failed to connect to syslog/.test(l)).join('; ');
      throw new NetavarkError(`netavark ${verb} failed: ${[msg, stderr].filter(Boolean).join('; ') || 'exit ' + r.code}`);
    }
    return r.stdout;
  }

  /** Sets the endpoints up; returns each endpoint as netavark configured it. */
  async setup(netns: string, req: SetupRequest): Promise<Endpoint[]> {
    const out = JSON.parse(await this.call('setup', netns, networkOptions(req, this.o.mtu))) as Record<string, {
      interfaces: Record<string, { mac_address: string; subnets: Array<{ ipnet: string; gateway: string }> }>;
    }>;
    return req.joins.map((j) => {
      const iface = out[netavarkName(j.net)]?.interfaces?.[j.iface];
      const sub = iface?.subnets?.[0];
      return {
        network: j.net.name, networkId: j.net.id, iface: j.iface, ip: sub ? sub.ipnet.split('/')[0] : j.ip,
        prefix: Number((sub?.ipnet ?? j.net.subnet).split('/')[1]), gateway: sub?.gateway ?? j.net.gateway,
        mac: iface?.mac_address ?? '', aliases: j.aliases, endpointId: '',
      };
    });
  }

  async teardown(netns: string, req: SetupRequest): Promise<void> { await this.call('teardown', netns, networkOptions(req, this.o.mtu)); }
}

export function endpointOptionsOf(opts: EndpointOptions | undefined): { aliases: string[]; ipv4?: string } {
  return { aliases: [...new Set(opts?.aliases ?? [])], ipv4: opts?.ipv4 };
}
