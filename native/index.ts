// Typed loader for Pier's Node-API addon (native/src/addon.cc).
// Contract: Node-API only (NAPI_VERSION 9), no external buffers, so the same
// build loads in Node 20+ and Electron 33+ without rebuild.
// The engine imports the addon only through this module.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export interface NativeBinding {
  /** socketpair(AF_UNIX, SOCK_SEQPACKET|SOCK_CLOEXEC). Returns [parentEnd, childEnd]. */
  socketpair(): [number, number];
}

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

let binding: NativeBinding | undefined;
export function native(): NativeBinding {
  if (!binding) {
    try {
      binding = require(path.join(here, 'build', 'Release', 'pier_native.node')) as NativeBinding;
    } catch (err) {
      throw new Error(`Pier's native addon is not built (${(err as Error).message}): run "npm install" (needs python3, make, g++)`);
    }
  }
  return binding;
}
