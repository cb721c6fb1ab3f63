// Builds a minimal busybox root filesystem for tests (Debian's busybox-static).
import { mkdirSync, copyFileSync, symlinkSync, writeFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import os from 'node:os';

const BUSYBOX = '/bin/busybox';

export function makeBusyboxRootfs(dir: string): string {
  if (existsSync(path.join(dir, 'bin', 'busybox'))) return dir;
  for (const d of ['bin', 'etc', 'tmp', 'proc', 'sys', 'dev', 'root', 'var', 'usr/bin']) mkdirSync(path.join(dir, d), { recursive: true });
  copyFileSync(BUSYBOX, path.join(dir, 'bin', 'busybox'));
  const applets = execFileSync(BUSYBOX, ['--list']).toString().split('\n').filter(Boolean);
  for (const a of applets) if (a !== 'busybox') { try { symlinkSync('busybox', path.join(dir, 'bin', a)); } catch { /* exists */ } }
  writeFileSync(path.join(dir, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n');
  writeFileSync(path.join(dir, 'etc', 'group'), 'root:x:0:\nnogroup:x:65534:\n');
  return dir;
}

export interface TestDirs { base: string; root: string; runroot: string; rootfs: string; cleanup(): void }

/** Isolated engine dirs under /tmp (short paths: attach sockets live in the bundle). */
export function testDirs(prefix = 'pier-t-'): TestDirs {
  const base = mkdtempSync(path.join(os.tmpdir(), prefix));
  const rootfs = makeBusyboxRootfs(path.join(base, 'rootfs'));
  return { base, root: path.join(base, 'root'), runroot: path.join(base, 'run'), rootfs, cleanup: () => rmSync(base, { recursive: true, force: true }) };
}
