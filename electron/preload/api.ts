// window.pier, generated from the contract. Pure: the Electron specifics (ipcRenderer,
// webUtils, contextBridge) are passed in by index.ts, so this is unit-tested under Node.
// Rules: only contract methods and the shell's own channels pass; listeners receive the
// payload only (never the IpcRendererEvent, whose `sender` would leak ipcRenderer);
// calls resolve with an Envelope ({ok, result} | {ok: false, error: {code, message}}) and
// never reject: see electron/common/bridge.ts.
import { methods, validateCall, type MethodName, type Params, type Result, topics, streams } from '../common/contract';
import { PUSH, SHELL, rpcChannel, validateShell, type Envelope, type NavigateTarget, type Notice } from '../common/channels';
import type { PierBridge } from '../common/bridge';

export interface PreloadIpc {
  invoke(channel: string, arg: unknown): Promise<unknown>;
  send(channel: string, arg: unknown): void;
  /** subscribes to a push channel; the listener gets the payload only; returns an unsubscribe */
  on(channel: string, listener: (payload: unknown) => void): () => void;
  getPathForFile(file: unknown): string;
}

/** Thrown synchronously for misuse (unknown topic, a path given to startDrag). */
export class PierError extends Error {
  constructor(readonly code: string, message: string) { super(message); this.name = 'PierError'; }
}

/** What main replied, checked to be an Envelope (anything else becomes an EIPC error). */
function envelope<T>(reply: unknown): Envelope<T> {
  const e = reply as Envelope<T> | undefined;
  if (e && (e.ok === true || (e.ok === false && typeof e.error?.code === 'string'))) return e;
  return { ok: false, error: { code: 'EIPC', message: 'malformed reply from the main process' } };
}
const failed = (e: unknown): Envelope<never> =>
  ({ ok: false, error: { code: (e as { code?: string }).code ?? 'EINVAL', message: (e as Error).message } });
const lost = (e: unknown): Envelope<never> =>
  ({ ok: false, error: { code: 'EIPC', message: `the main process did not answer: ${(e as Error).message}` } });

export function createPierApi(ipc: PreloadIpc): PierBridge {
  const names = Object.keys(methods) as MethodName[];
  const call = <T>(channel: string, params: unknown): Promise<Envelope<T>> =>
    ipc.invoke(channel, params).then((r) => envelope<T>(r), lost);

  const invoke = (<M extends MethodName>(method: M, params?: Params<M>): Promise<Envelope<Result<M>>> => {
    let checked;
    try { checked = validateCall(String(method), params); } catch (e) { return Promise.resolve(failed(e)); }
    return call<Result<M>>(rpcChannel(checked.method), checked.params);
  }) as PierBridge['invoke'];

  const shell = <T>(channel: Parameters<typeof validateShell>[0], params: unknown): Promise<Envelope<T>> => {
    try { validateShell(channel, params); } catch (e) { return Promise.resolve(failed(e)); }
    return call<T>(channel, params);
  };

  const onMessage = (pred: (m: { t?: string; topic?: string; kind?: string }) => boolean, listener: (p: unknown) => void) =>
    ipc.on(PUSH.message, (msg) => {
      const m = msg as { t?: string; topic?: string; kind?: string; payload?: unknown } | undefined;
      if (m && pred(m)) listener(m.payload);
    });

  const api: PierBridge = {
    invoke,
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
    exportArchive: (archiveId) => shell(SHELL.exportArchive, { archive: archiveId }),
    drop: (paths, opts) => shell(SHELL.drop, { paths, ...(opts?.name ? { name: opts.name } : {}) }),
    getPathForFile: (file) => ipc.getPathForFile(file),
    openExternal: (url) => shell(SHELL.openExternal, { url }),
    shellInfo: () => shell(SHELL.info, {}),
    setEngine: (choice) => shell(SHELL.setEngine, { choice }),
    chooseFolder: () => shell(SHELL.chooseFolder, {}),
  };
  return api;
}
