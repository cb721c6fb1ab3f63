// Notices a container's conmon ending while the engine runs (pidfds through the native PidWatcher: no polling).
// A normal end comes with an exit file; the service decides what an end without one means.
import { PidWatcher } from '../../../native/index';
import { checkConmonRunning } from '../runtime/conmon-runtime';

export class ConmonWatch {
  private byPid = new Map<number, string>();
  private native = new PidWatcher((pid) => this.ended(pid));

  /** onGone(id, pid) is called once per watched conmon that ends. */
  constructor(private readonly onGone: (id: string, pid: number) => void) {}

  /** Starts watching `pid` as `id`'s conmon; reports at once when it is already gone (or is no conmon). */
  async watch(id: string, pid: number): Promise<void> {
    if (!pid || this.byPid.get(pid) === id) return;
    const live = await checkConmonRunning(pid) && this.native.watch(pid);
    // re-checked after pidfd_open: the PID could have been reused between the two
    if (live && await checkConmonRunning(pid)) { this.byPid.set(pid, id); return; }
    this.native.unwatch(pid);
    setImmediate(() => this.onGone(id, pid));
  }

  unwatch(pid: number): void {
    if (!this.byPid.delete(pid)) return;
    this.native.unwatch(pid);
  }

  private ended(pid: number): void {
    const id = this.byPid.get(pid);
    if (id === undefined) return;
    this.byPid.delete(pid);
    this.onGone(id, pid);
  }

  close(): void { this.native.close(); this.byPid.clear(); }
}
