// The renderer's typed client over a transport. One instance per page.
import type { MethodName, Params, Result, RpcError, Topic, topics, streams } from '../../../electron/common/contract';
import { bridgeTransport, type ConnectionState, type Transport } from './transport';
import { wsTransport } from './ws';

export class ApiError extends Error {
  constructor(readonly code: string, message: string) { super(message); this.name = 'ApiError'; }
}

export interface Client {
  call<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>>;
  onTopic<T extends Topic>(topic: T, fn: (p: (typeof topics)[T]) => void): () => void;
  onStream<K extends keyof typeof streams>(kind: K, fn: (p: (typeof streams)[K]) => void): () => void;
  onState(fn: (s: ConnectionState) => void): () => void;
}

export function createClient(t: Transport): Client {
  return {
    async call(method, params) {
      try {
        return (await t.invoke(method, params)) as never;
      } catch (e) {
        const r = e as Partial<RpcError> & { message?: string };
        throw new ApiError(r?.code ?? 'EUNKNOWN', r?.message ?? String(e));
      }
    },
    onTopic: (topic, fn) => t.on(topic, fn as (p: unknown) => void),
    onStream: (kind, fn) => t.on(kind, fn as (p: unknown) => void),
    onState: (fn) => (t.onState ? t.onState(fn) : (fn('open'), () => undefined)),
  };
}

let client: Client | undefined;
/** The page's client: the Electron bridge when present, else the web-mode WebSocket. */
export function api(): Client {
  if (!client) client = createClient(window.pier ? bridgeTransport(window.pier) : wsTransport());
  return client;
}
/** Tests and benchmarks may install a client before the app starts. */
export function setClient(c: Client): void { client = c; }
