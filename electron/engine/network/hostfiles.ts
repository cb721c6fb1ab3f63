// /etc/hosts, /etc/resolv.conf and /etc/hostname for a container on a bridge network.
// Pure generators; the service writes them into the bundle and bind-mounts them.
import { readFileSync } from 'node:fs';
import type { Endpoint } from './types';

export interface HostsInput { hostname: string; name: string; endpoints: Endpoint[]; extraHosts?: string[]; links?: string[] }

/** Docker's layout: localhost lines, extra hosts, then the container's own addresses. */
export function hostsFile(h: HostsInput): string {
  const lines = [
    '127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback', 'fe00::0\tip6-localnet',
    'ff00::0\tip6-mcastprefix', 'ff02::1\tip6-allnodes', 'ff02::2\tip6-allrouters',
  ];
  for (const e of h.extraHosts ?? []) {
    const [host, ip] = splitExtraHost(e);
    lines.push(`${ip}\t${host}`);
  }
  lines.push(...(h.links ?? []));
  const names = [...new Set([h.hostname, h.name].filter(Boolean))].join(' ');
  for (const ep of h.endpoints) lines.push(`${ep.ip}\t${names}`);
  return lines.join('\n') + '\n';
}

/** "name:ip" (docker --add-host); ip may be IPv6 (name:::1) or "host-gateway" (resolved by the caller). */
export function splitExtraHost(e: string): [string, string] {
  const i = e.indexOf(':');
  const host = e.slice(0, i), ip = e.slice(i + 1).replace(/^\[|\]$/g, '');
  if (i <= 0 || !ip || !/^[A-Za-z0-9_.-]+$/.test(host)) {
    throw Object.assign(new Error(`invalid --add-host "${e}": expected HOST:IP`), { code: 'EINVAL' });
  }
  return [host, ip];
}

export interface ResolvInput {
  /** aardvark's addresses (gateways of the DNS-enabled networks joined) */
  dnsServers?: string[];
  dns?: string[];
  search?: string[];
  options?: string[];
  host?: string;
  /** servers when neither aardvark, --dns nor a usable host server is there (default Google's) */
  fallback?: string[];
}

/** Servers: aardvark (it forwards to --dns or the host's), else --dns, else the host's non-loopback ones. */
export function resolvConf(r: ResolvInput): string {
  const host = parseResolv(r.host ?? readHostResolv());
  const aardvark = r.dnsServers ?? [];
  let servers = aardvark.length ? aardvark : r.dns?.length ? r.dns : reachable(host.servers);
  if (!servers.length) servers = r.fallback ?? ['8.8.8.8', '8.8.4.4'];
  const search = r.search?.length ? r.search : [...(aardvark.length ? ['dns.podman'] : []), ...host.search];
  const lines = servers.map((s) => `nameserver ${s}`);
  if (search.length) lines.push(`search ${[...new Set(search)].join(' ')}`);
  const options = r.options?.length ? r.options : host.options;
  if (options.length) lines.push(`options ${options.join(' ')}`);
  return lines.join('\n') + '\n';
}

/** Servers a container can use: not the host's loopback (systemd-resolved's 127.0.0.53, dnsmasq's 127.0.0.1). */
const reachable = (servers: string[]): string[] => servers.filter((s) => !/^127\.|^::1$/.test(s));

/** The host's servers that are not on its loopback (`text`: resolv.conf; default the host's). */
export function hostServers(text = readHostResolv()): string[] { return reachable(parseResolv(text).servers); }

export function parseResolv(text: string): { servers: string[]; search: string[]; options: string[] } {
  const out = { servers: [] as string[], search: [] as string[], options: [] as string[] };
  for (const line of text.split('\n')) {
    const [k, ...v] = line.trim().split(/\s+/);
    if (k === 'nameserver' && v[0]) out.servers.push(v[0]);
    else if (k === 'search' || k === 'domain') out.search = v;
    else if (k === 'options') out.options = v;
  }
  return out;
}

function readHostResolv(): string { try { return readFileSync('/etc/resolv.conf', 'utf8'); } catch { return ''; } }
