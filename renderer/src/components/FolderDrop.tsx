// Dragging files over the window shows what a drop does. The desktop app handles the drop itself (lib/shell.ts:
// archives restored or loaded, a folder opens the Build dialog with its path). A browser never reveals a dropped
// folder's path, so in web mode a dropped folder opens the Build dialog asking for the path on the engine's machine.
import { useEffect, useState } from 'react';
import { useUi } from '../store/ui';

export function FolderDrop() {
  const [over, setOver] = useState(false);
  useEffect(() => {
    let depth = 0;
    const files = (e: DragEvent) => !!e.dataTransfer?.types.includes('Files');
    const enter = (e: DragEvent) => { if (files(e)) { depth++; setOver(true); } };
    const leave = (e: DragEvent) => { if (files(e) && --depth <= 0) { depth = 0; setOver(false); } };
    const over = (e: DragEvent) => { if (files(e)) e.preventDefault(); };
    const drop = (e: DragEvent) => {
      depth = 0; setOver(false);
      if (window.pier || !e.dataTransfer) return;
      e.preventDefault();
      const entry = [...e.dataTransfer.items].map((i) => i.webkitGetAsEntry?.()).find((x) => x?.isDirectory);
      if (entry) {
        useUi.getState().openDialog({ kind: 'build', note: `A browser does not tell Pier where "${entry.name}" is on disk: enter the folder's path on the machine where Pier runs.` });
      } else useUi.getState().toast('In the browser, drop a folder to build it; archives are restored or loaded in the desktop app, or with `pier restore` and `docker load`.', 'info');
    };
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragleave', leave);
    window.addEventListener('dragover', over);
    window.addEventListener('drop', drop);
    return () => { window.removeEventListener('dragenter', enter); window.removeEventListener('dragleave', leave); window.removeEventListener('dragover', over); window.removeEventListener('drop', drop); };
  }, []);
  return over ? <div className="drop-hint" data-testid="drop-hint">Drop a folder to build it{window.pier ? ', or a checkpoint or image archive to restore or load it' : ''}</div> : null;
}
