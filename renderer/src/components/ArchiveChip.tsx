// A checkpoint archive as a draggable chip. In Electron, dragstart hands only the
// archive id to main (window.pier.startDrag), which starts the native file drag.
import type { CheckpointSummary } from '@common/contract';
import { bytes } from '../lib/format';

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
      📦 {cp.archive?.split('/').pop() ?? `${cp.id}.tar.gz`} · {bytes(cp.archiveSize)}
    </span>
  );
}
