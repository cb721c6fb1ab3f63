// Roving tabindex for an ARIA grid whose rows may be virtualised. Contract with the markup:
// data rows are [role=row][data-row=<0-based index>]; their cells are [role=gridcell]. A
// cell's focus stops are its enabled widgets (button, link, input…) or, if it has none, the
// cell itself. Exactly one stop in the grid has tabIndex 0 (Tab enters and leaves the grid
// there); the rest have -1. Arrow keys, Home/End, PageUp/PageDown move (lib/roving);
// Enter, Space and Delete go to onRowKey unless the stop is a widget that acts on that key itself.
import { useEffect, useRef } from 'react';
import { gridMove, type GridPos } from './roving';

export interface RovingGridOptions {
  rowCount: number;
  /** brings an unrendered row into the DOM (virtualiser scrollToIndex) */
  scrollToRow?: (row: number) => void;
  /** a row command key; return true when handled (the key's default is then prevented) */
  onRowKey?: (row: number, rowEl: HTMLElement, e: KeyboardEvent) => boolean;
  page?: number;
}

const WIDGETS = 'button:not(:disabled), a[href], input:not(:disabled), select:not(:disabled), textarea:not(:disabled)';
const NATIVE_KEYS = 'button, a[href], input, select, textarea';
const CHECKS = 'input[type="checkbox"], input[type="radio"]';

const shown = (el: HTMLElement) => el.checkVisibility?.({ visibilityProperty: true }) ?? true;

/** A row's focus stops in order; cells hidden by layout (collapsed columns) are skipped. */
export function stopsOf(row: Element): HTMLElement[] {
  const out: HTMLElement[] = [];
  for (const cell of row.querySelectorAll<HTMLElement>('[role="gridcell"]')) {
    if (!shown(cell)) continue;
    const w = cell.querySelectorAll<HTMLElement>(WIDGETS);
    if (w.length) out.push(...w);
    else out.push(cell);
  }
  return out;
}

function rowOf(el: Element | null): HTMLElement | null {
  return el?.closest<HTMLElement>('[role="row"][data-row]') ?? null;
}

/** Wires roving focus into the grid element in `ref`; returns nothing, state lives in refs. */
export function useRovingGrid(ref: React.RefObject<HTMLElement | null>, opts: RovingGridOptions): void {
  const o = useRef(opts);
  o.current = opts;
  useEffect(() => {
    const grid = ref.current;
    if (!grid) return;
    const active: GridPos = { row: 0, stop: 0 };
    /** the element last focused inside the grid; null once focus moved elsewhere */
    let last: HTMLElement | null = null;
    const rowEl = (i: number) => grid.querySelector<HTMLElement>(`[role="row"][data-row="${i}"]`);

    /** the stop that should carry tabIndex 0: the active one, or its nearest rendered stand-in */
    const target = (): HTMLElement | undefined => {
      active.row = Math.max(0, Math.min(o.current.rowCount - 1, active.row));
      let r = rowEl(active.row);
      if (!r) {
        const rows = [...grid.querySelectorAll<HTMLElement>('[role="row"][data-row]')];
        r =
          rows.sort((a, b) => Math.abs(+a.dataset.row! - active.row) - Math.abs(+b.dataset.row! - active.row))[0] ??
          null;
      }
      if (!r) return undefined;
      const stops = stopsOf(r);
      return stops[Math.min(active.stop, stops.length - 1)];
    };
    const apply = () => {
      const t = target();
      for (const r of grid.querySelectorAll('[role="row"][data-row]')) {
        // the attribute, not just the property: a widget's default 0 must be written out too
        for (const s of stopsOf(r)) {
          const want = s === t ? '0' : '-1';
          if (s.getAttribute('tabindex') !== want) s.setAttribute('tabindex', want);
        }
      }
      // the focused stop went away (its row was removed): focus stays in the grid, same place
      if (t && last && !last.isConnected && (document.activeElement === document.body || !document.activeElement)) {
        last = t;
        t.focus();
      }
    };
    const focusPos = (p: GridPos, tries = 12) => {
      const r = rowEl(p.row);
      if (!r) {
        if (tries === 12) o.current.scrollToRow?.(p.row);
        if (tries > 0) requestAnimationFrame(() => focusPos(p, tries - 1));
        return;
      }
      const stops = stopsOf(r);
      active.row = p.row;
      active.stop = Math.min(p.stop, stops.length - 1);
      apply();
      stops[active.stop]?.focus();
    };

    const onFocusIn = (e: FocusEvent) => {
      last = grid.contains(e.target as Node) ? (e.target as HTMLElement) : null;
      const r = rowOf(e.target as Element);
      if (!r || !grid.contains(r)) return;
      const stops = stopsOf(r);
      const i = stops.findIndex((s) => s === e.target || s.contains(e.target as Node));
      active.row = Number(r.dataset.row);
      if (i >= 0) active.stop = i;
      apply();
    };
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement;
      const r = rowOf(t);
      if (!r || e.defaultPrevented) return;
      const row = Number(r.dataset.row);
      const stops = stopsOf(r);
      const stop = Math.max(
        0,
        stops.findIndex((s) => s === t || s.contains(t)),
      );
      const next = gridMove(
        e,
        { row, stop },
        o.current.rowCount,
        (i) => {
          const x = rowEl(i);
          return x ? stopsOf(x).length : stops.length;
        },
        o.current.page,
      );
      if (next) {
        e.preventDefault();
        focusPos(next);
        return;
      }
      // a widget's own Space/Enter stays its own; a checkbox has no Enter action, so Enter there opens the row
      const native =
        (e.key === ' ' && t.matches(NATIVE_KEYS)) ||
        (e.key === 'Enter' && t.matches(NATIVE_KEYS) && !t.matches(CHECKS));
      if ((e.key === 'Enter' || e.key === ' ' || e.key === 'Delete') && !native && o.current.onRowKey?.(row, r, e))
        e.preventDefault();
    };
    const mo = new MutationObserver(apply);
    mo.observe(grid, { childList: true, subtree: true, attributes: true, attributeFilter: ['disabled', 'data-row'] });
    document.addEventListener('focusin', onFocusIn);
    grid.addEventListener('keydown', onKey);
    apply();
    return () => {
      mo.disconnect();
      document.removeEventListener('focusin', onFocusIn);
      grid.removeEventListener('keydown', onKey);
    };
  }, [ref]);
}
