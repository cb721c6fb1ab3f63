// Volumes: data that outlives containers. Size, the containers using it, created; create, remove (refused while
// in use, with the engine's reason in the confirmation), prune unused ones, browse files read-only. The list is an
// ARIA grid (components/ResourceGrid): Enter browses the volume, Space checks it, Delete asks to remove it.
import { useEffect, useState } from 'react';
import { api } from '../api/client';
import { useVolumes } from '../store/volumes';
import { useUi } from '../store/ui';
import { ErrorLine } from '../components/ErrorLine';
import { VolumeBrowser } from './volumes/VolumeBrowser';
import { ago, bytes } from '../lib/format';
import type { VolumeRow } from '../../../electron/common/contract';
import { ResourceGrid, type Column } from '../components/ResourceGrid';
import { DetailPanel } from '../components/DetailPanel';
import { SelectionBar } from '../components/SelectionBar';
import { forEach } from '../components/ConfirmDialog';
import { useChecked } from '../lib/useChecked';

const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

const shown = (v: VolumeRow) => (v.anonymous ? `${v.name.slice(0, 12)}…` : v.name);

/** Asks before removing volumes; the engine's refusal (in use by…) is shown in the dialog. */
export function confirmRemoveVolumes(vols: VolumeRow[]): void {
  const one = vols.length === 1;
  const users = [...new Set(vols.flatMap((v) => v.usedBy.map((u) => u.name)))];
  useUi.getState().openDialog({
    kind: 'confirm',
    spec: {
      title: one ? 'Remove volume' : 'Remove volumes',
      message:
        `Remove ${one ? shown(vols[0]) : `${vols.length} volumes (${vols.map(shown).join(', ')})`}? ${one ? 'Its' : 'Their'} data is lost. ` +
        (users.length
          ? `In use by ${users.join(', ')}: remove ${users.length > 1 ? 'them' : 'it'} first.`
          : 'No container uses it.'),
      action: 'Remove',
      run: async () => {
        await forEach(
          vols,
          (v) => api().call('volumes.remove', { name: v.name }),
          (v) => v.name,
        );
        await useVolumes.getState().refresh();
      },
    },
  });
}

const COLUMNS: Column<VolumeRow>[] = [
  {
    head: 'Name',
    cell: (v) => (
      <>
        <span title={v.name}>{shown(v)}</span>
        {v.anonymous && <small className="muted"> anonymous</small>}
        {v.bind && (
          <div className="muted small">
            bind of <code>{v.bind}</code>
          </div>
        )}
      </>
    ),
  },
  { head: 'Size', cell: (v) => <span data-testid="volume-size">{v.bind ? '–' : bytes(v.size)}</span> },
  {
    head: 'Used by',
    cell: (v) => (
      <span data-testid="volume-users">
        {v.usedBy.length ? (
          v.usedBy.map((u) => (
            <div key={u.id}>
              <button className="link" onClick={() => useUi.getState().select(u.id)}>
                {u.name}
              </button>{' '}
              <small className="muted">{u.status}</small>
            </div>
          ))
        ) : (
          <span className="muted">unused</span>
        )}
      </span>
    ),
  },
  { head: 'Created', cell: (v) => ago(v.createdAt), title: (v) => new Date(v.createdAt).toLocaleString() },
];

export function VolumesView() {
  const { list, loaded, error } = useVolumes();
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [formError, setFormError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [browsing, setBrowsing] = useState<string>();
  const sel = useChecked(list.map((v) => v.name));
  useEffect(() => {
    void useVolumes.getState().refresh();
  }, []);
  const refresh = () => useVolumes.getState().refresh();
  const create = async (e: React.FormEvent) => {
    e.preventDefault();
    const n = name.trim();
    if (!NAME_RE.test(n)) {
      setFormError(
        n ? `"${n}" is not a volume name: letters, digits, _ . - (not first)` : 'Enter a name for the new volume',
      );
      return;
    }
    setBusy(true);
    setFormError(undefined);
    try {
      await api().call('volumes.create', { name: n });
      setName('');
      await refresh();
    } catch (err) {
      setFormError(`create ${n}: ${(err as Error).message}`);
    } finally {
      setBusy(false);
    }
  };
  const prune = async () => {
    try {
      const r = await api().call('volumes.prune', { all: true });
      setNotice(
        r.deleted.length
          ? `Removed ${r.deleted.length} unused volume${r.deleted.length > 1 ? 's' : ''} (${bytes(r.bytes)} freed): ${r.deleted.map((d) => d.slice(0, 24)).join(', ')}`
          : 'No unused volumes to remove.',
      );
      await refresh();
    } catch (err) {
      setFormError(`prune: ${(err as Error).message}`);
    }
  };
  const unused = list.filter((v) => !v.usedBy.length).length;
  return (
    <div className="page" data-testid="volumes-view">
      <h1>Volumes</h1>
      <form className="toolbar" onSubmit={create}>
        <input
          value={name}
          onChange={(e) => setName(e.target.value)}
          placeholder="New volume name"
          aria-label="Volume name"
          name="volume-name"
        />
        <button className="primary" disabled={busy}>
          {busy ? 'Creating…' : 'Create'}
        </button>
        <button
          type="button"
          onClick={() => void prune()}
          disabled={!unused}
          data-action="prune"
          title="Remove every volume no container uses"
        >
          Remove unused ({unused})
        </button>
        <SelectionBar
          n={sel.keys.length}
          what="volumes"
          onClear={() => sel.set([])}
          onRemove={() => confirmRemoveVolumes(list.filter((v) => sel.checked[v.name]))}
        />
      </form>
      <ErrorLine text={formError} onDismiss={() => setFormError(undefined)} />
      {notice && (
        <div className="notice" role="status" data-testid="volumes-notice">
          {notice}
        </div>
      )}
      <ErrorLine text={error} />
      {loaded && !error && !list.length && (
        <div className="empty small-empty" data-testid="volumes-empty">
          <h2>No volumes yet</h2>
          <p>
            A volume keeps data when its container is removed: databases, caches, uploads. Create one here, pick one in{' '}
            <b>New container</b> (Volumes), or let <code>docker run -v name:/path</code> and compose files create them.
          </p>
        </div>
      )}
      {list.length > 0 && (
        <ResourceGrid
          label="Volumes"
          items={list}
          keyOf={(v) => v.name}
          nameOf={(v) => v.name}
          columns={[
            ...COLUMNS,
            {
              head: 'Actions',
              className: 'rg-actions',
              cell: (v) => (
                <>
                  <button
                    onClick={() => setBrowsing(browsing === v.name ? undefined : v.name)}
                    data-action="browse"
                    aria-label={`${browsing === v.name ? 'Close' : 'Browse'} ${v.name}`}
                  >
                    {browsing === v.name ? 'Close' : 'Browse'}
                  </button>
                  <button
                    className="danger"
                    onClick={() => confirmRemoveVolumes([v])}
                    data-action="remove"
                    aria-label={`Remove ${v.name}`}
                    title={v.usedBy.length ? `used by ${v.usedBy.map((u) => u.name).join(', ')}` : undefined}
                  >
                    Remove…
                  </button>
                </>
              ),
            },
          ]}
          checked={sel.checked}
          toggle={sel.toggle}
          setChecked={sel.set}
          current={browsing}
          onOpen={(v) => setBrowsing(v.name)}
          onDelete={(v) => confirmRemoveVolumes([v])}
          rowAttrs={(v) => ({ 'data-volume': v.name })}
        />
      )}
      {browsing && list.some((v) => v.name === browsing) && (
        <DetailPanel label={`Volume ${browsing}`} onClose={() => setBrowsing(undefined)}>
          <VolumeBrowser key={browsing} volume={browsing} />
        </DetailPanel>
      )}
    </div>
  );
}
