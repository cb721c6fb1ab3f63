// Children started with posix_spawn (native/src/spawn.cc) instead of Node's spawn, which fork()s: fork copies the
// page tables of the whole engine and blocks the JS thread for that long (measured: ≈ 1 ms at 0 MB, 18 ms at 150 MB
// on a loaded 2-core machine), several times per `docker run`. The child has the parts of ChildProcess the engine
// uses: pid, stdin/stdout/stderr streams, kill(), unref(), 'exit' (code, signal) and then 'close' once its
// stdout/stderr have ended. Exits are seen through pidfds (one native thread for all children), then reaped here.
import { EventEmitter } from 'node:events';
import { accessSync, constants as fsc } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { closeFd, pipeFds, PidWatcher, reapChild, spawnProcess } from '../../../native/index';

/** 'pipe': a stream here (fds 0–2 only); 'ignore': /dev/null; a number: that fd of this process. */
export type StdioSpec = 'pipe' | 'ignore' | number;

export interface NativeSpawnOptions {
  env: NodeJS.ProcessEnv;
  cwd?: string;
  /** the child's fds 0, 1, 2, 3, … */
  stdio: StdioSpec[];
  /** a new session (not killed with the engine's process group) */
  detached?: boolean;
}

const SIGNAL_NAMES = new Map(Object.entries(os.constants.signals).map(([name, n]) => [n, name as NodeJS.Signals]));

let watcher: PidWatcher | undefined;
const children = new Map<number, NativeChild>();
let held = 0;

function exited(pid: number): void {
  const child = children.get(pid);
  if (!child) return;
  const status = reapChild(pid);
  if (!status) {
    watcher!.watch(pid);
    return;
  } // cannot happen (the pidfd said it ended): watch again
  children.delete(pid);
  child.ended(status[0], status[1]);
}

function hold(delta: number): void {
  held += delta;
  if (held > 0) watcher?.ref();
  else watcher?.unref();
}

export class NativeChild extends EventEmitter {
  readonly stdio: Array<Readable | Writable | null>;
  exitCode: number | null = null;
  signalCode: NodeJS.Signals | null = null;
  private refd = true;
  private open = 0;

  constructor(
    readonly pid: number,
    stdio: Array<Readable | Writable | null>,
  ) {
    super();
    this.stdio = stdio;
    for (const s of stdio.slice(1)) {
      if (!s) continue;
      this.open++;
      s.once('close', () => {
        this.open--;
        this.maybeClose();
      });
    }
  }

  get stdin(): Writable | null {
    return this.stdio[0] as Writable | null;
  }
  get stdout(): Readable | null {
    return (this.stdio[1] ?? null) as Readable | null;
  }
  get stderr(): Readable | null {
    return (this.stdio[2] ?? null) as Readable | null;
  }

  kill(signal: NodeJS.Signals | number = 'SIGTERM'): boolean {
    if (this.exitCode !== null || this.signalCode !== null) return false;
    try {
      process.kill(this.pid, signal);
      return true;
    } catch {
      return false;
    }
  }

  /** The engine does not wait for this child (its exit is still reaped and reported). */
  unref(): void {
    if (this.refd) {
      this.refd = false;
      hold(-1);
    }
  }
  ref(): void {
    if (!this.refd && this.exitCode === null && this.signalCode === null) {
      this.refd = true;
      hold(1);
    }
  }

  /** @internal reaped: code (-1 when signalled) and signal number (0 when it exited) */
  ended(code: number, signal: number): void {
    if (this.refd) {
      this.refd = false;
      hold(-1);
    }
    this.signalCode = signal ? (SIGNAL_NAMES.get(signal) ?? null) : null;
    this.exitCode = signal ? null : code;
    this.emit('exit', this.exitCode, this.signalCode);
    this.maybeClose();
  }

  private closed = false;
  private maybeClose(): void {
    if (this.closed || this.open > 0 || (this.exitCode === null && this.signalCode === null)) return;
    this.closed = true;
    this.emit('close', this.exitCode, this.signalCode);
  }
}

/** `bin` as a path: a bare name is looked up in the child's PATH (as Node's spawn does). */
function resolveBin(bin: string, env: NodeJS.ProcessEnv): string {
  if (bin.includes('/')) return bin;
  for (const dir of (env.PATH ?? process.env.PATH ?? '/usr/bin:/bin').split(':')) {
    const p = path.join(dir || '.', bin);
    try {
      accessSync(p, fsc.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  throw Object.assign(new Error(`spawn ${bin} ENOENT`), {
    code: 'ENOENT',
    errno: -2,
    syscall: `spawn ${bin}`,
    path: bin,
  });
}

/** Starts `bin`; throws (ENOENT, EACCES…) when it cannot be run, as Node's spawn reports through 'error'. */
export function spawnNative(bin: string, args: string[], o: NativeSpawnOptions): NativeChild {
  const file = resolveBin(bin, o.env);
  const env = Object.entries(o.env)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${v}`);
  const childFds: number[] = [];
  const ours: Array<number | undefined> = [];
  const close: number[] = [];
  try {
    o.stdio.forEach((s, i) => {
      if (s === 'pipe') {
        if (i > 2) throw new Error(`spawnNative: fd ${i} cannot be a pipe`);
        const [r, w] = pipeFds();
        childFds.push(i === 0 ? r : w);
        ours.push(i === 0 ? w : r);
        close.push(i === 0 ? r : w);
      } else {
        childFds.push(s === 'ignore' ? -1 : s);
        ours.push(undefined);
      }
    });
    watcher ??= new PidWatcher(exited);
    const pid = spawnProcess(file, [bin, ...args], env, o.cwd ?? null, childFds, !!o.detached);
    const stdio = ours.map((fd, i) =>
      fd === undefined ? null : new net.Socket({ fd, readable: i !== 0, writable: i === 0 }),
    );
    ours.length = 0;
    const child = new NativeChild(pid, stdio);
    children.set(pid, child);
    hold(1);
    watcher.watch(pid);
    return child;
  } finally {
    for (const fd of close) closeFd(fd);
    for (const fd of ours) if (fd !== undefined) closeFd(fd);
  }
}
