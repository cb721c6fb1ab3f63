import { useUi, type View } from '../store/ui';
import { useContainers } from '../store/containers';
import { EngineSwitch } from './EngineSwitch';

const ITEMS: Array<{ view: View; label: string; key: string }> = [
  { view: 'containers', label: 'Containers', key: 'Alt+1' },
  { view: 'images', label: 'Images', key: 'Alt+2' },
  { view: 'volumes', label: 'Volumes', key: 'Alt+7' },
  { view: 'system', label: 'System', key: 'Alt+3' },
  { view: 'host', label: 'Host terminal', key: 'Alt+4' },
  { view: 'stacks', label: 'Stacks', key: 'Alt+5' },
  { view: 'networks', label: 'Networks', key: 'Alt+6' },
];

function RunningCount() {
  const n = useContainers((s) => { let k = 0; for (const id of s.order) if (s.byId[id].status === 'running') k++; return k; });
  return n ? <span className="count" title={`${n} running`}>{n}</span> : null;
}

export function Sidebar() {
  const view = useUi((s) => s.view);
  const setView = useUi((s) => s.setView);
  const connection = useUi((s) => s.connection);
  const openDialog = useUi((s) => s.openDialog);
  return (
    <nav className="sidebar" aria-label="Views">
      <div className="brand">Pier</div>
      {ITEMS.map((it) => (
        <button key={it.view} className={view === it.view ? 'nav active' : 'nav'} data-nav={it.view} title={it.key} aria-current={view === it.view ? 'page' : undefined} onClick={() => setView(it.view)}>
          {it.label}{it.view === 'containers' && <RunningCount />}
        </button>
      ))}
      <div className="spacer" />
      <button className="nav subtle" onClick={() => openDialog({ kind: 'palette' })} title="Ctrl+K">Commands…</button>
      <button className={view === 'settings' ? 'nav subtle active' : 'nav subtle'} data-nav="settings" aria-current={view === 'settings' ? 'page' : undefined} onClick={() => setView('settings')}>Settings</button>
      <EngineSwitch />
      <div className={`conn conn-${connection}`} data-connection={connection}>{connection === 'open' ? 'engine connected' : connection === 'connecting' ? 'connecting…' : connection === 'unauthorized' ? 'not authorized: open the URL printed by `pier serve` again' : 'engine unreachable, retrying…'}</div>
    </nav>
  );
}
