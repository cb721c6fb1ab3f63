// A real dockerd (Debian 12's docker.io 20.10, unpacked by scripts/setup-dockerd.sh) as the tests' reference
// server: private containerd, data/exec roots, socket and bridge; nothing shared with the host's services.
// stop() kills both daemons and removes what dockerd leaves behind: its DOCKER* iptables chains and the bridge.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

export const DOCKERD_PREFIX = process.env.PIER_DOCKERD_PREFIX ?? '/opt/pier-dockerd';
const DOCKERD = path.join(DOCKERD_PREFIX, 'usr/sbin/dockerd');
const CONTAINERD = path.join(DOCKERD_PREFIX, 'usr/bin/containerd');
export const COMPOSE_V2_PLUGIN_DIR = path.join(DOCKERD_PREFIX, 'usr/libexec/docker/cli-plugins');

export interface RefDockerd {
  dir: string;
  socket: string;
  bridge: string;
  /** Environment for the docker CLI and other clients. */
  env: NodeJS.ProcessEnv;
  output(): string;
  stop(): Promise<void>;
}

/** Why the reference server cannot run here, or undefined when it can. */
export function dockerdSkipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'the reference dockerd needs root';
  if (!fs.existsSync(DOCKERD) || !fs.existsSync(CONTAINERD)) {
    return `reference dockerd not found under ${DOCKERD_PREFIX} (run scripts/setup-dockerd.sh)`;
  }
  return undefined;
}

function run(cmd: string, args: string[]): void {
  try { execFileSync(cmd, args, { stdio: 'ignore' }); } catch { /* already gone */ }
}

function containerdConfig(dir: string): string {
  return [
    'version = 2',
    `root = "${dir}/containerd/root"`,
    `state = "${dir}/containerd/state"`,
    'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
    '[grpc]', `  address = "${dir}/containerd.sock"`,
    '[ttrpc]', `  address = "${dir}/containerd.sock.ttrpc"`,
    '[debug]', `  address = "${dir}/containerd-debug.sock"`,
    '[metrics]', '  address = ""',
  ].join('\n') + '\n';
}

function ping(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ socketPath: socket, path: '/_ping' }, (res) => { res.resume(); resolve(res.statusCode === 200); });
    req.on('error', () => resolve(false));
  });
}

/** Resolves when `proc` prints a line matching `re`; rejects if it exits first. */
function waitOutput(proc: ChildProcess, re: RegExp, out: () => string, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onData = () => { if (re.test(out())) { cleanup(); resolve(); } };
    const onExit = (code: number | null) => { cleanup(); reject(new Error(`${what} exited (${code}):\n${out()}`)); };
    const cleanup = () => { proc.stdout?.off('data', onData); proc.stderr?.off('data', onData); proc.off('exit', onExit); };
    proc.stdout?.on('data', onData); proc.stderr?.on('data', onData); proc.once('exit', onExit);
    onData();
  });
}

/**
 * Starts containerd + dockerd. `subnet` is the bridge's /24 prefix (e.g. "172.31.250"): pick one per test file
 * so two reference servers never share a bridge.
 */
export async function startDockerd(opts: { bridge?: string; subnet?: string } = {}): Promise<RefDockerd> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pier-dockerd-'));
  const bridge = opts.bridge ?? 'pierref0';
  const subnet = opts.subnet ?? '172.31.250';
  const socket = path.join(dir, 'docker.sock');
  run('ip', ['link', 'del', bridge]);
  execFileSync('ip', ['link', 'add', bridge, 'type', 'bridge']);
  execFileSync('ip', ['addr', 'add', `${subnet}.1/24`, 'dev', bridge]);
  execFileSync('ip', ['link', 'set', bridge, 'up']);
  fs.writeFileSync(path.join(dir, 'containerd.toml'), containerdConfig(dir));
  const env = { ...process.env, PATH: `${DOCKERD_PREFIX}/usr/bin:${DOCKERD_PREFIX}/usr/sbin:${process.env.PATH}` };
  let out = '';
  const collect = (p: ChildProcess) => {
    p.stdout?.on('data', (d) => { out += d; });
    p.stderr?.on('data', (d) => { out += d; });
  };
  const containerd = spawn(CONTAINERD, ['--config', path.join(dir, 'containerd.toml')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  collect(containerd);
  await waitOutput(containerd, /containerd successfully booted/, () => out, 'containerd');
  const dockerd = spawn(DOCKERD, [
    '--containerd', path.join(dir, 'containerd.sock'), '--data-root', path.join(dir, 'data'),
    '--exec-root', path.join(dir, 'exec'), '--pidfile', path.join(dir, 'dockerd.pid'), '-H', `unix://${socket}`,
    '--bridge', bridge, '--storage-driver', 'overlay2', '--exec-opt', 'native.cgroupdriver=cgroupfs',
    '--userland-proxy-path', path.join(DOCKERD_PREFIX, 'usr/sbin/docker-proxy'),
    '--init-path', path.join(DOCKERD_PREFIX, 'usr/bin/tini-static'), '--default-ulimit', 'nofile=1024:1024',
  ], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  collect(dockerd);
  await waitOutput(dockerd, /API listen on/, () => out, 'dockerd');
  if (!(await ping(socket))) throw new Error(`dockerd does not answer /_ping:\n${out}`);
  const clientEnv: NodeJS.ProcessEnv = { ...process.env, DOCKER_HOST: `unix://${socket}`, DOCKER_CONFIG: path.join(dir, 'cli') };
  delete clientEnv.DOCKER_API_VERSION; delete clientEnv.DOCKER_CONTEXT;
  return {
    dir, socket, bridge, env: clientEnv, output: () => out,
    async stop() {
      await stopProc(dockerd, 20_000);
      await stopProc(containerd, 10_000);
      cleanupFirewall(bridge, subnet);
      run('ip', ['link', 'del', bridge]);
      run('umount', ['-R', path.join(dir, 'data')]);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function stopProc(p: ChildProcess, graceMs: number): Promise<void> {
  if (p.exitCode !== null || p.signalCode) return;
  const exited = new Promise<void>((r) => p.once('exit', () => r()));
  p.kill('SIGTERM');
  const timer = setTimeout(() => p.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Removes what dockerd added: rules jumping to DOCKER* chains or naming its bridge or subnet, then the chains. */
function cleanupFirewall(bridge: string, subnet: string): void {
  for (const table of ['filter', 'nat']) {
    let rules: string[];
    try { rules = execFileSync('iptables-save', ['-t', table], { encoding: 'utf8' }).split('\n'); } catch { return; }
    const ours = (rule: string) => / -j DOCKER/.test(rule) || rule.includes(` ${bridge} `) || rule.includes(`${subnet}.0/24`);
    for (const line of rules) {
      const m = /^-A (\S+) (.*)$/.exec(line);
      if (m && !m[1].startsWith('DOCKER') && ours(line + ' ')) run('iptables', ['-t', table, '-D', m[1], ...m[2].split(' ')]);
    }
    const chains = rules.flatMap((l) => /^:(DOCKER\S*) /.exec(l)?.[1] ?? []);
    for (const c of chains) run('iptables', ['-t', table, '-F', c]);
    for (const c of chains) run('iptables', ['-t', table, '-X', c]);
  }
}
