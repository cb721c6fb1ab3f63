// Which engine the desktop app uses (pure; main persists it in <userData>/engine.json):
//   local  — the app's own engine: rootless for a normal user (a `pier serve` the app starts, in the user's
//            namespace, reached over its socket); in-process when the app already runs where it can host it
//   system — the system engine's socket (/run/pier/docker.sock, `pier serve` as root, group `pier`)
//   socket — any `pier serve` socket path
import { z } from 'zod';

export const SYSTEM_SOCKET = '/run/pier/docker.sock';

export const engineChoice = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('local') }).strict(),
  z.object({ kind: z.literal('system') }).strict(),
  z.object({ kind: z.literal('socket'), path: z.string().min(2).max(4096).startsWith('/', 'must be an absolute path').refine((p) => !p.includes('\0'), 'no NUL') }).strict(),
]);
export type EngineChoice = z.infer<typeof engineChoice>;

export const DEFAULT_CHOICE: EngineChoice = { kind: 'local' };

/** A stored or requested choice; anything invalid (or missing) is the default, with the reason. */
export function parseChoice(raw: unknown): { choice: EngineChoice; problem?: string } {
  if (raw === undefined) return { choice: DEFAULT_CHOICE };
  const r = engineChoice.safeParse(raw);
  if (r.success) return { choice: r.data };
  const i = r.error.issues[0];
  return { choice: DEFAULT_CHOICE, problem: `ignored the saved engine choice (${i.path.join('.') || 'value'}: ${i.message})` };
}

/** `--engine local|system|/path/to/docker.sock` (or PIER_ENGINE). */
export function choiceFromArg(arg: string | undefined): EngineChoice | undefined {
  if (!arg) return undefined;
  if (arg === 'local' || arg === 'system') return { kind: arg };
  const r = engineChoice.safeParse({ kind: 'socket', path: arg });
  if (!r.success) throw Object.assign(new Error(`--engine ${arg}: use local, system or an absolute socket path`), { code: 'EINVAL' });
  return r.data;
}

/** The socket the app connects to; undefined = the app hosts the engine itself. */
export function socketOf(choice: EngineChoice, own: { socket: string; inProcess: boolean }): string | undefined {
  if (choice.kind === 'system') return SYSTEM_SOCKET;
  if (choice.kind === 'socket') return choice.path;
  return own.inProcess ? undefined : own.socket;
}

/** What the status bar and the tray show. */
export function choiceLabel(choice: EngineChoice, rootless: boolean): string {
  if (choice.kind === 'system') return `System engine (${SYSTEM_SOCKET})`;
  if (choice.kind === 'socket') return `Engine at ${choice.path}`;
  return rootless ? 'Rootless engine (this app)' : 'Engine (this app)';
}

export const sameChoice = (a: EngineChoice, b: EngineChoice): boolean =>
  a.kind === b.kind && (a.kind !== 'socket' || a.path === (b as { path: string }).path);

/**
 * Said (console and, where Chromium lets the app get that far, a window) when the app is started as
 * root: Chromium's sandbox refuses root and Pier does not turn it off.
 */
export function rootRefusal(): string {
  return 'Pier\'s window does not run as root: Chromium\'s sandbox refuses it, and Pier does not turn the sandbox off. '
    + 'Start Pier as your normal user (it runs its own rootless engine). To use the system engine from there, '
    + 'run `pier serve` as root (or `systemctl enable --now pier`, see docs/system-engine.md), add yourself to the '
    + `"pier" group (usermod -aG pier USER), and choose "System engine (${SYSTEM_SOCKET})" in Pier's engine menu. `
    + 'Or, as root, use the browser UI: npx pier serve --web 127.0.0.1:8080';
}
