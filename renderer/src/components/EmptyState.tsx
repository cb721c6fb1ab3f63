import { useUi } from '../store/ui';

export function EmptyState() {
  return (
    <div className="empty" data-testid="empty-state">
      <h2>No containers yet</h2>
      <p>A container runs a program in its own isolated filesystem. Create one from an image (pull one under <b>Images</b>) or from a root filesystem directory.</p>
      <ol>
        <li>Pull an image, e.g. <code>127.0.0.1:5000/library/busybox</code>, in <b>Images</b> (Alt+2), or have a rootfs directory ready.</li>
        <li>Press <b>New container</b> (or <kbd>n</kbd>), give it a command like <code>sh</code>, tick TTY.</li>
        <li>Open it to get a terminal, logs, and checkpoints.</li>
      </ol>
      <p className="muted">Docker clients work too: point <code>DOCKER_HOST</code> at Pier's API socket (see <b>System</b>).</p>
      <button className="primary" onClick={() => useUi.getState().openDialog({ kind: 'create' })}>New container</button>
    </div>
  );
}
