// Terminal tab: a view of the container's main process (attach session).
import { useEffect } from 'react';
import type { ContainerSummary } from '../../../../electron/common/types';
import { api } from '../../api/client';
import { useActions } from '../../store/actions';
import { TerminalPane } from '../../components/TerminalPane';
import { ErrorLine } from '../../components/ErrorLine';
import { guessSize, useSession } from '../../lib/useSession';

export function AttachTab({ c }: { c: ContainerSummary }) {
  const s = useSession(`attach:${c.id}`);
  const running = c.status === 'running' || c.status === 'paused';
  const live = s.info?.alive;
  const { open } = s;
  useEffect(() => {
    if (running && !live && !s.opening && !s.error) void open(() => api().call('sessions.attach', { id: c.id, ...guessSize() }));
  }, [running, live, c.id]);
  if (!running && !live) {
    return (
      <div className="pad">
        <p>{c.name} is {c.status}. Its terminal is the container's main process: start it to attach.</p>
        <button className="primary" onClick={() => void useActions.getState().run(c.id, 'start')}>Start {c.name}</button>
        {!c.terminal && <p className="muted">This container has no TTY: the terminal shows its output; use Shell for an interactive shell.</p>}
      </div>
    );
  }
  return (
    <div className="term-tab">
      <ErrorLine text={s.error && `attach ${c.name}: ${s.error}`} onDismiss={s.clear} />
      {c.status === 'paused' && <div className="notice">Paused: input and output resume when you resume the container.</div>}
      {s.info && <TerminalPane key={s.info.id} session={s.info.id} onEnd={s.ended} readOnly={!c.stdin} />}
      {!s.info && s.opening && <div className="muted pad">Attaching…</div>}
    </div>
  );
}
