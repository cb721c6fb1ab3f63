// Host ports: reserved by binding them before anything is set up (a conflict changes
// nothing), then held for the container's life. IPv4 sockets are handed to conmon (it
// keeps them open, as podman does); traffic reaches the container through netavark's DNAT.
// IPv6 (::, ::1) cannot be DNATed here, so Pier serves it with a userland TCP proxy.
import net from 'node:net';
import dgram from 'node:dgram';
import type { BoundPort, PortMapping } from './types';

export class PortAllocatedError extends Error {
  readonly code = 'EPORTALLOC';
  constructor(message: string) { super(message); this.name = 'PortAllocatedError'; }
}

type Held = ({ kind: 'tcp'; server: net.Server } | { kind: 'udp'; socket: dgram.Socket }) & { containerPort: number };

export interface Reservation {
  ports: BoundPort[];
  /** the held sockets' fds (IPv4 only in "proxy" mode: for conmon) */
  fds: number[];
  /** closes Pier's copies of the IPv4 sockets (after conmon inherited them, or on failure) */
  closeV4(): void;
  /** the IPv6 proxies, to be pointed at the container */
  proxies: Proxy[];
  /** every held socket with its container port (IPv6 ones too when v6 is "listen") */
  listeners: Array<{ fd: number; containerPort: number; protocol: 'tcp' | 'udp' }>;
}

export interface ReserveOptions {
  /**
   * "proxy" (rootful): IPv6 addresses are served by an in-engine proxy, IPv4 sockets go to conmon.
   * "listen" (rootless): IPv6 sockets are bound and held like IPv4 ones, for the forwarder.
   */
  v6?: 'proxy' | 'listen';
}

const isV6 = (ip: string) => ip.includes(':');

function fdOf(h: Held): number {
  const handle = (h.kind === 'tcp' ? (h.server as unknown as { _handle?: { fd?: number } })._handle : (h.socket as unknown as { _handle?: { fd?: number } })._handle);
  const fd = handle?.fd;
  if (typeof fd !== 'number' || fd < 0) throw new Error('cannot read the socket fd of a bound host port');
  return fd;
}

function bindTcp(host: string, port: number, v6only: boolean): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const s = net.createServer({ pauseOnConnect: true });
    s.once('error', reject);
    s.listen({ host, port, exclusive: true, ipv6Only: v6only, backlog: 511 }, () => { s.off('error', reject); resolve(s); });
  });
}

function bindUdp(host: string, port: number): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket({ type: 'udp4' });
    s.once('error', reject);
    s.bind({ address: host, port, exclusive: true }, () => { s.off('error', reject); resolve(s); });
  });
}

function display(ip: string): string { return ip === '' ? '0.0.0.0' : isV6(ip) ? `[${ip}]` : ip; }

/** Reserves every mapping's host port; throws Docker's "port is already allocated" naming the first conflict. */
export async function reservePorts(maps: PortMapping[], opts: ReserveOptions = {}): Promise<Reservation> {
  const proxyV6 = opts.v6 !== 'listen';
  const held: Held[] = [], proxies: Proxy[] = [], ports: BoundPort[] = [];
  const fail = (e: unknown, m: PortMapping, port: number): never => {
    for (const h of held) h.kind === 'tcp' ? h.server.close() : h.socket.close();
    for (const p of proxies) p.close();
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new PortAllocatedError(`Bind for ${display(m.hostIp)}:${port} failed: port is already allocated`);
    if (code === 'EADDRNOTAVAIL') throw new PortAllocatedError(`Bind for ${display(m.hostIp)}:${port} failed: ${m.hostIp} is not an address of this host`);
    if (code === 'EACCES') throw new PortAllocatedError(`Bind for ${display(m.hostIp)}:${port} failed: permission denied (ports below 1024 need root)`);
    throw e;
  };
  for (const m of maps) {
    const candidates = m.hostPortEnd ? range(m.hostPort, m.hostPortEnd) : [m.hostPort];
    let done = false;
    for (let i = 0; i < candidates.length && !done; i++) {
      const want = candidates[i];
      const last = i === candidates.length - 1;
      const before = held.length, proxiesBefore = proxies.length;
      try {
        let port = want;
        if (!isV6(m.hostIp)) {
          const h: Held = m.protocol === 'tcp'
            ? { kind: 'tcp', server: await bindTcp(m.hostIp || '0.0.0.0', want, false), containerPort: m.containerPort }
            : { kind: 'udp', socket: await bindUdp(m.hostIp || '0.0.0.0', want), containerPort: m.containerPort };
          held.push(h);
          port = h.kind === 'tcp' ? (h.server.address() as net.AddressInfo).port : h.socket.address().port;
        }
        if (!proxyV6 && (m.hostIp === '' || isV6(m.hostIp)) && m.protocol === 'tcp') {
          const server = await bindTcp(m.hostIp === '' ? '::' : m.hostIp, port, true).catch((e: NodeJS.ErrnoException) => {
            if (m.hostIp === '' && (e.code === 'EAFNOSUPPORT' || e.code === 'EADDRNOTAVAIL')) return undefined;
            throw e;
          });
          if (server) held.push({ kind: 'tcp', server, containerPort: m.containerPort });
          if (isV6(m.hostIp)) port = (server!.address() as net.AddressInfo).port;
        } else if ((m.hostIp === '' || isV6(m.hostIp)) && m.protocol === 'tcp') {
          const p = await Proxy.listen(m.hostIp === '' ? '::' : m.hostIp, port, m.containerPort).catch((e: NodeJS.ErrnoException) => {
            // a host without IPv6 still publishes on IPv4
            if (m.hostIp === '' && (e.code === 'EAFNOSUPPORT' || e.code === 'EADDRNOTAVAIL')) return undefined;
            throw e;
          });
          if (p) proxies.push(p);
          if (isV6(m.hostIp)) port = p!.port;
        }
        ports.push({ hostIp: m.hostIp, hostPort: port, containerPort: m.containerPort, protocol: m.protocol });
        done = true;
      } catch (e) {
        for (const h of held.splice(before)) h.kind === 'tcp' ? h.server.close() : h.socket.close();
        for (const p of proxies.splice(proxiesBefore)) p.close();
        if (last || (e as NodeJS.ErrnoException).code !== 'EADDRINUSE') fail(e, m, want);
      }
    }
  }
  let fds: number[];
  try { fds = held.map(fdOf); } catch (e) { fail(e, maps[0], 0); throw e; }
  const listeners = held.map((h, i) => ({ fd: fds[i], containerPort: h.containerPort, protocol: h.kind }));
  return {
    ports, fds, proxies, listeners,
    closeV4() { for (const h of held) h.kind === 'tcp' ? h.server.close() : h.socket.close(); },
  };
}

/** Starts the IPv6 proxies of an adopted container (its IPv4 sockets are still held by conmon). */
export async function adoptProxies(ports: BoundPort[], target: string): Promise<Proxy[]> {
  const out: Proxy[] = [];
  for (const b of ports) {
    if (b.protocol !== 'tcp' || !(b.hostIp === '' || isV6(b.hostIp))) continue;
    const p = await Proxy.listen(b.hostIp === '' ? '::' : b.hostIp, b.hostPort, b.containerPort).catch(() => undefined);
    if (p) { p.target = target; out.push(p); }
  }
  return out;
}

function range(a: number, b: number): number[] { return Array.from({ length: b - a + 1 }, (_, i) => a + i); }

/** A TCP proxy from an IPv6 host address to the container's IPv4 address (half-close kept). */
export class Proxy {
  target?: string;
  private conns = new Set<net.Socket>();
  private constructor(private server: net.Server, readonly port: number, readonly containerPort: number) {
    server.on('connection', (c) => this.forward(c));
  }

  static async listen(host: string, port: number, containerPort: number): Promise<Proxy> {
    const s = await bindTcp(host, port, true);
    return new Proxy(s, (s.address() as net.AddressInfo).port, containerPort);
  }

  private forward(client: net.Socket): void {
    if (!this.target) { client.destroy(); return; }
    const up = net.connect({ host: this.target, port: this.containerPort, allowHalfOpen: true });
    client.setNoDelay(true); up.setNoDelay(true);
    this.conns.add(client); this.conns.add(up);
    const end = () => { client.destroy(); up.destroy(); this.conns.delete(client); this.conns.delete(up); };
    client.on('error', end); up.on('error', end);
    client.on('close', () => { if (up.writableEnded || up.destroyed) end(); });
    up.on('close', () => { if (client.writableEnded || client.destroyed) end(); });
    client.pipe(up); up.pipe(client);
    client.resume();
  }

  close(): void {
    this.server.close();
    for (const c of this.conns) c.destroy();
    this.conns.clear();
  }
}
