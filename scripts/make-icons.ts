// Generates Pier's PNG icons (app icon, tray icons per state, drag icon) into assets/.
// No image library: shapes are signed-distance functions sampled 4×4 per pixel, encoded
// as RGBA PNG with node:zlib. Run: node --import tsx scripts/make-icons.ts
import { deflateSync } from 'node:zlib';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

type RGBA = [number, number, number, number];
/** A layer: signed distance (negative inside) and colour at a point in [0,1]². */
type Layer = { sdf: (x: number, y: number) => number; color: RGBA | ((x: number, y: number) => RGBA) };

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();
function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
export function encodePng(w: number, h: number, rgba: Uint8Array): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; ihdr[9] = 6; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;
  const raw = Buffer.alloc((w * 4 + 1) * h);
  for (let y = 0; y < h; y++) {
    raw[y * (w * 4 + 1)] = 0; // filter: none
    Buffer.from(rgba.buffer, rgba.byteOffset + y * w * 4, w * 4).copy(raw, y * (w * 4 + 1) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0)),
  ]);
}

const roundRect = (cx: number, cy: number, hw: number, hh: number, r: number) => (x: number, y: number) => {
  const qx = Math.abs(x - cx) - hw + r, qy = Math.abs(y - cy) - hh + r;
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
};
const circle = (cx: number, cy: number, r: number) => (x: number, y: number) => Math.hypot(x - cx, y - cy) - r;
const ring = (cx: number, cy: number, r: number, w: number) => (x: number, y: number) => Math.abs(Math.hypot(x - cx, y - cy) - r) - w / 2;
const minus = (a: (x: number, y: number) => number, b: (x: number, y: number) => number) => (x: number, y: number) => Math.max(a(x, y), -b(x, y));
const union = (...fs: Array<(x: number, y: number) => number>) => (x: number, y: number) => Math.min(...fs.map((f) => f(x, y)));

function render(size: number, layers: Layer[]): Buffer {
  const px = new Uint8Array(size * size * 4);
  const S = 4;
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
    let r = 0, g = 0, b = 0, a = 0;
    for (let sy = 0; sy < S; sy++) for (let sx = 0; sx < S; sx++) {
      const u = (x + (sx + 0.5) / S) / size, v = (y + (sy + 0.5) / S) / size;
      // composite layers bottom → top (premultiplied)
      let cr = 0, cg = 0, cb = 0, ca = 0;
      for (const l of layers) {
        if (l.sdf(u, v) > 0) continue;
        const c = typeof l.color === 'function' ? l.color(u, v) : l.color;
        const la = c[3] / 255;
        cr = c[0] * la + cr * (1 - la); cg = c[1] * la + cg * (1 - la); cb = c[2] * la + cb * (1 - la);
        ca = la + ca * (1 - la);
      }
      r += cr; g += cg; b += cb; a += ca;
    }
    const n = S * S, i = (y * size + x) * 4;
    const alpha = a / n;
    px[i + 3] = Math.round(alpha * 255);
    if (alpha > 0) { px[i] = Math.round(r / n / alpha); px[i + 1] = Math.round(g / n / alpha); px[i + 2] = Math.round(b / n / alpha); }
  }
  return encodePng(size, size, px);
}

/** The container glyph: a box with vertical ribs, standing on a pier deck. */
function glyph(ox: number, oy: number, s: number): Array<(x: number, y: number) => number> {
  const box = roundRect(ox + 0.5 * s, oy + 0.42 * s, 0.36 * s, 0.22 * s, 0.04 * s);
  const ribs = union(...[-0.2, -0.07, 0.07, 0.2].map((dx) => roundRect(ox + (0.5 + dx) * s, oy + 0.42 * s, 0.025 * s, 0.14 * s, 0.01 * s)));
  const deck = roundRect(ox + 0.5 * s, oy + 0.75 * s, 0.44 * s, 0.05 * s, 0.02 * s);
  const legs = union(roundRect(ox + 0.2 * s, oy + 0.85 * s, 0.035 * s, 0.08 * s, 0.01 * s), roundRect(ox + 0.8 * s, oy + 0.85 * s, 0.035 * s, 0.08 * s, 0.01 * s));
  return [minus(box, ribs), deck, legs];
}

const OUT = path.resolve(import.meta.dirname, '..', 'assets');
function write(rel: string, buf: Buffer): void {
  const p = path.join(OUT, rel);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, buf);
  console.log(`${rel} ${buf.length} B`);
}

// App icon: a blue rounded square with a white glyph.
const bg: Layer = { sdf: roundRect(0.5, 0.5, 0.46, 0.46, 0.12), color: (_x, y) => [Math.round(30 + 20 * y), Math.round(90 + 40 * (1 - y)), Math.round(200 - 30 * y), 255] };
const appLayers: Layer[] = [bg, ...glyph(0.12, 0.1, 0.76).map((sdf) => ({ sdf, color: [255, 255, 255, 255] as RGBA }))];
for (const s of [16, 24, 32, 48, 64, 128, 256, 512, 1024]) write(`icons/${s}x${s}.png`, render(s, appLayers));
write('icon.png', render(512, appLayers));

// Tray icons: a light glyph (panel backgrounds are usually dark) with a state badge.
const STATES: Record<'idle' | 'running' | 'busy', Layer[]> = {
  idle: [],
  running: [{ sdf: circle(0.8, 0.2, 0.2), color: [40, 40, 40, 255] }, { sdf: circle(0.8, 0.2, 0.15), color: [46, 204, 113, 255] }],
  busy: [{ sdf: circle(0.8, 0.2, 0.2), color: [40, 40, 40, 255] }, { sdf: ring(0.8, 0.2, 0.12, 0.07), color: [243, 156, 18, 255] }, { sdf: circle(0.8, 0.2, 0.04), color: [243, 156, 18, 255] }],
};
for (const [state, badge] of Object.entries(STATES)) {
  const color: RGBA = state === 'idle' ? [190, 190, 190, 255] : [235, 235, 235, 255];
  const layers: Layer[] = [...glyph(0, 0.04, 0.92).map((sdf) => ({ sdf, color })), ...badge];
  for (const s of [16, 22, 24, 32, 48]) {
    write(`tray/${state}-${s}.png`, render(s, layers));
  }
  // Electron picks @2x automatically next to the base file on HiDPI.
  write(`tray/${state}.png`, render(22, layers));
  write(`tray/${state}@2x.png`, render(44, layers));
}

// Drag icon for checkpoint archives: the glyph on an amber tag.
const dragLayers: Layer[] = [
  { sdf: roundRect(0.5, 0.5, 0.44, 0.44, 0.1), color: [243, 156, 18, 235] },
  ...glyph(0.14, 0.1, 0.72).map((sdf) => ({ sdf, color: [255, 255, 255, 255] as RGBA })),
];
write('drag-archive.png', render(64, dragLayers));
