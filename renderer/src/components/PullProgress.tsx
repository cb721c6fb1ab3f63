import type { PullTask } from '../store/images';
import { ProgressBar } from './ProgressBar';

export function PullProgress({ task }: { task: PullTask }) {
  const layers = Object.entries(task.layers);
  return (
    <div className="pull" data-pull={task.ref}>
      <div><b>{task.ref}</b> <span className="muted">{task.status}</span></div>
      {task.error && <div className="error-line" role="alert">{task.error}</div>}
      {layers.map(([digest, l]) => {
        const finished = l.status === 'done' || l.status === 'exists';
        return <ProgressBar key={digest} label={`${digest.replace(/^sha256:/, '').slice(0, 12)} ${l.status}`} current={l.current} total={l.total} done={finished} />;
      })}
      {!layers.length && !task.done && <ProgressBar label="resolving…" />}
    </div>
  );
}
