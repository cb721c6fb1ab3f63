// Just enough of CRIU's image format to read what a restore must prepare on the host.
// An image is: u32 common magic, u32 image magic, then entries of u32 length (LE) +
// protobuf. files.img holds file_entry {type=1, id=2, reg=3 reg_file_entry{name=6, mode=10}}.
import fsp from 'node:fs/promises';

function varint(b: Buffer, off: number): [number, number] {
  let v = 0, mul = 1, i = off;
  for (;;) {
    if (i >= b.length) throw new Error('truncated varint');
    const x = b[i++];
    v += (x & 0x7f) * mul;
    if (!(x & 0x80)) break;
    mul *= 128;
    if (mul > 2 ** 63) throw new Error('varint too long');
  }
  return [v, i];
}

/** Decodes one protobuf message into field → values (numbers for varints, Buffers for bytes). */
export function decodeFields(b: Buffer): Map<number, Array<number | Buffer>> {
  const m = new Map<number, Array<number | Buffer>>();
  let i = 0;
  while (i < b.length) {
    let key: number;
    [key, i] = varint(b, i);
    const field = Math.floor(key / 8), wire = key & 7;
    let val: number | Buffer;
    if (wire === 0) [val, i] = varint(b, i);
    else if (wire === 2) { let len: number; [len, i] = varint(b, i); if (i + len > b.length) throw new Error('truncated field'); val = b.subarray(i, i + len); i += len; }
    else if (wire === 5) { val = b.readUInt32LE(i); i += 4; }
    else if (wire === 1) { val = Number(b.readBigUInt64LE(i)); i += 8; }
    else throw new Error(`unsupported wire type ${wire}`);
    const arr = m.get(field) ?? [];
    arr.push(val);
    m.set(field, arr);
  }
  return m;
}

/** The entries of a CRIU protobuf image. */
export function imageEntries(img: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let i = 8; // two magics
  while (i + 4 <= img.length) {
    const len = img.readUInt32LE(i);
    i += 4;
    if (i + len > img.length) throw new Error('truncated image');
    out.push(img.subarray(i, i + len));
    i += len;
  }
  return out;
}

/** Mode of the container's root directory as CRIU recorded it (files.img entry named "/"), if any. */
export async function rootDirMode(checkpointDir: string): Promise<number | undefined> {
  let img: Buffer;
  try { img = await fsp.readFile(`${checkpointDir}/files.img`); } catch { return undefined; }
  try {
    for (const e of imageEntries(img)) {
      const reg = decodeFields(e).get(3)?.[0];
      if (!Buffer.isBuffer(reg)) continue;
      const f = decodeFields(reg);
      const name = f.get(6)?.[0];
      const mode = f.get(10)?.[0];
      if (Buffer.isBuffer(name) && typeof mode === 'number' && (name.toString() === '/' || name.toString() === '.') && (mode & 0o170000) === 0o040000) return mode & 0o7777;
    }
  } catch { /* unreadable: let CRIU report it */ }
  return undefined;
}
