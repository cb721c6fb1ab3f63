// One build's live view: step n/N as a bar, the current step, the output (follows the end), cancel while it
// runs, and the result (image id and tags, or the error naming the step).
import { useEffect, useRef } from 'react';
import { api } from '../api/client';
import { useBuilds } from '../store/builds';
import { useUi } from '../store/ui';
import { shortId } from '../lib/format';

export function BuildProgress({ task, showLog = true }: { task: string; showLog?: boolean }) {
  const b = useBuilds((s) => s.byTask[task]);
  const logRef = useRef<HTMLPreElement>(null);
  useEffect(() => { const el = logRef.current; if (el) el.scrollTop = el.scrollHeight; }, [b?.log]);
  if (!b) return <div className="muted" data-testid="build-progress" data-state="starting">Starting the build…</div>;
  const state = !b.done ? 'running' : b.error ? 'failed' : 'done';
  const pct = b.total ? Math.round(((b.done && !b.error ? b.total : Math.max(0, b.step - 1)) / b.total) * 100) : 0;
  return (
    <div className="build-progress" data-testid="build-progress" data-state={state} data-task={task}>
      <div className="build-steps">
        <div className="progress" role="progressbar" aria-label={`build ${b.ref}`} aria-valuenow={pct} aria-valuemin={0} aria-valuemax={100} style={{ flex: 1 }}>
          <div className="progress-label"><span data-testid="build-step">{b.total ? `Step ${b.step}/${b.total}` : 'Preparing'}</span><span className="muted small">{b.ref}</span></div>
          <div className="progress-track"><div className={b.total ? 'progress-fill' : 'progress-fill indeterminate'} style={b.total ? { width: `${pct}%` } : undefined} /></div>
        </div>
        {!b.done && <button type="button" className="danger" data-action="cancel-build" onClick={() => void api().call('images.buildCancel', { task }).catch((e) => useUi.getState().toast(`cancel: ${(e as Error).message}`))}>Cancel</button>}
      </div>
      {!b.done && <div className="muted small" data-testid="build-status">{b.status}</div>}
      {showLog && <pre className="build-log" ref={logRef} data-testid="build-log">{b.log}</pre>}
      {b.done && b.error && <div className="error-line" role="alert" data-testid="build-error">{b.error}</div>}
      {b.done && !b.error && (
        <div className="notice ok" data-testid="build-result">
          {b.status} {b.imageId && <code>{shortId(b.imageId)}</code>}{' '}
          <button type="button" className="link" onClick={() => { useUi.getState().closeDialog(); useUi.getState().setView('images'); }}>Show in Images</button>
        </div>
      )}
    </div>
  );
}
