// conmon 2.1.x command lines, as libpod builds them (reference/conmon.md §1).
// Pure functions: unit-tested without conmon.

export interface ConmonCommon {
  /** container id (also for exec: conmon names the exit file after it) */
  cid: string;
  /** -u: the container id, or the exec session id */
  cuuid: string;
  runtimePath: string;
  /** global runtime flags (e.g. --root DIR), passed as --runtime-arg before the subcommand */
  runtimeArgs: string[];
  bundle: string;
  pidFile: string;
  name: string;
  exitDir: string;
  /** where the runtime writes its JSON error log (oci-log); undefined = none */
  ociLog?: string;
  logLevel?: 'error' | 'warn' | 'info' | 'debug';
  terminal: boolean;
  stdin: boolean;
}

export interface ConmonCreateArgs extends ConmonCommon {
  logPath: string;
  logSizeMax?: number;
  conmonPidFile: string;
  /** restore from a checkpoint directory instead of creating */
  restoreFrom?: string;
  /** runtime options appended after the subcommand's own (e.g. --tcp-established for restore) */
  runtimeOpts?: string[];
  /** argv conmon runs once the container has exited (also after a failed create): `--exit-command` + args */
  exitCommand?: string[];
}

export interface ConmonExecArgs extends ConmonCommon {
  processSpec: string;
  conmonPidFile?: string;
}

function shared(a: ConmonCommon): string[] {
  const out = ['--api-version', '1', '-c', a.cid, '-u', a.cuuid, '-r', a.runtimePath, '-b', a.bundle, '-p', a.pidFile, '-n', a.name, '--exit-dir', a.exitDir, '--full-attach'];
  for (const r of a.runtimeArgs) out.push('--runtime-arg', r);
  if (a.ociLog) out.push('--runtime-arg', '--log-format=json', '--runtime-arg', '--log', `--runtime-arg=${a.ociLog}`);
  out.push('--log-level', a.logLevel ?? 'error');
  return out;
}

/** argv for creating (or restoring) a container through conmon. -t and -i are never both passed. */
export function createArgs(a: ConmonCreateArgs): string[] {
  const out = shared(a);
  out.push('-l', `k8s-file:${a.logPath}`);
  if (a.logSizeMax && a.logSizeMax > 0) out.push('--log-size-max', String(a.logSizeMax));
  if (a.terminal) out.push('-t');
  else if (a.stdin) out.push('-i');
  out.push('--conmon-pidfile', a.conmonPidFile);
  if (a.restoreFrom) out.push('--restore', a.restoreFrom);
  for (const o of a.runtimeOpts ?? []) out.push('--runtime-opt', o);
  if (a.exitCommand?.length) {
    out.push('--exit-command', a.exitCommand[0]);
    for (const arg of a.exitCommand.slice(1)) out.push('--exit-command-arg', arg);
  }
  return out;
}

/** argv for an exec session: logs off (-l none), attach pipe handshake (--exec-attach). */
export function execArgs(a: ConmonExecArgs): string[] {
  const out = shared(a);
  out.push('-l', 'none');
  if (a.terminal) out.push('-t');
  else if (a.stdin) out.push('-i');
  if (a.conmonPidFile) out.push('--conmon-pidfile', a.conmonPidFile);
  out.push('-e', '--exec-attach', '--exec-process-spec', a.processSpec);
  return out;
}

/** Environment for conmon: pipes on fds 3 (sync), 4 (start) and, for exec, 5 (attach). */
export function conmonEnv(base: NodeJS.ProcessEnv, exec: boolean): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of ['PATH', 'HOME', 'XDG_RUNTIME_DIR', 'LANG', 'TMPDIR']) if (base[k]) env[k] = base[k] as string;
  for (const [k, v] of Object.entries(base)) if ((k.startsWith('LC_') || k.startsWith('CONTAINERS_')) && v) env[k] = v;
  if (!env.PATH) env.PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
  env._OCI_SYNCPIPE = '3';
  env._OCI_STARTPIPE = '4';
  if (exec) env._OCI_ATTACHPIPE = '5';
  return env;
}
