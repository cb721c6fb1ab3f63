// A shell on the host (node-pty session in the engine); survives switching views.
import { api } from '../api/client';
import { TerminalPane } from '../components/TerminalPane';
import { ErrorLine } from '../components/ErrorLine';
import { guessSize, useSession } from '../lib/useSession';

export function HostTerminalView() {
  const s = useSession('host');
  const open = () => void s.open(() => api().call('sessions.host', guessSize()));
  return (
    <div className="page term-page">
      <div className="term-bar">
        <h1>Host terminal</h1>
        <button onClick={() => { if (s.info?.alive) api().call('sessions.close', { session: s.info.id }).catch(() => undefined); open(); }} disabled={s.opening}>{s.info?.alive ? 'New host shell' : 'Open host shell'}</button>
        <span className="muted small">A shell on this machine, as the user running Pier.</span>
      </div>
      <ErrorLine text={s.error && `host shell: ${s.error}`} onDismiss={s.clear} />
      {s.info ? <TerminalPane key={s.info.id} session={s.info.id} onEnd={s.ended} /> : <div className="muted pad">Press “Open host shell”.</div>}
    </div>
  );
}
