// An overlay upper directory as one layer tar (OCI layer format), for commit and build.
//   * overlay whiteouts (character devices 0:0) become empty `.wh.<name>` entries;
//   * an opaque directory becomes a `.wh..wh..opq` entry. Reading the trusted.overlay.opaque xattr needs
//     a native call, so opacity is seen from the mounted snapshot instead: a directory is opaque when a name
//     the lower layers show there is neither in the upper directory nor in the merged view;
//   * hard links inside the upper directory stay hard links; devices other than whiteouts are skipped.
// Entries are written in sorted order, so the same tree gives the same diff id. xattrs are not carried.
import fs from 'node:fs';
import crypto from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import * as tar from 'tar-stream';
import { isWhiteoutDevice } from './extract';

export interface DiffResult { diffId: string; size: number; entries: number }

/** `lowers`: the snapshot's layer directories, top first. `merged`: its mounted root (for opacity). */
export async function writeDiffTar(upper: string, merged: string | undefined, lowers: string[], outFile: string): Promise<DiffResult> {
  const pack = tar.pack();
  const hash = crypto.createHash('sha256');
  let size = 0, entries = 0;
  const tap = new Transform({ transform(c: Buffer, _e, cb) { hash.update(c); size += c.length; cb(null, c); } });
  const done = pipeline(pack, tap, fs.createWriteStream(outFile, { mode: 0o600 }));
  const links = new Map<string, string>();
  const put = (h: Partial<tar.Header> & { name: string }, body?: Buffer | fs.ReadStream): Promise<void> => new Promise((resolve, reject) => {
    entries++;
    if (body instanceof fs.ReadStream) {
      const e = pack.entry(h as tar.Header, (err) => (err ? reject(err) : resolve()));
      body.on('error', reject).pipe(e);
    } else pack.entry(h as tar.Header, body ?? Buffer.alloc(0), (err) => (err ? reject(err) : resolve()));
  });

  const walk = async (rel: string): Promise<void> => {
    const dir = rel ? `${upper}/${rel}` : upper;
    const names = fs.readdirSync(dir).sort();
    if (rel && merged && isOpaque(rel, names, merged, lowers)) await put({ name: `${rel}/.wh..wh..opq`, type: 'file', size: 0, mode: 0o644, mtime: new Date(0) });
    for (const n of names) {
      const r = rel ? `${rel}/${n}` : n;
      const p = `${upper}/${r}`;
      const st = fs.lstatSync(p);
      const base = { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: st.mtime };
      if (isWhiteoutDevice(st)) {
        await put({ name: rel ? `${rel}/.wh.${n}` : `.wh.${n}`, type: 'file', size: 0, mode: 0o644, mtime: new Date(0) });
      } else if (st.isDirectory()) {
        await put({ ...base, name: r + '/', type: 'directory' });
        await walk(r);
      } else if (st.isSymbolicLink()) {
        await put({ ...base, name: r, type: 'symlink', linkname: fs.readlinkSync(p) });
      } else if (st.isFile()) {
        const key = `${st.dev}:${st.ino}`;
        const first = st.nlink > 1 ? links.get(key) : undefined;
        if (first) { await put({ ...base, name: r, type: 'link', linkname: first }); continue; }
        if (st.nlink > 1) links.set(key, r);
        await put({ ...base, name: r, type: 'file', size: st.size }, st.size ? fs.createReadStream(p) : undefined);
      } else if (st.isFIFO()) {
        await put({ ...base, name: r, type: 'fifo' });
      }
    }
  };
  try {
    await walk('');
    pack.finalize();
    await done;
  } catch (e) {
    pack.destroy(e as Error);
    await done.catch(() => undefined);
    fs.rmSync(outFile, { force: true });
    throw e;
  }
  return { diffId: 'sha256:' + hash.digest('hex'), size, entries };
}

/** Names the lower layers show in `rel` (first layer that has a name decides; whiteout devices hide). */
function lowerNames(rel: string, lowers: string[]): Set<string> {
  const seen = new Set<string>(), out = new Set<string>();
  for (const l of lowers) {
    const st = fs.lstatSync(`${l}/${rel}`, { throwIfNoEntry: false });
    if (!st) continue;
    if (!st.isDirectory()) break;
    for (const n of fs.readdirSync(`${l}/${rel}`)) {
      if (seen.has(n)) continue;
      seen.add(n);
      const cs = fs.lstatSync(`${l}/${rel}/${n}`);
      if (!isWhiteoutDevice(cs)) out.add(n);
    }
  }
  return out;
}

function isOpaque(rel: string, upperNames: string[], merged: string, lowers: string[]): boolean {
  const lower = lowerNames(rel, lowers);
  if (!lower.size) return false;
  const up = new Set(upperNames);
  let mergedNames: Set<string>;
  try { mergedNames = new Set(fs.readdirSync(`${merged}/${rel}`)); } catch { return false; }
  for (const n of lower) if (!up.has(n) && !mergedNames.has(n)) return true;
  return false;
}
