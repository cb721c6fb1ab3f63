// IPC channel names and the shell's own requests (the parts of window.pier that are not
// engine RPC: drag-out, export, drop, external links). Shared by main and preload, so no
// channel string is written twice. Pure: no electron, no Node.
import { z } from 'zod';
import { methods, type MethodName } from './contract';
import { containerName } from './names';

/** Every contract method has exactly one invoke channel: `rpc:<method>`. */
export const RPC_PREFIX = 'rpc:';
export const rpcChannel = (m: MethodName): string => RPC_PREFIX + m;
export const RPC_CHANNELS: readonly string[] = Object.keys(methods).map((m) => rpcChannel(m as MethodName));
export function methodOfChannel(channel: string): MethodName | undefined {
  if (!channel.startsWith(RPC_PREFIX)) return undefined;
  const m = channel.slice(RPC_PREFIX.length);
  return Object.prototype.hasOwnProperty.call(methods, m) ? (m as MethodName) : undefined;
}

/** Shell channels (invoke unless noted). */
export const SHELL = {
  /** fire-and-forget (send): must run during the dragstart gesture */
  startDrag: 'shell:start-drag',
  exportArchive: 'shell:export-archive',
  drop: 'shell:drop',
  openExternal: 'shell:open-external',
  info: 'shell:info',
  /** switch engines: saves the choice and restarts the app on it */
  setEngine: 'shell:set-engine',
  /** the native folder picker (Build dialog); the chosen folder, or null */
  chooseFolder: 'shell:choose-folder',
} as const;

/** main → renderer pushes (payload only; the preload never passes the IpcRendererEvent on). */
export const PUSH = {
  /** RPC server messages: {t:'event', topic, payload} | {t:'stream', kind, payload} */
  message: 'push:message',
  /** ask the UI to show something (tray menu, notification click) */
  navigate: 'push:navigate',
  /** a message the user must see (failed drag, rejected drop) */
  notice: 'push:notice',
} as const;

export const INVOKE_CHANNELS: readonly string[] = [...RPC_CHANNELS, SHELL.exportArchive, SHELL.drop, SHELL.openExternal, SHELL.info, SHELL.setEngine, SHELL.chooseFolder];
export const SEND_CHANNELS: readonly string[] = [SHELL.startDrag];
export const PUSH_CHANNELS: readonly string[] = Object.values(PUSH);

export const archiveId = z.string().regex(/^[a-z0-9-]{1,64}$/, 'must be a checkpoint archive id (not a path)');
export const shellParams = {
  [SHELL.startDrag]: z.object({ archive: archiveId }).strict(),
  [SHELL.exportArchive]: z.object({ archive: archiveId }).strict(),
  [SHELL.drop]: z.object({ paths: z.array(z.string().min(2).max(4096).startsWith('/', 'must be an absolute path')).min(1).max(32), name: containerName.optional() }).strict(),
  [SHELL.openExternal]: z.object({ url: z.string().max(2048) }).strict(),
  [SHELL.info]: z.object({}).strict(),
  [SHELL.chooseFolder]: z.object({}).strict(),
  [SHELL.setEngine]: z.object({ choice: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('local') }).strict(),
    z.object({ kind: z.literal('system') }).strict(),
    z.object({ kind: z.literal('socket'), path: z.string().min(2).max(4096).startsWith('/', 'must be an absolute path') }).strict(),
  ]) }).strict(),
} as const;
export type ShellChannel = keyof typeof shellParams;

export type NavigateTarget =
  | { view: 'containers'; id?: string }
  | { view: 'terminal'; id: string }
  | { view: 'logs'; id: string }
  | { view: 'checkpoints'; id?: string };

export interface Notice { level: 'info' | 'error'; title: string; message: string }

/** What every invoke returns over IPC: ipcMain.handle keeps only Error.message, so errors travel as data. */
export type Envelope<T = unknown> = { ok: true; result: T } | { ok: false; error: { code: string; message: string } };

export function validateShell<C extends ShellChannel>(channel: C, params: unknown): z.output<(typeof shellParams)[C]> {
  const r = shellParams[channel].safeParse(params ?? {});
  if (!r.success) {
    const issue = r.error.issues[0];
    throw Object.assign(new Error(`${channel}: invalid ${issue.path.join('.') || 'parameters'}: ${issue.message}`), { code: 'EINVAL' });
  }
  return r.data as z.output<(typeof shellParams)[C]>;
}

export type EngineChoiceDto = { kind: 'local' } | { kind: 'system' } | { kind: 'socket'; path: string };
export interface ShellInfo {
  platform: string;
  version: string;
  /** label: what the status bar shows ("Rootless engine (this app)", "System engine (…)") */
  engine: { ok: boolean; root?: string; socket?: string; error?: string; label?: string; choice?: EngineChoiceDto; warnings?: string[] };
  hidden: boolean;
  /** what closing the window does, and why (no tray host → quit) */
  close: { setting: 'auto' | 'on' | 'off'; trayHost?: boolean; action: 'hide' | 'quit'; explanation: string };
}
/** kind folder: a folder with a Dockerfile (result {context, dockerfile}); the UI opens the Build dialog on it */
export interface DropResult { path: string; kind: 'checkpoint' | 'image' | 'folder' | 'rejected'; message: string; ok: boolean; result?: unknown }
export interface ChosenFolder { context: string; dockerfile?: string }

/**
 * Stream chunks often are views into a larger pooled buffer (Node's Buffer pool, a read
 * buffer). Electron's IPC serialises a typed array together with its whole backing
 * ArrayBuffer, so a 20-byte terminal chunk would carry 8 KiB or more: copy such views.
 */
export function compactPush<T extends { t?: string; payload?: unknown }>(m: T): T {
  const p = m.payload as { data?: unknown } | undefined;
  const d = p?.data;
  if (m.t !== 'stream' || !(d instanceof Uint8Array) || d.byteLength === d.buffer.byteLength) return m;
  return { ...m, payload: { ...p, data: new Uint8Array(d) } };
}
