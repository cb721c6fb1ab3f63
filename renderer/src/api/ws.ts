// WebSocket transport for web mode. The token cookie authenticates the upgrade.
// Reconnects with backoff; calls made while disconnected wait for the connection.
import { WS_PATH, decodeSessionFrame, type CallMessage, type ServerMessage, type MethodName } from '../../../electron/common/contract';
import type { Channel, ConnectionState, Transport } from './transport';

type Pending = { resolve: (v: unknown) => void; reject: (e: unknown) => void };

export function wsTransport(url = defaultUrl()): Transport {
  const listeners = new Map<Channel, Set<(p: unknown) => void>>();
  const stateFns = new Set<(s: ConnectionState) => void>();
  const pending = new Map<number, Pending>();
  const queue: string[] = [];
  let ws: WebSocket | undefined;
  let nextId = 1;
  let backoff = 250;

  const emit = (c: Channel, p: unknown) => { for (const fn of listeners.get(c) ?? []) fn(p); };
  const setState = (s: ConnectionState) => { for (const fn of stateFns) fn(s); };

  const open = () => {
    setState('connecting');
    const sock = new WebSocket(url);
    sock.binaryType = 'arraybuffer';
    ws = sock;
    sock.onopen = () => {
      backoff = 250;
      setState('open');
      for (const m of queue.splice(0)) sock.send(m);
    };
    sock.onmessage = (ev) => {
      if (typeof ev.data !== 'string') {
        const f = decodeSessionFrame(new Uint8Array(ev.data as ArrayBuffer));
        if (f) emit('session', { session: f.session, data: f.data });
        return;
      }
      const m = JSON.parse(ev.data) as ServerMessage;
      if (m.t === 'result') {
        const p = pending.get(m.id);
        if (!p) return;
        pending.delete(m.id);
        if (m.error) p.reject(m.error); else p.resolve(m.result);
      } else if (m.t === 'event') emit(m.topic, m.payload);
      else emit(m.kind, m.payload);
    };
    sock.onclose = () => {
      ws = undefined;
      for (const [, p] of pending) p.reject({ code: 'EDISCONNECTED', message: 'connection to the engine was lost' });
      pending.clear();
      // a refused upgrade looks like any close: ask the server whether the cookie still works
      fetch(location.pathname, { cache: 'no-store', credentials: 'same-origin' }).then((r) => setState(r.status === 401 ? 'unauthorized' : 'closed'), () => setState('closed'));
      setTimeout(open, backoff);
      backoff = Math.min(backoff * 2, 5000);
    };
  };
  open();

  return {
    invoke(method: MethodName, params: unknown) {
      const id = nextId++;
      const msg: CallMessage = { t: 'call', id, method, params };
      const text = JSON.stringify(msg);
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        if (ws?.readyState === WebSocket.OPEN) ws.send(text); else queue.push(text);
      });
    },
    on(c, fn) {
      let s = listeners.get(c);
      if (!s) listeners.set(c, (s = new Set()));
      s.add(fn);
      return () => { s.delete(fn); };
    },
    onState(fn) { stateFns.add(fn); return () => { stateFns.delete(fn); }; },
  };
}

function defaultUrl(): string {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${proto}//${location.host}${WS_PATH}`;
}
