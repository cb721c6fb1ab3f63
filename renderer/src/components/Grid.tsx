// ARIA grid building blocks with roving focus (lib/useRovingGrid). Any tabular list that
// people act on (containers, images, volumes, networks…) uses these: rows are reachable by
// Tab once, then arrows/Home/End/PageUp/PageDown move; Enter/Space/Delete go to onRowKey.
import { useRef, type ReactNode, type Ref } from 'react';
import { useRovingGrid, type RovingGridOptions } from '../lib/useRovingGrid';

export interface GridProps extends RovingGridOptions {
  label: string;
  colCount: number;
  multiselectable?: boolean;
  className?: string;
  ref?: Ref<HTMLDivElement>;
  children: ReactNode;
  /** extra attributes for the grid element (data-*) */
  attrs?: Record<string, string | number>;
}

/** role=grid; aria-rowcount counts the header row (rows may be virtualised). */
export function Grid({ label, colCount, multiselectable, className, ref, children, attrs, ...roving }: GridProps) {
  const own = useRef<HTMLDivElement | null>(null);
  useRovingGrid(own, roving);
  const setRef = (el: HTMLDivElement | null) => {
    own.current = el;
    if (typeof ref === 'function') ref(el);
    else if (ref) (ref as { current: HTMLDivElement | null }).current = el;
  };
  return (
    <div
      role="grid"
      aria-label={label}
      aria-rowcount={roving.rowCount + 1}
      aria-colcount={colCount}
      aria-multiselectable={multiselectable || undefined}
      className={className}
      ref={setRef}
      {...attrs}
    >
      {children}
    </div>
  );
}

export function GridHeaderRow({ className = 'row head', children }: { className?: string; children: ReactNode }) {
  return (
    <div className={className} role="row" aria-rowindex={1}>
      {children}
    </div>
  );
}

export function ColumnHeader({
  className,
  children,
  label,
}: {
  className?: string;
  children?: ReactNode;
  label?: string;
}) {
  return (
    <span role="columnheader" className={className} aria-label={label}>
      {children}
    </span>
  );
}

/** Data row `index` (0-based). Extra props (style, handlers, data-*) pass through. */
export function GridRow({
  index,
  selected,
  children,
  ...rest
}: { index: number; selected?: boolean; children: ReactNode } & React.HTMLAttributes<HTMLDivElement> &
  Record<`data-${string}`, string | number | undefined>) {
  return (
    <div role="row" aria-rowindex={index + 2} aria-selected={selected} data-row={index} {...rest}>
      {children}
    </div>
  );
}

export function GridCell({
  className,
  children,
  ...rest
}: { className?: string; children?: ReactNode } & React.HTMLAttributes<HTMLSpanElement>) {
  return (
    <span role="gridcell" tabIndex={-1} className={className} {...rest}>
      {children}
    </span>
  );
}
