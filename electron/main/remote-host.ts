// A Pier engine the app does not host: the RPC contract over a WebSocket on the engine's unix
// socket (`/rpc`, rpc/ws.ts), the same contract web mode uses. One WebSocket per client (a
// window, the tray), plus one of its own for the container list, events and checkpoints.
// Does not import electron.
import WebSocket from 'ws';
import { WS_PATH, decodeSessionFrame, type ServerMessage } from '../common/contract';
import type { ContainerSummary, EngineEvent } from '../common/types';
import type { CheckpointSummary, SystemInfo } from '../common/contract';
import type { Connection, EngineLink, PushMessage, Published } from './engine-link';

type Pending = { resolve(v: unknown): void; reject(e: Error): void };

/** One RPC client on a socket. Calls made before it opens wait for it. */
export class SocketConnection implements Connection {
  private ws: WebSocket;
  private pending = new Map<number, Pending>();
  private next = 1;
  private opened: Promise<void>;
  private closedWith?: Error;

  constructor(readonly socket: string, private send: (m: PushMessage) => void, onClose?: (why: Error) => void) {
    this.ws = new WebSocket(`ws+unix://${socket}:${WS_PATH}`, { perMessageDeflate: false, maxPayload: 64 << 20 });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', (e) => reject(unreachable(socket, e)));
    });
    this.opened.catch(() => undefined);
    this.ws.on('message', (data, isBinary) => this.onMessage(data as Buffer, isBinary));
    this.ws.on('error', () => undefined);
    this.ws.on('close', () => {
      this.closedWith ??= new Error(`the engine at ${socket} closed the connection`);
      for (const p of this.pending.values()) p.reject(Object.assign(new Error(this.closedWith.message), { code: 'ENOENGINE' }));
      this.pending.clear();
      onClose?.(this.closedWith);
    });
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    if (isBinary) {
      const f = decodeSessionFrame(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      if (f) this.send({ t: 'stream', kind: 'session', payload: { session: f.session, data: f.data } });
      return;
    }
    let m: ServerMessage;
    try { m = JSON.parse(data.toString()) as ServerMessage; } catch { return; }
    if (m.t !== 'result') { this.send(m as PushMessage); return; }
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (m.error) p.reject(Object.assign(new Error(m.error.message), { code: m.error.code }));
    else p.resolve(m.result);
  }

  async call(method: string, params: unknown): Promise<unknown> {
    await this.opened;
    if (this.closedWith) throw Object.assign(new Error(this.closedWith.message), { code: 'ENOENGINE' });
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.ws.send(JSON.stringify({ t: 'call', id, method, params: params ?? {} }));
    });
  }

  ready(): Promise<void> { return this.opened; }

  close(): void {
    this.closedWith ??= new Error('connection closed');
    this.ws.close();
  }
}

function unreachable(socket: string, e: Error): Error {
  const code = (e as NodeJS.ErrnoException).code;
  const why = code === 'EACCES' ? 'permission denied (for the system engine: be a member of the "pier" group)'
    : code === 'ENOENT' || code === 'ECONNREFUSED' ? 'no engine is serving it' : e.message;
  return Object.assign(new Error(`cannot connect to the Pier engine at ${socket}: ${why}`), { code: 'ENOENGINE' });
}

/** EngineLink over a socket. start() never throws: a failure is kept in `error`. */
export class RemoteHost implements EngineLink {
  error?: string;
  apiError?: string;
  root?: string;
  warnings?: string[];
  private ctl?: SocketConnection;
  private list: ContainerSummary[] = [];
  private listeners = new Set<(e: EngineEvent) => void>();
  private supported = false;
  private clients = new Set<Connection>();

  constructor(readonly socket: string) {}

  get ok(): boolean { return !!this.ctl && !this.error; }

  async start(): Promise<void> {
    const ctl = new SocketConnection(this.socket, (m) => this.onPush(m), (why) => { if (this.ctl === ctl) this.error = why.message; });
    try {
      await ctl.ready();
      const info = await ctl.call('system.info', {}) as SystemInfo;
      this.root = info.root;
      this.warnings = info.warnings;
      this.supported = !!info.criu?.works && !info.rootless;
      this.list = await ctl.call('containers.list', {}) as ContainerSummary[];
      this.ctl = ctl;
    } catch (e) {
      ctl.close();
      this.error = (e as Error).message;
    }
  }

  private refreshing = false;
  private onPush(m: PushMessage): void {
    if (m.t !== 'event' || m.topic !== 'engine.event') return;
    const e = m.payload as EngineEvent;
    if (e.type === 'container' && !this.refreshing) {
      this.refreshing = true;
      void this.ctl?.call('containers.list', {}).then((l) => { this.list = l as ContainerSummary[]; })
        .catch(() => undefined).finally(() => { this.refreshing = false; for (const fn of this.listeners) fn(e); });
      return;
    }
    for (const fn of this.listeners) fn(e);
  }

  connect(send: (m: PushMessage) => void): Connection {
    const c = new SocketConnection(this.socket, send);
    const conn: Connection = { call: (m, p) => c.call(m, p), close: () => { this.clients.delete(conn); c.close(); } };
    this.clients.add(conn);
    return conn;
  }

  containers(): ContainerSummary[] { return this.list; }

  subscribe(fn: (e: EngineEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** App-local events (export progress) go to this app's listeners only. */
  publish(e: Published): void { const ev = { time: Date.now(), ...e } as EngineEvent; for (const fn of this.listeners) fn(ev); }

  async checkpoints(): Promise<CheckpointSummary[]> {
    return this.ctl ? await this.ctl.call('checkpoints.list', {}) as CheckpointSummary[] : [];
  }

  get checkpointSupported(): boolean { return this.supported; }

  async close(): Promise<void> {
    for (const c of [...this.clients]) c.close();
    this.ctl?.close();
    this.ctl = undefined;
  }
}
