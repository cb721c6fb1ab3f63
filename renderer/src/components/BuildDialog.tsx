// Build an image from a folder: the folder (on the engine's machine: the desktop app has a folder picker and
// takes dropped folders; web mode takes the path), Dockerfile, tags, build args, target. Validated with the
// contract's schema; then the live log with step progress. Closing the dialog does not stop the build (Images
// lists running builds).
import { useState } from 'react';
import { Dialog } from './Dialog';
import { BuildProgress } from './BuildProgress';
import { api } from '../api/client';
import { useUi } from '../store/ui';
import { buildParams } from '../../../electron/common/contract';
import { unwrap } from '../../../electron/common/bridge';

export function parseBuildArgs(text: string): { args: Record<string, string>; error?: string } {
  const args: Record<string, string> = {};
  for (const line of text.split('\n').map((l) => l.trim()).filter(Boolean)) {
    const i = line.indexOf('=');
    if (i <= 0) return { args, error: `"${line}" is not NAME=value` };
    args[line.slice(0, i)] = line.slice(i + 1);
  }
  return { args };
}

export function BuildDialog({ context: initial, dockerfile: df, note }: { context?: string; dockerfile?: string; note?: string }) {
  const [context, setContext] = useState(initial ?? '');
  const [dockerfile, setDockerfile] = useState(df ?? '');
  const [tags, setTags] = useState(() => (initial ? suggestTag(initial) : ''));
  const [args, setArgs] = useState('');
  const [target, setTarget] = useState('');
  const [noCache, setNoCache] = useState(false);
  const [error, setError] = useState<string>();
  const [task, setTask] = useState<string>();
  const [busy, setBusy] = useState(false);
  const bridge = window.pier;
  const choose = async () => {
    try {
      const r = unwrap(await bridge!.chooseFolder!());
      if (r) { setContext(r.context); if (r.dockerfile) setDockerfile(r.dockerfile); if (!tags) setTags(suggestTag(r.context)); }
    } catch (e) { setError((e as Error).message); }
  };
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const a = parseBuildArgs(args);
    if (a.error) { setError(`build args: ${a.error}`); return; }
    const tagList = tags.split(/[\s,]+/).filter(Boolean);
    const p = {
      context: context.trim(), ...(dockerfile.trim() ? { dockerfile: dockerfile.trim() } : {}), ...(tagList.length ? { tags: tagList } : {}),
      ...(Object.keys(a.args).length ? { buildArgs: a.args } : {}), ...(target.trim() ? { target: target.trim() } : {}), ...(noCache ? { noCache } : {}),
    };
    const v = buildParams.safeParse(p);
    if (!v.success) { setError(v.error.issues.map((i) => `${String(i.path[0] === 'context' ? 'folder' : i.path[0])}: ${i.message}`).join('; ')); return; }
    setBusy(true); setError(undefined);
    try { setTask((await api().call('images.build', p)).task); }
    catch (err) { setError((err as Error).message); }
    finally { setBusy(false); }
  };
  const locked = !!task;
  return (
    <Dialog title="Build an image" className="build wide">
      <form onSubmit={submit} noValidate>
        {note && <div className="notice" data-testid="build-note">{note}</div>}
        <label className="field"><span>Folder</span>
          <div className="mount-row">
            <input value={context} onChange={(e) => setContext(e.target.value)} name="context" placeholder="/home/me/project (a folder on the engine's machine)" disabled={locked} />
            {bridge?.chooseFolder && <button type="button" onClick={() => void choose()} disabled={locked}>Choose…</button>}
          </div>
          <small className="muted">{bridge ? 'Or drop a folder onto the window.' : 'The path on the machine where Pier runs (a browser cannot tell Pier where a dropped folder is).'}</small></label>
        <div className="row-fields">
          <label className="field"><span>Dockerfile</span><input value={dockerfile} onChange={(e) => setDockerfile(e.target.value)} name="dockerfile" placeholder="Dockerfile" disabled={locked} /></label>
          <label className="field"><span>Tags</span><input value={tags} onChange={(e) => setTags(e.target.value)} name="tags" placeholder="app:dev, app:latest" disabled={locked} /></label>
          <label className="field"><span>Target stage</span><input value={target} onChange={(e) => setTarget(e.target.value)} name="target" placeholder="(last stage)" disabled={locked} /></label>
        </div>
        <label className="field"><span>Build args</span><textarea rows={2} value={args} onChange={(e) => setArgs(e.target.value)} name="buildargs" placeholder="NAME=value, one per line" disabled={locked} /></label>
        <label className="check"><input type="checkbox" checked={noCache} onChange={(e) => setNoCache(e.target.checked)} name="nocache" disabled={locked} /> Do not use the build cache</label>
        {error && <div className="error-line" role="alert" data-testid="build-dialog-error">{error}</div>}
        {task && <BuildProgress task={task} />}
        <footer>
          <button type="button" onClick={() => useUi.getState().closeDialog()}>{task ? 'Close' : 'Cancel'}</button>
          {!task && <button className="primary" type="submit" disabled={busy}>{busy ? 'Starting…' : 'Build'}</button>}
        </footer>
      </form>
    </Dialog>
  );
}

/** A tag from a folder's name: "My App" → my-app:latest. */
export function suggestTag(dir: string): string {
  const base = dir.replace(/\/+$/, '').split('/').pop() ?? '';
  const n = base.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
  return n ? `${n}:latest` : '';
}
