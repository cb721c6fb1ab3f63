// Desktop notifications: unexpected container exits; long actions finishing while no
// window is visible. Clicking one opens that container.
import { Notification } from 'electron';
import type { EngineEvent } from '../common/types';
import { exitNotification, progressNotification, type NotificationSpec } from './core/notify';
import type { NavigateTarget } from '../common/channels';
import { asset } from './paths';

export class Notifier {
  private userStops = new Map<string, number>();
  /** what was shown (E2E and logs) */
  readonly shown: NotificationSpec[] = [];
  constructor(private windowVisible: () => boolean, private open: (t: NavigateTarget) => void) {}

  markUserStop(id: string): void {
    if (!id) return;
    const now = Date.now();
    this.userStops.set(id, now);
    for (const [k, t] of this.userStops) if (now - t > 60_000) this.userStops.delete(k);
  }

  handle(e: EngineEvent): void {
    const recent = new Set([...this.userStops].filter(([, t]) => Date.now() - t < 60_000).map(([k]) => k));
    const spec = exitNotification(e, recent) ?? progressNotification(e, this.windowVisible());
    if (spec) this.show(spec);
  }

  show(spec: NotificationSpec): void {
    this.shown.push(spec);
    if (this.shown.length > 50) this.shown.shift();
    if (!Notification.isSupported()) return;
    const n = new Notification({ title: spec.title, body: spec.body, urgency: spec.urgency, icon: asset('icons', '64x64.png'), timeoutType: spec.urgency === 'critical' ? 'never' : 'default' });
    n.on('click', () => this.open(spec.target));
    n.show();
  }
}
