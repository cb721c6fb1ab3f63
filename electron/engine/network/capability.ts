// Which network area an engine gets: root in the initial user namespace drives netavark directly;
// a rootless engine (inside its user namespace) drives it inside its own network namespace joined
// to the host by slirp4netns (rootlessnet.ts), which needs /dev/net/tun usable by the user.
// PIER_NETWORK=off disables both (containers then default to host networking).
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { SLIRP_PATHS } from './rootlessnet';
import { AARDVARK_PATHS, NETAVARK_PATHS } from './netavark';

export function bridgeNetworking(env = process.env): boolean {
  if (env.PIER_NETWORK === 'off') return false;
  if (process.getuid?.() !== 0) return false;
  try {
    const map = readFileSync('/proc/self/uid_map', 'utf8').trim().split(/\s+/);
    return map[0] === '0' && map[1] === '0' && map[2] === '4294967295';
  } catch { return false; }
}

export type RootlessNetworking = { slirp4netns: string } | { unavailable: string };

/** For an engine inside its user namespace: slirp4netns's path, or why bridge networking cannot run. */
export function rootlessNetworking(env = process.env): RootlessNetworking {
  if (env.PIER_NETWORK === 'off') return { unavailable: 'PIER_NETWORK=off' };
  const slirp4netns = env.PIER_SLIRP4NETNS || SLIRP_PATHS.find((p) => existsSync(p));
  if (!slirp4netns) return { unavailable: 'slirp4netns is not installed (scripts/setup-host.sh installs it)' };
  if (!(env.PIER_NETAVARK || NETAVARK_PATHS.some((p) => existsSync(p)))) return { unavailable: 'netavark is not installed' };
  if (!(env.PIER_AARDVARK || AARDVARK_PATHS.some((p) => existsSync(p)))) return { unavailable: 'aardvark-dns is not installed' };
  try { accessSync('/dev/net/tun', constants.R_OK | constants.W_OK); } catch {
    return { unavailable: '/dev/net/tun is not usable by this user (mode 0666 is Debian\'s default; scripts/setup-host.sh restores it)' };
  }
  return { slirp4netns };
}

/**
 * The network area this engine gets: rootful (`{}`), rootless (`{ rootless }`, in Pier's user
 * namespace, uid 0 inside), or none (host networking by default), with the reason.
 */
export function networkArea(env = process.env): { options?: { rootless?: { slirp4netns: string } }; unavailable?: string } {
  if (bridgeNetworking(env)) return { options: {} };
  let inUserns = false;
  try { inUserns = process.getuid?.() === 0 && readFileSync('/proc/self/uid_map', 'utf8').trim().split(/\s+/)[2] !== '4294967295'; } catch { /* no /proc */ }
  if (!inUserns) return { unavailable: env.PIER_NETWORK === 'off' ? 'PIER_NETWORK=off' : 'not root and not in a user namespace' };
  const r = rootlessNetworking(env);
  return 'slirp4netns' in r ? { options: { rootless: r } } : { unavailable: r.unavailable };
}
