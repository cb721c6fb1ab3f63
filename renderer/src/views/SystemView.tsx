// System: runtime, conmon, CRIU (works? and the fix when not), snapshotter, disk usage.
import { useEffect, useState } from 'react';
import type { PathGuardInfo, SystemInfo } from '../../../electron/common/contract';
import { api } from '../api/client';
import { ErrorLine } from '../components/ErrorLine';
import { bytes } from '../lib/format';
import { ResourceDashboard } from './ResourceDashboard';

type Df = { images: number; layersSize: number; containers: number; checkpoints: number };

export function SystemView() {
  const [info, setInfo] = useState<SystemInfo>();
  const [df, setDf] = useState<Df>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    api().call('system.info', {}).then(setInfo, (e) => setError((e as Error).message));
    api().call('system.df', {}).then(setDf, () => undefined);
  }, []);
  return (
    <div className="page">
      <h1>System</h1>
      <ErrorLine text={error} />
      {info && (
        <>
          <table className="table kv" data-testid="system-table">
            <tbody>
              <tr><th>Pier</th><td>{info.version}</td><td>root <code>{info.root}</code></td></tr>
              {info.runtime.map((r) => (
                <tr key={r.path}><th>Runtime {r.name}</th><td>{r.version}</td><td><Works ok={r.works} reason={r.reason} fix="install runc or crun, or pass --runtime" /> <code>{r.path}</code></td></tr>
              ))}
              <tr><th>conmon</th><td>{info.conmon.version}</td><td><Works ok /> <code>{info.conmon.path}</code></td></tr>
              <tr><th>CRIU</th><td>{info.criu?.version ?? 'not found'}</td><td>{info.criu ? <Works ok={info.criu.works} reason={info.criu.reason} fix="checkpoints need CRIU ≥ 3.x run as root; see scripts/ host setup" /> : <Works ok={false} reason="criu not found" fix="install criu (Debian: apt install criu) to checkpoint containers" />}</td></tr>
              {info.pathGuard && <PathGuardRow guard={info.pathGuard} onChange={(g) => setInfo({ ...info, pathGuard: g })} />}
              <tr><th>Snapshots</th><td>{info.snapshotter?.kind ?? 'rootfs directories only'}</td><td className="muted">{info.snapshotter?.reason ?? ''}</td></tr>
              <tr><th>Containers</th><td>{info.containers.total}</td><td>{info.containers.running} running · {info.containers.paused} paused · {info.containers.exited} stopped</td></tr>
              {info.apiSocket && <tr><th>Docker API</th><td colSpan={2}><code>DOCKER_HOST=unix://{info.apiSocket}</code></td></tr>}
            </tbody>
          </table>
          <h2>Disk usage</h2>
          {df ? (
            <table className="table kv"><tbody>
              <tr><th>Images</th><td>{df.images} images · {bytes(df.layersSize)} of layers</td></tr>
              <tr><th>Containers</th><td>{bytes(df.containers)}</td></tr>
              <tr><th>Checkpoints</th><td>{bytes(df.checkpoints)}</td></tr>
            </tbody></table>
          ) : <div className="muted">Measuring…</div>}
          <ResourceDashboard />
        </>
      )}
    </div>
  );
}

/** The guard for untrusted archives; where the native one is missing and required, the user may allow the JS one. */
function PathGuardRow({ guard, onChange }: { guard: PathGuardInfo; onChange: (g: PathGuardInfo) => void }) {
  const [error, setError] = useState<string>();
  const set = (allowJs: boolean) => api().call('system.pathGuard', { allowJs }).then(onChange, (e) => setError((e as Error).message));
  const what = guard.native ? 'native (openat2)' : 'pure JavaScript only';
  return (
    <tr data-testid="path-guard">
      <th>Path guard</th>
      <td>{what}</td>
      <td>
        {guard.native ? <Works ok /> : guard.refusing
          ? <span className="badge bad">refusing untrusted archives: {guard.reason}</span>
          : <span className="badge warn" title={guard.reason}>native guard unavailable: {guard.reason}</span>}
        {!guard.native && guard.mode === 'require' && (guard.allowJs
          ? <button onClick={() => void set(false)}>Require the native guard again</button>
          : <button onClick={() => void set(true)} title="Pulls, loads and builds then rely on the pure-JS path walk alone (no kernel check against symlink tricks)">Allow the JavaScript guard</button>)}
        <ErrorLine text={error} />
      </td>
    </tr>
  );
}

function Works({ ok, reason, fix }: { ok: boolean; reason?: string; fix?: string }) {
  return ok ? <span className="badge st-running">works</span> : <span className="badge bad" title={reason}>not working: {reason}{fix ? ` — ${fix}` : ''}</span>;
}
