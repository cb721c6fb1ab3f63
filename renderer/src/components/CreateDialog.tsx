// Create/run: validated before submit (contract schema); engine errors shown here.
import { useState } from 'react';
import { Dialog } from './Dialog';
import { api } from '../api/client';
import { useUi } from '../store/ui';
import { useContainers } from '../store/containers';
import { useImages } from '../store/images';
import { useNetworks } from '../store/networks';
import { useVolumes } from '../store/volumes';
import { VolumePicker } from './VolumePicker';
import { useEffect } from 'react';
import { emptyForm, toParams, type CreateForm, type FormErrors } from '../lib/createForm';

export function CreateDialog({ image }: { image?: string }) {
  const [f, setF] = useState<CreateForm>(() => emptyForm(image));
  const [errors, setErrors] = useState<FormErrors>({});
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const images = useImages((s) => s.list);
  const networks = useNetworks((s) => s.list);
  useEffect(() => { void useNetworks.getState().refresh(); void useVolumes.getState().refresh(); }, []);
  const set = <K extends keyof CreateForm>(k: K, v: CreateForm[K]) => { setF({ ...f, [k]: v }); if (errors[k]) setErrors({ ...errors, [k]: undefined }); };
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const { params, errors: errs } = toParams(f);
    setErrors(errs);
    if (!params) return;
    setBusy(true); setError(undefined);
    try {
      const c = await api().call('containers.create', params);
      useContainers.getState().upsert(c);
      useUi.getState().closeDialog();
      useUi.getState().select(c.id, 'terminal');
    } catch (err) { setError((err as Error).message); }
    finally { setBusy(false); }
  };
  const field = (k: keyof CreateForm, label: string, input: React.ReactNode, hint?: string) => (
    <label className={errors[k] ? 'field invalid' : 'field'} data-field={k}>
      <span>{label}</span>{input}
      {errors[k] ? <small className="field-error" role="alert">{errors[k]}</small> : hint ? <small className="muted">{hint}</small> : null}
    </label>
  );
  return (
    <Dialog title="New container" className="create">
      <form onSubmit={submit} noValidate>
        {field('image', 'Image', <>
          <input list="image-options" value={f.image} onChange={(e) => set('image', e.target.value)} placeholder="busybox:latest or /path/to/rootfs" name="image" />
          <datalist id="image-options">{images.flatMap((i) => i.repoTags).map((t) => <option key={t} value={t} />)}</datalist>
        </>, 'An image name, or an absolute path to a root filesystem directory')}
        {field('name', 'Name', <input value={f.name} onChange={(e) => set('name', e.target.value)} placeholder="(generated)" name="name" />)}
        {field('command', 'Command', <input value={f.command} onChange={(e) => set('command', e.target.value)} placeholder="(image default) e.g. sh -c 'echo hi'" name="command" />)}
        {field('env', 'Environment', <textarea rows={2} value={f.env} onChange={(e) => set('env', e.target.value)} placeholder="NAME=value, one per line" name="env" />)}
        {field('binds', 'Bind mounts', <textarea rows={2} value={f.binds} onChange={(e) => set('binds', e.target.value)} placeholder="/host/dir:/in/container[:ro], one per line" name="binds" />)}
        {field('volumes', 'Volumes', <VolumePicker value={f.volumes} onChange={(v) => set('volumes', v)} />, 'Data kept when the container is removed; a new name creates the volume')}
        {field('ports', 'Published ports', <input value={f.ports} onChange={(e) => set('ports', e.target.value)} placeholder="8080:80, 127.0.0.1::5432, 53:53/udp" name="ports" />, 'host port:container port; an empty host port picks a free one')}
        {field('aliases', 'Network aliases', <input value={f.aliases} onChange={(e) => set('aliases', e.target.value)} placeholder="db, cache (user networks only)" name="aliases" />)}
        <div className="row-fields">
          {field('network', 'Network', <select value={f.network} onChange={(e) => set('network', e.target.value as CreateForm['network'])} name="network">
            <option value="">default (bridge)</option><option value="none">none</option><option value="host">host</option>
            {networks.filter((n) => !n.isDefault).map((n) => <option key={n.id} value={n.name}>{n.name} ({n.subnet})</option>)}
          </select>)}
          <label className="check"><input type="checkbox" checked={f.tty} onChange={(e) => set('tty', e.target.checked)} name="tty" /> TTY</label>
          <label className="check"><input type="checkbox" checked={f.interactive} onChange={(e) => set('interactive', e.target.checked)} name="interactive" /> Interactive (keep stdin open)</label>
          <label className="check"><input type="checkbox" checked={f.start} onChange={(e) => set('start', e.target.checked)} name="start" /> Start now</label>
        </div>
        {error && <div className="error-line" role="alert" data-testid="create-error">{error}</div>}
        <footer>
          <button type="button" onClick={() => useUi.getState().closeDialog()}>Cancel</button>
          <button className="primary" type="submit" disabled={busy}>{busy ? 'Creating…' : f.start ? 'Create and start' : 'Create'}</button>
        </footer>
      </form>
    </Dialog>
  );
}
