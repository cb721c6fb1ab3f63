// conmon's ctl FIFO: "<type> <a> <b>\n". 1 = resize (rows cols), 2 = reopen logs.
// conmon 2.1.6 applies the first line N times when several arrive in one read,
// so every message is its own open + write.
import { open, constants } from 'node:fs/promises';

export function resizeMessage(rows: number, cols: number): string {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1 || rows > 65535 || cols > 65535) {
    throw Object.assign(new Error(`invalid terminal size ${rows}x${cols}: rows and cols must be integers in 1..65535 (Docker's range)`), { code: 'EINVAL' });
  }
  return `1 ${rows} ${cols}\n`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Opens ctl O_WRONLY|O_NONBLOCK, retrying while conmon has not opened it yet; writes one message. */
export async function writeCtl(ctlPath: string, message: string, opts: { retries?: number; delayMs?: number } = {}): Promise<void> {
  const retries = opts.retries ?? 50, delay = opts.delayMs ?? 20;
  for (let i = 0; ; i++) {
    try {
      const fh = await open(ctlPath, constants.O_WRONLY | constants.O_NONBLOCK);
      try { await fh.write(message); } finally { await fh.close(); }
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const retryable = code === 'EAGAIN' || code === 'EINTR' || code === 'ENXIO' || code === 'ENOENT';
      if (!retryable || i >= retries) {
        throw Object.assign(new Error(`cannot write to conmon's control FIFO ${ctlPath}: ${code === 'ENXIO' ? 'conmon is not running' : (err as Error).message}`), { code: code ?? 'EIO' });
      }
      await sleep(delay);
    }
  }
}
