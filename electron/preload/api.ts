// window.pier, generated from the contract. Pure: the Electron specifics (ipcRenderer,
// webUtils, contextBridge) are passed in by index.ts, so this is unit-tested under Node.
// Rules: only contract methods and the shell's own channels pass; listeners receive the
// payload only (never the IpcRendererEvent, whose `sender` would leak ipcRenderer);
// errors come back as data and are rebuilt as Error objects with `code`.
import { methods, validateCall, type MethodName, type Params, type Result, type Topic, topics, streams } from '../common/contract';
import type { EngineEvent } from '../common/types';
import { PUSH, SHELL, rpcChannel, validateShell, type DropResult, type Envelope, type NavigateTarget, type Notice, type ShellInfo } from '../common/channels';

export interface PreloadIpc {
  invoke(channel: string, arg: unknown): Promise<unknown>;
  send(channel: string, arg: unknown): void;
  /** subscribes to a push channel; the listener gets the payload only; returns an unsubscribe */
  on(channel: string, listener: (payload: unknown) => void): () => void;
  getPathForFile(file: unknown): string;
}

export class PierError extends Error {
  constructor(readonly code: string, message: string) { super(message); this.name = 'PierError'; }
}

type StreamKind = keyof typeof streams;
type RpcNamespace = { [M in MethodName as M extends `${infer A}.${string}` ? A : never]: { [K in MethodName as K extends `${M extends `${infer A}.${string}` ? A : never}.${infer B}` ? B : never]: (params?: Params<K>) => Promise<Result<K>> } };

export interface PierApi {
  /** Calls one contract method. Unknown methods and malformed params are refused here and again in main. */
  invoke<M extends MethodName>(method: M, params?: Params<M>): Promise<Result<M>>;
  /** The same calls grouped by area: pier.rpc.containers.list({}). */
  rpc: RpcNamespace;
  /** Contract method names (for the renderer's own checks and tests). */
  methods: readonly MethodName[];
  on(topic: Topic, listener: (payload: EngineEvent) => void): () => void;
  onStream<K extends StreamKind>(kind: K, listener: (payload: (typeof streams)[K]) => void): () => void;
  onNavigate(listener: (target: NavigateTarget) => void): () => void;
  onNotice(listener: (notice: Notice) => void): () => void;
  /** Call from dragstart (after preventDefault): main starts the native drag of the archive file. */
  startDrag(archiveId: string): void;
  /** "Export…": a save dialog, then the archive is copied there. Resolves with the saved path or null (cancelled). */
  exportArchive(archiveId: string): Promise<string | null>;
  /** Restores dropped checkpoint archives / loads dropped image archives. */
  drop(paths: string[], opts?: { name?: string }): Promise<DropResult[]>;
  /** The filesystem path of a dropped File ('' for files not from disk). */
  getPathForFile(file: File): string;
  openExternal(url: string): Promise<void>;
  shellInfo(): Promise<ShellInfo>;
}

function unwrap<T>(env: unknown): T {
  const e = env as Envelope<T> | undefined;
  if (e && e.ok === true) return e.result;
  if (e && e.ok === false) throw new PierError(e.error.code, e.error.message);
  throw new PierError('EIPC', 'malformed reply from the main process');
}
const fail = (e: unknown) => Promise.reject(new PierError((e as { code?: string }).code ?? 'EINVAL', (e as Error).message));

export function createPierApi(ipc: PreloadIpc): PierApi {
  const names = Object.keys(methods) as MethodName[];
  const invoke = (<M extends MethodName>(method: M, params?: Params<M>): Promise<Result<M>> => {
    let checked;
    try { checked = validateCall(String(method), params); } catch (e) { return fail(e); }
    return ipc.invoke(rpcChannel(checked.method), checked.params).then((r) => unwrap<Result<M>>(r));
  }) as PierApi['invoke'];

  const rpc: Record<string, Record<string, (p?: unknown) => Promise<unknown>>> = {};
  for (const m of names) {
    const [area, op] = m.split('.') as [string, string];
    (rpc[area] ??= {})[op] = (p?: unknown) => invoke(m, p as never);
  }

  const shell = <T>(channel: Parameters<typeof validateShell>[0], params: unknown): Promise<T> => {
    try { validateShell(channel, params); } catch (e) { return fail(e); }
    return ipc.invoke(channel, params).then((r) => unwrap<T>(r));
  };

  const onMessage = (pred: (m: { t?: string; topic?: string; kind?: string }) => boolean, listener: (p: unknown) => void) =>
    ipc.on(PUSH.message, (msg) => {
      const m = msg as { t?: string; topic?: string; kind?: string; payload?: unknown } | undefined;
      if (m && pred(m)) listener(m.payload);
    });

  const api: PierApi = {
    invoke,
    rpc: rpc as unknown as RpcNamespace,
    methods: names,
    on(topic, listener) {
      if (!Object.prototype.hasOwnProperty.call(topics, topic)) throw new PierError('EUNKNOWN', `unknown topic "${String(topic)}"`);
      if (typeof listener !== 'function') throw new PierError('EINVAL', 'listener must be a function');
      return onMessage((m) => m.t === 'event' && m.topic === topic, listener as (p: unknown) => void);
    },
    onStream(kind, listener) {
      if (!Object.prototype.hasOwnProperty.call(streams, kind)) throw new PierError('EUNKNOWN', `unknown stream kind "${String(kind)}"`);
      if (typeof listener !== 'function') throw new PierError('EINVAL', 'listener must be a function');
      return onMessage((m) => m.t === 'stream' && m.kind === kind, listener as (p: unknown) => void);
    },
    onNavigate(listener) { return ipc.on(PUSH.navigate, (p) => listener(p as NavigateTarget)); },
    onNotice(listener) { return ipc.on(PUSH.notice, (p) => listener(p as Notice)); },
    startDrag(archiveId) {
      const params = { archive: archiveId };
      validateShell(SHELL.startDrag, params); // throws synchronously: the caller is in a dragstart handler
      ipc.send(SHELL.startDrag, params);
    },
    exportArchive: (archiveId) => shell<string | null>(SHELL.exportArchive, { archive: archiveId }),
    drop: (paths, opts) => shell<DropResult[]>(SHELL.drop, { paths, ...(opts?.name ? { name: opts.name } : {}) }),
    getPathForFile: (file) => ipc.getPathForFile(file),
    openExternal: (url) => shell<void>(SHELL.openExternal, { url }),
    shellInfo: () => shell<ShellInfo>(SHELL.info, {}),
  };
  return api;
}
