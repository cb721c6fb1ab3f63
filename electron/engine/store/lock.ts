// One engine per root: <root>/engine.lock holds the owner's PID. A lock whose PID is
// dead is taken over; a live one is never stolen.
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface RootLock { release(): void; path: string }

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

export function lockRoot(root: string): RootLock {
  const file = path.join(root, 'engine.lock');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx', mode: 0o644 });
      return { path: file, release: () => { try { if (readFileSync(file, 'utf8').trim() === String(process.pid)) unlinkSync(file); } catch { /* gone */ } } };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let holder = NaN;
      try { holder = Number(readFileSync(file, 'utf8').trim()); } catch { continue; }
      if (Number.isInteger(holder) && holder > 0 && alive(holder)) {
        throw Object.assign(new Error(`root ${root} is in use by another Pier engine (PID ${holder}); stop it or use another --root`), { code: 'ELOCKED', holder });
      }
      try { unlinkSync(file); } catch { /* raced: retry */ }
    }
  }
  throw Object.assign(new Error(`cannot lock root ${root}: lock file keeps changing`), { code: 'ELOCKED' });
}
