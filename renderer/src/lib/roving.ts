// Pure keyboard navigation for roving-tabindex widgets (ARIA grid and tablist).
// A grid position is {row, stop}: row is the 0-based data row, stop the index of a focus
// stop within that row (a cell, or one widget of a cell holding several).

export interface GridPos {
  row: number;
  stop: number;
}
export interface KeyLike {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
  shiftKey?: boolean;
}

/**
 * Where a navigation key moves the focus in a grid of `rows` rows, or undefined when the key
 * is not a navigation key (or there are no rows). `stops(row)` is the number of focus stops
 * in a row (≥ 1); a stop index past a shorter row's end is clamped. `page` is the number of
 * rows PageUp/PageDown move. Never wraps: the edges stay put.
 */
export function gridMove(
  e: KeyLike,
  pos: GridPos,
  rows: number,
  stops: (row: number) => number,
  page = 10,
): GridPos | undefined {
  if (rows <= 0 || e.altKey || e.shiftKey) return undefined;
  const mod = !!(e.ctrlKey || e.metaKey);
  const clampRow = (r: number) => Math.max(0, Math.min(rows - 1, r));
  const at = (row: number, stop: number) => ({ row, stop: Math.max(0, Math.min(stops(row) - 1, stop)) });
  const row = clampRow(pos.row);
  switch (e.key) {
    case 'ArrowDown':
      return mod ? undefined : at(clampRow(row + 1), pos.stop);
    case 'ArrowUp':
      return mod ? undefined : at(clampRow(row - 1), pos.stop);
    case 'PageDown':
      return mod ? undefined : at(clampRow(row + page), pos.stop);
    case 'PageUp':
      return mod ? undefined : at(clampRow(row - page), pos.stop);
    case 'ArrowRight':
      return mod ? undefined : at(row, pos.stop + 1);
    case 'ArrowLeft':
      return mod ? undefined : at(row, pos.stop - 1);
    case 'Home':
      return mod ? at(0, 0) : at(row, 0);
    case 'End':
      return mod ? at(rows - 1, stops(rows - 1) - 1) : at(row, stops(row) - 1);
    default:
      return undefined;
  }
}

/**
 * The tab a key selects in a tablist of `count` tabs (horizontal: Left/Right, wrapping;
 * Home/End), or undefined for any other key.
 */
export function tabMove(e: KeyLike, index: number, count: number): number | undefined {
  if (count <= 0 || e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return undefined;
  switch (e.key) {
    case 'ArrowRight':
      return (index + 1) % count;
    case 'ArrowLeft':
      return (index - 1 + count) % count;
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    default:
      return undefined;
  }
}
