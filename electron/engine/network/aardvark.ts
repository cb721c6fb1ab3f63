// aardvark-dns reloads its records on SIGHUP from netavark; a query in that window is lost
// and the client's resolver waits seconds to retry. Pier returns from setup/connect only once
// aardvark answers for the container's name (bounded; never fails the operation).
import { Resolver } from 'node:dns/promises';

export async function waitForName(server: string, name: string, timeoutMs = 3000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  const r = new Resolver({ timeout: 150, tries: 1 });
  r.setServers([server]);
  while (Date.now() < end) {
    try {
      if ((await r.resolve4(name)).length) return true;
    } catch { /* not yet (or lost in a reload) */ }
    await new Promise((res) => setTimeout(res, 20));
  }
  return false;
}
