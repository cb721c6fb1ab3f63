// What Enter (or a row's button) opens below a resource grid: a labelled region that takes the focus when it opens
// (so a screen reader reads it), closes with its Close button or Escape, and then gives the focus back to where it
// came from — the grid's current stop when that element is gone.
import { useEffect, useRef, type ReactNode } from 'react';
import { returnFocusTarget } from '../lib/focusReturn';

export function DetailPanel({
  label,
  onClose,
  children,
  testId,
}: {
  label: string;
  onClose(): void;
  children: ReactNode;
  testId?: string;
}) {
  const ref = useRef<HTMLElement>(null);
  const from = useRef<{ el: Element | null; grid: Element | null }>(undefined);
  useEffect(() => {
    const el = document.activeElement;
    from.current = { el, grid: el?.closest('[role="grid"]') ?? null };
    ref.current?.focus();
  }, [label]);
  const close = () => {
    const back = returnFocusTarget(from.current?.el ?? null, from.current?.grid ?? null);
    onClose();
    back?.focus();
  };
  return (
    <section
      className="detail-panel"
      role="region"
      aria-label={label}
      tabIndex={-1}
      ref={ref}
      data-testid={testId}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && !e.defaultPrevented) {
          e.preventDefault();
          close();
        }
      }}
    >
      <header className="detail-panel-head">
        <h2>{label}</h2>
        <button className="link" onClick={close} aria-label={`Close ${label}`}>
          ×
        </button>
      </header>
      {children}
    </section>
  );
}
