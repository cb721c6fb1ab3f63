// /_ping, /version, /info, /system/df (volumes come from volumes.ts, networks from networks.ts).
import os from 'node:os';
import { readFileSync } from 'node:fs';
import type { Route, Ctx } from './context';
import { API_VERSION, MIN_API_VERSION, SERVER_VERSION, PIER_VERSION, json } from './context';
import { containerSummary } from './container-inspect';
import { rootlessSummary } from '../runtime/rootless';
import { imageSummary } from './images';
import { dfVolumes } from './volumes';
import { dockerInfoFlags, hostLimits, limitWarnings } from '../stats/host';

function kernelVersion(): string { return os.release(); }

function osRelease(): { name: string; version: string } {
  try {
    const t = readFileSync('/etc/os-release', 'utf8');
    const get = (k: string) => t.match(new RegExp(`^${k}="?([^"\\n]*)"?`, 'm'))?.[1] ?? '';
    return { name: get('PRETTY_NAME') || 'Linux', version: get('VERSION_ID') };
  } catch { return { name: 'Linux', version: '' }; }
}

function cgroupVersion(): '1' | '2' {
  try { readFileSync('/sys/fs/cgroup/cgroup.controllers'); return '2'; } catch { return '1'; }
}

const arch = () => ({ x64: 'x86_64', arm64: 'aarch64' } as Record<string, string>)[process.arch] ?? process.arch;
const goArch = () => ({ x64: 'amd64', arm64: 'arm64' } as Record<string, string>)[process.arch] ?? process.arch;

export function systemRoutes(): Route[] {
  const ping = (ctx: Ctx & { res: import('node:http').ServerResponse }) => {
    const { res, req } = ctx;
    res.setHeader('Cache-Control', 'no-cache, no-store, must-revalidate');
    res.setHeader('Pragma', 'no-cache');
    res.setHeader('Builder-Version', '1');
    res.setHeader('Swarm', 'inactive');
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': req.method === 'HEAD' ? 0 : 2 });
    res.end(req.method === 'HEAD' ? undefined : 'OK');
  };
  return [
    { method: 'GET', path: /^\/_ping$/, handler: ping },
    { method: 'HEAD', path: /^\/_ping$/, handler: ping },
    { method: 'GET', path: /^\/version$/, handler: ({ engine, res }) => {
      const info = engine.info();
      json(res, 200, {
        Platform: { Name: 'Pier' },
        Components: [
          { Name: 'Engine', Version: SERVER_VERSION, Details: { ApiVersion: API_VERSION, MinAPIVersion: MIN_API_VERSION, Os: 'linux', Arch: goArch(), KernelVersion: kernelVersion(), Experimental: 'true', GitCommit: 'pier', GoVersion: `node ${process.version}` } },
          { Name: 'pier', Version: PIER_VERSION, Details: {} },
          { Name: 'conmon', Version: info.conmon.version, Details: { Path: info.conmon.path } },
          { Name: info.runtime.name, Version: info.runtime.version, Details: { Path: info.runtime.path } },
        ],
        Version: SERVER_VERSION, ApiVersion: API_VERSION, MinAPIVersion: MIN_API_VERSION, GitCommit: 'pier',
        GoVersion: `node ${process.version}`, Os: 'linux', Arch: goArch(), KernelVersion: kernelVersion(), Experimental: true,
        BuildTime: new Date(0).toISOString(),
      });
    } },
    { method: 'GET', path: /^\/info$/, handler: async ({ engine, res }) => {
      const info = engine.info();
      const list = engine.containers.list();
      const images = engine.images ? (await engine.images.list().catch(() => [])).length : 0;
      const count = (s: string) => list.filter((c) => c.status === s).length;
      const rel = osRelease();
      const snap = engine.snapshotter;
      const rl = rootlessSummary();
      json(res, 200, {
        ID: `pier:${engine.opts.root}`, Containers: list.length, ContainersRunning: count('running'), ContainersPaused: count('paused'),
        ContainersStopped: list.length - count('running') - count('paused'), Images: images,
        Driver: snap?.kind ?? 'vfs', DriverStatus: snap?.reason ? [['Reason', snap.reason]] : [],
        // only what this engine does: the local volume driver, bridge networks where netavark runs
        Plugins: { Volume: ['local'], Network: [...(engine.network ? ['bridge'] : []), 'host', 'null'], Authorization: null, Log: ['k8s-file'] },
        ...dockerInfoFlags(hostLimits()), ...forwardingFlags(), Debug: false, NFd: 0, NGoroutines: 0,
        SystemTime: new Date().toISOString(), LoggingDriver: 'k8s-file', CgroupDriver: rl.cgroupDriver ?? 'cgroupfs', CgroupVersion: cgroupVersion(),
        NEventsListener: 0, KernelVersion: kernelVersion(), OperatingSystem: rel.name, OSVersion: rel.version, OSType: 'linux',
        Architecture: arch(), IndexServerAddress: process.env.PIER_CLIENT_INDEX_SERVER ?? '',
        RegistryConfig: { InsecureRegistryCIDRs: ['127.0.0.0/8', '::1/128'], IndexConfigs: {}, Mirrors: [] },
        NCPU: os.cpus().length, MemTotal: os.totalmem(), GenericResources: null, DockerRootDir: engine.opts.root,
        HttpProxy: '', HttpsProxy: '', NoProxy: '', Name: os.hostname(), Labels: [], ExperimentalBuild: true,
        ServerVersion: SERVER_VERSION,
        Runtimes: Object.fromEntries(info.runtimes.filter((r) => r.works).map((r) => [r.name, { path: r.path }])),
        DefaultRuntime: info.runtime.name, Swarm: { NodeID: '', NodeAddr: '', LocalNodeState: 'inactive', ControlAvailable: false, Error: '', RemoteManagers: null },
        LiveRestoreEnabled: true, Isolation: '', InitBinary: '', ContainerdCommit: { ID: 'none' }, RuncCommit: { ID: info.runtime.version }, InitCommit: { ID: 'none' },
        SecurityOptions: ['name=seccomp,profile=unconfined', ...rl.securityOptions], CDISpecDirs: [], Warnings: [...rl.warnings, ...(rl.rootless ? [] : limitWarnings(hostLimits()))],
        // Pier's own
        Pier: { Version: PIER_VERSION, Conmon: info.conmon, Runtime: info.runtime, Criu: info.criu ?? null, RunRoot: engine.opts.runroot },
      });
    } },
    { method: 'GET', path: /^\/system\/df$/, handler: async ({ engine, res }) => {
      const list = engine.containers.list();
      const imgs = engine.images ? await engine.images.list() : [];
      const du = engine.images ? await engine.images.diskUsage() : { images: 0, layersSize: 0 };
      const counts = new Map<string, number>();
      for (const c of list) if (c.imageId) counts.set(c.imageId, (counts.get(c.imageId) ?? 0) + 1);
      json(res, 200, {
        LayersSize: du.layersSize,
        Images: imgs.map((i) => ({ ...imageSummary(i), Containers: counts.get(i.id) ?? 0 })),
        Containers: list.map((c) => ({ ...containerSummary(engine, c), SizeRw: 0, SizeRootFs: 0 })),
        Volumes: await dfVolumes(engine), BuildCache: [],
      });
    } },
    { method: 'POST', path: /^\/build\/prune$/, handler: ({ res }) => json(res, 200, { CachesDeleted: [], SpaceReclaimed: 0 }) },
  ];
}

/** The host's forwarding sysctls as they are (dockerd reports them the same way), not assumed. */
function forwardingFlags(): { IPv4Forwarding: boolean; BridgeNfIptables: boolean; BridgeNfIp6tables: boolean } {
  const on = (f: string) => { try { return readFileSync(f, 'utf8').trim() === '1'; } catch { return false; } };
  return {
    IPv4Forwarding: on('/proc/sys/net/ipv4/ip_forward'),
    BridgeNfIptables: on('/proc/sys/net/bridge/bridge-nf-call-iptables'),
    BridgeNfIp6tables: on('/proc/sys/net/bridge/bridge-nf-call-ip6tables'),
  };
}
