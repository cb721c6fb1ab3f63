// UDP for tests: a client that asks until answered, a free port, and a small DNS server for A records.
import dgram from 'node:dgram';

/** Sends `payload` from a socket of its own every 200 ms until a reply comes (UDP may drop; loopback rarely does). */
export async function udpAsk(port: number, payload: string | Buffer, host = '127.0.0.1', timeoutMs = 5000): Promise<Buffer> {
  const c = dgram.createSocket('udp4');
  try {
    return await new Promise<Buffer>((resolve, reject) => {
      const send = () => c.send(payload, port, host);
      const every = setInterval(send, 200);
      const limit = setTimeout(() => { clearInterval(every); reject(new Error(`no UDP reply from ${host}:${port} in ${timeoutMs} ms`)); }, timeoutMs);
      c.on('message', (m) => { clearInterval(every); clearTimeout(limit); resolve(m); });
      send();
    });
  } finally { c.close(); }
}

/** A UDP port nobody has bound on 127.0.0.1 right now. */
export async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  const port = s.address().port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** Whether 127.0.0.1:port/udp can be bound (nobody holds it). */
export function udpPortFree(port: number): Promise<boolean> {
  const s = dgram.createSocket('udp4');
  return new Promise((resolve) => {
    s.once('error', () => resolve(false));
    s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

export interface DnsServer { /** names asked, in order */ queries: string[]; close(): Promise<void> }

/**
 * A DNS server on address:port answering A queries for `records` (name → IPv4); other names get NXDOMAIN, other
 * types of a known name an empty answer. Enough for busybox's nslookup and aardvark-dns's forwarding.
 */
export async function dnsServer(address: string, port: number, records: Record<string, string>): Promise<DnsServer> {
  const s = dgram.createSocket('udp4');
  const queries: string[] = [];
  s.on('message', (q, from) => {
    const parsed = question(q);
    if (!parsed) return;
    queries.push(parsed.name);
    const ip = records[parsed.name.toLowerCase()];
    const answer = ip && parsed.type === 1
      ? Buffer.concat([Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4]), Buffer.from(ip.split('.').map(Number))])
      : Buffer.alloc(0);
    const head = Buffer.alloc(12);
    q.copy(head, 0, 0, 2); // id
    head.writeUInt16BE(0x8180 | (ip ? 0 : 3), 2); // response, recursion desired + available; NXDOMAIN for unknown names
    head.writeUInt16BE(1, 4);
    head.writeUInt16BE(answer.length ? 1 : 0, 6);
    s.send(Buffer.concat([head, q.subarray(12, parsed.end), answer]), from.port, from.address);
  });
  await new Promise<void>((resolve, reject) => { s.once('error', reject); s.bind(port, address, () => { s.off('error', reject); resolve(); }); });
  return { queries, close: () => new Promise<void>((resolve) => s.close(() => resolve())) };
}

/** The first question of a DNS query: its name, type, and where the question ends. */
function question(q: Buffer): { name: string; type: number; end: number } | undefined {
  if (q.length < 17) return undefined;
  const labels: string[] = [];
  let i = 12;
  while (i < q.length && q[i] !== 0) {
    const n = q[i];
    if (n > 63 || i + 1 + n > q.length) return undefined;
    labels.push(q.subarray(i + 1, i + 1 + n).toString('latin1'));
    i += 1 + n;
  }
  if (i + 5 > q.length) return undefined;
  return { name: labels.join('.'), type: q.readUInt16BE(i + 1), end: i + 5 };
}
