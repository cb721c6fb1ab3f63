// Host shell session: a pty in the pty host process (pty-host-client.ts), with DOCKER_HOST pointing at Pier's API
// socket. Same Session interface as before; when the host process dies the shell ends and its terminal says why.
import { randomBytes } from 'node:crypto';
import { SessionHub } from './hub';
import type { PtyHandle, PtyHost } from './pty-host-client';
import type { Session, StreamTag, Viewer, WatchOptions } from './types';
import type { SessionInfo } from '../../common/contract';

export interface HostShellOptions { rows?: number; cols?: number; apiSocket?: string; shell?: string }

export class HostSession implements Session {
  readonly id = 'h-' + randomBytes(6).toString('hex');
  readonly exited: Promise<number | undefined>;
  private pty?: PtyHandle;
  private hub: SessionHub;
  private alive = true;
  private exitCode?: number;
  private reason?: string;
  private size: { rows: number; cols: number };
  private resolveExit!: (code: number | undefined) => void;

  /** Spawns the shell in `host`; rejects (nothing registered) when it cannot start. */
  static async start(host: PtyHost, opts: HostShellOptions, onEnd: (s: HostSession) => void): Promise<HostSession> {
    const s = new HostSession(opts, onEnd);
    const env: Record<string, string> = { ...(process.env as Record<string, string>), TERM: 'xterm-256color' };
    if (opts.apiSocket) env.DOCKER_HOST = `unix://${opts.apiSocket}`;
    s.pty = await host.spawn({ shell: opts.shell ?? process.env.SHELL ?? '/bin/bash', args: [], cols: s.size.cols, rows: s.size.rows, cwd: process.env.HOME ?? '/', env }, {
      onData: (d) => s.hub.push(Buffer.from(d), 'stdout'),
      onExit: (code, reason) => s.ended(code, reason),
    });
    return s;
  }

  private constructor(opts: HostShellOptions, private readonly onEnd: (s: HostSession) => void) {
    this.size = { rows: opts.rows ?? 24, cols: opts.cols ?? 80 };
    this.hub = new SessionHub({ pause: () => this.pty?.pause(), resume: () => this.pty?.resume() });
    this.exited = new Promise((resolve) => { this.resolveExit = resolve; });
  }

  private ended(code: number | undefined, reason?: string): void {
    if (!this.alive) return;
    this.alive = false;
    this.exitCode = code;
    this.reason = reason;
    if (reason) this.hub.push(Buffer.from(`\r\n\x1b[31m[Pier: ${reason}; this shell ended. Open a new terminal to continue.]\x1b[0m\r\n`), 'stdout');
    this.hub.end(code);
    this.resolveExit(code);
    this.onEnd(this);
  }

  info(): SessionInfo {
    return { id: this.id, kind: 'host', title: 'Host shell', tty: true, rows: this.size.rows, cols: this.size.cols, alive: this.alive, exitCode: this.exitCode, ...(this.reason ? { reason: this.reason } : {}) };
  }
  watch(onData: (c: Buffer, s: StreamTag) => void, onEnd: (code?: number) => void, opts?: WatchOptions): Viewer { return this.hub.watch(onData, onEnd, opts); }
  async write(data: Buffer | string): Promise<void> {
    if (!this.alive) throw Object.assign(new Error(`host shell has ended${this.reason ? ` (${this.reason})` : ''}`), { code: 'ESTATE' });
    this.pty!.write(typeof data === 'string' ? data : data.toString('utf8'));
  }
  async closeStdin(): Promise<void> { if (this.alive) this.pty!.write('\x04'); }
  async resize(rows: number, cols: number): Promise<void> { this.size = { rows, cols }; if (this.alive) this.pty!.resize(cols, rows); }
  async close(): Promise<void> { if (this.alive) { this.pty!.kill('SIGHUP'); await this.exited; } }
}
