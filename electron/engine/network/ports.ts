// Published ports: Docker's PortBindings ⇄ Pier's PortMapping, and the shapes the Docker
// API reports (NetworkSettings.Ports, the list's Ports). Pure; unit-tested.
import type { BoundPort } from './types';

export { PortSpecError, parsePortProto, fromPortBindings, parsePublish } from '../../common/ports';

/** Docker's NetworkSettings.Ports: every binding, 0.0.0.0 and :: listed apart; exposed-only ports as null. */
export function dockerPorts(bound: BoundPort[], exposed: string[] = []): Record<string, Array<{ HostIp: string; HostPort: string }> | null> {
  const out: Record<string, Array<{ HostIp: string; HostPort: string }> | null> = {};
  for (const e of exposed) out[e.includes('/') ? e : `${e}/tcp`] = null;
  for (const b of bound) {
    const key = `${b.containerPort}/${b.protocol}`;
    const list = (out[key] ??= []);
    if (!list) continue;
    const port = String(b.hostPort);
    if (b.hostIp === '') list.push({ HostIp: '0.0.0.0', HostPort: port }, { HostIp: '::', HostPort: port });
    else list.push({ HostIp: b.hostIp, HostPort: port });
  }
  return out;
}

/** The list's Ports ({IP, PrivatePort, PublicPort, Type}); an exposed-only port has no IP or PublicPort. */
export function listPorts(bound: BoundPort[], exposed: string[] = []): Array<{ IP?: string; PrivatePort: number; PublicPort?: number; Type: string }> {
  const out: Array<{ IP?: string; PrivatePort: number; PublicPort?: number; Type: string }> = [];
  for (const [key, list] of Object.entries(dockerPorts(bound, exposed))) {
    const [p, t] = key.split('/');
    if (!list) { out.push({ PrivatePort: Number(p), Type: t }); continue; }
    for (const b of list) out.push({ IP: b.HostIp, PrivatePort: Number(p), PublicPort: Number(b.HostPort), Type: t });
  }
  return out;
}
