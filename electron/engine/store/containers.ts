// ContainerStore: every container's record, in memory and on disk (atomic writes).
// Names are unique; ids are 64 hex chars; lookups accept id, unique id prefix (≥ 3) or name.
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { writeJsonAtomic, type WriteOptions } from './atomic';
import type { ContainerRecord } from './types';

export class NotFoundError extends Error {
  readonly code = 'ENOTFOUND';
  constructor(what: string, ref: string) { super(`no such ${what}: ${ref}`); this.name = 'NotFoundError'; }
}
export class ConflictError extends Error {
  readonly code = 'ECONFLICT';
  constructor(message: string) { super(message); this.name = 'ConflictError'; }
}

export class ContainerStore {
  private byId = new Map<string, ContainerRecord>();
  constructor(readonly dir: string) {}

  async load(): Promise<ContainerRecord[]> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    for (const id of await readdir(this.dir)) {
      try {
        const rec = JSON.parse(await readFile(this.file(id), 'utf8')) as ContainerRecord;
        if (rec.id === id) this.byId.set(id, rec);
      } catch { /* incomplete create: no record file */ }
    }
    return this.list();
  }

  containerDir(id: string): string { return path.join(this.dir, id); }

  /** The record as it is on disk now (another process, `pier container cleanup`, may have changed it). */
  async read(id: string): Promise<ContainerRecord | undefined> {
    try {
      const rec = JSON.parse(await readFile(this.file(id), 'utf8')) as ContainerRecord;
      return rec.id === id ? rec : undefined;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  /**
   * Brings the in-memory record in line with the disk (caller holds the container's lock): 'gone' when another
   * process removed it (dropped here too), 'changed' when its state changed, else 'same'.
   */
  async refresh(id: string): Promise<'same' | 'changed' | 'gone'> {
    const mem = this.byId.get(id);
    if (!mem) return 'gone';
    const disk = await this.read(id);
    if (!disk) { this.byId.delete(id); return 'gone'; }
    if (JSON.stringify(disk.state) === JSON.stringify(mem.state)) return 'same';
    mem.state = disk.state;
    return 'changed';
  }
  private file(id: string): string { return path.join(this.dir, id, 'container.json'); }

  list(): ContainerRecord[] { return [...this.byId.values()]; }

  find(ref: string): ContainerRecord | undefined {
    const direct = this.byId.get(ref);
    if (direct) return direct;
    for (const r of this.byId.values()) if (r.name === ref) return r;
    if (/^[0-9a-f]{3,63}$/.test(ref)) {
      const hits = [...this.byId.values()].filter((r) => r.id.startsWith(ref));
      if (hits.length === 1) return hits[0];
      if (hits.length > 1) throw new ConflictError(`container id prefix ${ref} is ambiguous (${hits.length} containers match)`);
    }
    return undefined;
  }

  get(ref: string): ContainerRecord {
    const r = this.find(ref);
    if (!r) throw new NotFoundError('container', ref);
    return r;
  }

  nameTaken(name: string, exceptId?: string): boolean {
    for (const r of this.byId.values()) if (r.name === name && r.id !== exceptId) return true;
    return false;
  }

  /** Persists a record (new or changed). */
  /** Writes the record; `durable: false` for state a power loss ends anyway (see atomic.ts). */
  async save(rec: ContainerRecord, o: WriteOptions = {}): Promise<void> {
    await mkdir(this.containerDir(rec.id), { recursive: true, mode: 0o700 });
    await writeJsonAtomic(this.file(rec.id), rec, o);
    this.byId.set(rec.id, rec);
  }

  /** Drops the record from the table only (its id and name are free); its files stay until delete(). */
  forget(id: string): void { this.byId.delete(id); }

  /** Removes the record and everything under the container's directory. */
  async delete(id: string): Promise<void> {
    await rm(this.containerDir(id), { recursive: true, force: true });
    this.byId.delete(id);
  }
}
