import { bytes } from '../lib/format';

/** Determinate when total is known, else an indeterminate stripe. */
export function ProgressBar({ label, current, total, done }: { label: string; current?: number; total?: number; done?: boolean }) {
  const pct = done ? 100 : total ? Math.min(100, Math.round(((current ?? 0) / total) * 100)) : undefined;
  return (
    <div className="progress" role="progressbar" aria-label={label} aria-valuenow={pct} aria-valuemin={0} aria-valuemax={100}>
      <div className="progress-label"><span>{label}</span><span className="muted small">{total ? `${bytes(done ? total : current)} / ${bytes(total)}` : current ? bytes(current) : ''}</span></div>
      <div className="progress-track"><div className={pct === undefined ? 'progress-fill indeterminate' : 'progress-fill'} style={pct === undefined ? undefined : { width: `${pct}%` }} /></div>
    </div>
  );
}
