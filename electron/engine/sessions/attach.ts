// Attach session: one connection to conmon's attach socket (<bundle>/attach), shared by
// every viewer. Packets are [stream byte][payload]: 2 stdout, 3 stderr (tty: all 2).
// Stdin goes out raw (≤ 32768 bytes per packet, split by the socket).
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { SeqpacketSocket } from '../../../native/index';
import { SessionHub } from './hub';
import type { OutputPump, PumpOptions, Session, StreamTag, Viewer, WatchOptions } from './types';
import type { SessionInfo } from '../../common/contract';

export interface AttachTarget {
  id: string;
  name: string;
  bundle: string;
  tty: boolean;
  stdin: boolean;
  /** resolves with the exit code once the container has exited (after the socket's EOF) */
  exited: () => Promise<number | undefined>;
  resize: (rows: number, cols: number) => Promise<void>;
  /** forces a redraw of a tty (SIGWINCH) */
  redraw: () => Promise<void>;
}

export function streamOf(byte: number): StreamTag | undefined {
  return byte === 2 ? 'stdout' : byte === 3 ? 'stderr' : undefined;
}

export class AttachSession implements Session {
  readonly id = 'a-' + randomBytes(6).toString('hex');
  readonly exited: Promise<number | undefined>;
  private sock: SeqpacketSocket;
  private hub: SessionHub;
  private size = { rows: 24, cols: 80 };
  private alive = true;
  private exitCode?: number;

  constructor(private readonly t: AttachTarget, private readonly onEnd: (s: AttachSession) => void) {
    this.sock = SeqpacketSocket.connect(path.join(t.bundle, 'attach'), { allowHalfOpen: true });
    this.hub = new SessionHub({ pause: () => this.sock.pause(), resume: () => this.sock.resume() });
    this.sock.on('data', (pkt: Buffer) => {
      const s = streamOf(pkt[0]);
      if (s && pkt.length > 1) this.hub.push(pkt.subarray(1), s);
    });
    let resolveExit!: (c: number | undefined) => void;
    this.exited = new Promise((r) => { resolveExit = r; });
    const finish = async () => {
      if (!this.alive) return;
      this.alive = false;
      this.sock.destroy();
      const code = await t.exited().catch(() => undefined);
      this.exitCode = code;
      this.hub.end(code);
      resolveExit(code);
      onEnd(this);
    };
    this.sock.on('end', finish);
    this.sock.on('error', finish);
  }

  info(): SessionInfo {
    return { id: this.id, kind: 'attach', container: this.t.id, title: this.t.name, tty: this.t.tty, rows: this.size.rows, cols: this.size.cols, alive: this.alive, exitCode: this.exitCode };
  }

  watch(onData: (c: Buffer, s: StreamTag) => void, onEnd: (code?: number) => void, opts?: WatchOptions): Viewer {
    return this.hub.watch(onData, onEnd, opts);
  }

  pipeTo(fd: number, o: PumpOptions): OutputPump {
    if (!this.alive) throw Object.assign(new Error(`container ${this.t.name} has exited`), { code: 'ESTATE' });
    return this.sock.pipeToSocket(fd, o);
  }

  write(data: Buffer | string): Promise<void> {
    if (!this.alive) return Promise.reject(Object.assign(new Error(`container ${this.t.name} has exited`), { code: 'ESTATE' }));
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    if (!buf.length) return Promise.resolve();
    return new Promise((resolve, reject) => this.sock.write(buf, (e) => (e ? reject(e) : resolve())));
  }

  /** Half-close: with -i (no tty) conmon closes the container's stdin. */
  async closeStdin(): Promise<void> { if (this.alive) this.sock.end(); }

  async resize(rows: number, cols: number): Promise<void> {
    this.size = { rows, cols };
    if (this.t.tty) await this.t.resize(rows, cols);
  }

  async redraw(): Promise<void> { if (this.t.tty && this.alive) await this.t.redraw().catch(() => undefined); }

  /** Detaches this engine connection (the container keeps running). */
  async close(): Promise<void> {
    if (!this.alive) return;
    this.alive = false;
    this.sock.destroy();
    this.hub.end(undefined);
    this.onEnd(this);
  }
}
