// Supervision: restart policies and healthchecks, on top of the lifecycle service and exec sessions.
// Contracts:
// - restart: a container that exits on its own is started again per its policy (no, always, on-failure[:N],
//   unless-stopped) after Docker's backoff (100 ms doubling to 1 min, back to 100 ms after a run of 10 s or
//   more); a stop or kill by the user is never undone until the next engine start (where `always` comes back,
//   `unless-stopped` does not). RestartCount counts policy restarts since the user last started it.
// - health: one timer per container with a healthcheck, none otherwise; the first probe runs one interval after
//   start; a probe is an exec session with the check's timeout; `health_status` is published on changes only.
import type { EventBus } from '../events';
import type { SessionManager } from '../sessions/types';
import type { ContainerRecord, HealthProbe, HealthState } from '../store/types';
import type { Containers } from './service';
import { isLive } from './states';
import { goDuration, HEALTH_DEFAULTS, HEALTH_LOG_MAX, HEALTH_OUTPUT_MAX, probeArgv } from './healthcheck-config';

const BACKOFF_START_MS = 100;
const BACKOFF_MAX_MS = 60_000;
/** A run at least this long resets the backoff. */
const BACKOFF_RESET_RUN_MS = 10_000;

/** Whether an exit should be followed by a restart under the container's policy. */
export function shouldRestart(r: ContainerRecord, exitCode: number, engineStart = false): boolean {
  const p = r.config.restartPolicy;
  if (!p || p.name === '' || p.name === 'no' || r.config.autoRemove) return false;
  if (r.state.stoppedByUser) return engineStart && p.name === 'always';
  if (p.name === 'on-failure') return exitCode !== 0 && (!p.maxRetries || (r.state.restartCount ?? 0) < p.maxRetries);
  return true;
}

/** Docker's restart backoff: the next delay after a run of `ranMs` that followed a delay of `prevMs`. */
export function nextBackoff(prevMs: number | undefined, ranMs: number): number {
  if (prevMs === undefined || ranMs >= BACKOFF_RESET_RUN_MS) return BACKOFF_START_MS;
  return Math.min(prevMs * 2, BACKOFF_MAX_MS);
}

export class Supervisor {
  private restartTimers = new Map<string, NodeJS.Timeout>();
  private backoff = new Map<string, number>();
  private healthTimers = new Map<string, NodeJS.Timeout>();
  private off?: () => void;

  constructor(private readonly containers: Containers, private readonly sessions: SessionManager,
    private readonly events: EventBus) {}

  /** Subscribes to lifecycle events and applies policies to what the engine found at start. */
  async start(): Promise<void> {
    this.off = this.events.subscribe((e) => {
      if (e.type !== 'container') return;
      if (e.action === 'started' || e.action === 'restored') this.onStarted(e.id);
      else if (e.action === 'exited') this.onExited(e.id, e.exitCode ?? 0);
      else if (e.action === 'removed' || e.action === 'stopped') this.cancel(e.id);
    });
    for (const r of this.containers.d.store.list()) {
      if (r.state.status === 'running' && r.config.healthcheck) this.scheduleProbe(r.id, this.interval(r));
      if (r.state.status === 'exited' && (r.state.restarting || shouldRestart(r, r.state.exitCode ?? 0, true))) {
        this.restartNow(r.id, true);
      }
    }
  }

  close(): void {
    this.off?.();
    for (const t of [...this.restartTimers.values(), ...this.healthTimers.values()]) clearTimeout(t);
    this.restartTimers.clear();
    this.healthTimers.clear();
  }

  private cancel(id: string): void {
    clearTimeout(this.restartTimers.get(id));
    this.restartTimers.delete(id);
    clearTimeout(this.healthTimers.get(id));
    this.healthTimers.delete(id);
  }

  private onStarted(id: string): void {
    clearTimeout(this.restartTimers.get(id));
    this.restartTimers.delete(id);
    const r = this.containers.d.store.find(id);
    if (r?.config.healthcheck) this.scheduleProbe(id, this.interval(r));
  }

  private onExited(id: string, exitCode: number): void {
    clearTimeout(this.healthTimers.get(id));
    this.healthTimers.delete(id);
    const r = this.containers.d.store.find(id);
    if (!r || !shouldRestart(r, exitCode)) return;
    const ran = r.state.startedAt && r.state.finishedAt ? Date.parse(r.state.finishedAt) - Date.parse(r.state.startedAt) : 0;
    const delay = nextBackoff(this.backoff.get(id), ran);
    this.backoff.set(id, delay);
    this.containers.updateState(id, (s) => { s.restarting = true; }).catch(() => undefined);
    this.restartTimers.set(id, setTimeout(() => this.restartNow(id), delay));
  }

  private restartNow(id: string, atEngineStart = false): void {
    this.restartTimers.delete(id);
    this.containers.startByPolicy(id, atEngineStart).catch(async (e) => {
      await this.containers.updateState(id, (s) => {
        s.restarting = false;
        s.error = `restart policy: ${(e as Error).message}`;
      }).catch(() => undefined);
    });
  }

  private interval(r: ContainerRecord): number {
    return r.config.healthcheck?.intervalMs ?? HEALTH_DEFAULTS.intervalMs;
  }

  private scheduleProbe(id: string, delayMs: number): void {
    clearTimeout(this.healthTimers.get(id));
    this.healthTimers.set(id, setTimeout(() => { this.probe(id).catch(() => undefined); }, delayMs));
  }

  private async probe(id: string): Promise<void> {
    const r = this.containers.d.store.find(id);
    const h = r?.config.healthcheck;
    if (!r || !h || r.state.status === 'exited' || r.state.status === 'removing') return;
    if (r.state.status === 'running') {
      const result = await this.runProbe(id, probeArgv(h), h.timeoutMs ?? HEALTH_DEFAULTS.timeoutMs);
      await this.record(r, result);
    }
    if (this.containers.d.store.find(id)?.state.status === 'running' || r.state.status === 'paused') {
      this.scheduleProbe(id, this.interval(r));
    }
  }

  private async runProbe(id: string, argv: string[], timeoutMs: number): Promise<HealthProbe> {
    const start = new Date().toISOString();
    let output = '';
    let session;
    try {
      session = await this.sessions.exec(id, { cmd: argv, attach: true });
    } catch (e) {
      return { start, end: new Date().toISOString(), exitCode: -1, output: (e as Error).message };
    }
    const viewer = session.watch((chunk) => {
      if (output.length < HEALTH_OUTPUT_MAX) output = (output + chunk.toString()).slice(0, HEALTH_OUTPUT_MAX);
    }, () => undefined);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), timeoutMs); });
    const code = await Promise.race([session.exited, timedOut]);
    clearTimeout(timer);
    viewer.close();
    if (code === 'timeout') {
      await session.close().catch(() => undefined);
      return { start, end: new Date().toISOString(), exitCode: -1,
        output: `Health check exceeded timeout (${goDuration(timeoutMs)})` };
    }
    return { start, end: new Date().toISOString(), exitCode: code ?? -1, output };
  }

  private async record(r: ContainerRecord, probe: HealthProbe): Promise<void> {
    const h = r.config.healthcheck!;
    let changed: HealthState['status'] | undefined;
    await this.containers.updateState(r.id, (s) => {
      if (!isLive(s.status)) return;
      const cur: HealthState = s.health ?? { status: 'starting', failingStreak: 0, log: [] };
      const log = [...cur.log, probe].slice(-HEALTH_LOG_MAX);
      const inStartPeriod = Date.now() - Date.parse(s.startedAt ?? '') < (h.startPeriodMs ?? 0);
      let next: HealthState;
      if (probe.exitCode === 0) next = { status: 'healthy', failingStreak: 0, log };
      else if (inStartPeriod && cur.status === 'starting') next = { ...cur, log };
      else {
        const streak = cur.failingStreak + 1;
        const unhealthy = streak >= (h.retries ?? HEALTH_DEFAULTS.retries);
        next = { status: unhealthy ? 'unhealthy' : cur.status, failingStreak: streak, log };
      }
      if (next.status !== cur.status) changed = next.status;
      s.health = next;
    });
    if (changed) this.containers.emitHealth(r.id, changed);
  }
}
