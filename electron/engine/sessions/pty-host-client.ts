// The engine's side of the pty host (pty-host.ts): one host process for every host shell, started on first use and
// again for the next shell after it dies. When it dies, each of its shells ends with the reason (HostSession shows it
// in the terminal); the engine, its API socket and the window stay up.
//
// How the process is started is the front end's choice (PtyHostLauncher): an Electron utility process in the app
// (electron/main/pty-launcher.ts), a Node child with an IPC channel everywhere else (forkLauncher).
import { forkModule } from '../runtime/proc';
import type { FromHost, PtySpawn, ToHost } from './pty-protocol';

export interface PtyHostProcess {
  readonly pid?: number;
  send(m: ToHost): void;
  onMessage(cb: (m: FromHost) => void): void;
  /** once, when the process is gone, with what happened ("was killed by SIGKILL", "exited with code 3") */
  onExit(cb: (how: string) => void): void;
  kill(): void;
  /** whether the process keeps the engine's process alive (only while shells run) */
  ref(on: boolean): void;
}
export type PtyHostLauncher = (entry: string) => PtyHostProcess;

/** The host's entry for a client module at `moduleUrl`: pty-host.ts from sources, pty-host.js beside a bundle. */
export function ptyHostEntry(moduleUrl: string): URL {
  return new URL(moduleUrl.endsWith('.ts') ? './pty-host.ts' : './pty-host.js', moduleUrl);
}

/** A Node child process with an IPC channel (pier serve, web mode, tests); sources run through tsx. */
export const forkLauncher: PtyHostLauncher = (entry) => {
  const execArgv = entry.endsWith('.ts') ? ['--import', import.meta.resolve('tsx')] : [];
  const child = forkModule(entry, execArgv);
  return {
    get pid() { return child.pid; },
    send: (m) => { if (child.connected) child.send(m); },
    onMessage: (cb) => { child.on('message', (m) => cb(m as FromHost)); },
    onExit: (cb) => {
      let done = false;
      const once = (how: string) => { if (!done) { done = true; cb(how); } };
      child.once('exit', (code, signal) => once(signal ? `was killed by ${signal}` : `exited with code ${code}`));
      child.once('error', (e) => once(`could not run (${e.message})`));
    },
    kill: () => { child.kill('SIGKILL'); },
    ref: (on) => {
      const ch = child.channel as { ref?(): void; unref?(): void } | undefined;
      if (on) { child.ref(); ch?.ref?.(); } else { child.unref(); ch?.unref?.(); }
    },
  };
};

export interface PtyEvents { onData(data: string): void; onExit(code: number | undefined, reason?: string): void }
export interface PtyHandle {
  readonly pid: number;
  write(data: string): void;
  resize(cols: number, rows: number): void;
  kill(signal: string): void;
  pause(): void;
  resume(): void;
}

/** The host keeps the engine's process alive only while a shell runs or starts. */
const hold = (r: Running) => r.proc.ref(r.ptys.size + r.pending.size > 0);

interface Running { stopping?: boolean; proc: PtyHostProcess; ready: Promise<void>; ptys: Map<number, PtyEvents>; pending: Map<number, (r: FromHost | Error) => void> }

export class PtyHost {
  private cur?: Running;
  private seq = 0;
  /** the host's pid (tests kill it to check the crash path) */
  get pid(): number | undefined { return this.cur?.proc.pid; }

  constructor(private readonly launch: PtyHostLauncher = forkLauncher, private readonly entry = ptyHostEntry(import.meta.url).pathname,
    private readonly log: (line: string) => void = (l) => console.warn(l)) {}

  /** Starts a pty in the host (starting the host if none runs). Rejects when it cannot be spawned. */
  async spawn(o: PtySpawn, ev: PtyEvents): Promise<PtyHandle> {
    const r = this.running();
    await r.ready;
    const id = ++this.seq;
    // events are registered before the answer: 'spawned', 'data' and 'exit' of a shell that ends at once can arrive
    // in one read, dispatched before this function resumes
    r.ptys.set(id, ev);
    const answer = await new Promise<FromHost | Error>((resolve) => { r.pending.set(id, resolve); hold(r); r.proc.send({ t: 'spawn', id, o }); });
    if (answer instanceof Error) { r.ptys.delete(id); throw answer; }
    if (answer.t === 'failed') r.ptys.delete(id);
    hold(r);
    if (answer.t === 'failed') throw Object.assign(new Error(`cannot start ${o.shell}: ${answer.message}`), { code: 'ENOEXEC' });
    const send = (m: ToHost) => { if (this.cur === r) r.proc.send(m); };
    return {
      pid: (answer as { pid: number }).pid,
      write: (data) => send({ t: 'write', id, data }),
      resize: (cols, rows) => send({ t: 'resize', id, cols, rows }),
      kill: (signal) => send({ t: 'kill', id, signal }),
      pause: () => send({ t: 'pause', id }),
      resume: () => send({ t: 'resume', id }),
    };
  }

  /** Stops the host; its shells end (reason: the host was stopped). */
  close(): void {
    const r = this.cur;
    if (!r) return;
    r.stopping = true;
    r.proc.kill();
  }

  private running(): Running {
    if (this.cur) return this.cur;
    const proc = this.launch(this.entry);
    let ready!: () => void, failed!: (e: Error) => void;
    const r: Running = { proc, ready: new Promise<void>((res, rej) => { ready = res; failed = rej; }), ptys: new Map(), pending: new Map() };
    r.ready.catch(() => undefined);
    this.cur = r;
    proc.ref(true);
    proc.onMessage((m) => {
      switch (m.t) {
        case 'ready': ready(); hold(r); break;
        case 'spawned': case 'failed': { const p = r.pending.get(m.id); r.pending.delete(m.id); p?.(m); break; }
        case 'data': r.ptys.get(m.id)?.onData(m.data); break;
        case 'exit': {
          const ev = r.ptys.get(m.id);
          r.ptys.delete(m.id);
          hold(r);
          ev?.onExit(m.code);
          break;
        }
      }
    });
    proc.onExit((how) => {
      if (this.cur === r) this.cur = undefined;
      const reason = r.stopping ? 'Pier stopped the terminal host process' : `the terminal host process ${how}`;
      failed(new Error(reason));
      for (const [id, p] of r.pending) { r.ptys.delete(id); p(Object.assign(new Error(`cannot start a host shell: ${reason}`), { code: 'EHOST' })); }
      r.pending.clear();
      if (r.ptys.size && !r.stopping) this.log(`pier: ${reason}; ${r.ptys.size} host shell(s) ended; the next one starts a new host`);
      for (const ev of r.ptys.values()) ev.onExit(undefined, reason);
      r.ptys.clear();
    });
    return r;
  }
}
