// Electron-only extras (tray navigation, main-process notices, dropped archives).
// In web mode window.pier is absent and these are no-ops.
import { useUi } from '../store/ui';
import { useContainers } from '../store/containers';
import { unwrap } from '../../../electron/common/bridge';

export function wireShell(): void {
  const b = window.pier;
  if (!b) return;
  b.onNavigate?.((t) => {
    const ui = useUi.getState();
    if (t.view === 'containers') { if (t.id) ui.select(t.id); else ui.setView('containers'); }
    else if (t.id) ui.select(t.id, t.view === 'terminal' ? 'terminal' : t.view);
    else ui.setView('containers');
  });
  b.onNotice?.((n) => useUi.getState().toast(`${n.title}: ${n.message}`, n.level));
  // a file dragged onto the window must not navigate to it; archives are restored/loaded, folders built
  window.addEventListener('dragover', (e) => { if (e.dataTransfer?.types.includes('Files')) e.preventDefault(); });
  window.addEventListener('drop', (e) => {
    if (!e.dataTransfer?.files.length) return;
    e.preventDefault();
    const paths = [...e.dataTransfer.files].map((f) => b.getPathForFile?.(f) ?? '').filter(Boolean);
    if (!paths.length || !b.drop) return;
    b.drop(paths).then(unwrap).then((rs) => {
      for (const r of rs) {
        if (r.kind === 'folder' && r.ok) {
          const f = r.result as { context: string; dockerfile?: string };
          useUi.getState().openDialog({ kind: 'build', context: f.context, dockerfile: f.dockerfile });
          continue;
        }
        useUi.getState().toast(r.message, r.ok ? 'info' : 'error');
        const c = (r as { result?: { id?: string; status?: string } }).result;
        if (r.ok && c?.id && c.status) useContainers.getState().upsert(c as never);
      }
    }, (err) => useUi.getState().toast(`drop: ${(err as Error).message}`));
  });
}
