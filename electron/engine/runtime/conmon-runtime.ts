// ConmonRuntime: the port of libpod's conmon OCI runtime. Launches conmon (which runs
// runc/crun and stays as the container's monitor) and calls the runtime directly for
// start/kill/pause/resume/delete/state. Knows nothing of images, stores or UI.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createArgs, conmonEnv, execArgs, type ConmonCreateArgs, type ConmonExecArgs } from '../conmon/args';
import { parseOciLog } from '../conmon/sync';
import { resizeMessage, writeCtl } from '../conmon/ctl';
import { run, runChecked, spawnDetached, CommandError, type RunResult, type SpawnedChild } from './proc';
import { makePipes, parentExit, signalStart, type ConmonPipes } from './pipes';
import type { RuntimeInfo } from './discovery';
import { cgroupPolicy, requireCgroups } from './rootless';
import { killConmon, leftoverConmon, runtimeHasState, waitCreateDone } from './leftover';
import { moveToConmonCgroup } from './conmon-cgroup';
import { startByFifo } from './exec-fifo';

export interface OciState { id: string; pid: number; status: 'created' | 'running' | 'paused' | 'stopped' | string; bundle: string }

/** Where one container's files live. */
export interface ContainerPaths {
  id: string;
  name: string;
  /** the bundle: config.json, attach, ctl, winsz, ctr.log */
  bundle: string;
  /** run dir: pidfile, conmon.pid, oci-log */
  runDir: string;
  logPath: string;
  terminal: boolean;
  stdin: boolean;
}

export interface RuntimeOptions {
  /** runtime state dir (runc --root) */
  runtimeRoot: string;
  exitDir: string;
  logSizeMax?: number;
  /** sync pipe timeout (libpod: 240 s) */
  syncTimeoutMs?: number;
  /** runc --rootless true: inside Pier's user namespace, no cgroups of its own (see rootless.ts) */
  rootless?: boolean;
  /** conmon's exit command for a container (see exit-command.ts); none when undefined */
  exitCommand?: (id: string) => string[];
}

/** `runtime checkpoint` options (runc's flags). */
export interface DumpOptions {
  imagePath: string;
  workPath: string;
  leaveRunning?: boolean;
  tcpEstablished?: boolean;
  fileLocks?: boolean;
  preDump?: boolean;
  /** relative to imagePath, e.g. `../pre-checkpoint` */
  parentPath?: string;
}

export interface CreateExtra { restoreFrom?: string; runtimeOpts?: string[]; extraFds?: number[] }

/** A conmon waiting for its start byte (ConmonRuntime.launch). */
export interface PendingCreate {
  /** sends the start byte; resolves with the container's PID and conmon's once the runtime created it */
  go(): Promise<{ pid: number; conmonPid: number }>;
  /** kills the waiting conmon (nothing was created yet) */
  abort(): Promise<void>;
}

export class RuntimeError extends Error {
  constructor(message: string, readonly code: string) { super(message); this.name = 'RuntimeError'; }
}

export class ConmonRuntime {
  constructor(readonly info: RuntimeInfo, readonly opts: RuntimeOptions) {}

  get runtimePath(): string { return this.info.runtime.path; }
  /** global flags every runtime call (and conmon's) carries */
  get globalArgs(): string[] {
    const a = ['--root', this.opts.runtimeRoot];
    if (this.opts.rootless && this.info.runtime.name === 'runc') a.push('--rootless', 'true');
    if (this.info.criu?.works && this.info.runtime.name === 'runc') a.push('--criu', this.info.criu.path);
    return a;
  }

  private rt(args: string[]) { return run(this.runtimePath, [...this.globalArgs, ...args], { timeoutMs: 60_000 }); }
  private rtChecked(args: string[]) { return runChecked(this.runtimePath, [...this.globalArgs, ...args], { timeoutMs: 60_000 }); }

  /**
   * Creates the container through conmon (or restores it from a checkpoint dir).
   * On failure nothing is left behind: runtime state deleted, run dir cleaned.
   * Returns the container's PID and conmon's PID.
   */
  async create(c: ContainerPaths, extra: CreateExtra = {}): Promise<{ pid: number; conmonPid: number }> {
    return (await this.launch(c, extra)).go();
  }

  /**
   * The first half of create: conmon is spawned and moved out of the engine's cgroup, and waits for its start
   * byte; the bundle (config.json, rootfs) may be made meanwhile. `go()` sends the byte and finishes the create
   * (as create()); `abort()` ends the waiting conmon instead, before it did anything. One of the two must be called.
   */
  async launch(c: ContainerPaths, extra: CreateExtra = {}): Promise<PendingCreate> {
    await mkdir(c.runDir, { recursive: true });
    const ociLog = path.join(c.runDir, 'oci-log');
    await writeFile(ociLog, '');
    const a: ConmonCreateArgs = {
      cid: c.id, cuuid: c.id, runtimePath: this.runtimePath, runtimeArgs: this.globalArgs, bundle: c.bundle,
      pidFile: path.join(c.runDir, 'pidfile'), name: c.name, exitDir: this.opts.exitDir,
      ociLog: this.info.runtime.jsonLog ? ociLog : undefined, terminal: c.terminal, stdin: c.stdin,
      logPath: c.logPath, logSizeMax: this.opts.logSizeMax, conmonPidFile: path.join(c.runDir, 'conmon.pid'),
      restoreFrom: extra.restoreFrom, runtimeOpts: extra.runtimeOpts, exitCommand: this.opts.exitCommand?.(c.id),
    };
    const pipes = makePipes(false);
    let child: SpawnedChild;
    try {
      child = spawnDetached(this.info.conmon.path, createArgs(a), { env: conmonEnv(process.env, false), cwd: c.bundle, fds: [...pipes.childFds, ...(extra.extraFds ?? [])] });
    } catch (err) {
      pipes.close();
      throw err;
    }
    const exited = parentExit(child);
    pipes.releaseChildEnds();
    const moved = this.leaveEngineCgroup(child.pid);
    let done = false;
    const go = async (): Promise<{ pid: number; conmonPid: number }> => {
      if (done) throw new Error(`create ${c.name}: conmon was already started or aborted`);
      done = true;
      try {
        await moved;
        signalStart(pipes.start);
        const parent = await exited;
        if (parent.code !== 0) throw new RuntimeError(`conmon failed for container ${c.name}: ${parent.output.trim() || 'exit ' + parent.code}`, 'ECONMON');
        const msg = await pipes.sync.next(this.opts.syncTimeoutMs ?? 240_000, `create ${c.name}`);
        if (!msg || msg.data < 0) {
          const reason = parseOciLog(await readFile(ociLog, 'utf8').catch(() => '')) ?? msg?.message?.trim() ?? 'the OCI runtime failed without a message';
          throw new RuntimeError(`cannot ${extra.restoreFrom ? 'restore' : 'create'} container ${c.name}: ${reason}`, classify(reason));
        }
        // the container exists now: nothing about conmon's pidfile may undo that (the seed only warns)
        const conmonPid = (await readPidFile(a.conmonPidFile)) ?? (await parentConmon(msg.data)) ?? 0;
        return { pid: msg.data, conmonPid };
      } catch (err) {
        await this.rt(['delete', '--force', c.id]).catch(() => undefined);
        await rm(path.join(this.opts.exitDir, c.id), { force: true });
        throw err;
      } finally {
        pipes.close();
      }
    };
    const abort = async (): Promise<void> => {
      if (done) return;
      done = true;
      // conmon reads its start pipe before anything else: killed now, it leaves nothing behind
      child.kill('SIGKILL');
      await Promise.all([moved, exited.catch(() => undefined)]);
      pipes.close();
    };
    return { go, abort };
  }

  /**
   * Launches conmon for an exec session (`conmon --exec --exec-attach`) with the exec pipes
   * from makePipes(true), and resolves once conmon's parent exited (its monitor runs on,
   * detached). The caller then drives the pipes: attach-ready, start, sync (sessions/exec.ts).
   * Rejects with ECONMON when conmon itself failed.
   */
  async launchExec(a: Omit<ConmonExecArgs, 'runtimePath' | 'runtimeArgs'>, pipes: ConmonPipes, cwd: string): Promise<void> {
    const argv = execArgs({ ...a, runtimePath: this.runtimePath, runtimeArgs: this.globalArgs });
    const child = spawnDetached(this.info.conmon.path, argv, { env: conmonEnv(process.env, true), cwd, fds: pipes.childFds });
    const parent = parentExit(child);
    pipes.releaseChildEnds();
    await this.leaveEngineCgroup(child.pid);
    signalStart(pipes.start);
    const p = await parent;
    if (p.code !== 0) throw new RuntimeError(`conmon failed to exec in container ${a.name}: ${p.output.trim() || 'exit ' + p.code}`, 'ECONMON');
  }

  /** conmon out of the engine's cgroup before its start byte (see conmon-cgroup.ts); rootful engines only. */
  private async leaveEngineCgroup(pid: number | undefined): Promise<void> {
    if (!pid || this.opts.rootless) return;
    const errors = await moveToConmonCgroup(pid);
    if (errors.length && !this.cgroupWarned) {
      this.cgroupWarned = true;
      process.stderr.write(`pier: conmon stays in the engine's cgroup (${errors.join('; ')})\n`);
    }
  }
  private cgroupWarned = false;

  /** Starts a created container; `initPid` (its PID from create) lets runc's own start be done in-process. */
  async start(id: string, name = id, initPid?: number): Promise<void> {
    if (initPid && this.info.runtime.name === 'runc') {
      const how = await startByFifo(path.join(this.opts.runtimeRoot, id), initPid).catch((e: Error) => {
        throw new RuntimeError(`cannot start container ${name}: ${e.message}`, 'ERUNTIME');
      });
      if (how === 'started') return;
    }
    const r = await this.rt(['start', id]);
    if (r.code !== 0) throw new RuntimeError(`cannot start container ${name}: ${runtimeMessage(r.stderr)}`, classify(r.stderr));
  }

  /** Sends a signal (number or name). all = every process in the container. */
  async kill(id: string, signal: number | string, all = false): Promise<void> {
    const sig = typeof signal === 'number' ? String(signal) : signal.replace(/^SIG/, '');
    // `kill --all` finds the processes through the container's cgroup; without one (rootless on cgroup v1)
    // it signals nothing. The container's PID 1 gets it instead: when it ends, the kernel ends the rest.
    if (all && this.opts.rootless && !cgroupPolicy().available) all = false;
    const r = await this.rt(['kill', ...(all ? ['--all'] : []), id, sig]);
    if (r.code !== 0) throw new RuntimeError(`cannot send signal ${signal} to container ${id}: ${runtimeMessage(r.stderr)}`, 'EKILL');
  }

  async pause(id: string): Promise<void> {
    if (this.opts.rootless) requireCgroups('pause');
    await this.rtChecked(['pause', id]).catch(wrap(`pause ${id}`));
  }
  async resume(id: string): Promise<void> {
    if (this.opts.rootless) requireCgroups('unpause');
    await this.rtChecked(['resume', id]).catch(wrap(`unpause ${id}`));
  }

  /** Changes a running container's cgroup limits (OCI linux.resources JSON on stdin). */
  async update(id: string, resources: Record<string, unknown>): Promise<void> {
    const r = await run(this.runtimePath, [...this.globalArgs, 'update', '--resources', '-', id], { input: JSON.stringify(resources), timeoutMs: 60_000 });
    if (r.code !== 0) throw new RuntimeError(`cannot update container ${id}: ${runtimeMessage(r.stderr)}`, classify(r.stderr));
  }

  /**
   * Dumps the container with CRIU (`runtime checkpoint`). Resolves with the runtime's result, whatever its exit:
   * the caller explains a failure with CRIU's dump.log in workPath.
   */
  checkpoint(id: string, o: DumpOptions): Promise<RunResult> {
    const a = ['checkpoint', '--image-path', o.imagePath, '--work-path', o.workPath];
    if (o.leaveRunning && !o.preDump) a.push('--leave-running');
    if (o.tcpEstablished) a.push('--tcp-established');
    if (o.fileLocks) a.push('--file-locks');
    if (o.preDump) a.push('--pre-dump');
    if (o.parentPath) a.push('--parent-path', o.parentPath);
    return run(this.runtimePath, [...this.globalArgs, ...a, id], { timeoutMs: 300_000 });
  }

  /**
   * Deletes the runtime's container; force also kills. Missing containers are fine. Resolves only once the runtime
   * holds nothing for `id` (its state dir is gone), else throws with the runtime's reason: runc exits 0 even when
   * it could not destroy the container (its warning is the only trace), so its exit code proves nothing.
   */
  async delete(id: string, force = true): Promise<void> {
    const r = await this.rt(['delete', ...(force ? ['--force'] : []), id]);
    if (!this.hasState(id)) return;
    const why = r.code !== 0 || r.stderr.trim() ? runtimeMessage(r.stderr) : 'its state remains';
    throw new RuntimeError(`cannot delete container ${id} from the runtime: ${why}`, 'ERUNTIME');
  }

  /** Whether the runtime holds state for `id` (a container it created and has not deleted). */
  hasState(id: string): boolean { return runtimeHasState(this.opts.runtimeRoot, id); }

  /**
   * Removes what a create cut short left for `id` (the record never learnt of it): its conmon (named by
   * `<runDir>/conmon.pid`, checked to be conmon for `id`), the runtime container with its state and cgroup
   * (`delete --force`, after a `create` still running under that conmon has finished) and the exit file.
   * Returns whether anything was there; throws (as delete) when the runtime's state remains.
   */
  async discard(id: string, runDir: string): Promise<boolean> {
    const conmon = await leftoverConmon(runDir, id);
    if (!conmon && !this.hasState(id)) return false;
    if (conmon) await waitCreateDone(conmon, path.basename(this.runtimePath).slice(0, 15));
    try { await this.delete(id, true); } finally { if (conmon) await killConmon(conmon); }
    await rm(path.join(this.opts.exitDir, id), { force: true });
    return true;
  }

  /**
   * The runtime's view; undefined only when the runtime says the container does not exist. Any other failure
   * (unreadable state, runtime crash, garbage output) throws: it says nothing about whether the container lives.
   */
  async state(id: string): Promise<OciState | undefined> {
    const r = await this.rt(['state', id]);
    if (r.code !== 0) {
      if (/container does not exist|container ".*" does not exist|not found/i.test(r.stderr)) return undefined;
      throw new RuntimeError(`cannot read the runtime's state of container ${id}: ${runtimeMessage(r.stderr) || 'exit ' + r.code}`, 'ERUNTIME');
    }
    try { return JSON.parse(r.stdout) as OciState; } catch {
      throw new RuntimeError(`cannot read the runtime's state of container ${id}: unreadable output ${JSON.stringify(r.stdout.slice(0, 200))}`, 'ERUNTIME');
    }
  }

  /** Resize through conmon's ctl FIFO (one message per write). */
  async resize(bundleOrExecDir: string, rows: number, cols: number): Promise<void> {
    await writeCtl(path.join(bundleOrExecDir, 'ctl'), resizeMessage(rows, cols));
  }

  runtimeInfo(): RuntimeInfo { return this.info; }
}

/** A pidfile's PID, or undefined when it is missing, unreadable or not a positive integer. */
export async function readPidFile(file: string): Promise<number | undefined> {
  const text = (await readFile(file, 'utf8').catch(() => '')).trim();
  if (!/^[1-9]\d{0,9}$/.test(text)) return undefined;
  const pid = Number(text);
  return pid <= 0x3fffffff ? pid : undefined;
}

/** The conmon that parents container process `pid` (conmon is the runtime's subreaper), if it is one. */
export async function parentConmon(pid: number): Promise<number | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  return Number.isInteger(ppid) && ppid > 1 && (await checkConmonRunning(ppid)) ? ppid : undefined;
}

/** conmon is alive iff its PID exists and is a conmon process. */
export async function checkConmonRunning(pid: number | undefined): Promise<boolean> {
  if (!pid || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch { return false; }
  try {
    const comm = (await readFile(`/proc/${pid}/comm`, 'utf8')).trim();
    if (comm !== 'conmon') return false;
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return !/\) Z /.test(stat); // a zombie is not running
  } catch { return false; }
}

/** The runtime's message: a logrus `msg="…"` field (escaped quotes kept as quotes), else the last line. */
export function runtimeMessage(stderr: string): string {
  const text = stderr.trim();
  const m = text.match(/msg="((?:[^"\\]|\\.)*)"/);
  return (m ? m[1].replace(/\\(.)/g, '$1') : text.split('\n').filter(Boolean).pop()) ?? 'unknown error';
}

/** libpod's classification of runtime errors. */
export function classify(msg: string): string {
  if (/permission denied|operation not permitted/i.test(msg)) return 'EPERM';
  if (/executable file not found in|no such file or directory/i.test(msg)) return 'ENOEXEC';
  return 'ERUNTIME';
}

function wrap(what: string) {
  return (e: unknown) => {
    const msg = e instanceof CommandError ? runtimeMessage(e.result.stderr) : (e as Error).message;
    throw new RuntimeError(`cannot ${what}: ${msg}`, 'ERUNTIME');
  };
}
