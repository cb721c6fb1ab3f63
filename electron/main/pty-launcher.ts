// Adapter: host shells' pty host (engine/sessions/pty-host.ts) as an Electron utility process, so a native crash in
// node-pty ends the shells but not main (engine, API socket, windows). Electron ends it when the app quits.
import { utilityProcess } from 'electron';
import type { PtyHostLauncher } from '../engine/sessions/pty-host-client';
import type { FromHost } from '../engine/sessions/pty-protocol';

export const utilityLauncher: PtyHostLauncher = (entry) => {
  const p = utilityProcess.fork(entry, [], { serviceName: 'Pier terminal host', stdio: 'inherit' });
  return {
    get pid() { return p.pid; },
    send: (m) => p.postMessage(m),
    onMessage: (cb) => { p.on('message', (m: FromHost) => cb(m)); },
    // Electron reports only the code; a crash shows as a non-zero one
    onExit: (cb) => { p.once('exit', (code: number) => cb(`exited with code ${code}`)); },
    kill: () => { p.kill(); },
    ref: () => undefined, // main stays up while the app runs
  };
};
