// A checkpoint archive as a draggable chip. In Electron, dragstart hands only the
// archive id to main (window.pier.startDrag), which starts the native file drag.
import type { CheckpointSummary } from '../../../electron/common/contract';
import { bytes } from '../lib/format';
import { unwrap } from '../../../electron/common/bridge';

export function ArchiveChip({ cp }: { cp: CheckpointSummary }) {
  const canDrag = typeof window.pier?.startDrag === 'function';
  return (
    <span
      className="chip archive"
      draggable
      data-archive-id={cp.id}
      title={canDrag ? 'Drag to a folder or another app to export' : cp.archive}
      onDragStart={(e) => {
        if (window.pier?.startDrag) { e.preventDefault(); window.pier.startDrag(cp.id); }
        else { e.dataTransfer.setData('text/plain', cp.archive ?? cp.id); }
      }}
    >
      ⇩ {cp.archive?.split('/').pop() ?? `${cp.id}.tar.gz`} · {bytes(cp.archiveSize)}
    </span>
  );
}

/** "Export…": a save dialog in Electron; in web mode the archive path is shown to copy. */
export function exportArchive(cp: CheckpointSummary): Promise<string | null | undefined> {
  if (window.pier?.exportArchive) return window.pier.exportArchive(cp.id).then(unwrap);
  return Promise.resolve(cp.archive);
}

export function ExportHint() {
  return (
    <span className="muted small">
      {window.pier?.startDrag ? 'Drag an archive chip out of the window, or use Export…' : 'Archives are on the engine host; the path is in the chip tooltip.'}
    </span>
  );
}
