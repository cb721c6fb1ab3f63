import { useContainers } from '../store/containers';
import { useUi, type DetailTab } from '../store/ui';
import { useActions } from '../store/actions';
import { StateBadge } from '../components/StateBadge';
import { RowActions } from '../components/RowActions';
import { ErrorLine } from '../components/ErrorLine';
import { AttachTab } from './tabs/AttachTab';
import { ShellTab } from './tabs/ShellTab';
import { LogsTab } from './tabs/LogsTab';
import { InspectTab } from './tabs/InspectTab';
import { CheckpointsTab } from './tabs/CheckpointsTab';
import { StatsTab } from './tabs/StatsTab';
import { ProcessesTab } from './tabs/ProcessesTab';
import { shortId } from '../lib/format';
import { PortLinks } from '../components/PortLinks';
import { Tabs, type TabDef } from '../components/Tabs';

const TABS: Array<TabDef<DetailTab>> = [
  { id: 'terminal', label: 'Terminal' }, { id: 'shell', label: 'Shell' }, { id: 'logs', label: 'Logs' },
  { id: 'stats', label: 'Stats' }, { id: 'processes', label: 'Processes' },
  { id: 'inspect', label: 'Inspect' }, { id: 'checkpoints', label: 'Checkpoints' },
];

export function ContainerDetail({ id }: { id: string }) {
  const c = useContainers((s) => s.byId[id]);
  const tab = useUi((s) => s.tab);
  const error = useActions((s) => s.errors[id]);
  if (!c) return null;
  return (
    <section className="detail" data-container={c.name} aria-label={`Container ${c.name}`}>
      <header className="detail-head">
        <div>
          <h2>{c.name} <StateBadge c={c} /></h2>
          <div className="muted small">{shortId(c.id)} · {c.image} · <code>{c.command}</code></div>
          <div className="muted small net-line" data-testid="detail-network">
            <span>network {c.networkMode ?? 'none'}</span>
            {c.networks?.map((n) => <span key={n.name} data-network={n.name}>{n.name}: <code>{n.ip}</code> via <code>{n.gateway}</code></span>)}
            {!!c.ports?.length && <span>ports <PortLinks ports={c.ports} /></span>}
          </div>
        </div>
        <RowActions c={c} labels />
        <button onClick={() => useUi.getState().openDialog({ kind: 'commit', id: c.id })} data-action="commit" title="Save this container's changes as a new image">Save as image…</button>
        <button className="link" onClick={() => useUi.getState().select(undefined)} aria-label="Close details">×</button>
      </header>
      <ErrorLine text={error} onDismiss={() => useActions.getState().clearError(id)} />
      <Tabs group="detail" label={`${c.name} views`} tabs={TABS} value={tab} onChange={(t) => useUi.getState().setTab(t)}>
        {tab === 'terminal' && <AttachTab c={c} />}
        {tab === 'shell' && <ShellTab c={c} />}
        {tab === 'logs' && <LogsTab c={c} />}
        {tab === 'inspect' && <InspectTab id={c.id} status={c.status} />}
        {tab === 'checkpoints' && <CheckpointsTab c={c} />}
        {tab === 'stats' && <StatsTab c={c} />}
        {tab === 'processes' && <ProcessesTab c={c} />}
      </Tabs>
    </section>
  );
}
