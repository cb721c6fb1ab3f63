// Shell tab: an exec session (sh or bash) inside the running container.
import { useState } from 'react';
import type { ContainerSummary } from '../../../../electron/common/types';
import { can } from '../../../../electron/common/states';
import { api } from '../../api/client';
import { TerminalPane } from '../../components/TerminalPane';
import { ErrorLine } from '../../components/ErrorLine';
import { guessSize, useSession } from '../../lib/useSession';

export function ShellTab({ c }: { c: ContainerSummary }) {
  const s = useSession(`shell:${c.id}`);
  const [shell, setShell] = useState('/bin/sh');
  const running = can('exec', c.status);
  const close = () => {
    if (s.info?.alive) api().call('sessions.close', { session: s.info.id }).catch(() => undefined);
    s.clear();
  };
  const start = () => { close(); void s.open(() => api().call('sessions.exec', { id: c.id, cmd: [shell], tty: true, ...guessSize() })); };
  return (
    <div className="term-tab">
      <div className="term-bar">
        <select value={shell} onChange={(e) => setShell(e.target.value)} aria-label="Shell">
          <option value="/bin/sh">sh</option><option value="/bin/bash">bash</option><option value="/bin/ash">ash</option>
        </select>
        <button onClick={start} disabled={!running || s.opening} data-testid="open-shell">{s.info?.alive ? 'New shell' : 'Open shell'}</button>
        {s.info && <button onClick={close}>Close shell</button>}
        {!running && <span className="muted">Start {c.name} to open a shell in it.</span>}
        <span className="muted small">Ctrl+Shift+C/V copy/paste · Ctrl+Shift+F find · F6 leaves the terminal</span>
      </div>
      <ErrorLine text={s.error && `shell in ${c.name}: ${s.error}`} onDismiss={() => s.clear()} />
      {s.info ? <TerminalPane key={s.info.id} session={s.info.id} onEnd={s.ended} /> : <div className="muted pad">No shell open. Choose a shell and press “Open shell”.</div>}
    </div>
  );
}
