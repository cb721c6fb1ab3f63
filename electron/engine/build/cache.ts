// The build cache: step key (parent image + instruction + inputs) → the image that step made. An entry whose
// image is gone (removed, pruned) is a miss. One JSON file, rewritten atomically; a lost write only loses hits.
import fsp from 'node:fs/promises';
import path from 'node:path';
import { writeJsonAtomic } from '../store/atomic';

export class BuildCache {
  private map?: Record<string, string>;
  constructor(private readonly dir: string) {}
  private get file(): string { return path.join(this.dir, 'cache.json'); }

  private async load(): Promise<Record<string, string>> {
    if (this.map) return this.map;
    try { this.map = JSON.parse(await fsp.readFile(this.file, 'utf8')) as Record<string, string>; } catch { this.map = {}; }
    return this.map;
  }

  async get(key: string, exists: (id: string) => Promise<boolean>): Promise<string | undefined> {
    const id = (await this.load())[key];
    return id && (await exists(id)) ? id : undefined;
  }

  async set(key: string, id: string): Promise<void> {
    const m = await this.load();
    m[key] = id;
    await fsp.mkdir(this.dir, { recursive: true, mode: 0o700 });
    await writeJsonAtomic(this.file, m);
  }
}
