// Published ports: Docker's PortBindings ⇄ Pier's PortMapping, and the shapes the Docker
// API reports (NetworkSettings.Ports, the list's Ports). Pure; unit-tested.
import type { BoundPort } from './types';

export { PortSpecError, parsePortProto, fromPortBindings, parsePublish } from '../../common/ports';

/** Docker's NetworkSettings.Ports: every binding, 0.0.0.0 and :: listed apart. */
export function dockerPorts(bound: BoundPort[]): Record<string, Array<{ HostIp: string; HostPort: string }>> {
  const out: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
  for (const b of bound) {
    const key = `${b.containerPort}/${b.protocol}`;
    const list = (out[key] ??= []);
    const port = String(b.hostPort);
    if (b.hostIp === '') list.push({ HostIp: '0.0.0.0', HostPort: port }, { HostIp: '::', HostPort: port });
    else list.push({ HostIp: b.hostIp, HostPort: port });
  }
  return out;
}

/** The list's Ports ({IP, PrivatePort, PublicPort, Type}). */
export function listPorts(bound: BoundPort[]): Array<{ IP?: string; PrivatePort: number; PublicPort?: number; Type: string }> {
  const out: Array<{ IP?: string; PrivatePort: number; PublicPort?: number; Type: string }> = [];
  for (const [key, list] of Object.entries(dockerPorts(bound))) {
    const [p, t] = key.split('/');
    for (const b of list) out.push({ IP: b.HostIp, PrivatePort: Number(p), PublicPort: Number(b.HostPort), Type: t });
  }
  return out;
}
