// Whether this process can drive netavark: root in the initial user namespace (rootless
// engines get slirp4netns instead; see docs/networking.md). PIER_NETWORK=off disables it.
import { readFileSync } from 'node:fs';

export function bridgeNetworking(env = process.env): boolean {
  if (env.PIER_NETWORK === 'off') return false;
  if (process.getuid?.() !== 0) return false;
  try {
    const map = readFileSync('/proc/self/uid_map', 'utf8').trim().split(/\s+/);
    return map[0] === '0' && map[1] === '0' && map[2] === '4294967295';
  } catch { return false; }
}
