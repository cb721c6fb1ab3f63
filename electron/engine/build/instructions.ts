// Dockerfile instructions that only change the image config (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER,
// WORKDIR, VOLUME, STOPSIGNAL, HEALTHCHECK, SHELL, ONBUILD), parsed by dockerfile-ast. Shared by the builder
// and by `docker commit --change`. Pure.
import path from 'node:path';
import { DockerfileParser, type Instruction } from 'dockerfile-ast';
import type { OciImageConfig } from '../images/index';

export type ImageConfig = NonNullable<OciImageConfig['config']> & {
  OnBuild?: string[] | null;
  Shell?: string[];
};

export class DockerfileError extends Error {
  readonly code = 'EINVAL';
  constructor(message: string) { super(message); this.name = 'DockerfileError'; }
}

const CONFIG_KEYWORDS = new Set(['CMD', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'LABEL', 'USER', 'WORKDIR', 'VOLUME', 'STOPSIGNAL', 'HEALTHCHECK', 'SHELL', 'ONBUILD', 'MAINTAINER']);
export const isConfigInstruction = (kw: string) => CONFIG_KEYWORDS.has(kw);

/** Variable substitution as Docker does it for ENV, ARG, LABEL, WORKDIR, COPY, …: $V, ${V}, ${V:-d}, ${V:+a}, \$. */
export function expand(s: string, vars: (name: string) => string | undefined): string {
  return s.replace(/\\\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (m, braced?: string, op?: string, word?: string, bare?: string) => {
    if (m === '\\$') return '$';
    const name = braced ?? bare!;
    const v = vars(name);
    if (!op) return v ?? '';
    const set = op.startsWith(':') ? !!v : v !== undefined;
    if (op.endsWith('-')) return set ? v! : expand(word ?? '', vars);
    return set ? expand(word ?? '', vars) : '';
  });
}

/** Exec form (a JSON array of strings) or undefined for the shell form. */
export function jsonForm(content: string): string[] | undefined {
  const t = content.trim();
  if (!t.startsWith('[')) return undefined;
  try {
    const v: unknown = JSON.parse(t);
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  } catch { /* shell form that starts with [ */ }
  return undefined;
}

/** Go durations (1m30s, 500ms) as nanoseconds. */
export function duration(s: string, what: string): number {
  const m = /^((?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+)$/.exec(s);
  if (!m) throw new DockerfileError(`${what}: invalid duration "${s}"`);
  const unit: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
  let n = 0;
  for (const [, v, u] of s.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) n += Number(v) * unit[u];
  return Math.round(n);
}

export function shellOf(cfg: ImageConfig): string[] { return cfg.Shell?.length ? cfg.Shell : ['/bin/sh', '-c']; }

function setEnv(cfg: ImageConfig, k: string, v: string): void {
  const env = (cfg.Env ?? []).filter((e) => e.split('=')[0] !== k);
  env.push(`${k}=${v}`);
  cfg.Env = env;
}

export function envLookup(cfg: ImageConfig, extra: Record<string, string> = {}): (name: string) => string | undefined {
  return (name) => {
    const e = (cfg.Env ?? []).slice().reverse().find((x) => x.split('=')[0] === name);
    return e !== undefined ? e.slice(name.length + 1) : extra[name];
  };
}

function props(ins: Instruction): Array<{ name: string; value: string }> {
  const p = (ins as unknown as { getProperties?: () => Array<{ getName(): string; getValue(): string | null }> }).getProperties?.() ?? [];
  return p.map((x) => ({ name: x.getName(), value: x.getValue() ?? '' }));
}

function flags(ins: Instruction): Map<string, string> {
  const f = (ins as unknown as { getFlags?: () => Array<{ getName(): string; getValue(): string | null }> }).getFlags?.() ?? [];
  return new Map(f.map((x) => [x.getName(), x.getValue() ?? '']));
}

/** The instruction's arguments without its flags (dockerfile-ast keeps flags out of getArgumentsContent). */
export function argsText(ins: Instruction): string { return ins.getArgumentsContent() ?? ''; }

/**
 * Applies one config instruction. `vars` resolves build args and env for substitution. Returns false for
 * instructions that are not config-only. ENTRYPOINT leaves CMD alone here; the builder clears an inherited CMD.
 */
export function applyConfigInstruction(cfg: ImageConfig, ins: Instruction, vars: (name: string) => string | undefined): boolean {
  const kw = ins.getKeyword();
  const text = argsText(ins);
  const where = `${kw} ${text}`.trim();
  const x = (s: string) => expand(s, vars);
  switch (kw) {
    case 'CMD': case 'ENTRYPOINT': {
      const v = jsonForm(text) ?? (text.trim() ? [...shellOf(cfg), text] : []);
      if (kw === 'CMD') cfg.Cmd = v; else cfg.Entrypoint = v;
      return true;
    }
    case 'ENV': {
      const ps = props(ins);
      if (!ps.length) throw new DockerfileError(`${where}: ENV needs at least one NAME=VALUE`);
      for (const p of ps) setEnv(cfg, p.name, x(p.value));
      return true;
    }
    case 'LABEL': {
      const ps = props(ins);
      if (!ps.length) throw new DockerfileError(`${where}: LABEL needs at least one KEY=VALUE`);
      cfg.Labels = { ...(cfg.Labels ?? {}) };
      for (const p of ps) cfg.Labels[x(p.name)] = x(p.value);
      return true;
    }
    case 'MAINTAINER': return true;
    case 'EXPOSE': {
      cfg.ExposedPorts = { ...(cfg.ExposedPorts ?? {}) };
      for (const a of ins.getArguments()) {
        const v = x(a.getValue());
        if (!/^\d{1,5}(-\d{1,5})?(\/(tcp|udp|sctp))?$/i.test(v)) throw new DockerfileError(`${where}: invalid port "${v}"`);
        cfg.ExposedPorts[v.includes('/') ? v.toLowerCase() : `${v}/tcp`] = {};
      }
      return true;
    }
    case 'USER': cfg.User = x(text.trim()); return true;
    case 'WORKDIR': {
      const w = x(text.trim());
      if (!w) throw new DockerfileError('WORKDIR needs a path');
      cfg.WorkingDir = path.posix.resolve(cfg.WorkingDir || '/', w);
      return true;
    }
    case 'STOPSIGNAL': cfg.StopSignal = x(text.trim()); return true;
    case 'VOLUME': {
      const list = jsonForm(text) ?? ins.getArguments().map((a) => a.getValue());
      if (!list.length) throw new DockerfileError('VOLUME needs at least one path');
      cfg.Volumes = { ...(cfg.Volumes ?? {}) };
      for (const v of list) cfg.Volumes[x(v)] = {};
      return true;
    }
    case 'SHELL': {
      const v = jsonForm(text);
      if (!v?.length) throw new DockerfileError(`${where}: SHELL requires the exec form, e.g. SHELL ["/bin/sh", "-c"]`);
      cfg.Shell = v;
      return true;
    }
    case 'HEALTHCHECK': {
      const f = flags(ins);
      const words = text.trim();
      if (/^NONE$/i.test(words)) { cfg.Healthcheck = { Test: ['NONE'] }; return true; }
      const m = /^CMD\s+([\s\S]*)$/i.exec(words);
      if (!m) throw new DockerfileError(`${where}: HEALTHCHECK takes NONE or CMD …`);
      const exec = jsonForm(m[1]);
      const hc: { Test: string[]; Interval?: number; Timeout?: number; StartPeriod?: number; Retries?: number } = { Test: exec ? ['CMD', ...exec] : ['CMD-SHELL', m[1]] };
      for (const [k, v] of f) {
        if (k === 'interval') hc.Interval = duration(v, `HEALTHCHECK --${k}`);
        else if (k === 'timeout') hc.Timeout = duration(v, `HEALTHCHECK --${k}`);
        else if (k === 'start-period') hc.StartPeriod = duration(v, `HEALTHCHECK --${k}`);
        else if (k === 'retries') { if (!/^\d+$/.test(v)) throw new DockerfileError(`HEALTHCHECK --retries: "${v}" is not a number`); hc.Retries = Number(v); }
        else throw new DockerfileError(`HEALTHCHECK: unknown flag --${k}`);
      }
      cfg.Healthcheck = hc;
      return true;
    }
    case 'ONBUILD': {
      const t = text.trim();
      const trig = t.split(/\s+/)[0]?.toUpperCase();
      if (!trig || ['ONBUILD', 'FROM', 'MAINTAINER'].includes(trig)) throw new DockerfileError(`${where}: ${trig || 'an empty trigger'} is not allowed as an ONBUILD trigger`);
      cfg.OnBuild = [...(cfg.OnBuild ?? []), t];
      return true;
    }
    default: return false;
  }
}

/** `docker commit --change` lines applied to a config. */
export function applyChanges(cfg: ImageConfig, changes: string[]): ImageConfig {
  const out: ImageConfig = JSON.parse(JSON.stringify(cfg)) as ImageConfig;
  const df = DockerfileParser.parse(changes.join('\n'));
  for (const ins of df.getInstructions()) {
    const kw = ins.getKeyword();
    if (!['CMD', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'LABEL', 'ONBUILD', 'USER', 'VOLUME', 'WORKDIR', 'STOPSIGNAL', 'HEALTHCHECK', 'SHELL'].includes(kw)) {
      throw new DockerfileError(`${kw} is not a valid change for commit (use CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, USER, VOLUME, WORKDIR, STOPSIGNAL)`);
    }
    applyConfigInstruction(out, ins, envLookup(out));
  }
  return out;
}
