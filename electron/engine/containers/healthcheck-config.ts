// Healthcheck and restart-policy configuration: Docker's wire forms (nanoseconds, Test arrays) to Pier's
// (milliseconds), validation, and Docker's defaults. Pure.
import type { HealthcheckConfig, RestartPolicy } from '../../common/types';

/** Docker's defaults for fields left at 0. */
export const HEALTH_DEFAULTS = { intervalMs: 30_000, timeoutMs: 30_000, retries: 3, startPeriodMs: 0 };
/** Docker keeps the last five probe results. */
export const HEALTH_LOG_MAX = 5;
/** Probe output kept per result (Docker: 4 KiB). */
export const HEALTH_OUTPUT_MAX = 4096;

export interface DockerHealthcheck {
  Test?: string[] | null; Interval?: number | null; Timeout?: number | null; Retries?: number | null;
  StartPeriod?: number | null;
}

const NS_PER_MS = 1_000_000;

export function fromDockerHealthcheck(h: DockerHealthcheck): HealthcheckConfig {
  const ms = (ns?: number | null) => (ns ? Math.max(1, Math.round(ns / NS_PER_MS)) : undefined);
  return {
    test: [...(h.Test ?? [])], intervalMs: ms(h.Interval), timeoutMs: ms(h.Timeout),
    retries: h.Retries || undefined, startPeriodMs: ms(h.StartPeriod),
  };
}

/** Docker's form; like moby's (omitempty), zero fields are left out. */
export function toDockerHealthcheck(h: HealthcheckConfig): DockerHealthcheck {
  const out: DockerHealthcheck = {};
  if (h.test.length) out.Test = h.test;
  if (h.intervalMs) out.Interval = h.intervalMs * NS_PER_MS;
  if (h.timeoutMs) out.Timeout = h.timeoutMs * NS_PER_MS;
  if (h.retries) out.Retries = h.retries;
  if (h.startPeriodMs) out.StartPeriod = h.startPeriodMs * NS_PER_MS;
  return out;
}

/** A duration as Go prints it (300ms, 2s, 1.5s, 1m30s), the form Docker's messages use. */
export function goDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const m = Math.floor(ms / 60_000), s = (ms % 60_000) / 1000;
  return m ? `${m}m${s}s` : `${s}s`;
}

/** Throws a message naming the field when a healthcheck is malformed (Docker's rules). */
export function validateHealthcheck(h: HealthcheckConfig): void {
  const kind = h.test[0];
  if (h.test.length && !['NONE', 'CMD', 'CMD-SHELL'].includes(kind)) {
    throw new Error(`Healthcheck.Test: the first element must be NONE, CMD or CMD-SHELL (got "${kind}")`);
  }
  if ((kind === 'CMD' || kind === 'CMD-SHELL') && h.test.length < 2) throw new Error(`Healthcheck.Test: ${kind} needs a command`);
  for (const [k, v] of [['Interval', h.intervalMs], ['Timeout', h.timeoutMs], ['StartPeriod', h.startPeriodMs]] as const) {
    if (v !== undefined && v < 1) throw new Error(`Healthcheck.${k} must be at least 1ms`);
  }
  if (h.retries !== undefined && h.retries < 0) throw new Error('Healthcheck.Retries must not be negative');
}

/** The healthcheck a container runs: create's overrides the image's; NONE (or nothing) means none. */
export function effectiveHealthcheck(fromCreate?: HealthcheckConfig, fromImage?: HealthcheckConfig): HealthcheckConfig | undefined {
  const base = fromImage ?? { test: [] };
  const h = fromCreate
    ? { ...base, ...Object.fromEntries(Object.entries(fromCreate).filter(([, v]) => v !== undefined)) } as HealthcheckConfig
    : base;
  if (!fromCreate?.test.length && fromCreate) h.test = base.test;
  if (!h.test.length || h.test[0] === 'NONE') return undefined;
  return h;
}

/** The argv of a probe. */
export function probeArgv(h: HealthcheckConfig): string[] {
  return h.test[0] === 'CMD-SHELL' ? ['/bin/sh', '-c', h.test.slice(1).join(' ')] : h.test.slice(1);
}

const POLICIES = ['', 'no', 'always', 'on-failure', 'unless-stopped'];

export function validateRestartPolicy(p: RestartPolicy, autoRemove: boolean): void {
  if (!POLICIES.includes(p.name)) {
    throw new Error(`invalid restart policy "${p.name}": use no, always, on-failure[:N] or unless-stopped`);
  }
  if ((p.maxRetries ?? 0) < 0) throw new Error('restart policy: maximum retry count must not be negative');
  if (p.maxRetries && p.name !== 'on-failure') {
    throw new Error(`maximum retry count cannot be used with restart policy '${p.name}'`);
  }
  if (autoRemove && p.name !== '' && p.name !== 'no') {
    throw new Error("can't create 'AutoRemove' container with restart policy");
  }
}
