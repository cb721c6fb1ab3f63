// Global keys: Ctrl/Cmd+K (or Ctrl+Shift+P) palette, Alt+1..7 views, "/" filter,
// "n" new container, Escape closes the open dialog. Keys typed into inputs and
// terminals are left alone (except Escape for dialogs and the palette chords).
import { useEffect } from 'react';
import { useUi, type View } from '../store/ui';

const VIEWS: View[] = ['containers', 'images', 'system', 'host', 'stacks', 'networks', 'volumes'];

function typing(t: EventTarget | null): boolean {
  const el = t as HTMLElement | null;
  if (!el) return false;
  return el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable || !!el.closest?.('.xterm');
}

export function useShortcuts(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const ui = useUi.getState();
      if (e.key === 'Escape' && ui.dialog) { e.preventDefault(); ui.closeDialog(); return; }
      const mod = e.ctrlKey || e.metaKey;
      if ((mod && !e.shiftKey && e.key.toLowerCase() === 'k') || (mod && e.shiftKey && e.key.toLowerCase() === 'p')) {
        e.preventDefault();
        ui.openDialog(ui.dialog?.kind === 'palette' ? undefined : { kind: 'palette' });
        return;
      }
      if (e.altKey && !mod && /^[1-7]$/.test(e.key)) { e.preventDefault(); ui.setView(VIEWS[Number(e.key) - 1]); return; }
      if (typing(e.target) || ui.dialog || mod || e.altKey) return;
      if (e.key === '/') { e.preventDefault(); ui.setView('containers'); requestAnimationFrame(() => document.getElementById('container-filter')?.focus()); }
      else if (e.key === 'n') { e.preventDefault(); ui.openDialog({ kind: 'create' }); }
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, []);
}
