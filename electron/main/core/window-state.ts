// Window size and position, remembered across launches. Pure validation plus a small
// store over an injectable fs, so it is tested under plain Node.
import { readFile, writeFile, rename, mkdir } from 'node:fs/promises';
import path from 'node:path';

export interface Rect { x: number; y: number; width: number; height: number }
export interface WindowState { x?: number; y?: number; width: number; height: number; maximized: boolean; fullScreen: boolean }

export const DEFAULT_STATE: WindowState = { width: 1200, height: 800, maximized: false, fullScreen: false };
export const MIN_SIZE = { width: 640, height: 420 } as const;

const int = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? Math.round(v) : undefined);

/** Parses stored JSON; anything broken yields the default state (never throws). */
export function parseWindowState(text: string | undefined): WindowState {
  if (!text) return { ...DEFAULT_STATE };
  let raw: unknown;
  try { raw = JSON.parse(text); } catch { return { ...DEFAULT_STATE }; }
  if (!raw || typeof raw !== 'object') return { ...DEFAULT_STATE };
  const r = raw as Record<string, unknown>;
  const s: WindowState = {
    width: int(r.width) ?? DEFAULT_STATE.width,
    height: int(r.height) ?? DEFAULT_STATE.height,
    maximized: r.maximized === true,
    fullScreen: r.fullScreen === true,
  };
  const x = int(r.x), y = int(r.y);
  if (x !== undefined && y !== undefined) { s.x = x; s.y = y; }
  return s;
}

function overlap(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

/**
 * Makes a stored state usable on the current displays (work areas): clamps the size to
 * [MIN_SIZE, the largest display], and drops the position (→ centred) when the window
 * would not be mostly on some display (a monitor was unplugged, resolution changed).
 */
export function fitToDisplays(s: WindowState, workAreas: readonly Rect[]): WindowState {
  const maxW = Math.max(MIN_SIZE.width, ...workAreas.map((d) => d.width));
  const maxH = Math.max(MIN_SIZE.height, ...workAreas.map((d) => d.height));
  const out: WindowState = {
    width: Math.min(Math.max(s.width, MIN_SIZE.width), maxW),
    height: Math.min(Math.max(s.height, MIN_SIZE.height), maxH),
    maximized: s.maximized,
    fullScreen: s.fullScreen,
  };
  if (s.x !== undefined && s.y !== undefined) {
    const r = { x: s.x, y: s.y, width: out.width, height: out.height };
    const visible = Math.max(0, ...workAreas.map((d) => overlap(r, d)));
    // at least half the window and its title bar area must be on a display
    const titleBar = { x: r.x, y: r.y, width: r.width, height: 32 };
    if (visible >= (r.width * r.height) / 2 && workAreas.some((d) => overlap(titleBar, d) > 0)) { out.x = s.x; out.y = s.y; }
  }
  return out;
}

/** What to store when the window moves: the normal bounds (not the maximized ones). */
export function captureState(normalBounds: Rect, maximized: boolean, fullScreen: boolean): WindowState {
  return { x: normalBounds.x, y: normalBounds.y, width: normalBounds.width, height: normalBounds.height, maximized, fullScreen };
}

export interface StateFs {
  readFile(p: string, enc: 'utf8'): Promise<string>;
  writeFile(p: string, data: string): Promise<void>;
  rename(a: string, b: string): Promise<void>;
  mkdir(p: string, o: { recursive: true }): Promise<unknown>;
}
const nodeFs: StateFs = { readFile: (p, e) => readFile(p, e), writeFile: (p, d) => writeFile(p, d, { mode: 0o600 }), rename, mkdir };

export class WindowStateStore {
  constructor(readonly file: string, private fs: StateFs = nodeFs) {}
  async load(): Promise<WindowState> {
    try { return parseWindowState(await this.fs.readFile(this.file, 'utf8')); } catch { return { ...DEFAULT_STATE }; }
  }
  /** Atomic (write temp + rename): a crash mid-write leaves the previous state. */
  async save(s: WindowState): Promise<void> {
    await this.fs.mkdir(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    await this.fs.writeFile(tmp, JSON.stringify(s));
    await this.fs.rename(tmp, this.file);
  }
}
