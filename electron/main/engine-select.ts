// Opens the engine the user chose (core/engine-choice.ts) and keeps it behind one EngineLink that
// the shell holds for its lifetime. Does not import electron.
//   local, app may host it (root, or already in a user namespace): in-process (engine-host.ts)
//   local, normal user: its rootless engine — joins a `pier serve` already on the default socket, else
//     starts one (this program's CLI under ELECTRON_RUN_AS_NODE; it re-executes itself in the user
//     namespace) and stops it when the app quits (containers keep running)
//   system / socket: RPC over that socket (remote-host.ts)
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { defaultPaths } from '../engine/paths';
import { usernsState } from '../engine/runtime/userns';
import type { CheckpointSummary } from '../common/contract';
import type { ContainerSummary, EngineEvent } from '../common/types';
import { choiceLabel, socketOf, type EngineChoice } from './core/engine-choice';
import { EngineHost, type HostOptions } from './engine-host';
import { RemoteHost } from './remote-host';
import type { Connection, EngineLink, PushMessage, Published } from './engine-link';

/** The app can host the engine in its own process: real root, or already inside a user namespace. */
export const canHostInProcess = (): boolean => process.getuid?.() === 0 || !!usernsState();

export interface SelectOptions extends HostOptions {
  /** the `pier` CLI entry (bin/pier.js) used to start the rootless engine */
  cli?: string;
  /** the binary that runs it (Electron with ELECTRON_RUN_AS_NODE, or node) */
  execPath?: string;
  log?: (line: string) => void;
}

export interface OpenedLink { link: EngineLink; label: string; choice: EngineChoice; stop?: () => Promise<void> }

export async function openLink(choice: EngineChoice, o: SelectOptions = {}): Promise<OpenedLink> {
  const inProcess = canHostInProcess();
  const own = o.socket ?? (o.runroot ? `${o.runroot}/docker.sock` : defaultPaths().socket);
  const label = choiceLabel(choice, !inProcess || !!usernsState());
  const socket = socketOf(choice, { socket: own, inProcess });
  if (!socket) {
    const host = new EngineHost();
    await host.start(o);
    return { link: host, label, choice };
  }
  const remote = new RemoteHost(socket);
  await remote.start();
  if (remote.ok || choice.kind !== 'local') return { link: remote, label, choice };
  // the rootless engine is not running: start it
  const child = await startLocalEngine(own, o);
  if ('error' in child) { remote.error = child.error; return { link: remote, label, choice }; }
  const started = new RemoteHost(socket);
  await started.start();
  return { link: started, label, choice, stop: () => stopChild(child.proc) };
}

async function startLocalEngine(socket: string, o: SelectOptions): Promise<{ proc: ChildProcess } | { error: string }> {
  if (!o.cli || !fs.existsSync(o.cli)) {
    return { error: 'this build cannot start its own rootless engine (no pier CLI): run `npx pier serve` and choose its socket' };
  }
  const args = [o.cli, 'serve', ...(o.root ? ['--root', o.root] : []), ...(o.runroot ? ['--runroot', o.runroot] : []), '--socket', socket];
  const proc = spawn(o.execPath ?? process.execPath, args, { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const log = (d: Buffer) => { out += d; for (const l of String(d).split('\n').filter(Boolean)) o.log?.(l); };
  proc.stdout!.on('data', log);
  proc.stderr!.on('data', log);
  return new Promise((resolve) => {
    const t = setTimeout(() => { proc.kill('SIGTERM'); resolve({ error: `the rootless engine did not start in 60 s: ${out.trim().split('\n').pop() ?? ''}` }); }, 60_000);
    const ready = () => { if (/engine ready/.test(out)) { clearTimeout(t); proc.stdout!.off('data', ready); resolve({ proc }); } };
    proc.stdout!.on('data', ready);
    proc.once('error', (e) => { clearTimeout(t); resolve({ error: `cannot start the rootless engine: ${e.message}` }); });
    proc.once('exit', (code) => { clearTimeout(t); resolve({ error: `the rootless engine exited (${code}): ${out.trim().split('\n').pop() ?? ''}` }); });
  });
}

function stopChild(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => { proc.kill('SIGKILL'); resolve(); }, 15_000);
    proc.once('exit', () => { clearTimeout(t); resolve(); });
    proc.kill('SIGTERM');
  });
}

const NOT_OPEN = 'the engine is not opened yet';

/** The shell's one EngineLink; delegates to whatever openLink returned. */
export class SelectedEngine implements EngineLink {
  private cur?: OpenedLink;
  set(o: OpenedLink): void { this.cur = o; }
  get current(): OpenedLink | undefined { return this.cur; }
  get ok(): boolean { return !!this.cur?.link.ok; }
  get error(): string | undefined { return this.cur ? this.cur.link.error : NOT_OPEN; }
  get apiError(): string | undefined { return this.cur?.link.apiError; }
  get root(): string | undefined { return this.cur?.link.root; }
  get warnings(): string[] | undefined { return this.cur?.link.warnings; }
  get socket(): string | undefined { return this.cur?.link.socket ?? (this.cur?.link instanceof RemoteHost ? this.cur.link.socket : undefined); }
  /** the in-process engine, when the app hosts it */
  get engine(): EngineHost['engine'] { return this.cur?.link instanceof EngineHost ? this.cur.link.engine : undefined; }
  connect(send: (m: PushMessage) => void): Connection {
    if (!this.cur) return { call: () => Promise.reject(Object.assign(new Error(NOT_OPEN), { code: 'ENOENGINE' })), close: () => undefined };
    return this.cur.link.connect(send);
  }
  containers(): ContainerSummary[] { return this.cur?.link.containers() ?? []; }
  subscribe(fn: (e: EngineEvent) => void): () => void { return this.cur ? this.cur.link.subscribe(fn) : () => undefined; }
  publish(e: Published): void { this.cur?.link.publish(e); }
  checkpoints(): Promise<CheckpointSummary[]> { return this.cur ? this.cur.link.checkpoints() : Promise.resolve([]); }
  get checkpointSupported(): boolean { return !!this.cur?.link.checkpointSupported; }
  async close(): Promise<void> {
    await this.cur?.link.close();
    await this.cur?.stop?.();
  }
}
