// Desktop app only: which engine the app uses (status), and switching it. Switching saves the
// choice and restarts the app on the new engine (containers keep running). Absent in web mode.
import { useEffect, useState } from 'react';
import type { EngineChoiceDto, ShellInfo } from '../../../electron/common/channels';
import { useUi } from '../store/ui';
import { unwrap } from '../../../electron/common/bridge';

const SYSTEM_SOCKET = '/run/pier/docker.sock';

export function EngineSwitch() {
  const b = window.pier;
  const [info, setInfo] = useState<ShellInfo['engine']>();
  const [path, setPath] = useState('');
  const [open, setOpen] = useState(false);
  useEffect(() => { void b?.shellInfo?.().then(unwrap).then((i) => setInfo(i.engine), () => undefined); }, [b]);
  if (!b?.shellInfo || !info) return null;
  const kind = info.choice?.kind ?? 'local';
  const choose = (c: EngineChoiceDto) => {
    b.setEngine?.(c).then(unwrap).catch((e: Error) => useUi.getState().toast(`switch engine: ${e.message}`, 'error'));
  };
  return (
    <div className="engine-switch" data-engine={kind}>
      <button className="nav subtle" title={info.error ? `not connected: ${info.error}` : info.root ?? info.socket ?? ''} onClick={() => setOpen(!open)} aria-expanded={open}>
        {info.label ?? 'Engine'}{info.ok ? '' : ' (not connected)'}
      </button>
      {open && (
        <div className="engine-menu" role="menu">
          <button role="menuitemradio" aria-checked={kind === 'local'} disabled={kind === 'local'} onClick={() => choose({ kind: 'local' })}>This app's engine (rootless for a normal user)</button>
          <button role="menuitemradio" aria-checked={kind === 'system'} disabled={kind === 'system'} onClick={() => choose({ kind: 'system' })}>System engine ({SYSTEM_SOCKET})</button>
          <form onSubmit={(e) => { e.preventDefault(); if (path.startsWith('/')) choose({ kind: 'socket', path }); }}>
            <input aria-label="Pier socket path" placeholder="/path/to/docker.sock" value={path} onChange={(e) => setPath(e.target.value)} />
            <button type="submit" disabled={!path.startsWith('/')}>Connect</button>
          </form>
        </div>
      )}
      {info.warnings?.map((w) => <div key={w} className="engine-warning" role="note">{w}</div>)}
    </div>
  );
}
