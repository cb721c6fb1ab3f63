// Exec session: a process started in a running container through conmon --exec
// (libpod's flow, reference/conmon.md §1.3 and §7): start#1 → attach pipe {"data":0}
// → ctl resize → connect attach socket → start#2 → sync pid → output → EOF → sync exit code.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { SeqpacketSocket } from '../../../native/index';
import { parseOciLog } from '../conmon/sync';
import { readFile } from 'node:fs/promises';
import { makePipes, signalStart, type ConmonPipes } from '../runtime/pipes';
import type { ConmonRuntime } from '../runtime/conmon-runtime';
import { processSpec } from '../spec/spec';
import { SessionHub } from './hub';
import { streamOf } from './attach';
import type { ExecOptions, Session, StreamTag, Viewer, WatchOptions } from './types';
import type { SessionInfo } from '../../common/contract';

export interface ExecTarget {
  id: string;
  name: string;
  bundle: string;
  env: string[];
  uid: number;
  gid: number;
  home: string;
  cwd: string;
  nofileHard?: number;
  /** the container's process rlimits (--ulimit); exec'd processes get the same, as with Docker */
  rlimits?: Array<{ type: string; soft: number; hard: number }>;
}

const SYNC_TIMEOUT = 60_000;

export class ExecSession implements Session {
  readonly id = 'e-' + randomBytes(6).toString('hex');
  readonly dir: string;
  exited!: Promise<number | undefined>;
  pid = 0;
  private sock?: SeqpacketSocket;
  /** settles when the attach socket has ended (recorded at connect: a fast process can finish before start() returns) */
  private sockDone: Promise<void> = Promise.resolve();
  private hub: SessionHub;
  private pipes?: ConmonPipes;
  private alive = true;
  private exitCode?: number;
  private size: { rows: number; cols: number };

  constructor(private readonly rt: ConmonRuntime, private readonly t: ExecTarget, private readonly o: ExecOptions, private readonly onEnd: (s: ExecSession) => void) {
    this.dir = path.join(t.bundle, this.id.slice(2));
    this.size = { rows: o.rows ?? 24, cols: o.cols ?? 80 };
    this.hub = new SessionHub({ pause: () => this.sock?.pause(), resume: () => this.sock?.resume() }, o.attach !== false);
  }

  /** Starts the process; resolves once it runs (with its PID) or rejects with the runtime's reason. */
  async start(): Promise<void> {
    const o = this.o, t = this.t;
    await mkdir(path.join(this.dir, 'exit'), { recursive: true, mode: 0o700 });
    const env = [...t.env];
    for (const e of o.env ?? []) { const k = e.split('=')[0]; const i = env.findIndex((x) => x.startsWith(k + '=')); if (i >= 0) env[i] = e; else env.push(e); }
    if (!env.some((e) => e.startsWith('HOME='))) env.push(`HOME=${t.home}`);
    const proc = processSpec({ args: o.cmd, env, cwd: o.cwd || t.cwd, uid: t.uid, gid: t.gid, terminal: !!o.tty, consoleSize: o.tty ? this.size : undefined }, t.nofileHard);
    if (t.rlimits?.length) proc.rlimits = t.rlimits;
    const specPath = path.join(this.dir, 'exec-process-' + randomBytes(4).toString('hex'));
    await writeFile(specPath, JSON.stringify(proc));
    const ociLog = path.join(this.dir, 'oci-log');
    const pipes = (this.pipes = makePipes(true));
    try {
      await this.rt.launchExec({
        cid: t.id, cuuid: this.id, bundle: this.dir, pidFile: path.join(this.dir, 'exec_pid'), name: t.name,
        exitDir: path.join(this.dir, 'exit'), ociLog: this.rt.info.runtime.jsonLog ? ociLog : undefined,
        terminal: !!o.tty, stdin: !!o.stdin, processSpec: specPath,
      }, pipes, this.dir);
      const ready = await pipes.attach!.next(SYNC_TIMEOUT, 'exec attach');
      if (!ready || ready.data < 0) throw await this.failure(ready?.message);
      if (o.tty) await this.rt.resize(this.dir, this.size.rows, this.size.cols).catch(() => undefined);
      if (o.attach !== false) {
        this.sock = SeqpacketSocket.connect(path.join(this.dir, 'attach'), { allowHalfOpen: true });
        this.sock.on('data', (pkt: Buffer) => { const s = streamOf(pkt[0]); if (s && pkt.length > 1) this.hub.push(pkt.subarray(1), s); });
        this.sock.on('error', () => undefined);
        const sock = this.sock;
        this.sockDone = new Promise<void>((r) => { sock.once('end', r); sock.once('close', r); });
      }
      signalStart(pipes.start);
      const started = await pipes.sync.next(SYNC_TIMEOUT, 'exec start');
      if (!started || started.data < 0) throw await this.failure(started?.message);
      this.pid = started.data;
    } catch (e) {
      this.alive = false;
      this.sock?.destroy();
      pipes.close();
      await rm(this.dir, { recursive: true, force: true });
      this.onEnd(this);
      throw e;
    }
    this.exited = this.waitExit();
  }

  private async failure(message?: string): Promise<Error> {
    const logged = parseOciLog(await readFile(path.join(this.dir, 'oci-log'), 'utf8').catch(() => ''));
    const reason = (logged ?? message ?? 'the OCI runtime failed without a message').trim();
    const missing = /executable file not found|no such file or directory/i.test(reason);
    return Object.assign(new Error(`cannot exec ${JSON.stringify(this.o.cmd.join(' '))} in container ${this.t.name}: ${reason}`), { code: missing ? 'ENOEXEC' : 'ERUNTIME' });
  }

  private async waitExit(): Promise<number | undefined> {
    // output first (EOF on the attach socket), then conmon's final sync message
    await this.sockDone;
    const msg = await this.pipes!.sync.next(24 * 3600_000, 'exec exit').catch(() => undefined);
    if (this.detached) return undefined; // the process lives on under its conmon; its files stay
    let code = msg?.data;
    if (code === undefined) {
      const text = await readFile(path.join(this.dir, 'exit', this.t.id), 'utf8').catch(() => '');
      code = /^-?\d+$/.test(text.trim()) ? Number(text.trim()) : undefined;
    }
    this.exitCode = code;
    this.alive = false;
    this.pipes!.close();
    this.sock?.destroy();
    this.hub.end(code);
    await rm(this.dir, { recursive: true, force: true });
    this.onEnd(this);
    return code;
  }

  info(): SessionInfo {
    return { id: this.id, kind: 'exec', container: this.t.id, title: `${this.t.name}: ${this.o.cmd.join(' ')}`, tty: !!this.o.tty, rows: this.size.rows, cols: this.size.cols, alive: this.alive, exitCode: this.exitCode };
  }

  watch(onData: (c: Buffer, s: StreamTag) => void, onEnd: (code?: number) => void, opts?: WatchOptions): Viewer {
    return this.hub.watch(onData, onEnd, opts);
  }

  write(data: Buffer | string): Promise<void> {
    if (!this.alive || !this.sock) return Promise.reject(Object.assign(new Error('exec session has ended'), { code: 'ESTATE' }));
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    if (!buf.length) return Promise.resolve();
    return new Promise((resolve, reject) => this.sock!.write(buf, (e) => (e ? reject(e) : resolve())));
  }

  private detached = false;

  /**
   * Lets go of the process without ending it (engine shutdown: `docker exec -d` keeps running, as
   * LiveRestoreEnabled promises): the pipes and attach socket are closed, conmon and the process stay.
   */
  detach(): void {
    if (!this.alive) return;
    this.detached = true;
    this.alive = false;
    this.sock?.destroy();
    this.pipes?.close();
    this.hub.end(undefined);
    this.onEnd(this);
  }

  async closeStdin(): Promise<void> { if (this.alive) this.sock?.end(); }

  async resize(rows: number, cols: number): Promise<void> {
    this.size = { rows, cols };
    if (this.o.tty && this.alive) await this.rt.resize(this.dir, rows, cols);
  }

  /** Ends the process: SIGTERM, then SIGKILL after 2 s (podman 4.3.1 sends TERM twice; Pier really kills). */
  async close(): Promise<void> {
    if (!this.alive || !this.pid) return;
    try { process.kill(this.pid, 'SIGTERM'); } catch { return; }
    const done = await Promise.race([this.exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 2000))]);
    if (!done) { try { process.kill(this.pid, 'SIGKILL'); } catch { /* gone */ } }
    await this.exited;
  }
}
