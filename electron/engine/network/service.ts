// NetworkService: bridge networks (create/list/inspect/remove/prune), a container's network
// namespace (setup/teardown through netavark, with the IPAM record persisted first), host port
// reservation, /etc/hosts, resolv.conf and hostname files, connect/disconnect, and re-adoption.
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { EventBus } from '../events';
import type { ContainerRecord } from '../store/types';
import type { BindMount } from '../spec/spec';
import { NetworkStore, type NetworkState } from './store';
import { allocate, checkStatic, checkSubnet, hostRoutes, IpamError, overlaps, parseCidr, pickSubnet } from './ipam';
import { createNetns, isMounted, listNetns, netnsDir, removeNetns } from './netns';
import { findNetavark, Netavark, NetavarkError, type SetupRequest } from './netavark';
import { adoptProxies, reservePorts, type Proxy } from './hostports';
import { hostServers, hostsFile, resolvConf } from './hostfiles';
import { waitForName } from './aardvark';
import { allowPublished, removeIdleBaseChains, revokePublished } from './firewall';
import { RootlessNet, SLIRP_CIDR, SLIRP_DNS, SLIRP_MTU } from './rootlessnet';
import { forwarderGone, installForwarder, startForwarder, stopForwarder, waitForNameIn, type Listener } from './forwarder';
import { linkEnv, linkHostsLine } from './links';
import { run } from '../runtime/proc';
import { ensureBridge } from './default-bridge';
import type { Attachment, ContainerNetConfig, Endpoint, Link, NetworkRecord } from './types';

export const NETWORK_NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
export const DEFAULT_NETWORK = 'bridge';
/** Docker's pseudo networks: a container uses the host's stack, or none. */
export const PSEUDO_NETWORKS = ['host', 'none'];

const err = (message: string, code: string) => Object.assign(new Error(message), { code });

/** What the network area needs from the container area (wired by the engine). */
export interface ContainerAccess {
  get(ref: string): ContainerRecord;
  list(): ContainerRecord[];
  save(r: ContainerRecord): Promise<void>;
  lock<T>(id: string, fn: () => Promise<T>): Promise<T>;
  bundle(r: ContainerRecord): string;
  isRunning(r: ContainerRecord): boolean;
}

export interface CreateNetworkOptions {
  name: string;
  subnet?: string;
  gateway?: string;
  ipRange?: string;
  internal?: boolean;
  labels?: Record<string, string>;
  options?: Record<string, string>;
  /** refuse a duplicate name (Docker's CheckDuplicate is always on since 1.44) */
}

/** What a container's runtime create needs after setup. */
export interface NetSetup {
  /** the namespace to join (absent: the host's) */
  netnsPath?: string;
  mounts: BindMount[];
  /** host port sockets for conmon to hold */
  fds: number[];
  /** closes Pier's copies of the port sockets (call after conmon was spawned, or on failure) */
  release(): void;
  /** what the container record shows (bound ports, addresses); none in container mode */
  state?: NonNullable<ContainerRecord['state']['net']>;
  /** variables for the container's process (links' ALIAS_*) */
  env?: string[];
  /** container mode: the joined container's hostname */
  hostname?: string;
  /** the namespace and the files, still being made (see setup): await before the runtime's create */
  made?: Promise<void>;
  /** netavark's part, still running (see setup): resolves with the final state; await before starting */
  ready?: Promise<NetSetup['state']>;
}

export interface NetworkServiceOptions {
  root: string;
  runroot: string;
  events: EventBus;
  /** bridge interface names are prefix + number (default "pier" for /var/lib/pier, else from the root's hash) */
  bridgePrefix?: string;
  /** rootless engine: networks live in a namespace of the engine's, reached through slirp4netns (rootlessnet.ts) */
  rootless?: { slirp4netns: string };
}

export class NetworkService {
  readonly store: NetworkStore;
  private netavark?: Netavark;
  private proxies = new Map<string, Proxy[]>();
  private prefix: string;
  private offset: number;
  /** rootless mode: the namespace holding the bridges, and the forwarder program */
  private rl?: RootlessNet;
  private forwarder?: string;
  /** teardowns in flight, by container (write-behind: see teardown) */
  private releasing = new Map<string, Promise<void>>();
  containers?: ContainerAccess;

  constructor(readonly o: NetworkServiceOptions) {
    this.store = new NetworkStore(path.join(o.root, 'network'));
    const h = createHash('sha256').update(path.resolve(o.root)).digest('hex');
    const isDefault = path.resolve(o.root) === '/var/lib/pier';
    this.prefix = o.bridgePrefix ?? (isDefault ? 'pier' : `pr${h.slice(0, 5)}`);
    this.offset = isDefault ? 0 : parseInt(h.slice(5, 9), 16) % 2048;
    if (o.rootless) this.rl = new RootlessNet(o.runroot, o.rootless.slirp4netns);
  }

  /** Whether this is a rootless engine's network area (slirp4netns + forwarder). */
  get rootless(): boolean { return !!this.rl; }

  get configDir(): string { return path.join(this.o.runroot, 'network'); }

  private driver(): Netavark {
    this.netavark ??= new Netavark(findNetavark(), this.configDir, this.rl ? { wrap: (b, a) => this.rl!.wrap(b, a), mtu: SLIRP_MTU } : {});
    return this.netavark;
  }

  async open(): Promise<void> {
    await this.store.load();
    await mkdir(this.configDir, { recursive: true, mode: 0o700 });
    if (this.rl) this.forwarder = await installForwarder(this.o.runroot);
    if (!this.store.network(DEFAULT_NETWORK)) {
      await this.store.mutate((s) => { s.networks[DEFAULT_NETWORK] = this.newRecord(s, { name: DEFAULT_NETWORK }, true); });
    }
  }

  // ── networks ────────────────────────────────────────────────────────────

  /** Networks as users see them (one being removed is gone for them; see remove). */
  list(): NetworkRecord[] { return this.store.networks.filter((n) => !n.removing).sort((a, b) => (a.created < b.created ? -1 : 1)); }

  find(ref: string): NetworkRecord | undefined {
    const byName = this.store.network(ref);
    if (byName) return byName.removing ? undefined : byName;
    const hits = this.list().filter((n) => n.id === ref || (ref.length >= 3 && n.id.startsWith(ref)));
    if (hits.length > 1) throw err(`network id prefix ${ref} is ambiguous (${hits.length} networks match)`, 'ECONFLICT');
    return hits[0];
  }

  get(ref: string): NetworkRecord {
    const n = this.find(ref);
    if (!n) throw err(`network ${ref} not found`, 'ENOTFOUND');
    return n;
  }

  /** A network by name for the engine's own work, also while it is being removed. */
  private net(name: string): NetworkRecord {
    const n = this.store.network(name);
    if (!n) throw err(`network ${name} not found`, 'ENOTFOUND');
    return n;
  }

  private newRecord(s: NetworkState, o: CreateNetworkOptions, isDefault = false): NetworkRecord {
    const used = Object.values(s.networks);
    const bridges = new Set(used.map((n) => n.bridge));
    let bridge = o.options?.['com.docker.network.bridge.name'];
    if (bridge !== undefined) {
      if (!/^[a-zA-Z0-9_.-]{1,15}$/.test(bridge)) throw err(`invalid bridge name "${bridge}": 1-15 letters, digits, _ . -`, 'EINVAL');
      const other = used.find((n) => n.bridge === bridge);
      if (other) throw err(`bridge ${bridge} is already used by network ${other.name}`, 'ECONFLICT');
    } else {
      let i = 0;
      while (bridges.has(`${this.prefix}${i}`) || existsIface(`${this.prefix}${i}`)) i++;
      bridge = `${this.prefix}${i}`;
    }
    let subnet: string, gateway: string;
    if (o.subnet) {
      ({ subnet, gateway } = checkSubnet(o.subnet, o.gateway, o.ipRange));
      const c = parseCidr(subnet);
      const clash = used.find((n) => overlaps(parseCidr(n.subnet), c));
      if (clash) throw err(`subnet ${subnet} overlaps with network ${clash.name} (${clash.subnet})`, 'EINVAL');
      if (this.rl && overlaps(parseCidr(SLIRP_CIDR), c)) throw err(`subnet ${subnet} overlaps with ${SLIRP_CIDR}, the rootless engine's way out (slirp4netns)`, 'EINVAL');
      const ours = new Set(used.map((n) => n.bridge));
      const route = hostRoutes().find((r) => !ours.has(r.iface) && overlaps(r, c));
      if (route) throw err(`subnet ${subnet} overlaps with a route of the host (on ${route.iface})`, 'EINVAL');
    } else {
      if (o.gateway || o.ipRange) throw err('--gateway and --ip-range need --subnet', 'EINVAL');
      ({ subnet, gateway } = checkSubnet(pickSubnet(used.map((n) => n.subnet), this.offset)));
    }
    return {
      id: randomBytes(32).toString('hex'), name: o.name, driver: 'bridge', bridge, subnet, gateway,
      ...(o.ipRange ? { ipRange: o.ipRange } : {}), internal: !!o.internal, dnsEnabled: !isDefault,
      labels: o.labels ?? {}, options: o.options ?? {}, created: new Date().toISOString(), ...(isDefault ? { isDefault } : {}),
    };
  }

  async create(o: CreateNetworkOptions): Promise<NetworkRecord> {
    if (!NETWORK_NAME_RE.test(o.name)) throw err(`invalid network name "${o.name}": use letters, digits, _ . - (not first)`, 'EINVAL');
    if (PSEUDO_NETWORKS.includes(o.name)) throw err(`network ${o.name} is a predefined network and cannot be created`, 'ECONFLICT');
    // a removed network keeps its name, subnet and bridge until its teardowns end: wait for them
    if (this.store.networks.some((n) => n.removing)) await this.drain();
    const rec = await this.store.mutate((s) => {
      if (s.networks[o.name]?.removing) throw err(`network ${o.name} is still being removed (a container's network teardown failed; see the engine log)`, 'ECONFLICT');
      if (s.networks[o.name]) throw err(`network with name ${o.name} already exists`, 'ECONFLICT');
      const r = this.newRecord(s, o);
      s.networks[o.name] = r;
      return r;
    });
    this.o.events.publish({ type: 'network', action: 'create', id: rec.id, name: rec.name });
    return rec;
  }

  /** Containers with a live endpoint on the network (not those whose teardown is under way). */
  activeOn(name: string): Attachment[] { return this.attachedTo(name).filter((a) => !this.releasing.has(a.containerId)); }

  /** Every attachment on the network, also those being torn down. */
  private attachedTo(name: string): Attachment[] { return this.store.attachments.filter((a) => a.endpoints.some((e) => e.network === name) || name in a.addresses); }

  /**
   * Removes the network. Refused while a container is live on it. Containers that stopped but whose teardown
   * is still under way do not hold it: the record stays, marked `removing` (gone for users, its name, subnet and
   * bridge still reserved), and goes with the last of those teardowns (or at the next engine start).
   */
  async remove(ref: string): Promise<void> {
    const n = this.get(ref);
    if (n.isDefault) throw err(`${n.name} is a pre-defined network and cannot be removed`, 'EFORBIDDEN');
    await this.store.mutate((s) => {
      const on = Object.values(s.attachments).filter((a) => n.name in a.addresses);
      const users = on.filter((a) => !this.releasing.has(a.containerId));
      if (users.length) throw err(`error while removing network: network ${n.name} id ${n.id} has active endpoints (${users.map((u) => u.containerName).join(', ')})`, 'EINUSE');
      if (on.length) s.networks[n.name] = { ...s.networks[n.name], removing: true };
      else forget(s, n.name);
    });
    this.o.events.publish({ type: 'network', action: 'destroy', id: n.id, name: n.name });
  }

  /** Removes user networks no container refers to; returns their names. */
  async prune(filter: (n: NetworkRecord) => boolean = () => true): Promise<string[]> {
    const referenced = new Set<string>();
    for (const r of this.containers?.list() ?? []) for (const k of Object.keys(r.config.net?.networks ?? {})) referenced.add(k);
    const out: string[] = [];
    for (const n of this.list()) {
      if (n.isDefault || referenced.has(n.name) || this.activeOn(n.name).length || !filter(n)) continue;
      await this.remove(n.name).then(() => out.push(n.name), () => undefined);
    }
    return out;
  }

  // ── containers ──────────────────────────────────────────────────────────

  /** Validates a container's network config at create (networks exist, addresses fit, aliases allowed). */
  validate(cfg: ContainerNetConfig): void {
    const names = Object.keys(cfg.networks);
    if (!names.length) throw err('a bridge-mode container needs at least one network', 'EINVAL');
    for (const name of names) {
      const n = this.find(name);
      if (!n) throw err(`network ${name} not found`, 'ENOTFOUND');
      const ep = cfg.networks[name];
      if (n.isDefault && ep.aliases?.length) throw err('network-scoped aliases are supported only for containers in user defined networks', 'EINVAL');
      if (n.isDefault && ep.ipv4) throw err('user specified IP address is supported only on user defined networks', 'EINVAL');
      if (ep.ipv4) checkStatic(n.subnet, n.gateway, ep.ipv4, new Map(), n.name);
    }
  }

  endpoints(cid: string): Endpoint[] { return this.store.attachment(cid)?.endpoints ?? []; }
  attachment(cid: string): Attachment | undefined { return this.store.attachment(cid); }

  private request(a: Pick<Attachment, 'containerId' | 'containerName' | 'ports'>, eps: Array<{ network: string; iface: string; ip: string; aliases: string[] }>, withPorts: boolean, dns?: string[]): SetupRequest {
    return {
      containerId: a.containerId, containerName: a.containerName,
      joins: eps.map((e) => ({ net: this.net(e.network), iface: e.iface, ip: e.ip, aliases: e.aliases })),
      ports: withPorts ? a.ports : [], dnsServers: dns?.length ? dns : this.rootlessUpstreams(),
    };
  }

  /**
   * aardvark's upstream servers when the container names none. Rootless, aardvark runs in the rootless
   * namespace, where the host's loopback resolvers (127.0.0.53, …) are out of reach: with only those, it
   * asks slirp4netns's DNS, which asks them from the host's namespace. Otherwise aardvark's own default
   * (the host's resolv.conf).
   */
  private rootlessUpstreams(): string[] | undefined {
    return this.rl && !hostServers().length ? [SLIRP_DNS] : undefined;
  }

  private aliasesFor(r: ContainerRecord, net: NetworkRecord, extra: string[] = []): string[] {
    return net.dnsEnabled ? [...new Set([...extra, r.id.slice(0, 12)])] : [];
  }

  /**
   * Sets up the container's namespace: ports reserved and addresses persisted, then returns. The rest
   * goes on while the caller launches the runtime: the namespace and the files in `made` (awaited
   * before the runtime's create, which joins the namespace and mounts the files), then netavark's part
   * (veth, rules, names, the rootless forwarder) in `ready` (awaited before start; the container's
   * process waits for start in the namespace while netavark configures it). On failure of this call
   * nothing is left (ports, addresses); when `made` or `ready` fails the caller tears down.
   */
  async setup(r: ContainerRecord): Promise<NetSetup> {
    const cfg = r.config.net;
    if (!cfg) throw err(`container ${r.name} has no network configuration`, 'EINVAL');
    if (this.store.attachment(r.id)) await this.teardown(r.id);
    await this.freed(Object.values(cfg.networks).map((e) => e.ipv4));
    const links = this.resolveLinks(r, true);
    const driver = this.driver();
    const netns = path.join(netnsDir(this.o.runroot), r.id);
    const res = await reservePorts(cfg.ports, { v6: this.rl ? 'listen' : 'proxy' });
    const names = Object.keys(cfg.networks);
    try {
      const att = await this.store.mutate((s) => {
        const addresses: Record<string, string> = {};
        for (const name of names) {
          const n = s.networks[name];
          if (!n || n.removing) throw err(`network ${name} not found`, 'ENOTFOUND');
          const taken = takenOn(s, name);
          const want = cfg.networks[name].ipv4;
          if (want) { checkStatic(n.subnet, n.gateway, want, taken, name); addresses[name] = want; }
          else addresses[name] = allocate(n.subnet, n.gateway, new Set(taken.keys()), n.ipRange, s.lastIp?.[name]);
          (s.lastIp ??= {})[name] = addresses[name];
        }
        const a: Attachment = { containerId: r.id, containerName: r.name, netns, phase: 'creating', endpoints: [], addresses, ports: res.ports, hostname: r.config.hostname };
        s.attachments[r.id] = a;
        return a;
      });
      const nsMade = Promise.all([createNetns(netns), this.rl?.ensure()]).then(() => undefined);
      const eps = names.map((name, i) => ({ network: name, iface: `eth${i}`, ip: att.addresses[name], aliases: this.aliasesFor(r, this.net(name), cfg.networks[name].aliases) }));
      // what the files need is known before netavark runs (addresses are Pier's; the MAC is netavark's)
      const planned: Endpoint[] = eps.map((e) => {
        const n = this.net(e.network);
        return { ...e, networkId: n.id, prefix: Number(n.subnet.split('/')[1]), gateway: n.gateway, mac: '', endpointId: '' };
      });
      const made = Promise.all([nsMade, this.writeFiles(r, planned)]).then(() => undefined);
      const env = links.flatMap((l) => linkEnv(l.link, r.name, l.target, l.ip));
      const ready = (async () => {
        try {
          await nsMade;
          const endpoints = (await driver.setup(netns, this.request(att, eps, !this.rl, cfg.dns))).map((e) => ({ ...e, endpointId: randomBytes(32).toString('hex'), group: 0 }));
          if (!this.rl) {
            hairpin(endpoints.map((e) => this.net(e.network).bridge));
            if (res.ports.length) for (const e of endpoints) { const n = this.net(e.network); await allowPublished(n.subnet, n.bridge); }
          }
          const [forwarderPid] = await Promise.all([this.forward(endpoints[0]?.ip, res.listeners), this.namesLive(r, endpoints)]);
          await this.store.mutate((s) => { s.attachments[r.id] = { ...att, phase: 'ready', endpoints, ...(forwarderPid ? { forwarderPid } : {}) }; });
          if (res.ports.length) await this.syncDefaultBridge().catch(() => undefined);
          for (const p of res.proxies) p.target = endpoints[0]?.ip;
          this.proxies.set(r.id, res.proxies);
          return recordState(res.ports, endpoints);
        } catch (e) {
          for (const p of res.proxies) p.close();
          throw e;
        }
      })();
      // the caller awaits them; never an unhandled rejection meanwhile
      made.catch(() => undefined);
      ready.catch(() => undefined);
      // rootless: the forwarder holds the sockets, conmon gets none
      return { netnsPath: netns, mounts: this.fileMounts(r), fds: this.rl ? [] : res.fds, release: () => res.closeV4(), state: recordState(res.ports, planned), env, made, ready };
    } catch (e) {
      res.closeV4();
      for (const p of res.proxies) p.close();
      await this.teardown(r.id).catch(() => undefined);
      throw e;
    }
  }

  private syncState(r: ContainerRecord): void {
    const a = this.store.attachment(r.id);
    if (a && r.state.net) r.state.net = recordState(a.ports, a.endpoints);
  }

  /** Waits until aardvark-dns answers for the container on its DNS-enabled networks. */
  private async namesLive(r: ContainerRecord, endpoints: Endpoint[]): Promise<void> {
    const rl = this.rl;
    const wait = rl ? (server: string, name: string) => waitForNameIn((b, a) => rl.wrap(b, a), this.forwarder!, server, name) : waitForName;
    await Promise.all(endpoints.filter((e) => this.store.network(e.network)?.dnsEnabled).map((e) => wait(e.gateway, `${r.name}.dns.podman`)));
  }

  /** Rootless: starts the forwarder of the held host sockets to the container's address; its PID. */
  private async forward(target: string | undefined, listeners: Listener[]): Promise<number | undefined> {
    if (!this.rl || !listeners.length || !target) return undefined;
    return startForwarder((b, a) => this.rl!.wrap(b, a), this.forwarder!, target, listeners);
  }

  /** hosts, resolv.conf, hostname in the bundle, bind-mounted over the image's (written by writeFiles). */
  private fileMounts(r: ContainerRecord): BindMount[] {
    const dir = this.containers?.bundle(r);
    return dir ? ['hosts', 'resolv.conf', 'hostname'].map((f) => ({ source: path.join(dir, f), destination: `/etc/${f}` })) : [];
  }

  private async writeFiles(r: ContainerRecord, endpoints: Endpoint[]): Promise<void> {
    const dir = this.containers?.bundle(r);
    if (!dir) return;
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const files: Array<[string, string]> = [...this.netFiles(r, endpoints), ['hostname', r.config.hostname + '\n']];
    await Promise.all(files.map(([f, text]) => writeFile(path.join(dir, f), text, { mode: 0o644 })));
  }

  /** /etc/hosts and resolv.conf for the endpoints (aardvark of every DNS-enabled network first). */
  private netFiles(r: ContainerRecord, endpoints: Endpoint[]): Array<[string, string]> {
    const cfg = r.config.net!;
    const primary = endpoints[0] ? this.store.network(endpoints[0].network) : undefined;
    const dnsServers = endpoints.filter((e) => this.store.network(e.network)?.dnsEnabled).map((e) => e.gateway);
    const links = this.resolveLinks(r, false).map((l) => linkHostsLine(l.link, l.ip));
    return [
      ['hosts', hostsFile({ hostname: r.config.hostname, name: r.name, endpoints, extraHosts: this.extraHosts(cfg, primary), links })],
      ['resolv.conf', resolvConf({ dnsServers, dns: cfg.dns, search: cfg.dnsSearch, options: cfg.dnsOptions, ...(this.rl ? { fallback: [SLIRP_DNS] } : {}) })],
    ];
  }

  /**
   * The linked containers with their address (on a network both share, else their first). Strict
   * (at start): a linked container must be running (Docker's message); else links that cannot
   * be resolved any more are left out.
   */
  private resolveLinks(r: ContainerRecord, strict: boolean): Array<{ link: Link; target: ContainerRecord; ip: string }> {
    const out: Array<{ link: Link; target: ContainerRecord; ip: string }> = [];
    for (const link of r.config.net?.links ?? []) {
      let target: ContainerRecord | undefined;
      try { target = this.containers?.get(link.id); } catch { /* removed */ }
      const eps = target && this.containers?.isRunning(target) ? this.endpoints(target.id) : [];
      const ep = eps.find((e) => e.network in (r.config.net?.networks ?? {})) ?? eps[0];
      if (!target || !ep) {
        if (strict) throw err(`Cannot link to a non running container: /${target?.name ?? link.name} AS /${r.name}/${link.alias}`, 'ENETJOIN');
        continue;
      }
      out.push({ link, target, ip: ep.ip });
    }
    return out;
  }

  private extraHosts(cfg: ContainerNetConfig, primary?: NetworkRecord): string[] {
    return (cfg.extraHosts ?? []).map((h) => h.replace(/:host-gateway$/, `:${primary?.gateway ?? '127.0.0.1'}`));
  }

  /** Rewrites /etc/hosts and resolv.conf in place (they are bind-mounted) after connect/disconnect. */
  private refreshHosts(r: ContainerRecord): void {
    const dir = this.containers?.bundle(r);
    const a = this.store.attachment(r.id);
    if (!dir || !a) return;
    for (const [f, text] of this.netFiles(r, a.endpoints)) {
      try { writeFileSync(path.join(dir, f), text); } catch { /* bundle gone */ }
    }
  }

  /**
   * Undoes setup; idempotent; a half-made attachment (crash) is cleaned as far as it got. A teardown already
   * under way is joined, not repeated. The attachment record stays until the end, so an engine killed meanwhile
   * finishes the work at its next start (reconcile).
   */
  teardown(cid: string): Promise<void> {
    const running = this.releasing.get(cid);
    if (running) return running;
    const p: Promise<void> = this.teardownNow(cid).finally(() => { if (this.releasing.get(cid) === p) this.releasing.delete(cid); });
    this.releasing.set(cid, p);
    return p;
  }

  /**
   * Write-behind teardown, for a container that has exited: resolves once its host ports are free (conmon held
   * the IPv4 ones; the IPv6 proxies close and the rootless forwarder is waited for here), while the rest (netavark, the
   * namespace, Pier's firewall and bridge upkeep) goes on after this returns. What needs those resources waits
   * for it: the container's next start (setup joins the teardown), a network create while a removed network
   * still holds its name or subnet, engine close (drain). netavark calls stay in call order, so a later setup
   * never runs before an earlier teardown.
   */
  async release(cid: string): Promise<void> {
    const forwarder = this.store.attachment(cid)?.forwarderPid;
    this.teardown(cid).catch(() => undefined);
    await forwarderGone(forwarder);
  }

  /** Waits for the teardowns still holding any of these addresses (of containers that stopped a moment ago). */
  private async freed(ips: Array<string | undefined>): Promise<void> {
    const want = new Set(ips.filter((ip): ip is string => !!ip));
    if (!want.size) return;
    const holders = this.store.attachments.filter((a) => Object.values(a.addresses).some((ip) => want.has(ip)));
    await Promise.all(holders.map((a) => this.releasing.get(a.containerId)?.catch(() => undefined)));
  }

  /** Resolves when no teardown is under way. */
  async drain(): Promise<void> {
    while (this.releasing.size) await Promise.all([...this.releasing.values()].map((p) => p.catch(() => undefined)));
  }

  private async teardownNow(cid: string): Promise<void> {
    for (const p of this.proxies.get(cid) ?? []) p.close();
    this.proxies.delete(cid);
    const a = this.store.attachment(cid);
    if (!a) return;
    stopForwarder(a.forwarderPid);
    let failure: Error | undefined;
    if (isMounted(a.netns)) {
      const groups = new Map<number, Endpoint[]>();
      for (const e of a.endpoints) groups.set(e.group ?? 0, [...(groups.get(e.group ?? 0) ?? []), e]);
      // a crash before the endpoints were recorded: tear down what setup would have made
      if (a.phase === 'creating') groups.set(0, Object.entries(a.addresses).map(([network, ip], i) => ({ network, ip, iface: `eth${i}`, aliases: [] } as unknown as Endpoint)));
      for (const [g, eps] of groups) {
        const known = eps.filter((e) => this.store.network(e.network));
        if (!known.length) continue;
        await this.driver().teardown(a.netns, this.request(a, known, g === 0 && !this.rl)).catch((e: Error) => { if (a.phase === 'ready') failure ??= e; });
      }
    }
    await removeNetns(a.netns);
    const nets = Object.keys(a.addresses).flatMap((name) => this.store.network(name) ?? []);
    await this.store.mutate((s) => { delete s.attachments[cid]; });
    await this.driver().exclusive(() => this.upkeep(nets));
    await this.purgeRemoved();
    if (failure) throw failure;
  }

  /**
   * Pier's upkeep after a teardown, run as one netavark turn: whether a bridge is still used is decided in the
   * turn, and a container that joins it later is recorded before its netavark setup, which runs after the
   * turn. For each network no attachment uses any more (by bridge: a removed network's bridge name may be
   * reused): a bridge left without ports goes (a failed netavark call can leave one) and so does its
   * PIER_FORWARD rule; then the default bridge follows the published ports; with nothing attached, the base
   * chains (rootful) or the rootless namespace go.
   */
  private async upkeep(nets: NetworkRecord[]): Promise<void> {
    const used = new Set(this.store.attachments.flatMap((a) => Object.keys(a.addresses).map((name) => this.store.network(name)?.bridge)));
    for (const n of nets) {
      if (used.has(n.bridge)) continue;
      if (!n.isDefault || this.rl) await this.deleteIdleBridge(n.bridge);
      if (!this.rl) await revokePublished(n.subnet, n.bridge).catch(() => undefined);
    }
    await this.syncDefaultBridgeNow().catch(() => undefined);
    if (!this.store.attachments.length) await this.idle();
  }

  /** Forgets removed networks that no attachment refers to any more. */
  private async purgeRemoved(): Promise<void> {
    if (!this.store.networks.some((n) => n.removing)) return;
    await this.store.mutate((s) => {
      for (const n of Object.values(s.networks)) if (n.removing && !Object.values(s.attachments).some((a) => n.name in a.addresses)) forget(s, n.name);
    });
  }

  /** Nothing attached any more: netavark's base chains (rootful) or the whole rootless namespace go. */
  private async idle(): Promise<void> {
    if (this.rl) await this.rl.release(() => !this.store.attachments.length).catch(() => undefined);
    else await removeIdleBaseChains().catch(() => undefined);
  }

  /** Deletes a bridge that has no ports left (what netavark does after its last teardown). Call in a netavark turn. */
  private async deleteIdleBridge(br: string): Promise<void> {
    if (!this.rl) return removeIdleBridge(br);
    if (!isMounted(this.rl.nsPath)) return;
    const r = await this.rl.exec('ip', ['-o', 'link', 'show', 'master', br], { timeoutMs: 30_000 }).catch(() => undefined);
    if (r?.code === 0 && !r.stdout.trim()) await this.rl.exec('ip', ['link', 'del', br], { timeoutMs: 30_000 }).catch(() => undefined);
  }

  /** Joins a network: recorded in the container's config; a running container gets the endpoint now. */
  async connect(ref: string, network: string, opts: { aliases?: string[]; ipv4?: string } = {}): Promise<void> {
    const c = this.containers!;
    const r = c.get(ref);
    const n = this.get(network);
    await c.lock(r.id, async () => {
      if (!r.config.net || r.config.network !== 'bridge') throw err(`container ${r.name} uses the ${r.config.network} network mode: it cannot join networks`, 'EINVAL');
      if (r.config.net.networks[n.name]) throw err(`endpoint with name ${r.name} already exists in network ${n.name}`, 'EFORBIDDEN');
      const ep = { aliases: opts.aliases ?? [], ...(opts.ipv4 ? { ipv4: opts.ipv4 } : {}) };
      this.validate({ ...r.config.net, networks: { [n.name]: ep } });
      const a = this.store.attachment(r.id);
      if (a && c.isRunning(r)) await this.connectLive(r, a, n, ep);
      r.config.net.networks[n.name] = ep;
      this.syncState(r);
      await c.save(r);
    });
    this.o.events.publish({ type: 'network', action: 'connect', id: n.id, name: n.name, container: r.id });
  }

  private async connectLive(r: ContainerRecord, a: Attachment, n: NetworkRecord, ep: { aliases: string[]; ipv4?: string }): Promise<void> {
    await this.freed([ep.ipv4]);
    const used = new Set(a.endpoints.map((e) => e.iface));
    let i = 0;
    while (used.has(`eth${i}`)) i++;
    const ip = await this.store.mutate((s) => {
      const taken = takenOn(s, n.name);
      const addr = ep.ipv4 ?? allocate(n.subnet, n.gateway, new Set(taken.keys()), n.ipRange, s.lastIp?.[n.name]);
      if (ep.ipv4) checkStatic(n.subnet, n.gateway, addr, taken, n.name);
      (s.lastIp ??= {})[n.name] = addr;
      s.attachments[r.id].addresses[n.name] = addr;
      return addr;
    });
    const group = Math.max(0, ...a.endpoints.map((e) => e.group ?? 0)) + 1;
    const req = this.request(a, [{ network: n.name, iface: `eth${i}`, ip, aliases: this.aliasesFor(r, n, ep.aliases) }], false, r.config.net?.dns);
    try {
      const [e] = await this.driver().setup(a.netns, req);
      if (!this.rl) hairpin([n.bridge]);
      await this.store.mutate((s) => { s.attachments[r.id].endpoints.push({ ...e, endpointId: randomBytes(32).toString('hex'), group }); });
      await this.namesLive(r, [e]);
    } catch (e) {
      await this.driver().teardown(a.netns, req).catch(() => undefined);
      await this.driver().exclusive(() => this.deleteIdleBridge(n.bridge));
      await this.store.mutate((s) => { delete s.attachments[r.id]?.addresses[n.name]; });
      throw e;
    }
    this.refreshHosts(r);
  }

  async disconnect(ref: string, network: string): Promise<void> {
    const c = this.containers!;
    const r = c.get(ref);
    const n = this.get(network);
    await c.lock(r.id, async () => {
      if (!r.config.net?.networks[n.name]) throw err(`container ${r.name} is not connected to network ${n.name}`, 'EINVAL');
      const a = this.store.attachment(r.id);
      const ep = a?.endpoints.find((e) => e.network === n.name);
      if (a && ep && !this.releasing.has(r.id)) {
        if (a.endpoints.length === 1) throw err(`container ${r.name} would have no network left: connect another one first, or stop it`, 'EINVAL');
        // its own teardown group: ports stay with the group they were set up with
        await this.driver().teardown(a.netns, this.request(a, [ep], !this.rl && (ep.group ?? 0) === 0 && a.endpoints.filter((e) => (e.group ?? 0) === 0).length === 1));
        await this.store.mutate((s) => {
          const at = s.attachments[r.id];
          at.endpoints = at.endpoints.filter((e) => e.network !== n.name);
          delete at.addresses[n.name];
        });
        this.refreshHosts(r);
      }
      delete r.config.net.networks[n.name];
      this.syncState(r);
      await c.save(r);
    });
    this.o.events.publish({ type: 'network', action: 'disconnect', id: n.id, name: n.name, container: r.id });
  }

  /**
   * After an engine (re)start: running containers keep their namespace (their IPv4 ports are
   * held by conmon; IPv6 proxies restart here); every other attachment and stray namespace
   * file is torn down.
   */
  async reconcile(): Promise<void> {
    const c = this.containers;
    const live = new Set((c?.list() ?? []).filter((r) => c!.isRunning(r)).map((r) => r.id));
    for (const a of this.store.attachments) {
      if (live.has(a.containerId) && a.phase === 'ready' && isMounted(a.netns)) {
        if (this.rl) await this.adoptRootless(a).catch(() => undefined);
        else this.proxies.set(a.containerId, await adoptProxies(a.ports, a.endpoints[0]?.ip ?? ''));
        continue;
      }
      await this.teardown(a.containerId).catch(() => undefined);
    }
    const known = new Set(this.store.attachments.map((a) => a.netns));
    for (const f of await listNetns(this.o.runroot)) if (!known.has(f)) await removeNetns(f).catch(() => undefined);
    if (this.rl) this.stopStrayForwarders();
    else for (const n of this.store.networks) if (!this.attachedTo(n.name).length) await revokePublished(n.subnet, n.bridge).catch(() => undefined);
    if (!this.store.attachments.length) await this.idle();
    await this.syncDefaultBridge().catch(() => undefined);
    await this.purgeRemoved();
  }

  /** Rootful: the default bridge is up while any container publishes a port (see default-bridge.ts). */
  private async syncDefaultBridge(): Promise<void> {
    if (this.rl || !this.find(DEFAULT_NETWORK)) return;
    await this.driver().exclusive(() => this.syncDefaultBridgeNow());
  }

  /** syncDefaultBridge's work; call in a netavark turn. */
  private async syncDefaultBridgeNow(): Promise<void> {
    const n = this.find(DEFAULT_NETWORK);
    const want = this.store.attachments.some((a) => a.ports.length > 0);
    if (this.rl || !n || (!want && !existsIface(n.bridge))) return;
    if (want) await ensureBridge(n.bridge, n.gateway, parseCidr(n.subnet).prefix);
    else if (!this.attachedTo(n.name).length) await removeIdleBridge(n.bridge);
  }

  /**
   * Rootless re-adoption: slirp4netns is restarted if it died; a forwarder that died (or was never
   * recorded: crash mid-setup) is started again on the same host ports.
   */
  private async adoptRootless(a: Attachment): Promise<void> {
    await this.rl!.ensure();
    if (!a.ports.length || forwarderAlive(a.forwarderPid, this.forwarder!)) return;
    const res = await reservePorts(a.ports.map((p) => ({ ...p, hostPortEnd: undefined })), { v6: 'listen' });
    try {
      const pid = await this.forward(a.endpoints[0]?.ip, res.listeners);
      await this.store.mutate((s) => { if (s.attachments[a.containerId]) s.attachments[a.containerId].forwarderPid = pid; });
    } finally { res.closeV4(); }
  }

  /** Ends forwarders of this engine that no attachment records (a crash between start and record). */
  private stopStrayForwarders(): void {
    const recorded = new Set(this.store.attachments.map((a) => a.forwarderPid));
    for (const pid of forwarderPids(this.forwarder!)) if (!recorded.has(pid)) stopForwarder(pid);
  }

  /** Stops the IPv6 proxies (the engine is closing; conmon keeps the IPv4 ports). */
  close(): void {
    for (const ps of this.proxies.values()) for (const p of ps) p.close();
    this.proxies.clear();
  }
}

/** Drops a network's record and its allocation cursor. */
function forget(s: NetworkState, name: string): void {
  delete s.networks[name];
  delete s.lastIp?.[name];
}

function recordState(ports: Attachment['ports'], endpoints: Endpoint[]): NetSetup['state'] {
  return { ports, endpoints: endpoints.map((e) => ({ name: e.network, ip: e.ip, gateway: e.gateway, mac: e.mac })) };
}

/** Addresses in use on a network (ip → container name). */
function takenOn(s: NetworkState, network: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const a of Object.values(s.attachments)) if (a.addresses[network]) m.set(a.addresses[network], a.containerName);
  return m;
}

/** PIDs of forwarders running this engine's program. */
function forwarderPids(script: string): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try { if (readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0').includes(script)) out.push(Number(e)); } catch { /* gone */ }
  }
  return out;
}

function forwarderAlive(pid: number | undefined, script: string): boolean {
  return !!pid && forwarderPids(script).includes(pid);
}

function existsIface(name: string): boolean {
  try { return readdirSync('/sys/class/net').includes(name); } catch { return false; }
}

/** Deletes a bridge that has no ports left (what netavark does after its last teardown). */
async function removeIdleBridge(br: string): Promise<void> {
  try {
    if (readdirSync(`/sys/class/net/${br}/brif`).length) return;
  } catch { return; }
  await run('ip', ['link', 'del', br], { timeoutMs: 30_000 }).catch(() => undefined);
}

/** Hairpin on every port of the bridges, so a container reaches its own published ports. */
function hairpin(bridges: string[]): void {
  for (const br of new Set(bridges)) {
    let ports: string[] = [];
    try { ports = readdirSync(`/sys/class/net/${br}/brif`); } catch { continue; }
    for (const p of ports) { try { writeFileSync(`/sys/class/net/${br}/brif/${p}/hairpin_mode`, '1'); } catch { /* port went away */ } }
  }
}

export { IpamError, NetavarkError };
