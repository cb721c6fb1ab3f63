// The podman side of the archive format: config.dump (libpod's ContainerConfig JSON) and
// spec.dump (the OCI spec), written so podman 4.3's CRImportCheckpoint accepts Pier's
// archives, and read back from podman's archives. Pure functions (unit-tested).
import path from 'node:path';
import type { ContainerConfig, ContainerRecord } from '../store/types';
import type { OciSpec } from '../spec/spec';
import { parseSignal } from '../containers/signals';

/** What Pier adds to config.dump (podman ignores unknown keys). */
export interface PierDump {
  version: 1;
  id: string;
  name: string;
  config: ContainerConfig;
  options: Record<string, boolean>;
}

export interface ConfigDump {
  id: string;
  name: string;
  rootfsImageID?: string;
  rootfsImageName?: string;
  RawImageName?: string;
  rootfs?: string;
  entrypoint?: string[];
  command?: string[];
  labels?: Record<string, string>;
  stopSignal?: number;
  stopTimeout?: number;
  createdTime?: string;
  runtime?: string;
  stdin?: boolean;
  spec?: OciSpec;
  pier?: PierDump;
  [k: string]: unknown;
}

/** podman spells local images "localhost/name:tag"; images with a registry keep theirs. */
export function podmanImageName(ref: string | undefined): string | undefined {
  if (!ref) return undefined;
  const first = ref.split('/')[0];
  if (ref.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost')) return ref;
  return `localhost/${ref}`;
}

/** libpod's ContainerConfig for a Pier container, as podman writes it for `--export`. */
export function makeConfigDump(rec: ContainerRecord, spec: OciSpec, options: Record<string, boolean>, logPath: string): ConfigDump {
  const c = rec.config;
  let stopSignal = 15;
  try { stopSignal = parseSignal(c.stopSignal); } catch { /* keep SIGTERM */ }
  const imageName = podmanImageName(c.image);
  return {
    spec,
    id: rec.id,
    name: rec.name,
    lockID: 0,
    CreateCommand: ['pier', 'run', '--name', rec.name, ...(c.image ? [c.image] : ['--rootfs', c.rootfs ?? '']), ...c.args],
    ...(c.imageId ? { rootfsImageID: c.imageId.replace(/^sha256:/, ''), rootfsImageName: imageName, RawImageName: imageName } : {}),
    ...(c.rootfs ? { rootfs: c.rootfs } : {}),
    idMappingsOptions: {
      HostUIDMapping: true, HostGIDMapping: true, UIDMap: null, GIDMap: null, AutoUserNs: false,
      AutoUserNsOpts: { Size: 0, InitialSize: 0, PasswdFile: '', GroupFile: '', AdditionalUIDMappings: null, AdditionalGIDMappings: null },
    },
    Dependencies: null,
    shmSize: 65536000,
    createWorkingDir: true,
    storageOpts: null,
    privileged: false,
    createNetNS: false,
    UseImageResolvConf: false,
    UseImageHosts: false,
    ...(c.stdin ? { stdin: true } : {}),
    entrypoint: c.entrypoint ?? [],
    command: c.cmd ?? [],
    labels: c.labels,
    stopSignal,
    stopTimeout: c.stopTimeout,
    createdTime: rec.created,
    cgroupManager: 'cgroupfs',
    cgroupsMode: 'enabled',
    logPath,
    logTag: '',
    logSize: 0,
    logDriver: 'k8s-file',
    postConfigureNetNS: false,
    runtime: 'runc',
    pause: false,
    isService: false,
    sdnotifyMode: 'container',
    healthcheck: null,
    umask: '0022',
    mountAllDevices: false,
    pier: { version: 1, id: rec.id, name: rec.name, config: c, options },
  };
}

/** Mount destinations podman manages itself (sources live in its own storage). */
const PODMAN_MANAGED = new Set(['/dev/shm', '/run/.containerenv', '/var/run/.containerenv', '/etc/hostname', '/etc/hosts', '/etc/resolv.conf', '/run/secrets', '/var/run/secrets']);

/** A Pier container config for a checkpoint written by podman (or any libpod engine). */
export function configFromForeign(cfg: ConfigDump, spec: OciSpec): { config: ContainerConfig; imageRef?: string } {
  const proc = spec.process as OciSpec['process'] & { cwd?: string; user?: { uid?: number; gid?: number } };
  const ns = ((spec.linux?.namespaces ?? []) as Array<{ type: string; path?: string }>);
  const binds = (spec.mounts ?? [])
    .filter((m) => m.type === 'bind' && !PODMAN_MANAGED.has(m.destination))
    .map((m) => ({ source: m.source, destination: m.destination, readOnly: (m.options ?? []).includes('ro') }));
  const config: ContainerConfig = {
    image: cfg.rootfsImageName,
    imageId: cfg.rootfsImageID ? (cfg.rootfsImageID.startsWith('sha256:') ? cfg.rootfsImageID : `sha256:${cfg.rootfsImageID}`) : undefined,
    rootfs: cfg.rootfs || undefined,
    args: proc.args,
    entrypoint: cfg.entrypoint ?? [],
    cmd: cfg.command ?? [],
    env: proc.env ?? [],
    cwd: proc.cwd || '/',
    user: `${proc.user?.uid ?? 0}:${proc.user?.gid ?? 0}`,
    terminal: !!proc.terminal,
    stdin: !!cfg.stdin,
    hostname: spec.hostname || cfg.id.slice(0, 12),
    readOnlyRoot: !!(spec.root as { readonly?: boolean }).readonly,
    binds,
    network: ns.some((n) => n.type === 'network') ? 'none' : 'host',
    labels: cfg.labels ?? {},
    stopSignal: String(cfg.stopSignal ?? 15),
    stopTimeout: cfg.stopTimeout ?? 10,
    autoRemove: false,
  };
  return { config, imageRef: cfg.rootfsImageName };
}

/**
 * Adapts a foreign spec.dump to this host: the new root, and every bind mount podman
 * managed (shm, hostname, hosts, resolv.conf, .containerenv) pointed at files in the
 * new bundle (CRIU needs a source for each external mount it dumped).
 */
export function adaptForeignSpec(dump: OciSpec, rootfs: string, extDir: string): { spec: OciSpec; files: Array<{ path: string; dir: boolean; content?: string; destination: string }> } {
  const spec = JSON.parse(JSON.stringify(dump)) as OciSpec;
  spec.root = { ...spec.root, path: rootfs };
  const files: Array<{ path: string; dir: boolean; content?: string; destination: string }> = [];
  for (const m of spec.mounts ?? []) {
    if (m.type !== 'bind' || !PODMAN_MANAGED.has(m.destination)) continue;
    const dir = m.destination === '/dev/shm' || m.destination.endsWith('/secrets');
    const p = path.join(extDir, m.destination.replace(/^\//, '').replace(/\//g, '_'));
    const content = m.destination === '/etc/hostname' ? `${spec.hostname || 'localhost'}\n`
      : m.destination === '/etc/hosts' ? `127.0.0.1\tlocalhost\n::1\tlocalhost\n127.0.1.1\t${spec.hostname || 'localhost'}\n`
        : m.destination.endsWith('.containerenv') ? 'engine="pier"\n' : '';
    files.push({ path: p, dir, content: dir ? undefined : content, destination: m.destination });
    m.source = p;
  }
  const linux = spec.linux as Record<string, unknown>;
  delete linux.cgroupsPath; // podman's cgroup belongs to podman's container
  delete (spec as unknown as Record<string, unknown>).hooks;
  return { spec, files };
}
