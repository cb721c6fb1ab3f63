// NetworkStore: networks and attachments (the IPAM record) in one file,
// <root>/network/state.json, replaced atomically on every change. Changes run one at a
// time (mutate), so no address is handed out twice; a crash leaves the old or the new file.
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeJsonAtomic } from '../store/atomic';
import type { Attachment, NetworkRecord } from './types';

export interface NetworkState {
  networks: Record<string, NetworkRecord>;
  attachments: Record<string, Attachment>;
  /** last address handed out per network (allocation goes round) */
  lastIp?: Record<string, string>;
}

export class NetworkStore {
  private state: NetworkState = { networks: {}, attachments: {} };
  private queue: Promise<unknown> = Promise.resolve();
  readonly file: string;

  constructor(dir: string) { this.file = path.join(dir, 'state.json'); }

  async load(): Promise<void> {
    await mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
    try {
      const s = JSON.parse(await readFile(this.file, 'utf8')) as NetworkState;
      this.state = { networks: s.networks ?? {}, attachments: s.attachments ?? {}, lastIp: s.lastIp ?? {} };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot read network state ${this.file}: ${(e as Error).message}`);
    }
  }

  get networks(): NetworkRecord[] { return Object.values(this.state.networks); }
  get attachments(): Attachment[] { return Object.values(this.state.attachments); }
  network(name: string): NetworkRecord | undefined { return this.state.networks[name]; }
  attachment(cid: string): Attachment | undefined { return this.state.attachments[cid]; }

  /** Runs fn on a copy of the state and persists it; fn's throw leaves everything as it was. */
  mutate<T>(fn: (s: NetworkState) => T | Promise<T>): Promise<T> {
    const next = this.queue.then(async () => {
      const copy = structuredClone(this.state);
      const out = await fn(copy);
      await writeJsonAtomic(this.file, copy);
      this.state = copy;
      return out;
    });
    this.queue = next.catch(() => undefined);
    return next;
  }
}
