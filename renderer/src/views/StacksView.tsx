// Compose stacks: every project's containers under one collapsible heading with the stack's state at a glance,
// stack-wide start/stop/restart/remove, and the stack's logs interleaved.
import { useState } from 'react';
import { useContainers } from '../store/containers';
import { useUi } from '../store/ui';
import { glance, groupStacks, serviceOf, stacksKey, type Stack } from '../lib/stacks';
import { StateBadge } from '../components/StateBadge';
import { HealthBadge } from '../components/HealthBadge';
import { StackActions } from '../components/StackActions';
import { StackLogs } from './stacks/StackLogs';

export function useStacks(): Stack[] {
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

function StackSection({ stack, open, toggle, showLogs, logsShown }:
  { stack: Stack; open: boolean; toggle(): void; showLogs(): void; logsShown: boolean }) {
  return (
    <section className={`stack st-${stack.state}`} data-stack={stack.project} aria-label={`stack ${stack.project}`}>
      <header className="stack-head">
        <button className="disclosure" aria-expanded={open} onClick={toggle}>{open ? '▾' : '▸'} {stack.project}</button>
        <span className={`badge stack-state ${stack.state}`} data-testid="stack-glance">{glance(stack)}</span>
        <span className="grow" />
        <StackActions stack={stack}><button aria-pressed={logsShown} onClick={showLogs}>Logs</button></StackActions>
      </header>
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
