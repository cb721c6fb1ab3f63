// The engine-side RPC dispatcher, shared by web mode and the Electron main process.
// One RpcConnection per client (a browser tab, a window): it validates every call
// against the contract, runs it on the Engine, forwards engine events, and owns the
// client's log-follow streams and session viewers (closed when the client goes away;
// sessions themselves live on in the engine).
import type { Engine } from '../engine/engine';
import { validateCall, type CallMessage, type ServerMessage } from '../common/contract';
import { handlers, type Ctx } from './methods';
import { LogFollows } from './logs';
import { SessionViewers } from './sessions';
import { StatsWatches } from './stats';
import { toRpcError } from './errors';

export interface RpcPeer {
  /** Delivers one message to the client (the transport encodes it). */
  send(msg: ServerMessage): void;
}

export interface RpcConnection {
  /** Runs one call; resolves with the result, rejects with an {code, message} error. */
  call(method: string, params: unknown): Promise<unknown>;
  /** Handles a call envelope and answers through the peer. */
  handle(msg: CallMessage): void;
  close(): void;
}

export function connect(engine: Engine, peer: RpcPeer): RpcConnection {
  let closed = false;
  const send = (m: ServerMessage) => { if (!closed) peer.send(m); };
  const ctx: Ctx = { engine, logs: new LogFollows(engine, send), viewers: new SessionViewers(engine, send), stats: new StatsWatches(engine, send) };
  const unsubscribe = engine.events.subscribe((payload) => send({ t: 'event', topic: 'engine.event', payload }));

  const call = async (method: string, params: unknown): Promise<unknown> => {
    const v = validateCall(method, params);
    const h = handlers[v.method] as (c: Ctx, p: unknown) => unknown;
    return await h(ctx, v.params);
  };

  return {
    call,
    handle(msg) {
      if (!msg || msg.t !== 'call' || typeof msg.id !== 'number') return;
      call(msg.method, msg.params).then(
        (result) => send({ t: 'result', id: msg.id, result }),
        (e) => send({ t: 'result', id: msg.id, error: toRpcError(e) }),
      );
    },
    close() {
      if (closed) return;
      closed = true;
      unsubscribe();
      ctx.logs.closeAll();
      ctx.stats.closeAll();
      ctx.viewers.closeAll();
    },
  };
}
