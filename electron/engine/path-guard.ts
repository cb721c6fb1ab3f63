// Which path guard protects the extraction of untrusted archives (image layers, build contexts, checkpoint
// rootfs diffs), and what happens when the native one is missing.
//
//   native  the addon's resolveInRoot (openat2 RESOLVE_IN_ROOT) checks every parent directory, on top of the
//           pure-JS lstat walk (images/extract.ts)
//   js      the pure-JS walk alone
//
// Policy (per process; the image workers get the main thread's policy with every task, workers.ts):
//   mode 'prefer'   use native when it loads, else js with a warning (pier serve, development)   [default]
//   mode 'require'  js is refused unless the user allowed it (allowJs): a packaged app sets this, because there a
//                   missing addon means a broken install, not an old kernel
//   mode 'off'      js only (PIER_NATIVE_GUARD=0: tests of the pure-JS walk)
// Environment: PIER_PATH_GUARD=require|prefer, PIER_NATIVE_GUARD=0. The user's opt-in (allowJs) is kept in
// <root>/path-guard.json by the engine (openPathGuard) and set through the `system.pathGuard` RPC.
import fs from 'node:fs';
import path from 'node:path';
import type { PathGuardInfo } from '../common/contract';

export type ResolveInRoot = (root: string, rel: string) => string;
export type PathGuardMode = 'require' | 'prefer' | 'off';
export interface PathGuardPolicy { mode: PathGuardMode; allowJs: boolean }

export class PathGuardUnavailableError extends Error {
  readonly code = 'EGUARD';
  constructor(what: string, reason: string) {
    super(`${what}: refused: Pier's native path guard is not available (${reason}), and this app does not extract ` +
      'untrusted archives without it. Reinstall Pier, or allow the JavaScript path guard in System → Path guard.');
    this.name = 'PathGuardUnavailableError';
  }
}

function envMode(env: NodeJS.ProcessEnv = process.env): PathGuardMode {
  if (env.PIER_NATIVE_GUARD === '0') return 'off';
  return env.PIER_PATH_GUARD === 'require' ? 'require' : 'prefer';
}

let policy: PathGuardPolicy | undefined;
/** The policy in force in this thread (the environment's until set). */
export function pathGuardPolicy(): PathGuardPolicy { return policy ?? { mode: envMode(), allowJs: false }; }
export function setPathGuardPolicy(p: Partial<PathGuardPolicy>): void { policy = { ...pathGuardPolicy(), ...p }; }

let nativeResolve: ResolveInRoot | undefined | null = null;
let nativeReason: string | undefined;

/**
 * Loads and probes the native guard once per thread: the addon loads, openat2 works, and resolving a directory
 * made for the purpose gives its path. Never throws; `nativeGuardReason()` says why it is missing. In-process (under
 * Electron process.execPath is the app, not node).
 */
export async function loadNativeGuard(): Promise<ResolveInRoot | undefined> {
  if (nativeResolve !== null) return nativeResolve;
  nativeResolve = undefined;
  if (envMode() === 'off') { nativeReason = 'turned off (PIER_NATIVE_GUARD=0)'; return undefined; }
  try {
    const mod = await import('../../native/index');
    if (!mod.openat2Supported()) { nativeReason = 'openat2 with RESOLVE_IN_ROOT is not available (Linux ≥ 5.6 needed)'; return undefined; }
    const fn: ResolveInRoot = mod.resolveInRoot;
    const probe = fs.mkdtempSync(path.join(fs.realpathSync(process.env.TMPDIR || '/tmp'), 'pier-probe-'));
    try {
      fs.mkdirSync(path.join(probe, 'd'));
      if (fn(probe, 'd') === path.join(probe, 'd')) nativeResolve = fn;
      else nativeReason = 'resolveInRoot gave a wrong answer in its self-test';
    } finally { fs.rmSync(probe, { recursive: true, force: true }); }
  } catch (e) {
    // the loader's own first line ("Cannot find module …", "wrong ELF class …"), not the checkout's build advice
    const cause = (e as Error).cause as Error | undefined;
    nativeReason = cause ? `the native addon did not load: ${cause.message.split('\n')[0]}` : (e as Error).message;
    console.warn(`pier: native path guard unavailable (${nativeReason})`);
  }
  return nativeResolve ?? undefined;
}
export function nativeGuardActive(): boolean { return !!nativeResolve; }
export function nativeGuardReason(): string | undefined { return nativeResolve ? undefined : nativeReason; }

/**
 * The guard for extracting the untrusted archive `what` (named in the error): the native one, or undefined for the
 * pure-JS walk alone when the policy allows it. Throws PathGuardUnavailableError when it does not.
 */
export async function selectGuard(what: string): Promise<ResolveInRoot | undefined> {
  const g = await loadNativeGuard();
  if (g) return g;
  const p = pathGuardPolicy();
  if (p.mode === 'require' && !p.allowJs) throw new PathGuardUnavailableError(what, nativeGuardReason() ?? 'unknown reason');
  return undefined;
}

/** What the System view shows: `probe` reports the native guard as the image workers see it. */
export function pathGuardInfo(probe: { native: boolean; reason?: string }): PathGuardInfo {
  const p = pathGuardPolicy();
  const refusing = !probe.native && p.mode === 'require' && !p.allowJs;
  return { native: probe.native, ...(probe.reason ? { reason: probe.reason } : {}), mode: p.mode, allowJs: p.allowJs, refusing };
}

const FILE = 'path-guard.json';
/** Reads the user's opt-in from the engine root into this thread's policy. */
export function loadPathGuardSetting(root: string): void {
  try {
    const v = JSON.parse(fs.readFileSync(path.join(root, FILE), 'utf8')) as { allowJs?: unknown };
    setPathGuardPolicy({ allowJs: v.allowJs === true });
  } catch { /* no file: the default */ }
}
/** Saves the opt-in (atomically) and applies it. */
export function savePathGuardSetting(root: string, allowJs: boolean): void {
  const tmp = path.join(root, `.${FILE}.${process.pid}`);
  fs.writeFileSync(tmp, JSON.stringify({ allowJs }) + '\n', { mode: 0o600 });
  fs.renameSync(tmp, path.join(root, FILE));
  setPathGuardPolicy({ allowJs });
}
