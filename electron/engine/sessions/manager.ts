// SessionManager: creates and tracks attach, exec and host sessions. One shared attach
// session per container (its viewers come and go); exec sessions end with their
// process or their container.
import { readFile } from 'node:fs/promises';
import type { Containers } from '../containers/service';
import { transition } from '../containers/states';
import { NotFoundError } from '../store/containers';
import { resolveUser } from '../containers/user';
import { AttachSession } from './attach';
import { ExecSession } from './exec';
import { HostSession } from './host';
import { PtyHost, type PtyHostLauncher } from './pty-host-client';
import type { ExecOptions, Session, SessionManager } from './types';
import type { SessionInfo } from '../../common/contract';

export class Sessions implements SessionManager {
  private sessions = new Map<string, Session>();
  private attachByContainer = new Map<string, AttachSession>();

  /** host shells run in their own process (pty-host-client.ts), started on first use */
  private ptyHost?: PtyHost;

  constructor(private readonly containers: Containers, private readonly opts: { apiSocket?: string; ptyLauncher?: PtyHostLauncher } = {}) {
    containers.onStopped.add((id) => {
      for (const s of this.sessions.values()) if (s instanceof ExecSession && s.info().container === id) s.close().catch(() => undefined);
    });
  }

  async attach(ref: string, o: { rows?: number; cols?: number; logs?: boolean } = {}): Promise<Session> {
    const rec = this.containers.get(ref);
    const existing = this.attachByContainer.get(rec.id);
    if (existing && existing.info().alive) {
      if (o.rows && o.cols) await existing.resize(o.rows, o.cols).catch(() => undefined);
      return existing;
    }
    transition('terminal', rec.state, rec.name);
    if (!rec.state.initialized) await this.containers.init(rec.id); // attach before start: no output lost
    const p = this.containers.paths(rec);
    const s = new AttachSession({
      id: rec.id, name: rec.name, bundle: p.bundle, tty: rec.config.terminal, stdin: rec.config.stdin,
      exited: () => this.containers.wait(rec.id, 'not-running'),
      resize: (rows, cols) => this.containers.resize(rec.id, rows, cols),
      redraw: () => this.containers.d.runtime.kill(rec.id, 28),
    }, (x) => { this.sessions.delete(x.id); if (this.attachByContainer.get(rec.id) === x) this.attachByContainer.delete(rec.id); });
    this.sessions.set(s.id, s);
    this.attachByContainer.set(rec.id, s);
    if (rec.config.terminal && o.rows && o.cols) await s.resize(o.rows, o.cols).catch(() => undefined);
    if (rec.state.status === 'running') await s.redraw();
    return s;
  }

  async exec(ref: string, o: ExecOptions): Promise<Session> {
    const rec = this.containers.get(ref);
    transition('exec', rec.state, rec.name);
    if (!o.cmd.length) throw Object.assign(new Error('exec needs a command'), { code: 'EINVAL' });
    const bundle = this.containers.paths(rec).bundle;
    const spec = JSON.parse(await readFile(`${bundle}/config.json`, 'utf8')) as { root: { path: string }; process: { env: string[]; cwd: string; rlimits?: Array<{ type: string; soft: number; hard: number }> } };
    const user = resolveUser(spec.root.path, o.user ?? rec.config.user);
    const s = new ExecSession(this.containers.d.runtime, {
      id: rec.id, name: rec.name, bundle, env: spec.process.env.filter((e) => !e.startsWith('HOME=') || !o.user), uid: user.uid, gid: user.gid, home: user.home,
      cwd: spec.process.cwd, nofileHard: spec.process.rlimits?.[0]?.hard, rlimits: spec.process.rlimits,
    }, o, (x) => this.sessions.delete(x.id));
    this.sessions.set(s.id, s);
    await s.start();
    return s;
  }

  async host(o: { rows?: number; cols?: number } = {}): Promise<Session> {
    this.ptyHost ??= new PtyHost(this.opts.ptyLauncher);
    const s = await HostSession.start(this.ptyHost, { ...o, apiSocket: this.opts.apiSocket }, (x) => this.sessions.delete(x.id));
    this.sessions.set(s.id, s);
    return s;
  }

  get(id: string): Session {
    const s = this.sessions.get(id);
    if (!s) throw new NotFoundError('session', id);
    return s;
  }

  list(): SessionInfo[] { return [...this.sessions.values()].map((s) => s.info()); }

  setApiSocket(path: string): void { this.opts.apiSocket = path; }

  /** Stops the pty host process (engine close, after its shells were closed). */
  close(): void { this.ptyHost?.close(); this.ptyHost = undefined; }

  /** The pty host's pid while one runs (tests). */
  get ptyHostPid(): number | undefined { return this.ptyHost?.pid; }
}
