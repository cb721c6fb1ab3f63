// The one place that spawns processes for the engine (conmon, runc/crun, criu and
// helper tools). Everything else calls these functions.
import { fork, spawn, spawnSync, type ChildProcess, type StdioOptions } from 'node:child_process';
import type { EventEmitter } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { spawnNative } from './native-spawn';

export interface RunResult { code: number; signal: NodeJS.Signals | null; stdout: string; stderr: string }

export class CommandError extends Error {
  constructor(readonly bin: string, readonly args: string[], readonly result: RunResult) {
    super(`${bin} ${args.slice(0, 4).join(' ')}${args.length > 4 ? ' …' : ''} failed (exit ${result.code}): ${(result.stderr || result.stdout).trim().slice(0, 2000)}`);
    this.name = 'CommandError';
  }
}

/** Runs a command to completion and captures its output. Never throws on a non-zero exit. */
export function run(bin: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string | Buffer; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    let child: ReturnType<typeof spawnNative>;
    try {
      child = spawnNative(bin, args, { env: opts.env ?? process.env, cwd: opts.cwd, stdio: [opts.input !== undefined ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    } catch (e) {
      reject((e as NodeJS.ErrnoException).code === 'ENOENT' ? Object.assign(new Error(`${bin} not found: install it or configure its path`), { code: 'ENOENT' }) : e);
      return;
    }
    const out: Buffer[] = [], err: Buffer[] = [];
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    let timer: NodeJS.Timeout | undefined;
    if (opts.timeoutMs) timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (timer) clearTimeout(timer);
      reject(e.code === 'ENOENT' ? Object.assign(new Error(`${bin} not found: install it or configure its path`), { code: 'ENOENT' }) : e);
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : -1), signal, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() });
    });
    // a program that exits without reading its input: EPIPE here, its exit code tells the rest
    if (opts.input !== undefined) child.stdin!.on('error', () => undefined).end(opts.input);
  });
}

/** Runs and throws CommandError on a non-zero exit. */
export async function runChecked(bin: string, args: string[], opts: Parameters<typeof run>[2] = {}): Promise<RunResult> {
  const r = await run(bin, args, opts);
  if (r.code !== 0) throw new CommandError(bin, args, r);
  return r;
}

/** Runs a short helper synchronously (mknod, mkfifo in the unpack worker); throws CommandError on failure. */
export function runSyncChecked(bin: string, args: string[]): void {
  const r = spawnSync(bin, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.error) throw r.error;
  const result = { code: r.status ?? 128, signal: r.signal, stdout: '', stderr: r.stderr ?? '' };
  if (result.code !== 0) throw new CommandError(bin, args, result);
}

/** `cp -a src/. dst`: a tree's contents with owners, modes, times; symlinks as symlinks, hard links kept. */
export async function copyContents(src: string, dst: string): Promise<void> {
  await runChecked('cp', ['-a', '--no-dereference', `${src}/.`, dst]);
}

/** What the engine uses of a spawned child: Node's ChildProcess or a NativeChild (native-spawn.ts). */
export interface SpawnedChild extends EventEmitter {
  readonly pid?: number;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  readonly stdio: ReadonlyArray<Readable | Writable | null | undefined>;
  kill(signal?: NodeJS.Signals | number): boolean;
}

/**
 * Starts a detached process (its own session, not killed with Pier) with extra
 * fds at 3, 4, …: 'pipe' gives the parent a stream on that fd, a number passes an fd.
 * stdout and stderr are piped so messages printed before a daemon forks can be read (conmon 2.1.6 prints option
 * errors on stdout, other failures on stderr). Only numbers: posix_spawn (native-spawn.ts); with a 'pipe': Node's
 * spawn. Throws when the program cannot be run (the native path) or emits 'error' (Node's).
 */
export function spawnDetached(bin: string, args: string[], opts: { env: Record<string, string>; cwd: string; fds: Array<'pipe' | number> }): SpawnedChild {
  if (opts.fds.every((fd) => typeof fd === 'number')) {
    const child = spawnNative(bin, args, { env: opts.env, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe', ...(opts.fds as number[])], detached: true });
    child.unref();
    return child;
  }
  const stdio: StdioOptions = ['ignore', 'pipe', 'pipe', ...opts.fds];
  const child = spawn(bin, args, { env: opts.env, cwd: opts.cwd, stdio, detached: true });
  child.unref();
  return child;
}

/** Streams a command's stdout (for tar/zstd pipelines); caller owns the child. */
export function spawnPipe(bin: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): ChildProcess {
  return spawn(bin, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
}

/** Runs a JavaScript module in a Node child with an IPC channel (JSON messages) and this process's stdout/stderr. */
export function forkModule(entry: string, execArgv: string[] = []): ChildProcess {
  return fork(entry, [], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'json' });
}
