// "Save as image": the container's changes become a new image (docker commit). Validated with the contract's
// schema before the call; the engine's error is shown here.
import { useState } from 'react';
import { Dialog } from './Dialog';
import { api } from '../api/client';
import { useUi } from '../store/ui';
import { useContainers } from '../store/containers';
import { useImages } from '../store/images';
import { commitParams } from '../../../electron/common/contract';
import { shortId } from '../lib/format';

export function CommitDialog({ id }: { id: string }) {
  const c = useContainers((s) => s.byId[id]);
  const [ref, setRef] = useState(() => (c ? `${c.name.toLowerCase().replace(/[^a-z0-9._/-]/g, '-')}:latest` : ''));
  const [comment, setComment] = useState('');
  const [author, setAuthor] = useState('');
  const [pause, setPause] = useState(true);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const p = { id, ...(ref.trim() ? { ref: ref.trim() } : {}), ...(comment.trim() ? { comment: comment.trim() } : {}), ...(author.trim() ? { author: author.trim() } : {}), pause };
    const v = commitParams.safeParse(p);
    if (!v.success) { setError(v.error.issues.map((i) => `${String(i.path[0] === 'ref' ? 'repository:tag' : i.path[0])}: ${i.message}`).join('; ')); return; }
    setBusy(true); setError(undefined);
    try {
      const img = await api().call('containers.commit', p);
      useUi.getState().closeDialog();
      useUi.getState().toast(`Saved ${c?.name ?? id} as ${img.repoTags[0] ?? shortId(img.id)}`, 'info');
      void useImages.getState().refresh();
    } catch (err) { setError((err as Error).message); }
    finally { setBusy(false); }
  };
  return (
    <Dialog title={`Save ${c?.name ?? id} as image`} className="commit">
      <form onSubmit={submit} noValidate>
        <label className="field"><span>Repository:tag</span>
          <input value={ref} onChange={(e) => setRef(e.target.value)} name="ref" placeholder="app:1.0 (empty: an untagged image)" />
          <small className="muted">The container's filesystem changes become one new layer on top of its image.</small></label>
        <label className="field"><span>Message</span><input value={comment} onChange={(e) => setComment(e.target.value)} name="comment" placeholder="what changed (optional)" /></label>
        <label className="field"><span>Author</span><input value={author} onChange={(e) => setAuthor(e.target.value)} name="author" placeholder="Name <email> (optional)" /></label>
        <label className="check"><input type="checkbox" checked={pause} onChange={(e) => setPause(e.target.checked)} name="pause" /> Pause the container while saving (a consistent copy)</label>
        {error && <div className="error-line" role="alert" data-testid="commit-error">{error}</div>}
        <footer>
          <button type="button" onClick={() => useUi.getState().closeDialog()}>Cancel</button>
          <button className="primary" type="submit" disabled={busy}>{busy ? 'Saving…' : 'Save image'}</button>
        </footer>
      </form>
    </Dialog>
  );
}
