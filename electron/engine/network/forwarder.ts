// Published ports of a rootless engine (the role of podman's rootlessport). The engine binds
// every host port in the host's network namespace (a conflict fails before anything is set up),
// then hands the bound sockets to a small Node program it starts inside the rootless network
// namespace. TCP: the native addon's forwardTcp (native/src/forward.cc) accepts on them and
// connects to the container's address there, moving bytes both ways with splice(2), half-close
// kept. UDP: one socket towards the container per client address, its replies sent back to that
// client; a flow idle for UDP_IDLE_MS ends, at most UDP_FLOWS per port. Detached, one per
// container with ports: it outlives the engine (ports keep answering), and teardown ends it. The
// same program answers "is aardvark serving this name yet" inside the namespace, where the engine
// cannot send packets.
// The program is plain CommonJS kept here as text and written to <runroot>/network at startup, so
// it runs from source checkouts and bundles alike, with no TypeScript loader (fast to start).
import { readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { spawnDetached } from '../runtime/proc';
import { ADDON_PATH } from '../../../native/index';
import { onPidGone } from '../runtime/pid-gone';

/** a UDP flow (one client address) with no datagram either way for this long ends (docker-proxy: 90 s) */
export const UDP_IDLE_MS = 90_000;
/** UDP flows per published port at once; datagrams from further clients are dropped */
export const UDP_FLOWS = 1024;

export const FORWARDER_SCRIPT = String.raw`'use strict';
// pier-forward: argv[2] = JSON {mode:"forward", addon, target, ports:[{fd, port, protocol}]} | {mode:"dns", server, name, timeoutMs}
const dgram = require('dgram');
const spec = JSON.parse(process.argv[2]);
const UDP_IDLE_MS = ${UDP_IDLE_MS}, UDP_FLOWS = ${UDP_FLOWS};

function forwardUdp(p, ready) {
  const server = dgram.createSocket('udp4');
  const flows = new Map();
  const flowFor = (client) => {
    const key = client.address + ':' + client.port;
    let f = flows.get(key);
    if (f) return f;
    if (flows.size >= UDP_FLOWS) return undefined;
    const sock = dgram.createSocket('udp4');
    f = { sock, timer: undefined };
    const end = () => { clearTimeout(f.timer); flows.delete(key); try { sock.close(); } catch {} };
    f.touch = () => { clearTimeout(f.timer); f.timer = setTimeout(end, UDP_IDLE_MS); };
    sock.on('message', (m, from) => {
      if (from.address !== spec.target || from.port !== p.port) return;
      f.touch();
      server.send(m, client.port, client.address);
    });
    sock.on('error', end);
    flows.set(key, f);
    return f;
  };
  server.on('message', (m, client) => {
    const f = flowFor(client);
    if (!f) return;
    f.touch();
    f.sock.send(m, p.port, spec.target);
  });
  server.on('error', (e) => { process.stderr.write('pier-forward: ' + e.message + '\n'); process.exit(1); });
  server.bind({ fd: p.fd }, ready);
}

function forward() {
  const addon = require(spec.addon);
  let pending = spec.ports.length;
  const ready = () => { if (--pending === 0) process.stdout.write('ready\n'); };
  for (const p of spec.ports) {
    if (p.protocol === 'udp') { forwardUdp(p, ready); continue; }
    // the native listener keeps the process alive; onFatal ends it as a failed listen would
    addon.forwardTcp(p.fd, spec.target, p.port, (why) => { process.stderr.write('pier-forward: ' + why + '\n'); process.exit(1); });
    ready();
  }
  process.on('SIGPIPE', () => {});
}

async function dns() {
  const { Resolver } = require('dns').promises;
  const r = new Resolver({ timeout: 150, tries: 1 });
  r.setServers([spec.server]);
  const end = Date.now() + spec.timeoutMs;
  while (Date.now() < end) {
    try { if ((await r.resolve4(spec.name)).length) { process.stdout.write('ok\n'); return; } } catch {}
    await new Promise((res) => setTimeout(res, 20));
  }
  process.stdout.write('timeout\n');
}

if (spec.mode === 'forward') forward(); else dns();
`;

export function forwarderPath(runroot: string): string { return path.join(runroot, 'network', 'pier-forward.cjs'); }

/** Writes the program (atomically, only when it differs). */
export async function installForwarder(runroot: string): Promise<string> {
  const file = forwarderPath(runroot);
  let current = '';
  try { current = readFileSync(file, 'utf8'); } catch { /* first time */ }
  if (current !== FORWARDER_SCRIPT) {
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    await writeFile(`${file}.tmp`, FORWARDER_SCRIPT, { mode: 0o600 });
    await rename(`${file}.tmp`, file);
  }
  return file;
}

export interface Listener { fd: number; containerPort: number; protocol: 'tcp' | 'udp' }

/** The argv prefix that runs a program inside the namespace (RootlessNet.wrap). */
export type Wrap = (bin: string, args: string[]) => [string, string[]];

function start(wrap: Wrap, script: string, spec: unknown, fds: number[]): { pid: number; output: Promise<string> } {
  // ELECTRON_RUN_AS_NODE: an Electron binary runs the script as plain Node
  const [bin, args] = wrap(process.execPath, [script, JSON.stringify(spec)]);
  const child = spawnDetached(bin, args, { env: { ELECTRON_RUN_AS_NODE: '1', PATH: process.env.PATH ?? '/usr/bin:/bin' }, cwd: '/', fds });
  const output = new Promise<string>((resolve, reject) => {
    let out = '', err = '';
    child.stdout!.on('data', (b: Buffer) => { out += b; if (out.includes('\n')) resolve(out.trim()); });
    child.stderr!.on('data', (b: Buffer) => { err += b; });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`port forwarder exited (${code}): ${err.trim() || out.trim()}`)));
  }).finally(() => {
    child.removeAllListeners('exit');
    child.stdout!.destroy();
    child.stderr!.destroy();
  });
  return { pid: child.pid!, output };
}

/** Starts the forwarder for a container; resolves with its PID once it accepts on every listener. */
export async function startForwarder(wrap: Wrap, script: string, target: string, listeners: Listener[]): Promise<number> {
  const fds = listeners.map((l) => l.fd);
  const ports = listeners.map((l, i) => ({ fd: 3 + i, port: l.containerPort, protocol: l.protocol }));
  const f = start(wrap, script, { mode: 'forward', addon: ADDON_PATH, target, ports }, fds);
  try {
    await f.output;
  } catch (e) {
    try { process.kill(f.pid, 'SIGKILL'); } catch { /* gone */ }
    throw e;
  }
  return f.pid;
}

/** Whether aardvark at `server` answers for `name` (asked from inside the namespace), bounded. */
export async function waitForNameIn(wrap: Wrap, script: string, server: string, name: string, timeoutMs = 3000): Promise<boolean> {
  return (await start(wrap, script, { mode: 'dns', server, name, timeoutMs }, []).output.catch(() => '')) === 'ok';
}

/** Whether pid runs the forwarder (a zombie or a PID reused by another program does not). */
function isForwarder(pid: number): boolean {
  try { return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('pier-forward.cjs'); } catch { return false; }
}

/** Ends a forwarder (checked to be one: a PID reused by another program is left alone). */
export function stopForwarder(pid: number | undefined): void {
  if (!pid || !isForwarder(pid)) return;
  try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
}

/** Resolves once the forwarder has exited (its host sockets are closed then); at once if it is not running. */
export function forwarderGone(pid: number | undefined): Promise<void> {
  if (!pid || !isForwarder(pid)) return Promise.resolve();
  return new Promise((resolve) => {
    const cancel = onPidGone(pid, resolve);
    // re-checked after pidfd_open: the forwarder may have ended (and its PID been reused) in between
    if (!isForwarder(pid)) { cancel(); resolve(); }
  });
}
