// The create dialog's volume picker: rows of (volume, mount path, read-only). The volume field offers the
// existing volumes; typing a new name creates that volume when the container is created.
import type { VolumeMountForm } from '../lib/createForm';
import { useVolumes } from '../store/volumes';

export function VolumePicker({ value, onChange }: { value: VolumeMountForm[]; onChange: (v: VolumeMountForm[]) => void }) {
  const volumes = useVolumes((s) => s.list);
  const set = (i: number, patch: Partial<VolumeMountForm>) => onChange(value.map((v, k) => (k === i ? { ...v, ...patch } : v)));
  return (
    <div className="volume-picker" data-testid="volume-picker">
      {value.map((v, i) => (
        <div className="mount-row" key={i} data-mount={i}>
          <input list="volume-options" value={v.name} onChange={(e) => set(i, { name: e.target.value })} placeholder="volume (existing or new name)" aria-label="Volume" name={`volume-${i}`} />
          <input value={v.path} onChange={(e) => set(i, { path: e.target.value })} placeholder="/data" aria-label="Mount path" name={`volume-path-${i}`} />
          <label className="check"><input type="checkbox" checked={v.readOnly} onChange={(e) => set(i, { readOnly: e.target.checked })} name={`volume-ro-${i}`} /> read-only</label>
          <button type="button" className="link" onClick={() => onChange(value.filter((_, k) => k !== i))} aria-label="Remove this volume">×</button>
        </div>
      ))}
      <datalist id="volume-options">{volumes.filter((v) => !v.anonymous).map((v) => <option key={v.name} value={v.name}>{v.usedBy.length ? `used by ${v.usedBy.map((u) => u.name).join(', ')}` : 'unused'}</option>)}</datalist>
      <button type="button" onClick={() => onChange([...value, { name: '', path: '', readOnly: false }])} data-action="add-volume">Add volume</button>
    </div>
  );
}
