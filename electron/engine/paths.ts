// Default locations (DESIGN.md §4): root vs rootless.
import path from 'node:path';
import os from 'node:os';
import { usernsState } from './runtime/userns';

export interface DefaultPaths { root: string; runroot: string; socket: string }

export function defaultPaths(): DefaultPaths {
  const userns = usernsState();
  if (process.getuid?.() === 0 && !userns) return { root: '/var/lib/pier', runroot: '/run/pier', socket: '/run/pier/docker.sock' };
  const data = process.env.XDG_DATA_HOME || path.join(os.homedir(), '.local', 'share');
  const run = process.env.XDG_RUNTIME_DIR || path.join(os.tmpdir(), `pier-${userns?.uid ?? process.getuid?.() ?? 'user'}`);
  return { root: path.join(data, 'pier'), runroot: path.join(run, 'pier'), socket: path.join(run, 'pier', 'docker.sock') };
}
