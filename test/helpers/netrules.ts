// Firewall leftovers of a removed network, as the host's iptables-save shows them. Other engines on the host
// (a second Pier, podman) allocate from the same address pools: once a network is gone, its subnet may be
// handed out again at once, and the new owner's rules name it too. A subnet counts here only while no host
// interface carries it; a bridge name is the network's own.
import { execFileSync } from 'node:child_process';

/** Host interfaces with an IPv4 address inside `cidr` (a /8–/32 IPv4 CIDR). */
export function interfacesIn(cidr: string): string[] {
  const [base, bits] = cidr.split('/');
  const mask = Number(bits) === 0 ? 0 : (~0 << (32 - Number(bits))) >>> 0;
  const num = (ip: string) => ip.split('.').reduce((n, o) => ((n << 8) | Number(o)) >>> 0, 0);
  const net = num(base) & mask;
  return execFileSync('ip', ['-o', '-4', 'addr', 'show'], { encoding: 'utf8' })
    .split('\n')
    .flatMap((l) => {
      const m = /^\d+:\s+(\S+)\s+inet\s+([\d.]+)\//.exec(l);
      return m && (num(m[2]) & mask) >>> 0 === net ? [m[1]] : [];
    });
}

/** iptables-save lines (all tables) naming one of `bridges`, or one of `subnets` no live interface carries. */
export function leftoverRules(bridges: string[], subnets: string[]): string[] {
  const words = [...bridges.map((b) => ` ${b} `), ...subnets.filter((s) => interfacesIn(s).length === 0)];
  return execFileSync('iptables-save', { encoding: 'utf8' })
    .split('\n')
    .filter((l) => words.some((w) => l.includes(w)));
}
