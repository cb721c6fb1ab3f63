// The rootless network namespace (podman 4's "rootless netns" model): a rootless engine runs in
// its user namespace but in the host's network namespace, where it may not create bridges or
// rules. So it keeps one network namespace of its own, `<runroot>/rootless-netns`, in which
// netavark makes the bridges, veths and rules and runs aardvark-dns, exactly as rootful. One
// slirp4netns process gives that namespace a way out (tap0, 10.0.2.100/24, DNS at 10.0.2.3,
// host loopback not reachable). Inbound, published ports are served by Pier's forwarder
// (forwarder.ts). Both outlive the engine; the namespace goes with the last attachment.
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { run, spawnDetached } from '../runtime/proc';
import { createNetns, isMounted, removeNetns } from './netns';

export const SLIRP_PATHS = ['/usr/bin/slirp4netns', '/usr/local/bin/slirp4netns'];
/** slirp4netns's fixed addresses with its default --cidr 10.0.2.0/24 */
export const SLIRP_DNS = '10.0.2.3';
export const SLIRP_CIDR = '10.0.2.0/24';
/** tap0's MTU; the rootless namespace's bridges use it too (fewer, larger packets through the forwarder) */
export const SLIRP_MTU = 65520;

export class RootlessNetError extends Error {
  readonly code = 'ENETNS';
  constructor(message: string) { super(message); this.name = 'RootlessNetError'; }
}

const alive = (pid: number, comm: string): boolean => {
  try { return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === comm; } catch { return false; }
};

export class RootlessNet {
  readonly nsPath: string;
  private readonly pidFile: string;
  private queue: Promise<void> = Promise.resolve();

  constructor(runroot: string, private readonly slirp: string) {
    this.nsPath = path.join(runroot, 'rootless-netns');
    this.pidFile = path.join(runroot, 'network', 'slirp4netns.pid');
  }

  /** argv running `bin args` inside the namespace (nsenter is the single-threaded helper Node needs) */
  wrap(bin: string, args: string[]): [string, string[]] {
    return ['nsenter', [`--net=${this.nsPath}`, '--', bin, ...args]];
  }

  /** Runs a command inside the namespace. */
  exec(bin: string, args: string[], opts: Parameters<typeof run>[2] = {}): ReturnType<typeof run> {
    const [b, a] = this.wrap(bin, args);
    return run(b, a, opts);
  }

  private async slirpPid(): Promise<number> {
    return Number((await readFile(this.pidFile, 'utf8').catch(() => '')).trim()) || 0;
  }

  /** Runs make/release one at a time, in call order. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn);
    this.queue = next.then(() => undefined, () => undefined);
    return next;
  }

  /** The namespace exists and slirp4netns serves it (made, or repaired after a crash). */
  ensure(): Promise<void> { return this.serial(() => this.make()); }

  private async make(): Promise<void> {
    if (!isMounted(this.nsPath)) await createNetns(this.nsPath);
    if (alive(await this.slirpPid(), 'slirp4netns')) return;
    const args = ['--configure', `--mtu=${SLIRP_MTU}`, '--disable-host-loopback', '--netns-type=path', '--ready-fd=3', this.nsPath, 'tap0'];
    const child = spawnDetached(this.slirp, args, { env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, cwd: '/', fds: ['pipe'] });
    const ready = child.stdio[3] as NodeJS.ReadableStream;
    let stderr = '';
    child.stderr!.on('data', (b: Buffer) => { stderr += b; });
    await new Promise<void>((resolve, reject) => {
      const fail = (why: string) => reject(new RootlessNetError(`slirp4netns could not connect the rootless network namespace: ${why}`));
      child.once('error', (e) => fail(e.message));
      child.once('exit', (code) => fail(stderr.trim() || `exit ${code}`));
      ready.once('data', () => resolve());
    }).catch(async (e) => {
      try { child.kill('SIGKILL'); } catch { /* gone */ }
      await removeNetns(this.nsPath).catch(() => undefined);
      throw e;
    });
    child.removeAllListeners('exit');
    for (const s of [child.stdout, child.stderr, child.stdio[3]]) (s as NodeJS.ReadableStream & { destroy(): void } | null)?.destroy();
    await writeFile(this.pidFile, `${child.pid}\n`, { mode: 0o600 });
  }

  /**
   * Ends slirp4netns and removes the namespace (its bridges, rules and aardvark go with it), if
   * `idle()` still holds once earlier ensure/release calls are done (a setup may have begun since).
   */
  release(idle: () => boolean): Promise<void> { return this.serial(async () => { if (idle()) await this.remove(); }); }

  private async remove(): Promise<void> {
    const pid = await this.slirpPid();
    if (pid && alive(pid, 'slirp4netns')) { try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ } }
    await rm(this.pidFile, { force: true });
    // aardvark-dns exits after netavark's last teardown; one left by a crash is ended here
    for (const p of pidsIn(this.nsPath)) { try { process.kill(p, 'SIGTERM'); } catch { /* gone */ } }
    await removeNetns(this.nsPath);
  }
}

/** Processes (other than slirp4netns, which lives outside) whose network namespace is the one at nsPath. */
function pidsIn(nsPath: string): number[] {
  let ino: number;
  try { ino = statSync(nsPath).ino; } catch { return []; }
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e) || Number(e) === process.pid) continue;
    try { if (readlinkSync(`/proc/${e}/ns/net`) === `net:[${ino}]`) out.push(Number(e)); } catch { /* gone or not ours */ }
  }
  return out;
}
