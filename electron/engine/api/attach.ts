// Hijacked streams: /containers/{id}/attach and the stream half of /exec/{id}/start.
// With `Upgrade: tcp` the response is a raw `101 UPGRADED`; without it moby still
// streams (`200 OK`, raw bytes until EOF), which dockerode/testcontainers rely on.
// Output is framed with the 8-byte multiplexed header unless the process has a TTY.
import type { Duplex } from 'node:stream';
import { commonHeaders, type Ctx, type Hijack, type Route } from './context';
import { ApiError, badRequest } from './errors';
import { qbool } from './validate';
import { getContainer } from './containers';
import { parseDetachKeys, DetachFilter } from '../sessions/detach';
import type { Session, StreamTag, Viewer } from '../sessions/types';
import { unreadBytes } from '../../../native/index';

/** 8-byte multiplexed frame: [stream, 0, 0, 0, uint32 BE length] + payload (0 stdin, 1 stdout, 2 stderr, 3 systemerr). */
export function frame(stream: 0 | 1 | 2 | 3, payload: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h[0] = stream;
  h.writeUInt32BE(payload.length, 4);
  return Buffer.concat([h, payload]);
}

export function streamContentType(ctx: Ctx, tty: boolean): string {
  return !tty && ctx.version >= 142 ? 'application/vnd.docker.multiplexed-stream' : 'application/vnd.docker.raw-stream';
}

/** Writes the hijack response head: 101 UPGRADED (Upgrade: tcp) or 200 OK (plain request). */
export function hijackHead(hj: Hijack, contentType: string): void {
  hj.started = true;
  const common = Object.entries(commonHeaders()).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  hj.socket.write(hj.upgraded
    ? `HTTP/1.1 101 UPGRADED\r\nContent-Type: ${contentType}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n${common}\r\n`
    : `HTTP/1.1 200 OK\r\nContent-Type: ${contentType}\r\n${common}Connection: close\r\n\r\n`);
}

const HEAD_READ_WAIT_MS = 1000;

/**
 * Resolves once the client has read everything written so far (the response head), or after
 * HEAD_READ_WAIT_MS. Clients that read the head through a buffered reader and then take the raw
 * socket (docker-py) lose bytes that arrived with the head, so a process starts only after this.
 */
export async function headRead(socket: Duplex): Promise<void> {
  await new Promise<void>((resolve) => socket.write('', () => resolve()));
  const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
  if (fd === undefined || fd < 0) return;
  const end = Date.now() + HEAD_READ_WAIT_MS;
  for (;;) {
    let unread = 0;
    try { unread = unreadBytes(fd); } catch { return; }
    if (!unread || socket.destroyed || Date.now() > end) return;
    await new Promise((r) => setTimeout(r, 1));
  }
}

/**
 * Reads a JSON request body that arrived on a hijacked socket (Node does not parse
 * upgrade bodies): `Content-Length` bytes from `head` and later data. Returns the body
 * and whatever followed it (early stdin).
 */
export async function hijackBody(ctx: Ctx, hj: Hijack, limit = 1 << 16): Promise<{ body: unknown; rest: Buffer }> {
  if (!hj.upgraded) {
    const { readJson } = await import('./context');
    return { body: await readJson(ctx.req), rest: Buffer.alloc(0) };
  }
  const len = Number(ctx.req.headers['content-length'] ?? 0);
  if (!Number.isFinite(len) || len < 0) throw badRequest('invalid Content-Length');
  if (len > limit) throw new ApiError(413, `request body too large: ${len} bytes (limit ${limit})`);
  let buf = hj.head;
  if (buf.length < len) {
    buf = await new Promise<Buffer>((resolve, reject) => {
      const parts = [buf];
      let n = buf.length;
      const onData = (d: Buffer) => { parts.push(d); n += d.length; if (n >= len) { done(); resolve(Buffer.concat(parts)); } };
      const onEnd = () => { done(); reject(badRequest(`request body truncated: expected ${len} bytes, got ${n}`)); };
      const done = () => { hj.socket.off('data', onData); hj.socket.off('end', onEnd); hj.socket.off('close', onEnd); hj.socket.pause(); };
      hj.socket.on('data', onData);
      hj.socket.once('end', onEnd);
      hj.socket.once('close', onEnd);
    });
  }
  const text = buf.subarray(0, len).toString('utf8');
  let body: unknown;
  if (text.trim()) { try { body = JSON.parse(text); } catch (e) { throw badRequest(`invalid JSON: ${(e as Error).message}`); } }
  return { body, rest: buf.subarray(len) };
}

export interface PipeOptions {
  tty: boolean;
  stdout: boolean;
  stderr: boolean;
  /** forward client bytes to the process */
  stdin: boolean;
  /** non-TTY: client EOF closes the process's stdin */
  stdinOnce: boolean;
  detachKeys?: string;
  /** bytes received before the stream was set up (early stdin) */
  early?: Buffer;
  /** a plain (non-upgraded) request: the client sends nothing after its body */
  upgraded: boolean;
  /** deliver what the session already produced (a fresh exec session) */
  scrollback?: boolean;
}

/**
 * Connects a client socket to a session as one viewer: output (framed unless TTY) with
 * backpressure (acknowledged as the socket takes it), stdin with detach keys, and the
 * half-close rules of moby (reference/docker-api.md §3.3). Resolves when the stream ends.
 */
export function pipeSession(socket: Duplex, session: Session, o: PipeOptions): Promise<void> {
  return new Promise<void>((resolve) => {
    let ended = false;
    let viewer: Viewer | undefined;
    const finish = () => {
      if (ended) return;
      ended = true;
      viewer?.close();
      socket.off('data', onData);
      if (!socket.destroyed) socket.end();
      resolve();
    };
    const want = (s: StreamTag) => (s === 'stderr' ? o.stderr : o.stdout);
    // watch() delivers the scrollback before it returns: acks from then are kept until the viewer exists
    let early = 0;
    const ack = (n: number) => { if (viewer) viewer.ack(n); else early += n; };
    const v = session.watch((chunk, s) => {
      if (!want(s) || socket.destroyed) { ack(chunk.length); return; }
      const data = o.tty ? chunk : frame(s === 'stderr' ? 2 : 1, chunk);
      socket.write(data, () => ack(chunk.length));
    }, () => finish(), { scrollback: !!o.scrollback, flowControl: true });
    viewer = v;
    if (early) v.ack(early);
    if (ended) { v.close(); return; }

    const filter = o.tty && o.stdin ? new DetachFilter(parseDetachKeys(o.detachKeys ?? 'ctrl-p,ctrl-q')) : undefined;
    let writing = Promise.resolve();
    // a function declaration: finish() (possibly run inside watch() for an ended session) refers to it
    function onData(d: Buffer): void {
      if (!o.stdin) return;
      let data = d;
      if (filter) {
        const r = filter.push(d);
        data = r.data;
        if (r.detach) { writing = writing.then(() => (data.length ? session.write(data) : undefined)).catch(() => undefined); writing.then(finish); return; }
      }
      if (!data.length) return;
      socket.pause();
      writing = writing.then(() => session.write(data)).catch(() => undefined).then(() => { if (!ended) socket.resume(); });
    }
    if (o.early?.length) onData(o.early);
    socket.on('data', onData);
    socket.once('end', () => {
      // client half-closed its side
      if (!o.stdin) return;
      if (o.tty) { writing.then(finish); return; }
      if (o.stdinOnce) writing.then(() => session.closeStdin()).catch(() => undefined);
    });
    socket.once('close', finish);
    socket.once('error', finish);
    socket.resume();
  });
}

export function attachRoutes(): Route[] {
  return [
    { method: 'POST', path: /^\/containers\/([^/]+)\/attach$/, hijack: attach },
  ];
}

async function attach(ctx: Ctx, hj: Hijack): Promise<void> {
  const { engine, query } = ctx;
  const r = getContainer(engine, ctx.params[0]);
  const detachKeys = query.get('detachKeys') || undefined;
  if (detachKeys) parseDetachKeys(detachKeys);
  const stdin = qbool(query, 'stdin'), stdout = qbool(query, 'stdout'), stderr = qbool(query, 'stderr');
  const logs = qbool(query, 'logs'), stream = qbool(query, 'stream');
  if (!stdin && !stdout && !stderr) throw badRequest('at least one of stdin, stdout or stderr must be attached');
  if (r.state.status === 'removing') throw new ApiError(409, `container ${r.name} is being removed`);
  if (r.state.status === 'paused') throw new ApiError(409, `container ${r.name} is paused, unpause the container before attach.`);
  const tty = r.config.terminal;
  // `docker start -a` attaches before starting a stopped container: recreate its runtime half first
  if (r.state.status === 'exited' && stream) await engine.containers.init(r.id);
  let session: Session | undefined;
  if (stream) {
    try { session = await engine.sessions.attach(r.id); } catch (e) {
      // runc checks the command at create time, Docker at start: keep the stream (as Docker
      // does) and let start report the reason; end when the container goes away or runs
      const code = (e as { code?: string }).code;
      // (network setup too: a published port taken, a joined or linked container not running)
      if (r.state.status !== 'created' || !['ENOEXEC', 'EPERM', 'ERUNTIME', 'EPORTALLOC', 'ENETJOIN', 'ENETAVARK', 'ENETNS'].includes(code ?? '')) throw e;
      hijackHead(hj, streamContentType(ctx, tty));
      await new Promise<void>((resolve) => {
        const done = () => { off(); resolve(); };
        const off = engine.events.subscribe((ev) => { if (ev.type === 'container' && ev.id === r.id && ev.action !== 'created') done(); });
        hj.socket.once('close', done);
      });
      hj.socket.end();
      return;
    }
  }
  hijackHead(hj, streamContentType(ctx, tty));
  const socket = hj.socket;
  if (logs) {
    for await (const e of engine.containers.logs(r.id, { stdout, stderr })) {
      const line = Buffer.concat([e.line, Buffer.from('\n')]);
      socket.write(tty ? line : frame(e.stream === 'stderr' ? 2 : 1, line));
    }
  }
  if (!session) { socket.end(); return; }
  await pipeSession(socket, session, {
    tty, stdout, stderr, stdin: stdin && r.config.stdin && hj.upgraded, stdinOnce: !!r.config.stdinOnce, detachKeys,
    early: hj.head, upgraded: hj.upgraded,
  });
}

export type { Duplex };
