// Modal frame for every dialog: focus moves inside and stays there (Tab and Shift+Tab
// cycle within it, focus-trap-react), Escape (global shortcut) or the backdrop closes it,
// and focus returns to the element that opened it — or, if that element is gone (its row
// was removed), to the same place in the grid it was in.
import { useRef, type ReactNode } from 'react';
import { FocusTrap } from 'focus-trap-react';
import { useUi } from '../store/ui';
import { returnFocusTarget } from '../lib/focusReturn';

export interface DialogProps {
  title: string;
  children: ReactNode;
  className?: string;
  /** alertdialog for confirmations; their message is `describedBy` */
  role?: 'dialog' | 'alertdialog';
  describedBy?: string;
  /** selector of the element focused first; default: first field, else the first footer button */
  initialFocus?: string;
}

export function Dialog({ title, children, className, role = 'dialog', describedBy, initialFocus }: DialogProps) {
  const close = useUi((s) => s.closeDialog);
  const ref = useRef<HTMLDivElement>(null);
  const opener = useRef<{ el: Element | null; grid: Element | null }>(undefined);
  if (!opener.current) {
    const el = document.activeElement;
    opener.current = { el, grid: el?.closest('[role="grid"]') ?? null };
  }
  const first = () => {
    const d = ref.current!;
    return (
      (initialFocus && d.querySelector<HTMLElement>(initialFocus)) ??
      d.querySelector<HTMLElement>('input, select, textarea') ??
      d.querySelector<HTMLElement>('footer button') ??
      d
    );
  };
  return (
    <div
      className="backdrop"
      onMouseDown={(e) => {
        if (e.target === e.currentTarget) close();
      }}
    >
      <FocusTrap
        focusTrapOptions={{
          initialFocus: first,
          fallbackFocus: () => ref.current!,
          escapeDeactivates: false,
          allowOutsideClick: true,
          setReturnFocus: () => returnFocusTarget(opener.current!.el, opener.current!.grid) ?? false,
        }}
      >
        <div
          className={`dialog ${className ?? ''}`}
          role={role}
          aria-modal="true"
          aria-label={title}
          aria-describedby={describedBy}
          ref={ref}
          tabIndex={-1}
        >
          <header>
            <h2>{title}</h2>
            <button className="link" onClick={close} aria-label="Close">
              ×
            </button>
          </header>
          {children}
        </div>
      </FocusTrap>
    </div>
  );
}
