// Networks: list with subnets and live containers, create (name, optional subnet), remove.
import { useEffect, useState } from 'react';
import { api } from '../api/client';
import { useNetworks } from '../store/networks';
import { useUi } from '../store/ui';
import { ErrorLine } from '../components/ErrorLine';
import { networkCreateParams } from '../../../electron/common/contract';
import { ago } from '../lib/format';

export function NetworksView() {
  const list = useNetworks((s) => s.list);
  const loaded = useNetworks((s) => s.loaded);
  const error = useNetworks((s) => s.error);
  const [name, setName] = useState('');
  const [subnet, setSubnet] = useState('');
  const [busy, setBusy] = useState(false);
  const [formError, setFormError] = useState<string>();
  const [rowError, setRowError] = useState<Record<string, string>>({});
  useEffect(() => { void useNetworks.getState().refresh(); }, []);
  const create = async (e: React.FormEvent) => {
    e.preventDefault();
    const p = { name: name.trim(), ...(subnet.trim() ? { subnet: subnet.trim() } : {}) };
    const v = networkCreateParams.safeParse(p);
    if (!v.success) { setFormError(v.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`).join('; ')); return; }
    setBusy(true); setFormError(undefined);
    try { await api().call('networks.create', p); setName(''); setSubnet(''); await useNetworks.getState().refresh(); }
    catch (err) { setFormError(`create ${p.name}: ${(err as Error).message}`); }
    finally { setBusy(false); }
  };
  const remove = async (n: string) => {
    try { await api().call('networks.remove', { name: n }); await useNetworks.getState().refresh(); }
    catch (err) { setRowError({ ...rowError, [n]: `remove ${n}: ${(err as Error).message}` }); }
  };
  const unavailable = error?.includes('not available');
  return (
    <div className="page" data-testid="networks-view">
      <h1>Networks</h1>
      <form className="toolbar" onSubmit={create}>
        <input value={name} onChange={(e) => setName(e.target.value)} placeholder="New network name" aria-label="Network name" disabled={unavailable} name="network-name" />
        <input value={subnet} onChange={(e) => setSubnet(e.target.value)} placeholder="Subnet (optional, e.g. 10.30.0.0/24)" aria-label="Subnet" disabled={unavailable} name="network-subnet" />
        <button className="primary" disabled={busy || unavailable}>{busy ? 'Creating…' : 'Create'}</button>
      </form>
      <ErrorLine text={formError} onDismiss={() => setFormError(undefined)} />
      {unavailable ? <div className="notice" role="alert">{error}</div> : <ErrorLine text={error} />}
      {loaded && !unavailable && list.length > 0 && (
        <table className="table">
          <thead><tr><th>Name</th><th>Subnet</th><th>Gateway</th><th>Names resolve</th><th>Containers</th><th>Created</th><th /></tr></thead>
          <tbody>
            {list.map((n) => (
              <tr key={n.id} data-network={n.name}>
                <td>{n.name}{n.isDefault && <small className="muted"> default</small>}{n.internal && <small className="muted"> internal</small>}<div className="muted small">bridge {n.bridge}</div></td>
                <td><code>{n.subnet}</code></td><td><code>{n.gateway}</code></td><td>{n.dns ? 'yes' : 'no (default bridge)'}</td>
                <td>{n.containers.length ? n.containers.map((c) => (
                  <div key={c.id}><button className="link" onClick={() => useUi.getState().select(c.id)}>{c.name}</button> <code className="muted">{c.ip}</code></div>
                )) : <span className="muted">none running</span>}</td>
                <td>{ago(n.created)}</td>
                <td className="actions">
                  {!n.isDefault && <button className="danger" onClick={() => void remove(n.name)} disabled={n.containers.length > 0} title={n.containers.length ? 'in use by running containers' : undefined}>Remove</button>}
                  {rowError[n.name] && <div className="error-line" role="alert">{rowError[n.name]}</div>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
