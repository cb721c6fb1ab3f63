// Pier's Node-API addon (native/src/*.cc) and the SOCK_SEQPACKET stream built on it. The engine loads the addon only
// through this module. Contract: Node-API only (NAPI_VERSION 9) and no external buffers (each packet is copied into a
// Buffer), so one build loads in Node 20+ and Electron 33+ without rebuild. Linux only.
import { createRequire } from 'node:module';
import { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** A failed system call, shaped like Node's own: `code` 'ENOENT', `errno` -2, `syscall` 'connect', `path`. */
export interface SystemError extends Error {
  code: string;
  errno: number;
  syscall: string;
  path?: string;
}

/** Largest packet `SeqpacketSocket` sends: conmon's CONN_SOCK_BUF_SIZE. Longer writes are split. */
export const MAX_SEND_PACKET = 32768;
/** Largest packet `SeqpacketSocket` receives; a longer one destroys the socket with EMSGSIZE (conmon sends ≤ 8193). */
export const MAX_RECV_PACKET = 65537;

const PACKET = 0, END = 1, ERROR = 2, WRITABLE = 3, SINK_DONE = 4;
type EventKind = typeof PACKET | typeof END | typeof ERROR | typeof WRITABLE | typeof SINK_DONE;

/** One fd plus its I/O thread (native/src/channel.cc). Owns the fd once constructed. */
interface Channel {
  /** Stop / restart recv(); the channel starts paused. */
  pause(): void;
  resume(): void;
  /** Sends data[offset..] in packets of ≤ MAX_SEND_PACKET without blocking; returns the new offset (< length on EAGAIN). */
  send(data: Uint8Array, offset: number): number;
  /** Asks for one WRITABLE event when the socket next polls writable (or errored). */
  waitWritable(): void;
  shutdownWrite(): void;
  /** Writes received packets to a dup of the stream socket `fd` from the I/O thread (native/src/sink.h); returns its id. */
  addSink(fd: number, framed: boolean, stdout: boolean, stderr: boolean): number;
  /** Drops a sink and closes its dup; no SINK_DONE follows. */
  removeSink(id: number): void;
  /** Stops and joins the thread, closes the fd; drops undelivered events. Idempotent. */
  close(): void;
  ref(): void;
  unref(): void;
}

interface Binding {
  socketpair(): [number, number];
  closeFd(fd: number): void;
  connectSeqpacket(path: string): number;
  listenSeqpacket(path: string): number;
  acceptFd(fd: number, timeoutMs?: number): number;
  unreadBytes(fd: number): number;
  resolveInRoot(root: string, rel: string): string;
  openat2Supported(): boolean;
  flock(fd: number, exclusive: boolean, wait: boolean): boolean;
  funlock(fd: number): void;
  flockAsync(fd: number, exclusive: boolean): Promise<void>;
  spawn(file: string, argv: string[], env: string[], cwd: string | null, fds: number[], setsid: boolean): number;
  reap(pid: number): [number, number] | null;
  pipe(): [number, number];
  mountOverlay(cwd: string, options: string, target: string): Promise<void>;
  unmount(target: string, detach: boolean): Promise<void>;
  makeNetns(target: string): Promise<void>;
  PidWatcher: new (onExit: (pid: number) => void) => { watch(pid: number): number; close(): void; ref(): void; unref(): void };
  Channel: new (fd: number, onEvent: (kind: EventKind, payload?: Buffer | SystemError, extra?: number[] | number) => void) => Channel;
}

const here = path.dirname(fileURLToPath(import.meta.url));
// not named `require`: electron-vite's ESM shim declares that name in every chunk that calls require(
const nodeRequire = createRequire(import.meta.url);

/** The addon's file. Besides the engine, the rootless port forwarder loads it (its `forwardTcp`, forward.cc). */
export const ADDON_PATH = path.join(here, 'build', 'Release', 'pier_native.node');

let loaded: Binding | undefined;
function binding(): Binding {
  if (!loaded) {
    try {
      loaded = nodeRequire(ADDON_PATH) as Binding;
    } catch (err) {
      const first = (err as Error).message.split('\n')[0];
      throw new Error(`Pier's native addon is not built (${first}): run "npm install" (needs python3, make, g++)`, { cause: err });
    }
  }
  return loaded;
}

/** socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC): two connected fds, both close-on-exec (spawn's stdio dup2s the child's). */
export function socketpair(): [number, number] {
  return binding().socketpair();
}

/** close(2). Throws a SystemError (EBADF) for an fd that is not open. */
export function closeFd(fd: number): void {
  binding().closeFd(fd);
}

/**
 * The absolute host path that `rel` names when resolved with `root` as "/": `..`, absolute paths and symlinks (also the
 * final component) cannot leave `root` (openat2 RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS). The result is inside `root`'s
 * canonical path. Throws a SystemError: ENOENT when a component is missing, ENOSYS without openat2 (Linux < 5.6).
 * The answer is a snapshot: whoever can rename inside `root` can change what the path names afterwards.
 */
export function resolveInRoot(root: string, rel: string): string {
  return binding().resolveInRoot(root, rel);
}

/** Whether openat2(2) with RESOLVE_IN_ROOT works here (Linux ≥ 5.6, not blocked by seccomp). Cached. */
export function openat2Supported(): boolean {
  return binding().openat2Supported();
}

/**
 * flock(2) on an open fd: exclusive or shared. With wait=false returns false at once when another open file holds
 * a conflicting lock; with wait=true blocks the JS thread until granted (for short-lived CLI processes). The kernel
 * releases the lock when the last fd of the open file closes, including when the holder dies.
 */
export function flock(fd: number, exclusive: boolean, wait: boolean): boolean {
  return binding().flock(fd, exclusive, wait);
}

/** Releases an flock held through fd (closing the fd does too). */
export function funlock(fd: number): void {
  binding().funlock(fd);
}

/** Waits for an flock on a libuv pool thread (one pool thread per waiter: use after a failed non-blocking try). */
export function flockAsync(fd: number, exclusive: boolean): Promise<void> {
  return binding().flockAsync(fd, exclusive);
}

/**
 * Reports the end of processes that are not our children, through pidfds (Linux ≥ 5.3) on one native thread.
 * `watch(pid)` returns false when the process does not exist. Each watched PID is reported once, then forgotten.
 * Does not keep the process alive unless `ref()`ed.
 */
export class PidWatcher {
  #native: { watch(pid: number): number; close(): void; ref(): void; unref(): void } | null;
  #fds = new Map<number, number>();

  constructor(onExit: (pid: number) => void) {
    this.#native = new (binding().PidWatcher)((pid) => {
      const fd = this.#fds.get(pid);
      if (fd === undefined) return;
      this.#fds.delete(pid);
      closeFd(fd);
      onExit(pid);
    });
  }

  watch(pid: number): boolean {
    if (!this.#native) throw new Error('PidWatcher is closed');
    if (this.#fds.has(pid)) return true;
    const fd = this.#native.watch(pid);
    if (fd < 0) return false;
    this.#fds.set(pid, fd);
    return true;
  }

  unwatch(pid: number): void {
    const fd = this.#fds.get(pid);
    if (fd === undefined) return;
    this.#fds.delete(pid);
    closeFd(fd);
  }

  ref(): void { this.#native?.ref(); }
  unref(): void { this.#native?.unref(); }

  close(): void {
    this.#native?.close();
    this.#native = null;
    for (const fd of this.#fds.values()) closeFd(fd);
    this.#fds.clear();
  }
}

/**
 * Starts a process with posix_spawn (no fork: its cost does not grow with this process's memory). Child fd i is
 * parent fd `fds[i]` (-1 = /dev/null); signal dispositions and mask are the defaults; `setsid` puts it in a new
 * session. `file` should be a path (a bare name is searched in this process's PATH). Throws ENOENT etc. when the
 * program cannot be run. The caller reaps it (reapChild) once a pidfd says it ended.
 */
export function spawnProcess(file: string, argv: string[], env: string[], cwd: string | null, fds: number[], setsid: boolean): number {
  return binding().spawn(file, argv, env, cwd, fds, setsid);
}

/** waitpid(pid, WNOHANG) for a child from spawnProcess: [exit code (-1 if signalled), signal (0 if exited)], or null while it runs. */
export function reapChild(pid: number): [number, number] | null {
  return binding().reap(pid);
}

/**
 * mount -t overlay overlay -o `options` `target`, with relative paths in `options` resolved against `cwd` (the
 * mount runs on a thread with its own working directory). Rejects with the errno (EINVAL, ENOENT…) naming target.
 */
export function mountOverlay(cwd: string, options: string, target: string): Promise<void> {
  return binding().mountOverlay(cwd, options, target);
}

/**
 * A new network namespace with its loopback up, bind-mounted on `target` (an existing file), as
 * `unshare --net=target ip link set lo up` makes it, without the processes. Rejects with the errno and the
 * failing call (unshare, ioctl, mount) naming target; nothing is mounted then.
 */
export function makeNetns(target: string): Promise<void> {
  return binding().makeNetns(target);
}

/** umount2(target, detach ? MNT_DETACH : 0). Rejects with the errno (EBUSY, EINVAL when not mounted…). */
export function unmount(target: string, detach = false): Promise<void> {
  return binding().unmount(target, detach);
}

/** pipe2(O_CLOEXEC): [read end, write end]. */
export function pipeFds(): [number, number] {
  return binding().pipe();
}

/** Test support: a listening SOCK_SEQPACKET socket bound at `path` (long paths via /proc/self/fd/<dirfd>/<name>). */
export function listenSeqpacket(socketPath: string): number {
  return binding().listenSeqpacket(socketPath);
}

/** Test support: accept4(CLOEXEC) on a listening fd, waiting at most `timeoutMs` (then ETIMEDOUT). Blocks the JS thread. */
export function acceptFd(listenFd: number, timeoutMs = 5000): number {
  return binding().acceptFd(listenFd, timeoutMs);
}

/** Bytes sent on the stream socket `fd` that the peer has not read yet (ioctl SIOCOUTQ). Throws a SystemError. */
export function unreadBytes(fd: number): number {
  return binding().unreadBytes(fd);
}

export interface SeqpacketSocketOptions {
  /** As for net.Socket: when false (default) the writable side ends itself once the peer's EOF has been read. */
  allowHalfOpen?: boolean;
}

/** What a sink sends: Docker's 8-byte multiplexed frames (`framed`) or the bare payloads (TTY), of the chosen streams. */
export interface SinkOptions {
  framed: boolean;
  stdout: boolean;
  stderr: boolean;
}

/** A native output pump from a SeqpacketSocket to a client socket (see `SeqpacketSocket.pipeToSocket`). */
export interface SocketPump {
  /** Resolves when the pump stops: undefined after EOF was read and everything was sent (or after close()), or
   * the send error (EPIPE, ECONNRESET: the client went away). */
  readonly done: Promise<SystemError | undefined>;
  /** Stops the pump at once, dropping what it still holds, and closes its dup of the fd. Idempotent. */
  close(): void;
}

interface PendingWrite {
  chunk: Buffer;
  offset: number;
  callback: (err?: Error | null) => void;
}

/**
 * A SOCK_SEQPACKET unix socket as a Duplex stream (for conmon's attach socket and sync pipes).
 *
 * - Readable side, object mode: each chunk is one Buffer holding exactly one packet. Reading starts on the first read.
 *   A native thread receives packets; when the stream's buffer is full it stops receiving, the kernel buffer fills and
 *   the peer's writes block. EOF and ECONNRESET (after any queued packets) end it; other errors destroy it.
 * - Writable side: Buffers or strings; each chunk is sent as packets of ≤ MAX_SEND_PACKET bytes, in order, never
 *   blocking the JS thread. Empty chunks are skipped (a zero-length packet reads as EOF). `end()` shuts down the
 *   sending direction once earlier writes are sent.
 * - `destroy()` stops the thread and closes the fd synchronously; writes still pending fail with ERR_STREAM_DESTROYED.
 * - An open socket keeps the process alive unless `unref()`ed.
 */
export class SeqpacketSocket extends Duplex {
  /**
   * Connects to the socket at `socketPath` (any length). Throws a SystemError naming the path: ENOENT, ECONNREFUSED,
   * EPROTOTYPE (not SOCK_SEQPACKET), ETIMEDOUT after blocking the JS thread 5 s on a listener whose backlog is full.
   */
  static connect(socketPath: string, options?: SeqpacketSocketOptions): SeqpacketSocket {
    const fd = binding().connectSeqpacket(socketPath);
    try {
      return new SeqpacketSocket(fd, options);
    } catch (err) {
      closeFd(fd);
      throw err;
    }
  }

  /** Wraps a connected SOCK_SEQPACKET fd and owns it from then on (closed on destroy). Throws ENOTSOCK / EPROTOTYPE for
   * other fds, which stay the caller's. */
  static fromFd(fd: number, options?: SeqpacketSocketOptions): SeqpacketSocket {
    return new SeqpacketSocket(fd, options);
  }

  #channel: Channel | null;
  #reading = false;
  #pumps = new Map<number, (err?: SystemError) => void>();
  #pending: PendingWrite | null = null;

  private constructor(fd: number, options: SeqpacketSocketOptions = {}) {
    super({ readableObjectMode: true, allowHalfOpen: options.allowHalfOpen ?? false });
    this.#channel = new (binding().Channel)(fd, (kind, payload, sizes) => this.#onEvent(kind, payload, sizes));
  }

  /** Ends the sending direction (shutdown SHUT_WR) after pending writes; reading continues. Same as `end()`. */
  shutdownWrite(): this {
    this.end();
    return this;
  }

  /** Same as `destroy()`. */
  close(): void {
    this.destroy();
  }

  ref(): this {
    this.#channel?.ref();
    return this;
  }

  unref(): this {
    this.#channel?.unref();
    return this;
  }

  /**
   * Pumps received packets straight to the connected stream socket `fd` (e.g. a hijacked HTTP connection's) from the
   * native I/O thread, framed per `o` — the bytes never reach JavaScript on that way. Packets are still delivered to
   * this stream's readers as well. While the client socket is full no packet is read (flow control), and EOF reaches
   * readers only after every pump has sent everything. The pump writes through its own dup of `fd`, so the caller's
   * socket may be closed at any time. Throws a SystemError: EBADF once destroyed, ENOTSOCK/EPROTOTYPE for other fds.
   */
  pipeToSocket(fd: number, o: SinkOptions): SocketPump {
    const channel = this.#channel;
    if (!channel) throw Object.assign(new Error('EBADF: the socket is destroyed, pipeToSocket'), { code: 'EBADF', errno: -9, syscall: 'pipeToSocket' });
    const id = channel.addSink(fd, o.framed, o.stdout, o.stderr);
    let settle!: (err?: SystemError) => void;
    const done = new Promise<SystemError | undefined>((resolve) => {
      settle = (err) => { this.#pumps.delete(id); resolve(err); };
    });
    this.#pumps.set(id, settle);
    return {
      done,
      close: () => {
        if (!this.#pumps.has(id)) return;
        this.#channel?.removeSink(id);
        settle();
      },
    };
  }

  /** PACKET carries one packet, or a batch of packets back to back with their sizes. */
  #onEvent(kind: EventKind, payload?: Buffer | SystemError, extra?: number[] | number): void {
    if (kind === SINK_DONE) return this.#pumps.get(extra as number)?.(payload as SystemError | undefined);
    if (this.destroyed) return;
    const sizes = extra as number[] | undefined;
    switch (kind) {
      case PACKET: {
        const buf = payload as Buffer;
        let more = true;
        if (!sizes) more = this.push(buf);
        else for (let i = 0, at = 0; i < sizes.length; at += sizes[i], i++) more = this.push(buf.subarray(at, at + sizes[i]));
        if (!more && this.#reading) {
          this.#reading = false;
          this.#channel?.pause();
        }
        break;
      }
      case END:
        this.push(null);
        break;
      case ERROR:
        this.destroy(payload as SystemError);
        break;
      case WRITABLE:
        this.#flush();
        break;
    }
  }

  override _read(): void {
    if (!this.#reading && this.#channel) {
      this.#reading = true;
      this.#channel.resume();
    }
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (err?: Error | null) => void): void {
    if (chunk.length === 0) return callback();
    this.#pending = { chunk, offset: 0, callback };
    this.#flush();
  }

  #flush(): void {
    const pending = this.#pending;
    if (!pending || !this.#channel) return;
    try {
      pending.offset = this.#channel.send(pending.chunk, pending.offset);
    } catch (err) {
      this.#pending = null;
      return pending.callback(err as Error);
    }
    if (pending.offset < pending.chunk.length) return this.#channel.waitWritable();
    this.#pending = null;
    pending.callback();
  }

  override _final(callback: (err?: Error | null) => void): void {
    try {
      this.#channel?.shutdownWrite();
      callback();
    } catch (err) {
      callback(err as Error);
    }
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    const channel = this.#channel;
    this.#channel = null;
    channel?.close();
    for (const settle of [...this.#pumps.values()]) settle();
    const pending = this.#pending;
    this.#pending = null;
    if (pending) pending.callback(Object.assign(new Error('write after the socket was destroyed'), { code: 'ERR_STREAM_DESTROYED' }));
    callback(err);
  }
}
