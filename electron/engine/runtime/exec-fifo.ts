// Starting a created runc container without a `runc start` process. All `runc start` does for a created container
// is open <state dir>/exec.fifo for reading, which lets the container's `runc init` (blocked opening it for
// writing) write one byte and exec the process, then read that byte and remove the FIFO (the FIFO's presence is
// what makes runc report "created"). Doing the same here saves a Go process start on every container start.
//
// Contract: resolves 'started' once the init wrote its byte (the FIFO is removed then, as runc removes it);
// 'absent' when there is no FIFO (not a created runc container: the caller falls back to `runc start`, which
// gives the runtime's own error). Rejects when the init process is gone before writing.
import { closeSync, constants, openSync, readSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { onPidGone } from './pid-gone';

export const EXEC_FIFO = 'exec.fifo';

export function startByFifo(stateDir: string, initPid: number): Promise<'started' | 'absent'> {
  const fifo = path.join(stateDir, EXEC_FIFO);
  let fd: number;
  try {
    // read-write: the open never blocks and never sees EOF before the init has opened its end
    fd = openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? Promise.resolve('absent') : Promise.reject(e);
  }
  return new Promise((resolve, reject) => {
    let sock: net.Socket;
    try {
      sock = new net.Socket({ fd, readable: true, writable: false });
    } catch (e) {
      closeSync(fd);
      return reject(e);
    }
    let stopWatching = () => {};
    let done = false;
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      stopWatching();
      sock.destroy();
      if (err) return reject(err);
      rmSync(fifo, { force: true });
      resolve('started');
    };
    // an init that wrote its byte and exec'd a process that ended at once can be reported gone before the
    // socket read the byte: the FIFO still holds it then
    const wrote = () => {
      try {
        return readSync(fd, Buffer.alloc(1)) > 0;
      } catch {
        return false;
      }
    };
    stopWatching = onPidGone(initPid, () => finish(wrote() ? undefined : new Error('container process is already dead')));
    sock.once('data', () => finish());
    sock.once('error', (e) => finish(e));
  });
}
