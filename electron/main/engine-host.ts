// Hosts the engine inside Electron main: opens it on the default root (DESIGN.md §4),
// serves the Docker API socket, and hands out RPC connections (one per window, one for
// the tray). Does not import electron; when the engine cannot start, every call fails
// with the engine's own reason so the window can show it.
import { openEngine } from '../engine/open';
import { defaultPaths } from '../engine/paths';
import type { Engine } from '../engine/engine';
import { connect } from '../rpc/dispatcher';
import type { ContainerSummary, EngineEvent } from '../common/types';
import type { CheckpointSummary } from '../common/contract';

import type { Connection, EngineLink, PushMessage, Published } from './engine-link';
export type { Connection, PushMessage } from './engine-link';

type ApiServerModule = typeof import('../engine/api/server');
type ApiServerHandle = Awaited<ReturnType<ApiServerModule['startApiServer']>>;

// Resolved at build time (vite): the Docker API server, loaded lazily after the engine is up.
// A build without electron/engine/api/server.ts still works (the socket is then not served).
const apiServerModules = import.meta.glob<ApiServerModule>('../engine/api/server.ts');

export interface HostOptions {
  root?: string; runroot?: string; socket?: string; noApi?: boolean;
  /** starts host shells' pty host process (the app: a utility process, pty-launcher.ts) */
  ptyLauncher?: import('../engine/sessions/pty-host-client').PtyHostLauncher;
}

export class EngineHost implements EngineLink {
  engine?: Engine;
  error?: string;
  socket?: string;
  apiError?: string;
  private api?: ApiServerHandle;
  private conns = new Set<Connection>();

  async start(o: HostOptions = {}): Promise<void> {
    const d = defaultPaths();
    const root = o.root ?? d.root, runroot = o.runroot ?? d.runroot;
    const socket = o.socket ?? (o.runroot ? `${o.runroot}/docker.sock` : d.socket);
    try {
      this.engine = await openEngine({ root, runroot, ptyLauncher: o.ptyLauncher, ...(o.noApi ? {} : { apiSocket: socket }) });
    } catch (e) {
      this.error = (e as Error).message || String(e);
      return;
    }
    // the start-up probe of the image workers' path guard (System view; engine/path-guard.ts)
    void this.engine.pathGuard().then((g) => console.log(`pier: path guard ${g.native ? 'native (openat2)' : `pure-JS only: ${g.reason}`}${g.refusing ? '; untrusted archives are refused until allowed in System' : ''}`));
    if (o.noApi) return;
    const load = Object.values(apiServerModules)[0];
    if (!load) { this.apiError = 'the Docker API server is not part of this build'; return; }
    try {
      const mod = await load();
      this.api = await mod.startApiServer(this.engine, { socketPath: socket });
      this.socket = this.api.socketPath;
      (this.engine.sessions as { setApiSocket?(p: string): void } | undefined)?.setApiSocket?.(this.socket);
      this.engine.apiSocket = this.socket;
    } catch (e) {
      this.apiError = `Docker API socket ${socket} not served: ${(e as Error).message}`;
    }
  }

  get root(): string | undefined { return this.engine?.opts.root; }
  get ok(): boolean { return !!this.engine; }

  /** A client of the engine; `send` receives events and stream chunks for it. */
  connect(send: (m: PushMessage) => void): Connection {
    if (!this.engine) {
      const err = () => Object.assign(new Error(`Pier's engine is not running: ${this.error ?? 'not started'}`), { code: 'ENOENGINE' });
      return { call: () => Promise.reject(err()), close: () => undefined };
    }
    const c = connect(this.engine, { send: (m) => send(m as unknown as PushMessage) });
    const conn: Connection = { call: (m, p) => c.call(m, p), close: () => { this.conns.delete(conn); c.close(); } };
    this.conns.add(conn);
    return conn;
  }

  containers(): ContainerSummary[] {
    try { return this.engine?.containers.list() ?? []; } catch { return []; }
  }

  subscribe(fn: (e: EngineEvent) => void): () => void {
    return this.engine ? this.engine.events.subscribe(fn) : () => undefined;
  }

  publish(e: Published): void { this.engine?.events.publish(e); }

  async checkpoints(): Promise<CheckpointSummary[]> {
    const cp = (this.engine as unknown as { checkpoints?: { list(id?: string): Promise<CheckpointSummary[]> } } | undefined)?.checkpoints;
    return cp ? cp.list() : [];
  }

  get checkpointSupported(): boolean {
    return !!(this.engine as unknown as { checkpoints?: unknown } | undefined)?.checkpoints && this.engine?.info().criu?.works !== false;
  }

  /** Stops serving and releases the root. Containers keep running under their conmon. */
  async close(): Promise<void> {
    for (const c of [...this.conns]) c.close();
    try { await this.api?.close(); } catch { /* already closed */ }
    await this.engine?.close();
  }
}
