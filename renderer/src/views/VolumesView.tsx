// Volumes: data that outlives containers. Size, the containers using it, created; create, remove (refused while
// in use, with the engine's reason on the row), prune unused ones, browse files read-only.
import { useEffect, useState } from 'react';
import { api } from '../api/client';
import { useVolumes } from '../store/volumes';
import { useUi } from '../store/ui';
import { ErrorLine } from '../components/ErrorLine';
import { VolumeBrowser } from './volumes/VolumeBrowser';
import { ago, bytes } from '../lib/format';

const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

export function VolumesView() {
  const { list, loaded, error } = useVolumes();
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [formError, setFormError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [rowError, setRowError] = useState<Record<string, string>>({});
  const [browsing, setBrowsing] = useState<string>();
  useEffect(() => { void useVolumes.getState().refresh(); }, []);
  const refresh = () => useVolumes.getState().refresh();
  const create = async (e: React.FormEvent) => {
    e.preventDefault();
    const n = name.trim();
    if (!NAME_RE.test(n)) { setFormError(n ? `"${n}" is not a volume name: letters, digits, _ . - (not first)` : 'Enter a name for the new volume'); return; }
    setBusy(true); setFormError(undefined);
    try { await api().call('volumes.create', { name: n }); setName(''); await refresh(); }
    catch (err) { setFormError(`create ${n}: ${(err as Error).message}`); }
    finally { setBusy(false); }
  };
  const remove = async (n: string) => {
    setRowError({ ...rowError, [n]: '' });
    try { await api().call('volumes.remove', { name: n }); if (browsing === n) setBrowsing(undefined); await refresh(); }
    catch (err) { setRowError({ ...rowError, [n]: `remove ${n}: ${(err as Error).message}` }); }
  };
  const prune = async () => {
    try {
      const r = await api().call('volumes.prune', { all: true });
      setNotice(r.deleted.length ? `Removed ${r.deleted.length} unused volume${r.deleted.length > 1 ? 's' : ''} (${bytes(r.bytes)} freed): ${r.deleted.map((d) => d.slice(0, 24)).join(', ')}` : 'No unused volumes to remove.');
      await refresh();
    } catch (err) { setFormError(`prune: ${(err as Error).message}`); }
  };
  const unused = list.filter((v) => !v.usedBy.length).length;
  return (
    <div className="page" data-testid="volumes-view">
      <h1>Volumes</h1>
      <form className="toolbar" onSubmit={create}>
        <input value={name} onChange={(e) => setName(e.target.value)} placeholder="New volume name" aria-label="Volume name" name="volume-name" />
        <button className="primary" disabled={busy}>{busy ? 'Creating…' : 'Create'}</button>
        <button type="button" onClick={() => void prune()} disabled={!unused} data-action="prune" title="Remove every volume no container uses">Remove unused ({unused})</button>
      </form>
      <ErrorLine text={formError} onDismiss={() => setFormError(undefined)} />
      {notice && <div className="notice" role="status" data-testid="volumes-notice">{notice}</div>}
      <ErrorLine text={error} />
      {loaded && !error && !list.length && (
        <div className="empty small-empty" data-testid="volumes-empty">
          <h2>No volumes yet</h2>
          <p>A volume keeps data when its container is removed: databases, caches, uploads. Create one here, pick one in <b>New container</b> (Volumes), or let <code>docker run -v name:/path</code> and compose files create them.</p>
        </div>
      )}
      {list.length > 0 && (
        <table className="table">
          <thead><tr><th>Name</th><th>Size</th><th>Used by</th><th>Created</th><th /></tr></thead>
          <tbody>
            {list.map((v) => (
              <tr key={v.name} data-volume={v.name} className={browsing === v.name ? 'selected' : undefined}>
                <td><span title={v.name}>{v.anonymous ? `${v.name.slice(0, 12)}…` : v.name}</span>{v.anonymous && <small className="muted"> anonymous</small>}
                  {v.bind && <div className="muted small">bind of <code>{v.bind}</code></div>}</td>
                <td data-testid="volume-size">{v.bind ? '–' : bytes(v.size)}</td>
                <td data-testid="volume-users">{v.usedBy.length ? v.usedBy.map((u) => (
                  <div key={u.id}><button className="link" onClick={() => useUi.getState().select(u.id)}>{u.name}</button> <small className="muted">{u.status}</small></div>
                )) : <span className="muted">unused</span>}</td>
                <td title={new Date(v.createdAt).toLocaleString()}>{ago(v.createdAt)}</td>
                <td className="actions">
                  <button onClick={() => setBrowsing(browsing === v.name ? undefined : v.name)} data-action="browse">{browsing === v.name ? 'Close' : 'Browse'}</button>
                  <button className="danger" onClick={() => void remove(v.name)} data-action="remove" title={v.usedBy.length ? `used by ${v.usedBy.map((u) => u.name).join(', ')}` : undefined}>Remove</button>
                  {rowError[v.name] && <div className="error-line" role="alert">{rowError[v.name]}</div>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {browsing && list.some((v) => v.name === browsing) && <VolumeBrowser key={browsing} volume={browsing} />}
    </div>
  );
}
