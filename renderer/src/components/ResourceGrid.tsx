// The grid for a non-virtualised list of resources (images, volumes, networks): a check column, the view's
// columns, rows keyed by the resource. Keys on a row (components/Grid): arrows move, Enter opens the row
// (details, browser), Space checks it (aria-selected), Delete asks to remove it. The open row is aria-current.
import type { ReactNode } from 'react';
import { ColumnHeader, Grid, GridCell, GridHeaderRow, GridRow } from './Grid';

export interface Column<T> {
  head: string;
  className?: string;
  cell(item: T): ReactNode;
  title?(item: T): string | undefined;
}

export interface ResourceGridProps<T> {
  label: string;
  items: T[];
  keyOf(item: T): string;
  /** what the row is called to people ("select <name>") */
  nameOf(item: T): string;
  columns: Column<T>[];
  checked: Record<string, true>;
  toggle(key: string): void;
  setChecked(keys: string[]): void;
  /** the row whose details are open */
  current?: string;
  onOpen(item: T): void;
  onDelete(item: T): void;
  rowAttrs?(item: T): Record<`data-${string}`, string>;
}

export function ResourceGrid<T>(p: ResourceGridProps<T>) {
  const keys = p.items.map(p.keyOf);
  const n = keys.filter((k) => p.checked[k]).length;
  const all = n > 0 && n === keys.length;
  const onRowKey = (i: number, _el: HTMLElement, e: KeyboardEvent) => {
    const item = p.items[i];
    if (!item) return false;
    if (e.key === 'Enter') p.onOpen(item);
    else if (e.key === ' ') p.toggle(p.keyOf(item));
    else if (e.key === 'Delete') p.onDelete(item);
    else return false;
    return true;
  };
  return (
    <Grid
      className="rgrid"
      label={p.label}
      colCount={p.columns.length + 1}
      rowCount={p.items.length}
      multiselectable
      onRowKey={onRowKey}
      page={10}
    >
      <GridHeaderRow className="rg-head">
        <ColumnHeader className="rg-check" label="Selected">
          <input
            type="checkbox"
            aria-label="select all"
            checked={all}
            ref={(el) => {
              if (el) el.indeterminate = n > 0 && !all;
            }}
            onChange={() => p.setChecked(all ? [] : keys)}
          />
        </ColumnHeader>
        {p.columns.map((c) => (
          <ColumnHeader key={c.head} className={c.className} label={c.head || undefined}>
            {c.head}
          </ColumnHeader>
        ))}
      </GridHeaderRow>
      <div role="rowgroup">
        {p.items.map((item, i) => {
          const k = p.keyOf(item);
          const name = p.nameOf(item);
          return (
            <GridRow
              key={k}
              index={i}
              selected={!!p.checked[k]}
              aria-current={p.current === k || undefined}
              {...p.rowAttrs?.(item)}
            >
              <GridCell className="rg-check">
                <input
                  type="checkbox"
                  aria-label={`select ${name}`}
                  checked={!!p.checked[k]}
                  onChange={() => p.toggle(k)}
                />
              </GridCell>
              {p.columns.map((c) => (
                <GridCell key={c.head} className={c.className} title={c.title?.(item)}>
                  {c.cell(item)}
                </GridCell>
              ))}
            </GridRow>
          );
        })}
      </div>
    </Grid>
  );
}
