// Build contexts are untrusted input. The request body (tar, plain or gzip) is spooled to a file with a size
// limit, then unpacked by the engine's one secure extractor (images/extract.ts, in a worker): no entry lands
// outside the context directory, symlinks stay links, devices are refused. .dockerignore rules (Docker's
// pattern semantics, @balena/dockerignore) remove ignored paths before any instruction sees them.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import crypto from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { Transform, type Readable } from 'node:stream';
import ignore from '@balena/dockerignore';
import type { WorkerPool } from '../images/workers';

export class BuildContextError extends Error {
  readonly code = 'EINVAL';
  constructor(message: string) { super(message); this.name = 'BuildContextError'; }
}

export interface ContextLimits { maxCompressed: number; maxUnpacked: number }
export const DEFAULT_LIMITS: ContextLimits = {
  maxCompressed: Number(process.env.PIER_BUILD_CONTEXT_MAX ?? 4 * 2 ** 30),
  maxUnpacked: Number(process.env.PIER_BUILD_CONTEXT_MAX ?? 4 * 2 ** 30),
};

/** Spools `body` into `file`, refusing more than `max` bytes. */
export async function spool(body: Readable, file: string, max: number): Promise<number> {
  let n = 0;
  const limit = new Transform({
    transform(c: Buffer, _e, cb) {
      n += c.length;
      if (n > max) cb(new BuildContextError(`the build context is larger than the limit (${max} bytes; set PIER_BUILD_CONTEXT_MAX)`));
      else cb(null, c);
    },
  });
  await pipeline(body, limit, fs.createWriteStream(file, { mode: 0o600 }));
  return n;
}

/** Unpacks the context tar into `dir` (empty, private) through the secure extractor. */
export async function unpackContext(pool: WorkerPool, file: string, dir: string, limits: ContextLimits = DEFAULT_LIMITS): Promise<void> {
  if (!(await fsp.stat(file)).size) return; // an empty body: an empty context
  const res = await pool.extract({ file, dest: dir, label: 'build context', whiteoutMode: 'list', maxUnpacked: limits.maxUnpacked });
  if (res.skipped.length) throw new BuildContextError(`build context: ${res.skipped[0]} is not allowed (device files cannot be copied into images)`);
  if (res.whiteouts.length || res.opaque.length) throw new BuildContextError(`build context: entry ".wh.${path.basename(res.whiteouts[0] ?? 'opq')}" has a reserved name (.wh. prefix)`);
}

/** Applies .dockerignore: removes every ignored path (the Dockerfile and .dockerignore are kept for the builder). */
export async function applyDockerignore(dir: string, keep: string[]): Promise<number> {
  let text: string;
  try { text = await fsp.readFile(path.join(dir, '.dockerignore'), 'utf8'); } catch { return 0; }
  const ig = ignore().add(text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#')));
  let removed = 0;
  const walk = async (rel: string): Promise<void> => {
    for (const e of await fsp.readdir(rel ? path.join(dir, rel) : dir, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (keep.includes(r)) continue;
      if (ig.ignores(e.isDirectory() ? `${r}/` : r) || ig.ignores(r)) {
        // a directory may be ignored while a later "!" rule re-includes something inside it
        if (e.isDirectory() && hasException(text)) { await walk(r); if (!(await fsp.readdir(path.join(dir, r))).length) await fsp.rmdir(path.join(dir, r)); continue; }
        await fsp.rm(path.join(dir, r), { recursive: true, force: true });
        removed++;
      } else if (e.isDirectory()) await walk(r);
    }
  };
  await walk('');
  return removed;
}
const hasException = (t: string) => /^\s*!/m.test(t);

/** A digest of files for the layer cache: names, types, modes, owners, link targets and contents. */
export async function hashPaths(root: string, rels: string[]): Promise<string> {
  const h = crypto.createHash('sha256');
  const visit = async (rel: string): Promise<void> => {
    const p = path.join(root, rel);
    const st = await fsp.lstat(p);
    h.update(`${rel}\0${st.mode}\0${st.uid}:${st.gid}\0`);
    if (st.isSymbolicLink()) h.update(await fsp.readlink(p));
    else if (st.isFile()) { for await (const c of fs.createReadStream(p)) h.update(c as Buffer); }
    else if (st.isDirectory()) for (const n of (await fsp.readdir(p)).sort()) await visit(path.join(rel, n));
    h.update('\0');
  };
  for (const r of rels) await visit(r);
  return h.digest('hex');
}

/** Go filepath.Match patterns (what COPY sources use): *, ?, [class], \ escapes; never across '/'. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '\\' && i + 1 < glob.length) re += escapeRe(glob[++i]);
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) { re += '\\['; continue; }
      let cls = glob.slice(i + 1, end);
      if (cls.startsWith('^') || cls.startsWith('!')) cls = '^' + cls.slice(1);
      re += `[${cls.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else re += escapeRe(c);
  }
  return new RegExp(`^${re}$`);
}
const escapeRe = (c: string) => c.replace(/[.+^${}()|[\]\\*?]/g, '\\$&');
export const hasGlob = (s: string) => /[*?[]/.test(s);
