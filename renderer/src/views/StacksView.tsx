// Compose stacks: every project's containers under one collapsible heading with the stack's state at a glance,
// stack-wide start/stop/restart/remove, and the stack's logs interleaved.
import { useState } from 'react';
import { useContainers } from '../store/containers';
import { useUi } from '../store/ui';
import { api } from '../api/client';
import { groupStacks, serviceOf, stacksKey, type Stack } from '../lib/stacks';
import { StateBadge } from '../components/StateBadge';
import { HealthBadge } from '../components/HealthBadge';
import { ErrorLine } from '../components/ErrorLine';
import { StackLogs } from './stacks/StackLogs';

type StackAction = 'start' | 'stop' | 'restart';

function useStacks(): Stack[] {
  useContainers((s) => stacksKey(s.byId, s.order));
  const { byId, order } = useContainers.getState();
  return groupStacks(byId, order);
}

export function StacksView() {
  const stacks = useStacks();
  const [open, setOpen] = useState<Record<string, boolean>>({});
  const [logs, setLogs] = useState<string>();
  if (!stacks.length) {
    return (
      <div className="empty" data-testid="stacks-empty">
        <h2>No compose stacks</h2>
        <p>Containers started by Docker Compose appear here, grouped by project. Point Compose at Pier's API socket
          (see <b>System</b>) and run <code>docker compose up -d</code>.</p>
      </div>
    );
  }
  return (
    <div className="stacks" data-testid="stacks">
      {stacks.map((s) => (
        <StackSection key={s.project} stack={s} open={open[s.project] ?? true}
          toggle={() => setOpen({ ...open, [s.project]: !(open[s.project] ?? true) })}
          showLogs={() => setLogs(logs === s.project ? undefined : s.project)} logsShown={logs === s.project} />
      ))}
      {logs && stacks.some((s) => s.project === logs) && <StackLogs key={logs} project={logs} />}
    </div>
  );
}

function glance(s: Stack): string {
  const parts = [`${s.running}/${s.ids.length} running`];
  if (s.unhealthy) parts.push(`${s.unhealthy} unhealthy`);
  return parts.join(' · ');
}

function StackSection({ stack, open, toggle, showLogs, logsShown }:
  { stack: Stack; open: boolean; toggle(): void; showLogs(): void; logsShown: boolean }) {
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const run = async (what: string, fn: () => Promise<unknown>) => {
    setBusy(true); setError(undefined);
    try { await fn(); } catch (e) { setError(`${what} ${stack.project}: ${(e as Error).message}`); } finally { setBusy(false); }
  };
  const each = (a: StackAction) => run(a, () => Promise.all(stack.ids.map((id) => api().call(`containers.${a}`, { id }))));
  const remove = () => {
    const withVolumes = window.confirm(`Remove stack ${stack.project} (${stack.ids.length} containers)?\n\n`
      + 'OK removes its containers. Its named volumes are kept unless you confirm that next.');
    if (!withVolumes) return;
    const volumes = window.confirm(`Also remove the named volumes of ${stack.project}? Their data is lost.`);
    void run('remove', () => api().call('stacks.remove', { project: stack.project, volumes }));
  };
  return (
    <section className={`stack st-${stack.state}`} data-stack={stack.project} aria-label={`stack ${stack.project}`}>
      <header className="stack-head">
        <button className="disclosure" aria-expanded={open} onClick={toggle}>{open ? '▾' : '▸'} {stack.project}</button>
        <span className={`badge stack-state ${stack.state}`} data-testid="stack-glance">{glance(stack)}</span>
        <span className="grow" />
        <button disabled={busy || stack.running === stack.ids.length} onClick={() => each('start')}>Start</button>
        <button disabled={busy || stack.running === 0} onClick={() => each('stop')}>Stop</button>
        <button disabled={busy} onClick={() => each('restart')}>Restart</button>
        <button disabled={busy} onClick={remove}>Remove…</button>
        <button aria-pressed={logsShown} onClick={showLogs}>Logs</button>
      </header>
      <ErrorLine text={error} />
      {open && <ul className="stack-services">{stack.ids.map((id) => <ServiceRow key={id} id={id} />)}</ul>}
    </section>
  );
}

function ServiceRow({ id }: { id: string }) {
  const c = useContainers((s) => s.byId[id]);
  if (!c) return null;
  return (
    <li className="stack-service" data-name={c.name}>
      <button className="link" onClick={() => useUi.getState().select(c.id)}>{serviceOf(c)}</button>
      <span className="muted small">{c.name}</span>
      <StateBadge c={c} />
      <HealthBadge health={c.health} />
    </li>
  );
}
