// The RPC contract over a WebSocket: one dispatcher connection per socket. Used by web mode
// (TCP, behind its token) and by the engine's API socket (`/rpc` on the unix socket, where the
// socket file's permissions are the access control), so a desktop app that does not host the
// engine talks to it exactly as a browser tab does.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Engine } from '../engine/engine';
import { connect } from './dispatcher';
import { WS_PATH, encodeSessionFrame, type CallMessage, type ServerMessage } from '../common/contract';

export function serveWsClient(engine: Engine, ws: WebSocket): void {
  const conn = connect(engine, {
    send(m: ServerMessage) {
      if (ws.readyState !== ws.OPEN) return;
      if (m.t === 'stream' && m.kind === 'session' && m.payload.data) ws.send(encodeSessionFrame(m.payload.session, m.payload.data));
      else ws.send(JSON.stringify(m));
    },
  });
  ws.on('message', (data, isBinary) => {
    if (isBinary) return;
    let msg: CallMessage;
    try { msg = JSON.parse(data.toString()) as CallMessage; } catch { return; }
    conn.handle(msg);
  });
  ws.on('close', () => conn.close());
  ws.on('error', () => conn.close());
}

/**
 * An `upgrade` hook for the API socket's HTTP server: takes `GET /rpc` WebSocket upgrades,
 * leaves every other upgrade (attach, exec) to the Docker API. Returns true when it took one.
 */
export function rpcUpgrade(engine: Engine): { handle(req: IncomingMessage, socket: Duplex, head: Buffer): boolean; close(): void } {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20, perMessageDeflate: false });
  return {
    handle(req, socket, head) {
      if (new URL(req.url ?? '/', 'http://pier').pathname !== WS_PATH || req.headers.upgrade?.toLowerCase() !== 'websocket') return false;
      wss.handleUpgrade(req, socket, head, (ws) => serveWsClient(engine, ws));
      return true;
    },
    close() { for (const c of wss.clients) c.terminate(); wss.close(); },
  };
}
