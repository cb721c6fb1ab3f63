// The default network's bridge keeps its gateway address while any container publishes a port, whatever network
// that container is on: clients that believe they run in a container (testcontainers, when /.dockerenv exists)
// reach published ports at the `bridge` network's gateway, as they do at docker0's. With no published port left
// the bridge goes with its last endpoint, like every Pier bridge. Rootful only (a rootless engine's bridges live
// in its own network namespace, out of the host's reach).
import { existsSync } from 'node:fs';
import { runChecked, run } from '../runtime/proc';

/** Creates the bridge with `gateway/prefix` and brings it up, unless it exists (netavark made it). */
export async function ensureBridge(name: string, gateway: string, prefix: number): Promise<void> {
  if (existsSync(`/sys/class/net/${name}`)) return;
  await runChecked('ip', ['link', 'add', name, 'type', 'bridge'], { timeoutMs: 30_000 });
  try {
    await runChecked('ip', ['addr', 'add', `${gateway}/${prefix}`, 'dev', name], { timeoutMs: 30_000 });
    await runChecked('ip', ['link', 'set', name, 'up'], { timeoutMs: 30_000 });
  } catch (e) {
    await run('ip', ['link', 'del', name], { timeoutMs: 30_000 }).catch(() => undefined);
    throw e;
  }
}
