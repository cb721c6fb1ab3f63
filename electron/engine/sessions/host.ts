// Host shell session through node-pty (@lydell/node-pty: prebuilt Node-API, no install
// script), with DOCKER_HOST pointing at Pier's API socket. Same Session interface.
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { SessionHub } from './hub';
import type { Session, StreamTag, Viewer, WatchOptions } from './types';
import type { SessionInfo } from '../../common/contract';

interface Pty { pid: number; onData(cb: (d: string) => void): void; onExit(cb: (e: { exitCode: number; signal?: number }) => void): void; write(d: string | Buffer): void; resize(c: number, r: number): void; kill(sig?: string): void; pause(): void; resume(): void }
// not named `require`: electron-vite's ESM shim declares that name in every chunk that calls require(
const nodeRequire = createRequire(import.meta.url);

export class HostSession implements Session {
  readonly id = 'h-' + randomBytes(6).toString('hex');
  readonly exited: Promise<number | undefined>;
  private pty: Pty;
  private hub: SessionHub;
  private alive = true;
  private exitCode?: number;
  private size: { rows: number; cols: number };

  constructor(opts: { rows?: number; cols?: number; apiSocket?: string; shell?: string }, onEnd: (s: HostSession) => void) {
    const pty = nodeRequire('@lydell/node-pty') as { spawn(file: string, args: string[], o: object): Pty };
    this.size = { rows: opts.rows ?? 24, cols: opts.cols ?? 80 };
    const shell = opts.shell ?? process.env.SHELL ?? '/bin/bash';
    const env: Record<string, string> = { ...(process.env as Record<string, string>), TERM: 'xterm-256color' };
    if (opts.apiSocket) env.DOCKER_HOST = `unix://${opts.apiSocket}`;
    this.pty = pty.spawn(shell, [], { name: 'xterm-256color', cols: this.size.cols, rows: this.size.rows, cwd: process.env.HOME ?? '/', env });
    this.hub = new SessionHub({ pause: () => this.pty.pause(), resume: () => this.pty.resume() });
    this.pty.onData((d) => this.hub.push(Buffer.from(d), 'stdout'));
    this.exited = new Promise((resolve) => {
      this.pty.onExit(({ exitCode }) => {
        this.alive = false; this.exitCode = exitCode;
        this.hub.end(exitCode); resolve(exitCode); onEnd(this);
      });
    });
  }

  info(): SessionInfo {
    return { id: this.id, kind: 'host', title: 'Host shell', tty: true, rows: this.size.rows, cols: this.size.cols, alive: this.alive, exitCode: this.exitCode };
  }
  watch(onData: (c: Buffer, s: StreamTag) => void, onEnd: (code?: number) => void, opts?: WatchOptions): Viewer { return this.hub.watch(onData, onEnd, opts); }
  async write(data: Buffer | string): Promise<void> {
    if (!this.alive) throw Object.assign(new Error('host shell has exited'), { code: 'ESTATE' });
    this.pty.write(typeof data === 'string' ? data : data.toString('utf8'));
  }
  async closeStdin(): Promise<void> { if (this.alive) this.pty.write('\x04'); }
  async resize(rows: number, cols: number): Promise<void> { this.size = { rows, cols }; if (this.alive) this.pty.resize(cols, rows); }
  async close(): Promise<void> { if (this.alive) { this.pty.kill('SIGHUP'); await this.exited; } }
}
