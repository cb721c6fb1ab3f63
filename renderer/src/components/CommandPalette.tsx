// Ctrl/Cmd+K: fuzzy-ish command list (views, new container, open/start/stop a container).
import { useMemo, useState } from 'react';
import { Dialog } from './Dialog';
import { useUi } from '../store/ui';
import { useContainers } from '../store/containers';
import { useActions } from '../store/actions';
import { useSettings } from '../store/settings';
import { can } from '../../../electron/common/states';

interface Cmd { id: string; label: string; hint?: string; run(): void }

function commands(): Cmd[] {
  const ui = useUi.getState();
  const { byId, order } = useContainers.getState();
  const out: Cmd[] = [
    { id: 'v-containers', label: 'Go to Containers', hint: 'Alt+1', run: () => ui.setView('containers') },
    { id: 'v-images', label: 'Go to Images', hint: 'Alt+2', run: () => ui.setView('images') },
    { id: 'v-system', label: 'Go to System', hint: 'Alt+3', run: () => ui.setView('system') },
    { id: 'v-host', label: 'Open host terminal', hint: 'Alt+4', run: () => ui.setView('host') },
    { id: 'new', label: 'New container…', hint: 'n', run: () => ui.openDialog({ kind: 'create' }) },
    { id: 'settings', label: 'Open settings', run: () => ui.setView('settings') },
    { id: 'sr', label: `Terminal screen reader mode: turn ${useSettings.getState().screenReaderMode ? 'off' : 'on'}`,
      run: () => useSettings.getState().set({ screenReaderMode: !useSettings.getState().screenReaderMode }) },
  ];
  for (const id of order.slice(0, 500)) {
    const c = byId[id];
    out.push({ id: `open-${id}`, label: `Open ${c.name}`, hint: c.status, run: () => ui.select(id) });
    out.push({ id: `term-${id}`, label: `Terminal: ${c.name}`, run: () => ui.select(id, 'terminal') });
    out.push({ id: `logs-${id}`, label: `Logs: ${c.name}`, run: () => ui.select(id, 'logs') });
    if (can('stop', c.status)) out.push({ id: `stop-${id}`, label: `Stop ${c.name}`, run: () => void useActions.getState().run(id, 'stop') });
    else if (can('start', c.status)) out.push({ id: `start-${id}`, label: `Start ${c.name}`, run: () => void useActions.getState().run(id, 'start') });
  }
  return out;
}

export function CommandPalette() {
  const [q, setQ] = useState('');
  const [i, setI] = useState(0);
  const all = useMemo(commands, []);
  const words = q.toLowerCase().split(/\s+/).filter(Boolean);
  const list = all.filter((c) => words.every((w) => c.label.toLowerCase().includes(w))).slice(0, 12);
  const pick = (c?: Cmd) => { if (!c) return; useUi.getState().closeDialog(); c.run(); };
  return (
    <Dialog title="Commands" className="palette">
      {/* focused as it mounts (the dialog's own initial focus waits a frame): keys typed right after Ctrl+K land here */}
      <input autoFocus value={q} placeholder="Type a command or a container name" aria-label="Command"
        onChange={(e) => { setQ(e.target.value); setI(0); }}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') { e.preventDefault(); setI(Math.min(i + 1, list.length - 1)); }
          if (e.key === 'ArrowUp') { e.preventDefault(); setI(Math.max(i - 1, 0)); }
          if (e.key === 'Enter') { e.preventDefault(); pick(list[i]); }
        }} />
      <ul role="listbox">
        {list.map((c, k) => (
          <li key={c.id} role="option" aria-selected={k === i} className={k === i ? 'active' : ''} onMouseEnter={() => setI(k)} onClick={() => pick(c)}>
            {c.label}{c.hint && <span className="muted small">{c.hint}</span>}
          </li>
        ))}
        {!list.length && <li className="muted">No command matches.</li>}
      </ul>
    </Dialog>
  );
}
