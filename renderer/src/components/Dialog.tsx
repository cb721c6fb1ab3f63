import { useEffect, useRef, type ReactNode } from 'react';
import { useUi } from '../store/ui';

/** Modal frame: focus moves inside, Escape (global shortcut) or the backdrop closes it. */
export function Dialog({ title, children, className }: { title: string; children: ReactNode; className?: string }) {
  const close = useUi((s) => s.closeDialog);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => { (ref.current?.querySelector<HTMLElement>('input, select, textarea') ?? ref.current?.querySelector<HTMLElement>('footer button'))?.focus(); }, []);
  return (
    <div className="backdrop" onMouseDown={(e) => { if (e.target === e.currentTarget) close(); }}>
      <div className={`dialog ${className ?? ''}`} role="dialog" aria-modal="true" aria-label={title} ref={ref}>
        <header><h2>{title}</h2><button className="link" onClick={close} aria-label="Close">×</button></header>
        {children}
      </div>
    </div>
  );
}
