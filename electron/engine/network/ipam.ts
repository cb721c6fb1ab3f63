// IPv4 address arithmetic and allocation. Pure; the store persists the result.
import { readFileSync } from 'node:fs';

export class IpamError extends Error {
  constructor(message: string, readonly code = 'EINVAL') { super(message); this.name = 'IpamError'; }
}

export interface Cidr { base: number; prefix: number }

export function ipToInt(ip: string): number {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m || m.slice(1).some((x) => Number(x) > 255)) throw new IpamError(`invalid IPv4 address "${ip}"`);
  return ((Number(m[1]) << 24) >>> 0) + (Number(m[2]) << 16) + (Number(m[3]) << 8) + Number(m[4]);
}
export function intToIp(n: number): string { return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.'); }

const mask = (prefix: number) => (prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0);

/** "10.1.2.0/24" → base and prefix; the base must be the network address. */
export function parseCidr(s: string, what = 'subnet'): Cidr {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(s.trim());
  if (!m || Number(m[2]) > 32) throw new IpamError(`invalid ${what} "${s}": expected an IPv4 CIDR like 10.1.2.0/24`);
  const prefix = Number(m[2]);
  const ip = ipToInt(m[1]);
  if ((ip & mask(prefix)) >>> 0 !== ip) throw new IpamError(`invalid ${what} "${s}": host bits set (did you mean ${intToIp((ip & mask(prefix)) >>> 0)}/${prefix}?)`);
  return { base: ip, prefix };
}
export const cidrString = (c: Cidr) => `${intToIp(c.base)}/${c.prefix}`;
export const size = (c: Cidr) => 2 ** (32 - c.prefix);
export function contains(c: Cidr, ip: number): boolean { return ((ip & mask(c.prefix)) >>> 0) === c.base; }
export function overlaps(a: Cidr, b: Cidr): boolean {
  const p = Math.min(a.prefix, b.prefix);
  return ((a.base & mask(p)) >>> 0) === ((b.base & mask(p)) >>> 0);
}

/** Checks a user-given subnet/gateway/range; returns the gateway (first host by default). */
export function checkSubnet(subnet: string, gateway?: string, ipRange?: string): { subnet: string; gateway: string } {
  const c = parseCidr(subnet);
  if (c.prefix > 30) throw new IpamError(`subnet ${subnet} is too small: use /30 or larger`);
  const gw = gateway ? ipToInt(gateway) : c.base + 1;
  if (!contains(c, gw) || gw === c.base || gw === c.base + size(c) - 1) throw new IpamError(`gateway ${intToIp(gw)} is not a usable address of subnet ${subnet}`);
  if (ipRange) {
    const r = parseCidr(ipRange, 'ip range');
    if (!contains(c, r.base) || r.prefix < c.prefix) throw new IpamError(`ip range ${ipRange} is not inside subnet ${subnet}`);
  }
  return { subnet: cidrString(c), gateway: intToIp(gw) };
}

/**
 * The next free host address after `last` (wrapping; not network, broadcast, gateway or taken), inside
 * ipRange when given. Going round instead of reusing the lowest free address keeps a just-freed address
 * (still in its peers' ARP caches with the old MAC) out of use as long as possible.
 */
export function allocate(subnet: string, gateway: string, taken: Set<string>, ipRange?: string, last?: string): string {
  const c = parseCidr(subnet);
  const r = ipRange ? parseCidr(ipRange) : c;
  const first = Math.max(r.base, c.base + 1), end = Math.min(r.base + size(r) - 1, c.base + size(c) - 2);
  const count = end - first + 1;
  const after = last ? ipToInt(last) : first - 1;
  const start = after >= first && after <= end ? after + 1 - first : 0;
  for (let i = 0; i < count; i++) {
    const ip = intToIp(first + ((start + i) % count));
    if (ip !== gateway && !taken.has(ip)) return ip;
  }
  throw new IpamError(`no free IP address left in network subnet ${ipRange ?? subnet}`, 'ENOSPC');
}

/** Checks a requested static address (docker --ip). */
export function checkStatic(subnet: string, gateway: string, ip: string, taken: Map<string, string>, network: string): void {
  const c = parseCidr(subnet);
  const n = ipToInt(ip);
  if (!contains(c, n) || n === c.base || n === c.base + size(c) - 1) throw new IpamError(`address ${ip} is not a usable address of network ${network} (${subnet})`);
  if (ip === gateway) throw new IpamError(`address ${ip} is the gateway of network ${network}`);
  const holder = taken.get(ip);
  if (holder) throw new IpamError(`address ${ip} is already in use on network ${network} (by ${holder})`, 'ECONFLICT');
}

/** IPv4 routes the host has (from /proc/net/route), as CIDRs; the default route is left out. */
export function hostRoutes(text = safeRead('/proc/net/route')): Array<Cidr & { iface: string }> {
  const out: Array<Cidr & { iface: string }> = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    const dest = leHex(f[1]), m = leHex(f[7]);
    if (m === 0) continue;
    const prefix = 32 - Math.log2(((~m) >>> 0) + 1);
    if (Number.isInteger(prefix)) out.push({ base: dest, prefix, iface: f[0] });
  }
  return out;
}
function leHex(h: string): number { const n = parseInt(h, 16); return (((n & 255) << 24) >>> 0) + (((n >>> 8) & 255) << 16) + (((n >>> 16) & 255) << 8) + (n >>> 24); }
function safeRead(f: string): string { try { return readFileSync(f, 'utf8'); } catch { return ''; } }

/**
 * Picks a free /24 from 10.90.0.0/16 … that overlaps neither a host route nor a used subnet,
 * starting at `offset` (engines on other roots start elsewhere, so parallel ones rarely meet).
 */
export function pickSubnet(used: string[], offset = 0, routes: Cidr[] = hostRoutes()): string {
  const busy = [...used.map((s) => parseCidr(s)), ...routes];
  for (let i = 0; i < 256 * 8; i++) {
    const k = (offset + i) % (256 * 8);
    const c = { base: ipToInt(`10.${90 + Math.floor(k / 256)}.${k % 256}.0`), prefix: 24 };
    if (!busy.some((b) => overlaps(b, c))) return cidrString(c);
  }
  throw new IpamError('no free subnet left in 10.90.0.0/13 for a new network: give one with --subnet', 'ENOSPC');
}
