// /networks/…: list (filters), inspect, create, remove, prune, connect, disconnect — and the
// network parts of container create/inspect/list (NetworkSettings, Ports, PortBindings).
import type { Engine } from '../engine';
import type { ContainerRecord } from '../store/types';
import type { CreateContainerOptions } from '../../common/types';
import type { NetworkRecord } from '../network/types';
import { dockerPorts, fromPortBindings, listPorts } from '../network/ports';
import { type Route, json, noContent, readJson } from './context';
import { badRequest, notFound, toApiError, ApiError } from './errors';
import { qfilters, filterValues } from './validate';
import { isLive } from '../containers/states';
import { z } from 'zod';

const ID = '([^/]+)';
const strMap = z.record(z.string().max(4096), z.string().max(1 << 16)).nullish();

const NetworkCreateSchema = z.looseObject({
  Name: z.string().min(1, 'Name: required').max(128),
  Driver: z.string().max(64).nullish(),
  Internal: z.boolean().nullish(),
  EnableIPv6: z.boolean().nullish(),
  IPAM: z.looseObject({
    Driver: z.string().max(64).nullish(),
    Config: z.array(z.looseObject({ Subnet: z.string().max(64).nullish(), Gateway: z.string().max(64).nullish(), IPRange: z.string().max(64).nullish() })).max(4).nullish(),
  }).nullish(),
  Options: strMap,
  Labels: strMap,
});

const EndpointSchema = z.looseObject({
  Aliases: z.array(z.string().max(253)).max(64).nullish(),
  IPAMConfig: z.looseObject({ IPv4Address: z.string().max(64).nullish() }).nullish(),
});
const ConnectSchema = z.looseObject({ Container: z.string().min(1).max(256), EndpointConfig: EndpointSchema.nullish() });
const DisconnectSchema = z.looseObject({ Container: z.string().min(1).max(256), Force: z.boolean().nullish() });

function parseBody<T extends z.ZodType>(schema: T, v: unknown, what: string): z.infer<T> {
  const r = schema.safeParse(v);
  if (!r.success) throw badRequest(`invalid ${what}: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return r.data;
}

function net(engine: Engine) {
  if (!engine.network) throw new ApiError(501, 'bridge networks are not available in this engine (rootless, or PIER_NETWORK=off): use --network host or none');
  return engine.network;
}

function getNetwork(engine: Engine, ref: string): NetworkRecord {
  const n = net(engine).find(ref);
  if (!n) throw notFound(`network ${ref} not found`);
  return n;
}

/** Docker's network object; Containers lists live endpoints. */
export function networkJson(engine: Engine, n: NetworkRecord) {
  const containers: Record<string, unknown> = {};
  for (const a of net(engine).activeOn(n.name)) {
    const ep = a.endpoints.find((e) => e.network === n.name);
    if (!ep) continue;
    containers[a.containerId] = { Name: a.containerName, EndpointID: ep.endpointId, MacAddress: ep.mac, IPv4Address: `${ep.ip}/${ep.prefix}`, IPv6Address: '' };
  }
  // dockerd reports a user network's options as given (compose compares them to decide whether to recreate it)
  const options = n.isDefault
    ? { 'com.docker.network.bridge.default_bridge': 'true', 'com.docker.network.bridge.name': n.bridge, ...n.options }
    : { ...n.options };
  return {
    Name: n.name, Id: n.id, Created: n.created, Scope: 'local', Driver: 'bridge', EnableIPv6: false,
    IPAM: { Driver: 'default', Options: null, Config: [{ Subnet: n.subnet, Gateway: n.gateway, ...(n.ipRange ? { IPRange: n.ipRange } : {}) }] },
    Internal: n.internal, Attachable: false, Ingress: false, ConfigFrom: { Network: '' }, ConfigOnly: false,
    Containers: containers, Options: options, Labels: n.labels,
  };
}

/** host, none — and, in an engine without bridge networking, "bridge" as an alias of host (clients probe it). */
function pseudoJson(name: 'host' | 'none' | 'bridge') {
  const ids = { host: 'a', none: 'c', bridge: 'b' };
  return {
    Name: name, Id: ids[name].repeat(64), Created: '0001-01-01T00:00:00Z', Scope: 'local', Driver: name === 'none' ? 'null' : 'host',
    EnableIPv6: false, IPAM: { Driver: 'default', Options: null, Config: name === 'bridge' ? [{ Subnet: '127.0.0.0/8', Gateway: '127.0.0.1' }] : [] }, Internal: false, Attachable: false, Ingress: false,
    ConfigFrom: { Network: '' }, ConfigOnly: false, Containers: {}, Options: {}, Labels: {},
  };
}

type NetJson = { Name: string; Id: string; Driver: string; Created: string; Labels: Record<string, string>; Containers: Record<string, unknown> };
function matchNetwork(n: NetJson, f: Map<string, string[]>): boolean {
  for (const [k, vals] of f) {
    if (!vals.length) continue;
    const ok = filterValues(k, vals, (v) => {
      switch (k) {
        case 'name': return n.Name.includes(v);
        case 'id': return n.Id.startsWith(v);
        case 'driver': return n.Driver === v;
        case 'scope': return v === 'local';
        case 'type': return v === 'custom' ? !['bridge', 'host', 'none'].includes(n.Name) : ['bridge', 'host', 'none'].includes(n.Name);
        case 'label': { const [lk, lv] = v.split('='); return lk in n.Labels && (lv === undefined || n.Labels[lk] === lv); }
        case 'dangling': return (v === 'true' || v === '1') === (!Object.keys(n.Containers).length && !['bridge', 'host', 'none'].includes(n.Name));
        case 'until': return Date.parse(n.Created) < (Number(v) ? Number(v) * 1000 : Date.parse(v));
        default: throw badRequest(`invalid filter '${k}'`);
      }
    });
    if (!ok) return false;
  }
  return true;
}

export function networkRoutes(): Route[] {
  return [
    { method: 'GET', path: /^\/networks$/, handler: ({ engine, res, query }) => {
      const f = qfilters(query);
      const own = engine.network ? engine.network.list().map((n) => networkJson(engine, n)) : [pseudoJson('bridge')];
      const all = [...own, pseudoJson('host'), pseudoJson('none')];
      json(res, 200, all.filter((n) => matchNetwork(n, f)));
    } },
    { method: 'POST', path: /^\/networks\/create$/, handler: async ({ engine, res, req }) => {
      const b = parseBody(NetworkCreateSchema, await readJson(req, { required: true }), 'network config');
      if (b.Driver && b.Driver !== 'bridge') throw badRequest(`network driver "${b.Driver}" is not supported: Pier has bridge networks`);
      if (b.EnableIPv6) throw badRequest('IPv6 networks are not supported yet (published ports are reachable on :: anyway)');
      const cfg = b.IPAM?.Config?.[0];
      if ((b.IPAM?.Config?.length ?? 0) > 1) throw badRequest('one IPAM config (an IPv4 subnet) per network');
      if (['host', 'none'].includes(b.Name)) throw new ApiError(403, `operation is not permitted on predefined ${b.Name} network `);
      try {
        const n = await net(engine).create({
          name: b.Name, subnet: cfg?.Subnet ?? undefined, gateway: cfg?.Gateway ?? undefined, ipRange: cfg?.IPRange ?? undefined,
          internal: !!b.Internal, labels: b.Labels ?? {}, options: b.Options ?? {},
        });
        json(res, 201, { Id: n.id, Warning: '' });
      } catch (e) {
        const ae = toApiError(e);
        if (ae.status === 409 && /already exists/.test(ae.message)) throw new ApiError(409, `network with name ${b.Name} already exists`);
        throw e;
      }
    } },
    { method: 'POST', path: /^\/networks\/prune$/, handler: async ({ engine, res, query }) => {
      const f = qfilters(query);
      const removed = await net(engine).prune((n) => matchNetwork(networkJson(engine, n), new Map([...f].filter(([k]) => k === 'label' || k === 'until'))));
      json(res, 200, { NetworksDeleted: removed });
    } },
    { method: 'GET', path: new RegExp(`^/networks/${ID}$`), handler: ({ engine, res, params }) => {
      if (params[0] === 'host' || params[0] === 'none') return json(res, 200, pseudoJson(params[0]));
      if (!engine.network && params[0] === 'bridge') return json(res, 200, pseudoJson('bridge'));
      json(res, 200, networkJson(engine, getNetwork(engine, params[0])));
    } },
    { method: 'DELETE', path: new RegExp(`^/networks/${ID}$`), handler: async ({ engine, res, params }) => {
      if (params[0] === 'host' || params[0] === 'none') throw new ApiError(403, `${params[0]} is a pre-defined network and cannot be removed`);
      try { await net(engine).remove(getNetwork(engine, params[0]).name); } catch (e) {
        // dockerd answers 403 for a network with active endpoints
        if ((e as { code?: string }).code === 'EINUSE') throw new ApiError(403, (e as Error).message);
        throw e;
      }
      noContent(res);
    } },
    { method: 'POST', path: new RegExp(`^/networks/${ID}/connect$`), handler: async ({ engine, res, params, req }) => {
      const b = parseBody(ConnectSchema, await readJson(req, { required: true }), 'connect request');
      const n = getNetwork(engine, params[0]);
      const c = containerOf(engine, b.Container);
      await net(engine).connect(c.id, n.name, { aliases: b.EndpointConfig?.Aliases ?? [], ipv4: b.EndpointConfig?.IPAMConfig?.IPv4Address || undefined });
      json(res, 200, '');
    } },
    { method: 'POST', path: new RegExp(`^/networks/${ID}/disconnect$`), handler: async ({ engine, res, params, req }) => {
      const b = parseBody(DisconnectSchema, await readJson(req, { required: true }), 'disconnect request');
      const n = getNetwork(engine, params[0]);
      const c = containerOf(engine, b.Container);
      await net(engine).disconnect(c.id, n.name);
      json(res, 200, '');
    } },
  ];
}

function containerOf(engine: Engine, ref: string): ContainerRecord {
  try { return engine.containers.get(ref.replace(/^\//, '')); } catch { throw notFound(`No such container: ${ref}`); }
}

// ── container parts ─────────────────────────────────────────────────────

type HostConfigNet = {
  NetworkMode?: string | null; PortBindings?: Record<string, unknown> | null; PublishAllPorts?: boolean | null;
  Dns?: unknown; DnsSearch?: unknown; DnsOptions?: unknown; ExtraHosts?: unknown; Links?: unknown;
};

/** dockerd's refusals for settings a container-mode container cannot have (it has no network of its own). */
function containerModeConflicts(hc: HostConfigNet, body: { ExposedPorts?: unknown; Hostname?: unknown }): void {
  const some = (v: unknown) => (Array.isArray(v) ? v.length > 0 : !!v && typeof v === 'object' && Object.keys(v).length > 0);
  const conflict = (what: string) => { throw badRequest(`conflicting options: ${what}`); };
  if (body.Hostname) conflict('hostname and the network mode');
  if (some(hc.Links)) conflict('container type network can\'t be used with links. This would result in undefined behavior');
  if (some(hc.Dns)) conflict('dns and the network mode');
  if (some(hc.ExtraHosts)) conflict('custom host-to-IP mapping and the network mode');
  if (some(hc.PortBindings) || hc.PublishAllPorts) conflict('port publishing and the container type network mode');
  if (some(body.ExposedPorts)) conflict('port exposing and the container type network mode');
}

const strList = (v: unknown, what: string): string[] | undefined => {
  if (v == null) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' || x.length > 1024)) throw badRequest(`${what} must be a list of strings`);
  return v as string[];
};

/** Network fields of a create request → create options (exposed = the image's and the request's). */
export function networkCreateOptions(engine: Engine, hc: HostConfigNet, body: { ExposedPorts?: unknown; NetworkingConfig?: unknown; Hostname?: unknown }, imageExposed: string[]): Partial<CreateContainerOptions> {
  let mode = hc.NetworkMode || 'default';
  if (mode === 'default') mode = engine.network ? 'bridge' : 'host';
  if (mode.startsWith('container:')) {
    containerModeConflicts(hc, body);
    return { network: mode };
  }
  const links = strList(hc.Links, 'Links');
  if (links?.length && (mode === 'host' || mode === 'none')) throw badRequest(`conflicting options: ${mode} type networking can't be used with links. This would result in undefined behavior`);
  const exposed = [...new Set([...Object.keys((body.ExposedPorts as Record<string, unknown> | null) ?? {}), ...imageExposed])];
  const bindings = hc.PortBindings ?? undefined;
  let ports;
  try { ports = fromPortBindings(bindings, exposed, !!hc.PublishAllPorts); } catch (e) { throw badRequest((e as Error).message); }
  const endpoints = ((body.NetworkingConfig as { EndpointsConfig?: Record<string, unknown> } | null)?.EndpointsConfig) ?? {};
  const networks: NonNullable<CreateContainerOptions['networks']> = {};
  for (const [key, raw] of Object.entries(endpoints)) {
    // the CLI names the endpoint after the mode it sent ("default" for no --network)
    const name = key === 'default' || key === hc.NetworkMode ? mode : key;
    if (name === 'host' || name === 'none') continue;
    const ep = parseBody(EndpointSchema, raw ?? {}, `endpoint config for ${key}`);
    // the CLI repeats the container's short id / name as aliases on older APIs; keep what the user gave
    networks[name] = { aliases: ep.Aliases ?? [], ...(ep.IPAMConfig?.IPv4Address ? { ipv4: ep.IPAMConfig.IPv4Address } : {}) };
  }
  if ((mode === 'host' || mode === 'none') && ports.length) {
    return { network: mode, exposedPorts: exposed };
  }
  return {
    network: mode, networks, ports, portBindings: (bindings ?? undefined) as CreateContainerOptions['portBindings'], exposedPorts: exposed,
    dns: strList(hc.Dns, 'Dns'), dnsSearch: strList(hc.DnsSearch, 'DnsSearch'), dnsOptions: strList(hc.DnsOptions, 'DnsOptions'),
    extraHosts: strList(hc.ExtraHosts, 'ExtraHosts'), ...(links?.length ? { links } : {}),
  };
}

/** NetworkSettings of an inspected container (dockerd's shape). */
export function networkSettings(engine: Engine, r: ContainerRecord) {
  const a = engine.network?.attachment(r.id);
  const running = isLive(r.state.status);
  const eps = running ? a?.endpoints ?? [] : [];
  const networks: Record<string, unknown> = {};
  const names = r.config.net ? Object.keys(r.config.net.networks) : r.config.netContainer ? [] : [r.config.network];
  for (const name of names) {
    const ep = eps.find((e) => e.network === name);
    const n = engine.network?.find(name);
    const opts = r.config.net?.networks[name];
    networks[name] = {
      IPAMConfig: opts?.ipv4 ? { IPv4Address: opts.ipv4 } : null, Links: null,
      Aliases: n?.dnsEnabled ? [...(opts?.aliases ?? []), r.id.slice(0, 12)] : null, MacAddress: ep?.mac ?? '',
      DriverOpts: null, NetworkID: n?.id ?? name, EndpointID: ep?.endpointId ?? '', Gateway: ep?.gateway ?? '',
      IPAddress: ep?.ip ?? '', IPPrefixLen: ep?.prefix ?? 0, IPv6Gateway: '', GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0,
      DNSNames: n?.dnsEnabled ? [r.name, ...(opts?.aliases ?? []), r.id.slice(0, 12)] : null,
    };
  }
  const primary = eps[0];
  const onDefault = primary && engine.network?.find(primary.network)?.isDefault;
  return {
    Bridge: '', SandboxID: a && running ? r.id : '', SandboxKey: a && running ? a.netns : '',
    Ports: running && a ? dockerPorts(a.ports, r.config.net?.exposedPorts) : {},
    HairpinMode: false, LinkLocalIPv6Address: '', LinkLocalIPv6PrefixLen: 0, SecondaryIPAddresses: null, SecondaryIPv6Addresses: null,
    EndpointID: onDefault ? primary.endpointId : '', Gateway: onDefault ? primary.gateway : '', GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0,
    IPAddress: onDefault ? primary.ip : '', IPPrefixLen: onDefault ? primary.prefix : 0, IPv6Gateway: '', MacAddress: onDefault ? primary.mac : '',
    Networks: networks,
  };
}

/** The list's Ports and NetworkSettings.Networks. */
export function listNetworkFields(engine: Engine, r: ContainerRecord) {
  const running = isLive(r.state.status);
  const a = running ? engine.network?.attachment(r.id) : undefined;
  const s = networkSettings(engine, r);
  return { Ports: a ? listPorts(a.ports, r.config.net?.exposedPorts) : [], NetworkSettings: { Networks: s.Networks } };
}

/** HostConfig fields as the client sent them. */
export function hostConfigNet(r: ContainerRecord) {
  const n = r.config.net;
  return {
    NetworkMode: n ? Object.keys(n.networks)[0] ?? 'bridge' : r.config.netContainer ? `container:${r.config.netContainer}` : r.config.network,
    Links: n?.links?.length ? n.links.map((l) => `/${l.name}:/${r.name}/${l.alias}`) : null,
    PortBindings: n?.portBindings ?? {}, PublishAllPorts: false,
    Dns: n?.dns ?? [], DnsSearch: n?.dnsSearch ?? [], DnsOptions: n?.dnsOptions ?? [], ExtraHosts: n?.extraHosts ?? null,
  };
}
