// Images: list with sizes, pull with per-layer progress, remove, run.
import { useEffect, useState } from 'react';
import { api } from '../api/client';
import { useImages } from '../store/images';
import { useUi } from '../store/ui';
import { ErrorLine } from '../components/ErrorLine';
import { PullProgress } from '../components/PullProgress';
import { BuildProgress } from '../components/BuildProgress';
import { useBuilds } from '../store/builds';
import { bytes, ago, shortId } from '../lib/format';

export function ImagesView() {
  const list = useImages((s) => s.list);
  const loaded = useImages((s) => s.loaded);
  const error = useImages((s) => s.error);
  const pulls = useImages((s) => s.pulls);
  const builds = useBuilds((s) => s.byTask);
  const [ref, setRef] = useState('');
  const [busy, setBusy] = useState(false);
  const [pullError, setPullError] = useState<string>();
  const [rowError, setRowError] = useState<Record<string, string>>({});
  useEffect(() => { void useImages.getState().refresh(); }, []);
  const pull = async (e: React.FormEvent) => {
    e.preventDefault();
    if (!ref.trim()) { setPullError('Enter an image reference, e.g. 127.0.0.1:5000/library/busybox:latest'); return; }
    setBusy(true); setPullError(undefined);
    try { await api().call('images.pull', { ref: ref.trim() }); setRef(''); await useImages.getState().refresh(); }
    catch (err) { setPullError(`pull ${ref}: ${(err as Error).message}`); }
    finally { setBusy(false); }
  };
  const remove = async (id: string, name: string) => {
    try { await api().call('images.remove', { ref: id }); await useImages.getState().refresh(); }
    catch (err) { setRowError({ ...rowError, [id]: `remove ${name}: ${(err as Error).message}` }); }
  };
  const unavailable = error?.includes('not available');
  const active = Object.values(pulls).slice(-3).reverse();
  return (
    <div className="page">
      <h1>Images</h1>
      <form className="toolbar" onSubmit={pull}>
        <input value={ref} onChange={(e) => setRef(e.target.value)} placeholder="Image to pull, e.g. 127.0.0.1:5000/library/busybox:latest" aria-label="Image reference" disabled={unavailable} />
        <button className="primary" disabled={busy || unavailable}>{busy ? 'Pulling…' : 'Pull'}</button>
        <button type="button" onClick={() => useUi.getState().openDialog({ kind: 'build' })} disabled={unavailable} data-action="build">Build…</button>
      </form>
      <ErrorLine text={pullError} onDismiss={() => setPullError(undefined)} />
      {active.map((p) => <PullProgress key={p.task} task={p} />)}
      {Object.values(builds).filter((b) => !b.done).map((b) => <BuildProgress key={b.task} task={b.task} showLog={false} />)}
      {unavailable ? <div className="notice" role="alert">{error}</div> : <ErrorLine text={error} />}
      {loaded && !unavailable && !list.length && <div className="empty small-empty"><p>No images yet. Pull one above, build one from a folder (<b>Build…</b>, or drop the folder onto the window), or load an archive with <code>docker load</code> against Pier's API.</p></div>}
      {list.length > 0 && (
        <table className="table">
          <thead><tr><th>Repository:tag</th><th>Id</th><th>Size</th><th>Created</th><th /></tr></thead>
          <tbody>
            {list.map((im) => {
              const name = im.repoTags[0] ?? shortId(im.id);
              return (
                <tr key={im.id} data-image={name}>
                  <td>{im.repoTags.length ? im.repoTags.join(', ') : <span className="muted">&lt;none&gt;</span>}</td>
                  <td><code>{shortId(im.id)}</code></td><td>{bytes(im.size)}</td><td title={im.created ? new Date(im.created).toLocaleString() : undefined}>{ago(im.created)}</td>
                  <td className="actions">
                    <button onClick={() => useUi.getState().openDialog({ kind: 'create', image: name })}>Run…</button>
                    <button className="danger" onClick={() => void remove(im.id, name)}>Remove</button>
                    {rowError[im.id] && <div className="error-line" role="alert">{rowError[im.id]}</div>}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}
