// Sessions: live streams onto a container's main process (attach), a process started
// in it (exec) or a host shell (node-pty). Sessions belong to the engine; viewers
// (terminal tabs, browser tabs, API clients) come and go without ending them.
import type { SessionInfo } from '../../common/contract';

export type StreamTag = 'stdout' | 'stderr';

export interface Viewer {
  /** Bytes this viewer has consumed; when a viewer lags more than the high watermark the session pauses its source. */
  ack(bytes: number): void;
  /** Stops delivery to this viewer; never ends the session. */
  close(): void;
}

export interface WatchOptions {
  /** deliver the bounded scrollback first (default true) */
  scrollback?: boolean;
  /** this viewer does flow control through ack() (default false: no ack needed, never pauses the source) */
  flowControl?: boolean;
}

/** Output pumped natively into a client socket (attach through the API): see Session.pipeTo. */
export interface OutputPump {
  /** undefined once everything up to EOF was sent (or after close()); the send error when the client went away */
  readonly done: Promise<Error | undefined>;
  /** stops at once (dropping what it holds) */
  close(): void;
}

export interface PumpOptions {
  /** Docker's 8-byte multiplexed frames (non-TTY) or bare output (TTY) */
  framed: boolean;
  stdout: boolean;
  stderr: boolean;
}

export interface Session {
  readonly id: string;
  info(): SessionInfo;
  /** Scrollback (and onEnd, for an ended session) is delivered synchronously, before watch() returns. */
  watch(onData: (chunk: Buffer, stream: StreamTag) => void, onEnd: (exitCode?: number) => void, opts?: WatchOptions): Viewer;
  /**
   * Where offered: sends the output from now on straight to the connected stream socket `fd` without passing it
   * through JavaScript, with flow control (no output is read while the client lags). The session ends (watchers'
   * onEnd) only after the pump has sent everything. Throws when the session cannot pump (then use watch()).
   */
  pipeTo?(fd: number, o: PumpOptions): OutputPump;
  write(data: Buffer | string): Promise<void>;
  /** half-close stdin (EOF to the process) */
  closeStdin(): Promise<void>;
  resize(rows: number, cols: number): Promise<void>;
  /** Ends the session: detaches (attach), kills the process (exec, host). */
  close(): Promise<void>;
  /** Engine shutdown: lets go without ending the process (exec); absent where the process cannot outlive Pier. */
  detach?(): void;
  /** Resolves with the exit code when the process ends (attach: the container's exit). */
  readonly exited: Promise<number | undefined>;
}

export interface ExecOptions {
  cmd: string[];
  tty?: boolean;
  stdin?: boolean;
  env?: string[];
  cwd?: string;
  user?: string;
  rows?: number;
  cols?: number;
  /** connect to conmon's attach socket (false = detached exec, output discarded) */
  attach?: boolean;
}

export interface SessionManager {
  attach(ref: string, opts?: { rows?: number; cols?: number; detachKeys?: string; logs?: boolean }): Promise<Session>;
  exec(ref: string, opts: ExecOptions): Promise<Session>;
  host(opts?: { rows?: number; cols?: number }): Promise<Session>;
  get(id: string): Session;
  list(): SessionInfo[];
}
