// Docker's legacy links (`--link NAME[:ALIAS]`): the linked container's address in /etc/hosts
// under the alias, its id and its name, and ALIAS_* variables (its env, its exposed ports), as
// dockerd writes them (compared in test/api/network-modes.test.ts). Pure, except for lookups.
import type { ContainerRecord } from '../store/types';
import type { Link } from './types';

const err = (message: string, code: string) => Object.assign(new Error(message), { code });

/** "db", "db:alias", "/db:/client/alias" → the linked container and the alias; unknown container → Docker's error. */
export function parseLinks(specs: string[], get: (ref: string) => ContainerRecord): Link[] {
  return specs.map((spec) => {
    const [ref, raw] = spec.split(':');
    const name = ref.replace(/^\//, '');
    const alias = (raw ?? name).split('/').pop()!;
    if (!name || !/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(alias)) throw err(`invalid link "${spec}": expected NAME[:ALIAS]`, 'EINVAL');
    let r: ContainerRecord;
    // 400, not 404: a client reads 404 on create as "no such image" and tries to pull
    try { r = get(name); } catch { throw err(`could not get container for ${name}: No such container: ${name}`, 'EINVAL'); }
    return { id: r.id, name: r.name, alias };
  });
}

/** The /etc/hosts line of a link: address, then alias, short id and name (each once). */
export function linkHostsLine(link: Link, ip: string): string {
  return `${ip}\t${[...new Set([link.alias, link.id.slice(0, 12), link.name])].join(' ')}`;
}

/** Exposed ports as Docker sorts them for links: by number, tcp before udp. */
function sortedPorts(exposed: string[]): Array<{ port: number; proto: string }> {
  return exposed.map((e) => { const [p, proto = 'tcp'] = e.split('/'); return { port: Number(p), proto }; })
    .filter((p) => Number.isInteger(p.port))
    .sort((a, b) => a.port - b.port || (a.proto === 'tcp' ? -1 : b.proto === 'tcp' ? 1 : 0));
}

/** ALIAS_NAME, ALIAS_ENV_*, ALIAS_PORT* for a container linked into `self` (ranges are not grouped). */
export function linkEnv(link: Link, self: string, target: ContainerRecord, ip: string): string[] {
  const A = link.alias.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
  const out: string[] = [`${A}_NAME=/${self}/${link.alias}`];
  const exposed = [...new Set([...(target.config.net?.exposedPorts ?? []), ...(target.config.net?.ports ?? []).map((p) => `${p.containerPort}/${p.protocol}`)])];
  const ports = sortedPorts(exposed);
  if (ports[0]) out.push(`${A}_PORT=${ports[0].proto}://${ip}:${ports[0].port}`);
  for (const p of ports) {
    const k = `${A}_PORT_${p.port}_${p.proto.toUpperCase()}`;
    out.push(`${k}=${p.proto}://${ip}:${p.port}`, `${k}_ADDR=${ip}`, `${k}_PORT=${p.port}`, `${k}_PROTO=${p.proto}`);
  }
  for (const e of target.config.env) {
    const i = e.indexOf('=');
    const key = i < 0 ? e : e.slice(0, i);
    if (key === 'HOME' || key === 'PATH') continue;
    out.push(`${A}_ENV_${key}=${i < 0 ? '' : e.slice(i + 1)}`);
  }
  return out;
}
