// Networks: list with subnets and live containers, create (name, optional subnet), remove (confirmed), details.
// The list is an ARIA grid (components/ResourceGrid): Enter shows the details, Space checks, Delete asks to remove.
import { useEffect, useState } from 'react';
import { api } from '../api/client';
import { useNetworks } from '../store/networks';
import { useUi } from '../store/ui';
import { ErrorLine, ListError } from '../components/ErrorLine';
import { networkCreateParams } from '../../../electron/common/contract';
import { ago } from '../lib/format';
import type { NetworkSummary } from '../../../electron/common/contract';
import { ResourceGrid, type Column } from '../components/ResourceGrid';
import { DetailPanel } from '../components/DetailPanel';
import { SelectionBar } from '../components/SelectionBar';
import { forEach } from '../components/ConfirmDialog';
import { JsonView } from '../components/JsonView';
import { useChecked } from '../lib/useChecked';

/** Asks before removing networks; the default network is never offered, the engine's refusal shows in the dialog. */
export function confirmRemoveNetworks(all: NetworkSummary[]): void {
  const nets = all.filter((n) => !n.isDefault);
  if (!nets.length) {
    useUi.getState().toast(`${all[0]?.name ?? 'the default network'}: the default network cannot be removed`, 'info');
    return;
  }
  const one = nets.length === 1;
  const users = [...new Set(nets.flatMap((n) => n.containers.map((c) => c.name)))];
  useUi.getState().openDialog({
    kind: 'confirm',
    spec: {
      title: one ? 'Remove network' : 'Remove networks',
      message:
        `Remove ${one ? nets[0].name : `${nets.length} networks (${nets.map((n) => n.name).join(', ')})`}? ` +
        (users.length
          ? `Running containers use it (${users.join(', ')}): stop them first.`
          : 'No running container uses it.'),
      action: 'Remove',
      run: async () => {
        await forEach(
          nets,
          (n) => api().call('networks.remove', { name: n.name }),
          (n) => n.name,
        );
        await useNetworks.getState().refresh();
      },
    },
  });
}

const COLUMNS: Column<NetworkSummary>[] = [
  {
    head: 'Name',
    cell: (n) => (
      <>
        {n.name}
        {n.isDefault && <small className="muted"> default</small>}
        {n.internal && <small className="muted"> internal</small>}
        <div className="muted small">bridge {n.bridge}</div>
      </>
    ),
  },
  { head: 'Subnet', cell: (n) => <code>{n.subnet}</code> },
  { head: 'Gateway', cell: (n) => <code>{n.gateway}</code> },
  { head: 'Names resolve', cell: (n) => (n.dns ? 'yes' : 'no (default bridge)') },
  {
    head: 'Containers',
    cell: (n) =>
      n.containers.length ? (
        n.containers.map((c) => (
          <div key={c.id}>
            <button className="link" onClick={() => useUi.getState().select(c.id)}>
              {c.name}
            </button>{' '}
            <code className="muted">{c.ip}</code>
          </div>
        ))
      ) : (
        <span className="muted">none running</span>
      ),
  },
  { head: 'Created', cell: (n) => ago(n.created), title: (n) => new Date(n.created).toLocaleString() },
];

export function NetworksView() {
  const list = useNetworks((s) => s.list);
  const loaded = useNetworks((s) => s.loaded);
  const error = useNetworks((s) => s.error);
  const [name, setName] = useState('');
  const [subnet, setSubnet] = useState('');
  const [busy, setBusy] = useState(false);
  const [formError, setFormError] = useState<string>();
  const [open, setOpen] = useState<string>();
  const sel = useChecked(list.map((n) => n.name));
  useEffect(() => {
    void useNetworks.getState().refresh();
  }, []);
  const create = async (e: React.FormEvent) => {
    e.preventDefault();
    const p = { name: name.trim(), ...(subnet.trim() ? { subnet: subnet.trim() } : {}) };
    const v = networkCreateParams.safeParse(p);
    if (!v.success) {
      setFormError(v.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`).join('; '));
      return;
    }
    setBusy(true);
    setFormError(undefined);
    try {
      await api().call('networks.create', p);
      setName('');
      setSubnet('');
      await useNetworks.getState().refresh();
    } catch (err) {
      setFormError(`create ${p.name}: ${(err as Error).message}`);
    } finally {
      setBusy(false);
    }
  };
  const unavailable = error?.includes('not available');
  const opened = list.find((n) => n.name === open);
  return (
    <div className="page" data-testid="networks-view">
      <h1>Networks</h1>
      <form className="toolbar" onSubmit={create}>
        <input
          value={name}
          onChange={(e) => setName(e.target.value)}
          placeholder="New network name"
          aria-label="Network name"
          disabled={unavailable}
          name="network-name"
        />
        <input
          value={subnet}
          onChange={(e) => setSubnet(e.target.value)}
          placeholder="Subnet (optional, e.g. 10.30.0.0/24)"
          aria-label="Subnet"
          disabled={unavailable}
          name="network-subnet"
        />
        <button className="primary" disabled={busy || unavailable}>
          {busy ? 'Creating…' : 'Create'}
        </button>
        <SelectionBar
          n={sel.keys.length}
          what="networks"
          onClear={() => sel.set([])}
          onRemove={() => confirmRemoveNetworks(list.filter((n) => sel.checked[n.name]))}
        />
      </form>
      <ErrorLine text={formError} onDismiss={() => setFormError(undefined)} />
      <ListError error={error} unavailable={unavailable} />
      {loaded && !unavailable && !list.length && (
        <div className="empty small-empty" data-testid="networks-empty">
          <h2>No networks</h2>
          <p>
            A network connects containers to each other and, through its gateway, to the outside. Create one above and
            pick it in <b>New container</b>; containers on a network you create find each other by name.
          </p>
        </div>
      )}
      {loaded && !unavailable && list.length > 0 && (
        <ResourceGrid
          label="Networks"
          items={list}
          keyOf={(n) => n.name}
          nameOf={(n) => n.name}
          columns={[
            ...COLUMNS,
            {
              head: 'Actions',
              className: 'rg-actions',
              cell: (n) =>
                !n.isDefault && (
                  <button
                    className="danger"
                    onClick={() => confirmRemoveNetworks([n])}
                    disabled={n.containers.length > 0}
                    aria-label={`Remove ${n.name}`}
                    title={n.containers.length ? 'in use by running containers' : undefined}
                  >
                    Remove…
                  </button>
                ),
            },
          ]}
          checked={sel.checked}
          toggle={sel.toggle}
          setChecked={sel.set}
          current={open}
          onOpen={(n) => setOpen(n.name)}
          onDelete={(n) => confirmRemoveNetworks([n])}
          rowAttrs={(n) => ({ 'data-network': n.name })}
        />
      )}
      {opened && (
        <DetailPanel label={`Network ${opened.name}`} onClose={() => setOpen(undefined)} testId="network-details">
          <JsonView value={opened} />
        </DetailPanel>
      )}
    </div>
  );
}
