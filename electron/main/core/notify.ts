// Which engine events become desktop notifications. Pure.
import type { EngineEvent } from '../../common/types';
import type { NavigateTarget } from '../../common/channels';

export interface NotificationSpec { title: string; body: string; target: NavigateTarget; urgency: 'normal' | 'critical' }

/**
 * A container that exits on its own with a non-zero code (not stopped, killed or removed by
 * the user) deserves a notification. The engine marks such exits `unexpectedExit`; the
 * user-stop set covers actions taken from this shell that raced with the event.
 */
export function exitNotification(e: EngineEvent, userStopped: ReadonlySet<string> = new Set()): NotificationSpec | undefined {
  if (e.type !== 'container' || e.action !== 'exited') return undefined;
  const code = e.exitCode ?? e.container?.exitCode;
  if (userStopped.has(e.id)) return undefined;
  const unexpected = e.container?.unexpectedExit ?? (code !== undefined && code !== 0);
  if (!unexpected || code === 0) return undefined;
  const name = e.name || e.id.slice(0, 12);
  const why = code === undefined ? 'exited unexpectedly' : code > 128 ? `was killed by signal ${code - 128} (exit code ${code})` : `exited with code ${code}`;
  return { title: `${name} stopped`, body: `Container ${name} ${why}.`, target: { view: 'logs', id: e.id }, urgency: 'critical' };
}

const KIND_LABEL = { pull: 'Pull', checkpoint: 'Checkpoint', restore: 'Restore', export: 'Export', import: 'Import', load: 'Image load', build: 'Build' } as const;

/** A long action finished (pull, checkpoint, restore, …): only worth a notification while no window is visible. */
export function progressNotification(e: EngineEvent, windowVisible: boolean): NotificationSpec | undefined {
  if (windowVisible || e.type !== 'progress' || !e.done) return undefined;
  const what = KIND_LABEL[e.kind];
  if (e.error) return { title: `${what} failed`, body: `${e.ref}: ${e.error}`, target: { view: 'containers' }, urgency: 'critical' };
  const target: NavigateTarget = e.kind === 'checkpoint' || e.kind === 'export' ? { view: 'checkpoints' } : { view: 'containers' };
  return { title: `${what} finished`, body: e.ref, target, urgency: 'normal' };
}
