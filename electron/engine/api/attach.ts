// Hijacked streams: /containers/{id}/attach and the stream half of /exec/{id}/start.
// With `Upgrade: tcp` the response is a raw `101 UPGRADED`; without it moby still
// streams (`200 OK`, raw bytes until EOF), which dockerode/testcontainers rely on.
// Output is framed with the 8-byte multiplexed header unless the process has a TTY.
import type { Duplex } from 'node:stream';
import { commonHeaders, type Ctx, type Hijack, type Route } from './context';
import { ApiError, badRequest } from './errors';
import { qbool } from './validate';
import { getContainer } from './container-ref';
import { transition } from '../containers/states';
import { parseDetachKeys, DetachFilter } from '../sessions/detach';
import type { OutputPump, Session, StreamTag, Viewer } from '../sessions/types';
import { unreadBytes } from '../../../native/index';
import { boundHijackBody } from './timeouts';
import { ANCHOR_BYTES, TailBuffer, replayOverlap } from '../sessions/overlap';
import { startPump } from './attach-pump';

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
    const reading = new Promise<Buffer>((resolve, reject) => {
      const parts = [buf];
      let n = buf.length;
      const onData = (d: Buffer) => { parts.push(d); n += d.length; if (n >= len) { done(); resolve(Buffer.concat(parts)); } };
      const onEnd = () => { done(); reject(badRequest(`request body truncated: expected ${len} bytes, got ${n}`)); };
      const done = () => { hj.socket.off('data', onData); hj.socket.off('end', onEnd); hj.socket.off('close', onEnd); hj.socket.pause(); };
      hj.socket.on('data', onData);
      hj.socket.once('end', onEnd);
      hj.socket.once('close', onEnd);
    });
    boundHijackBody(hj.socket, reading); // a body that stops arriving does not hold the connection forever
    buf = await reading;
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
  /**
   * Written before any live output (attach's log replay); resolves with the tail of what it wrote per stream.
   * The viewer is registered first; live output that arrives meanwhile is held (unacknowledged, so flow control
   * bounds it) and sent once this resolves, without the part the replay already sent (sessions/overlap.ts).
   */
  prelude?: (socket: Duplex) => Promise<Map<StreamTag, Buffer>>;
}

/**
 * How long a log replay waits for the first live bytes that pin where the replay and live output meet (it starts at
 * once when they come; a quiet container waits this long). 50 ms was too short on a loaded machine.
 */
const SEAM_WAIT_MS = 250;

/**
 * Connects a client socket to a session as one viewer: output (framed unless TTY) with
 * backpressure (acknowledged as the socket takes it), stdin with detach keys, and the
 * half-close rules of moby (reference/docker-api.md §3.3). Resolves when the stream ends. Output goes through the
 * session's native pump where it can (attach-pump.ts), else through JavaScript.
 */
export function pipeSession(socket: Duplex, session: Session, o: PipeOptions): Promise<void> {
  return new Promise<void>((resolve) => {
    let ended = false;
    let viewer: Viewer | undefined;
    let pump: OutputPump | undefined;
    const finish = () => {
      if (ended) return;
      ended = true;
      viewer?.close();
      pump?.close();
      socket.off('data', onData);
      if (!socket.destroyed) socket.end();
      resolve();
    };
    const want = (s: StreamTag) => (s === 'stderr' ? o.stderr : o.stdout);
    // watch() delivers the scrollback before it returns: acks from then are kept until the viewer exists
    let early = 0;
    const ack = (n: number) => { if (viewer) viewer.ack(n); else early += n; };
    const send = (chunk: Buffer, s: StreamTag) => {
      if (!want(s) || socket.destroyed) { ack(chunk.length); return; }
      const data = o.tty ? chunk : frame(s === 'stderr' ? 2 : 1, chunk);
      socket.write(data, () => ack(chunk.length));
    };
    // with a prelude: output seen before the log is read is in the log (only remembered, to find the seam);
    // output after that is held until the prelude ends
    let phase: 'seen' | 'held' | 'live' = o.prelude ? 'seen' : 'live';
    const seen = new Map<StreamTag, TailBuffer>();
    const held: Array<[Buffer, StreamTag]> = [];
    let endHeld = false, firstSeen: (() => void) | undefined;
    pump = o.prelude || o.scrollback ? undefined : startPump(socket, session, o);
    // the session ends after the pump has sent everything; a send error means the client is gone
    pump?.done.then((err) => { if (err) { socket.destroy(); finish(); } });
    const v = pump ? session.watch(() => undefined, () => finish(), { scrollback: false }) : session.watch((chunk, s) => {
      if (phase === 'live') return send(chunk, s);
      if (phase === 'held') { held.push([chunk, s]); return; }
      if (!seen.has(s)) seen.set(s, new TailBuffer(ANCHOR_BYTES));
      seen.get(s)!.push(chunk);
      ack(chunk.length);
      firstSeen?.();
    }, () => { if (phase === 'live') finish(); else endHeld = true; }, { scrollback: !!o.scrollback || !!o.prelude, flowControl: true });
    viewer = v;
    if (early) v.ack(early);
    if (ended) { v.close(); return; }
    if (o.prelude) {
      const prelude = o.prelude;
      const seam = seen.size || endHeld ? Promise.resolve() : new Promise<void>((r) => {
        const t = setTimeout(r, SEAM_WAIT_MS);
        firstSeen = () => { clearTimeout(t); r(); };
      });
      seam.then(() => { phase = 'held'; return prelude(socket); }).then((replayed) => {
        const drop = new Map<StreamTag, number>();
        for (const [s, tail] of replayed) {
          const live = Buffer.concat(held.filter(([, t]) => t === s).map(([b]) => b));
          drop.set(s, replayOverlap(tail, seen.get(s)?.bytes ?? Buffer.alloc(0), live));
        }
        phase = 'live';
        if (ended) return;
        for (const [chunk, s] of held) {
          const d = Math.min(drop.get(s) ?? 0, chunk.length);
          if (d) { drop.set(s, drop.get(s)! - d); ack(d); }
          if (d < chunk.length) send(chunk.subarray(d), s);
        }
        held.length = 0;
        if (endHeld) finish();
      }, () => finish());
    }

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
  transition('attach', r.state, r.name);
  const tty = r.config.terminal;
  // `docker start -a` attaches before starting a stopped container: recreate its runtime half first
  if (r.state.status === 'exited' && stream) await engine.containers.init(r.id);
  let session: Session | undefined;
  if (stream) {
    try { session = await engine.sessions.attach(r.id); } catch (e) {
      // runc checks the command at create time, Docker at start: keep the stream (as Docker
      // does) and let start report the reason; end when the container goes away or runs
      const code = (e as { code?: string }).code;
      // (network setup too: a published port taken, a joined or linked container not running; and a user
      // the image does not have)
      if (r.state.status !== 'created' || !['ENOEXEC', 'ENOUSER', 'EPERM', 'ERUNTIME', 'EPORTALLOC', 'ENETJOIN', 'ENETAVARK', 'ENETNS'].includes(code ?? '')) throw e;
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
  const replay = logs ? (out: Duplex) => replayLogs(ctx, r.id, out, { tty, stdout, stderr }) : undefined;
  if (!session) { if (replay) await replay(socket); socket.end(); return; }
  // the live viewer exists before the log is read: output written during the replay follows it, never lost
  await pipeSession(socket, session, {
    tty, stdout, stderr, stdin: stdin && r.config.stdin && hj.upgraded, stdinOnce: !!r.config.stdinOnce, detachKeys,
    early: hj.head, upgraded: hj.upgraded, prelude: replay,
  });
}

/** Replay tail kept per stream to find the seam: the anchor plus what may be in flight. */
const REPLAY_TAIL_BYTES = 1 << 20;

/**
 * Writes the container's log as it is now (framed unless TTY), waiting for the socket to drain. Resolves with
 * the tail of what it wrote per stream.
 */
async function replayLogs(ctx: Ctx, id: string, socket: Duplex, o: { tty: boolean; stdout: boolean; stderr: boolean }): Promise<Map<StreamTag, Buffer>> {
  const abort = new AbortController();
  const onClose = () => abort.abort();
  socket.once('close', onClose);
  const tails = new Map<StreamTag, TailBuffer>();
  try {
    for await (const e of ctx.engine.containers.logs(id, { stdout: o.stdout, stderr: o.stderr }, abort.signal)) {
      // byte for byte what conmon logged (and sent live): a line the process has not ended gets no newline, so the
      // replay's end meets the live output exactly (sessions/overlap.ts)
      const line = e.partial ? e.line : Buffer.concat([e.line, Buffer.from('\n')]);
      const s: StreamTag = e.stream === 'stderr' ? 'stderr' : 'stdout';
      if (!tails.has(s)) tails.set(s, new TailBuffer(REPLAY_TAIL_BYTES));
      tails.get(s)!.push(line);
      if (!socket.write(o.tty ? line : frame(s === 'stderr' ? 2 : 1, line))) {
        await new Promise<void>((resolve) => {
          const done = () => { socket.off('drain', done); socket.off('close', done); resolve(); };
          socket.on('drain', done);
          socket.on('close', done);
        });
      }
      if (socket.destroyed) break;
    }
  } finally { socket.off('close', onClose); }
  return new Map([...tails].map(([s, t]) => [s, t.bytes]));
}

export type { Duplex };
