// Published-port specs shared by the engine, the API and the create form: Docker's
// PortBindings and the `-p [ip:][hostPort:]containerPort[/tcp|udp]` syntax → PortMapping.
// Pure, no Node or DOM.
import type { PortMapping } from './types';

type Protocol = PortMapping['protocol'];

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
/** IPv4 dotted quad or an IPv6 address (hex groups, at most one ::). */
export function isIpAddress(s: string): boolean {
  if (IPV4.test(s)) return true;
  if (!/^[0-9a-fA-F:.]+$/.test(s) || !s.includes(':') || (s.match(/::/g)?.length ?? 0) > 1) return false;
  const groups = s.split(':');
  return groups.length <= 8 && groups.every((g) => g === '' || /^[0-9a-fA-F]{1,4}$/.test(g) || IPV4.test(g));
}

export class PortSpecError extends Error {
  readonly code = 'EINVAL';
  constructor(message: string) { super(message); this.name = 'PortSpecError'; }
}

/** "80", "80/tcp", "53/udp", "8000-8002/tcp" → ports and protocol. */
export function parsePortProto(key: string): { start: number; end: number; protocol: Protocol } {
  const m = /^(\d{1,5})(?:-(\d{1,5}))?(?:\/(tcp|udp|sctp))?$/i.exec(key.trim());
  if (!m) throw new PortSpecError(`invalid port "${key}": expected PORT[-PORT][/tcp|udp]`);
  const proto = (m[3] ?? 'tcp').toLowerCase();
  if (proto === 'sctp') throw new PortSpecError(`invalid port "${key}": sctp is not supported (tcp or udp)`);
  const start = Number(m[1]), end = m[2] ? Number(m[2]) : start;
  for (const p of [start, end]) if (p < 1 || p > 65535) throw new PortSpecError(`invalid port "${key}": ${p} is outside 1-65535`);
  if (end < start) throw new PortSpecError(`invalid port range "${key}": ${end} is below ${start}`);
  return { start, end, protocol: proto as Protocol };
}

function parseHostPort(s: string | undefined, what: string): { port: number; end?: number } {
  if (!s || s.trim() === '0') return { port: 0 };
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(s.trim());
  if (!m) throw new PortSpecError(`invalid host port "${s}" for ${what}`);
  const port = Number(m[1]), end = m[2] ? Number(m[2]) : undefined;
  for (const p of [port, end ?? port]) if (p < 1 || p > 65535) throw new PortSpecError(`invalid host port "${s}" for ${what}: outside 1-65535`);
  if (end !== undefined && end < port) throw new PortSpecError(`invalid host port range "${s}" for ${what}`);
  return { port, end: end !== undefined && end !== port ? end : undefined };
}

function checkHostIp(ip: string, what: string): string {
  const v = ip.replace(/^\[|\]$/g, '');
  if (v && !isIpAddress(v)) throw new PortSpecError(`invalid host address "${ip}" for ${what}`);
  return v === '0.0.0.0' ? '' : v;
}

/** HostConfig.PortBindings (+ PublishAllPorts over the exposed ports) → mappings. */
export function fromPortBindings(
  bindings: Record<string, unknown> | null | undefined, exposed: string[] = [], publishAll = false,
): PortMapping[] {
  const out: PortMapping[] = [];
  const seen = new Set<string>();
  for (const [key, list] of Object.entries(bindings ?? {})) {
    const { start, end, protocol } = parsePortProto(key);
    const entries = Array.isArray(list) && list.length ? list : [{}];
    for (let p = start; p <= end; p++) {
      seen.add(`${p}/${protocol}`);
      for (const raw of entries) {
        const b = (raw ?? {}) as { HostIp?: unknown; HostPort?: unknown };
        if ((b.HostIp != null && typeof b.HostIp !== 'string') || (b.HostPort != null && typeof b.HostPort !== 'string')) {
          throw new PortSpecError(`invalid port binding for ${key}: HostIp and HostPort must be strings`);
        }
        const hp = parseHostPort(b.HostPort as string | undefined, key);
        const hostIp = checkHostIp((b.HostIp as string | undefined) ?? '', key);
        // netavark DNATs IPv4 only and Pier's IPv6 proxy is TCP: a UDP port on an IPv6 address would never answer
        if (protocol === 'udp' && hostIp.includes(':')) throw new PortSpecError(`cannot publish ${key} on [${hostIp}]: UDP is published on IPv4 host addresses only`);
        // a host range over a container range maps one to one (the CLI expands those itself)
        const offset = start !== end && hp.port ? p - start : 0;
        out.push({ hostIp, hostPort: hp.port ? hp.port + offset : 0,
          ...(hp.end && start === end ? { hostPortEnd: hp.end } : {}), containerPort: p, protocol });
      }
    }
  }
  if (publishAll) {
    for (const key of exposed) {
      const { start, end, protocol } = parsePortProto(key);
      for (let p = start; p <= end; p++) {
        if (seen.has(`${p}/${protocol}`)) continue;
        seen.add(`${p}/${protocol}`);
        out.push({ hostIp: '', hostPort: 0, containerPort: p, protocol });
      }
    }
  }
  return out;
}

/** `-p` syntax ([ip:][hostPort:]containerPort[/proto]) → mappings; used by the UI and RPC. */
export function parsePublish(spec: string): PortMapping[] {
  const [addrPart, proto, extra] = spec.trim().split('/');
  const bad = () => new PortSpecError(`invalid port "${spec}": expected [ip:][hostPort:]containerPort[/tcp|udp]`);
  if (extra !== undefined || !addrPart) throw bad();
  let ip = '';
  let rest = addrPart;
  const v6 = /^\[([0-9a-fA-F:.]+)\]:(.*)$/.exec(addrPart);
  if (v6) { ip = v6[1]; rest = v6[2]; }
  const parts = rest.split(':');
  if (parts.length > 3 || (v6 && parts.length > 2)) throw bad();
  if (parts.length === 3) ip = parts.shift()!;
  const ctr = parts.pop()!;
  const host = parts.pop() ?? '';
  return fromPortBindings({ [`${ctr}${proto ? '/' + proto : ''}`]: [{ HostIp: ip, HostPort: host }] });
}

