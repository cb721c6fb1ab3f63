// Read-only browser of one volume: folders open, files show their first 64 KiB, symlinks show their target
// (they resolve inside the volume). Nothing here writes.
import { useEffect, useState } from 'react';
import { api } from '../../api/client';
import type { VolumeListing } from '../../../../electron/common/contract';
import { ErrorLine } from '../../components/ErrorLine';
import { ago, bytes } from '../../lib/format';

const mode = (m: number) => m.toString(8).padStart(4, '0');

export function VolumeBrowser({ volume }: { volume: string }) {
  const [path, setPath] = useState('');
  const [listing, setListing] = useState<VolumeListing>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    let live = true;
    setError(undefined);
    api().call('volumes.browse', { name: volume, path }).then((l) => { if (live) setListing(l); }, (e) => { if (live) setError((e as Error).message); });
    return () => { live = false; };
  }, [volume, path]);
  const parts = path ? path.split('/') : [];
  const open = (name: string) => setPath(path ? `${path}/${name}` : name);
  return (
    <section className="volume-browser" data-testid="volume-browser" data-path={path} aria-label={`Files of ${volume}`}>
      <nav className="crumbs">
        <button className="link" onClick={() => setPath('')}>{volume}:/</button>
        {parts.map((p, i) => <span key={i}><button className="link" onClick={() => setPath(parts.slice(0, i + 1).join('/'))}>{p}</button>/</span>)}
        <span className="muted small"> read-only</span>
      </nav>
      <ErrorLine text={error} />
      {listing?.kind === 'dir' && listing.path === path && (listing.entries.length ? (
        <table className="table compact">
          <thead><tr><th>Name</th><th>Size</th><th>Mode</th><th>Owner</th><th>Modified</th></tr></thead>
          <tbody>
            {listing.entries.map((e) => (
              <tr key={e.name} data-entry={e.name}>
                <td>{e.type === 'dir' || e.type === 'file' || e.type === 'symlink'
                  ? <button className="link" onClick={() => open(e.name)}>{e.name}{e.type === 'dir' ? '/' : ''}</button> : e.name}
                {e.type === 'symlink' && <span className="muted"> → {e.target}</span>}</td>
                <td>{e.type === 'file' ? bytes(e.size) : ''}</td><td><code>{mode(e.mode)}</code></td><td>{e.uid}:{e.gid}</td>
                <td title={new Date(e.mtime).toLocaleString()}>{ago(e.mtime)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : <p className="muted" data-testid="volume-empty-dir">This folder is empty.</p>)}
      {listing?.kind === 'file' && listing.path === path && (
        <div data-testid="volume-file">
          <div className="muted small">{bytes(listing.size)}{listing.truncated ? ' — showing the first 64 KB' : ''}</div>
          {listing.binary ? <p className="muted">Binary file (not shown).</p> : <pre className="file-view">{listing.text}</pre>}
        </div>
      )}
    </section>
  );
}
