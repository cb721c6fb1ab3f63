// Checkpoints: create (options, progress), list with sizes, restore, export, remove.
import { useEffect, useState } from 'react';
import type { ContainerSummary } from '../../../../electron/common/types';
import { api } from '../../api/client';
import { useCheckpoints } from '../../store/checkpoints';
import { useContainers } from '../../store/containers';
import { ErrorLine } from '../../components/ErrorLine';
import { ArchiveChip, ExportHint, exportArchive } from '../../components/ArchiveChip';
import { useUi } from '../../store/ui';
import { ProgressBar } from '../../components/ProgressBar';
import { ago, bytes } from '../../lib/format';
import { can } from '../../../../electron/common/states';

const OPTIONS = [
  ['leaveRunning', 'Leave running'], ['tcpEstablished', 'TCP established'], ['fileLocks', 'File locks'], ['preDump', 'Pre-dump'], ['export', 'Export archive'],
] as const;
type Opt = (typeof OPTIONS)[number][0];

export function CheckpointsTab({ c }: { c: ContainerSummary }) {
  const list = useCheckpoints((s) => s.byContainer[c.id]);
  const listError = useCheckpoints((s) => s.error[c.id]);
  const progress = useCheckpoints((s) => s.progress[c.id] ?? s.progress[c.name]);
  const [opts, setOpts] = useState<Record<Opt, boolean>>({ leaveRunning: false, tcpEstablished: false, fileLocks: false, preDump: false, export: true });
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<string>();
  useEffect(() => { void useCheckpoints.getState().refresh(c.id); }, [c.id]);

  const act = async (label: string, fn: () => Promise<unknown>) => {
    setBusy(label); setError(undefined);
    try { await fn(); await useCheckpoints.getState().refresh(c.id); }
    catch (e) { setError(`${label}: ${(e as Error).message}`); }
    finally { setBusy(undefined); }
  };
  const unavailable = listError?.includes('not available');
  return (
    <div className="checkpoints pad">
      {unavailable ? <div className="notice" role="alert">{listError}</div> : <ErrorLine text={listError} />}
      <fieldset disabled={!!busy || unavailable || !can('checkpoint', c.status)}>
        <legend>New checkpoint</legend>
        {OPTIONS.map(([k, label]) => (
          <label key={k}><input type="checkbox" checked={opts[k]} onChange={(e) => setOpts({ ...opts, [k]: e.target.checked })} /> {label}</label>
        ))}
        <button className="primary" onClick={() => void act(`checkpoint ${c.name}`, () => api().call('checkpoints.create', { id: c.id, ...opts }))}>{busy?.startsWith('checkpoint') ? 'Checkpointing…' : 'Checkpoint'}</button>
        {!can('checkpoint', c.status) && <span className="muted"> Only a running container can be checkpointed.</span>}
      </fieldset>
      {progress && !progress.done && <ProgressBar label={`${progress.kind}: ${progress.status}`} current={progress.current} total={progress.total} />}
      {busy && !progress && <ProgressBar label={busy} />}
      <ErrorLine text={error ?? progress?.error} onDismiss={() => setError(undefined)} />
      <ExportHint />
      <table className="table">
        <thead><tr><th>Checkpoint</th><th>Created</th><th>Size</th><th>Options</th><th>Archive</th><th /></tr></thead>
        <tbody>
          {(list ?? []).map((cp) => (
            <tr key={cp.id} data-checkpoint={cp.id}>
              <td>{cp.id.slice(0, 12)}</td><td title={new Date(cp.created).toLocaleString()}>{ago(cp.created)}</td><td>{bytes(cp.size)}</td>
              <td className="small">{Object.entries(cp.options).filter(([, v]) => v).map(([k]) => k).join(', ') || '–'}</td>
              <td>{cp.archive ? <ArchiveChip cp={cp} /> : <span className="muted">–</span>}</td>
              <td className="actions">
                <button disabled={!!busy} onClick={() => void act('restore', async () => { const r = await api().call('checkpoints.restore', { checkpoint: cp.id }); useContainers.getState().upsert(r); })}>Restore</button>
                <button disabled={!!busy || !cp.archive} title={cp.archive ? 'Save the archive (podman --export layout)' : 'created without an archive: checkpoint again with “Export archive”'} onClick={() => void act('export', async () => { const p = await exportArchive(cp); if (p) useUi.getState().toast(`archive: ${p}`, 'info'); })}>Export…</button>
                <button disabled={!!busy} className="danger" onClick={() => void act('remove checkpoint', () => api().call('checkpoints.remove', { checkpoint: cp.id }))}>Remove</button>
              </td>
            </tr>
          ))}
          {list && !list.length && <tr><td colSpan={6} className="muted">No checkpoints of {c.name} yet.</td></tr>}
        </tbody>
      </table>
    </div>
  );
}
