// Compose stacks: every project's containers under one collapsible heading with the stack's state at a glance,
// stack-wide start/stop/restart/remove, and the stack's logs interleaved. An ARIA grid (components/Grid): a row
// per stack, then a row per service while it is unfolded. On a stack: Enter opens its logs, Space checks all its
// containers, Delete asks to remove it. On a service: Enter opens the container, Space checks it, Delete asks to
// remove it. The checks are the containers list's selection (store/ui `checked`).
import { useState } from 'react';
import { useContainers } from '../store/containers';
import { useUi } from '../store/ui';
import { glance, groupStacks, serviceOf, stacksKey, type Stack } from '../lib/stacks';
import { StateBadge } from '../components/StateBadge';
import { HealthBadge } from '../components/HealthBadge';
import { StackActions, confirmRemoveStack } from '../components/StackActions';
import { ColumnHeader, Grid, GridCell, GridHeaderRow, GridRow } from '../components/Grid';
import { DetailPanel } from '../components/DetailPanel';
import { SelectionBar } from '../components/SelectionBar';
import { focusSelectedTab } from '../components/Tabs';
import { StackLogs } from './stacks/StackLogs';

export function useStacks(): Stack[] {
  useContainers((s) => stacksKey(s.byId, s.order));
  const { byId, order } = useContainers.getState();
  return groupStacks(byId, order);
}

type Line = { kind: 'stack'; stack: Stack } | { kind: 'service'; id: string };

function checkStack(stack: Stack): void {
  const ui = useUi.getState();
  const all = stack.ids.every((id) => ui.checked[id]);
  const rest = Object.keys(ui.checked).filter((id) => !stack.ids.includes(id));
  ui.setChecked(all ? rest : [...rest, ...stack.ids]);
}

function lineKey(line: Line, e: KeyboardEvent, openLogs: (p: string) => void): boolean {
  const ui = useUi.getState();
  if (line.kind === 'stack') {
    if (e.key === 'Enter') openLogs(line.stack.project);
    else if (e.key === ' ') checkStack(line.stack);
    else if (e.key === 'Delete') confirmRemoveStack(line.stack);
    else return false;
    return true;
  }
  if (e.key === 'Enter') {
    ui.select(line.id);
    focusSelectedTab('detail');
  } else if (e.key === ' ') ui.toggleChecked(line.id);
  else if (e.key === 'Delete') ui.openDialog({ kind: 'confirm-remove', ids: [line.id] });
  else return false;
  return true;
}

export function StacksView() {
  const stacks = useStacks();
  const [folded, setFolded] = useState<Record<string, boolean>>({});
  const [logs, setLogs] = useState<string>();
  const members = new Set(stacks.flatMap((s) => s.ids));
  const checked = useUi((s) =>
    Object.keys(s.checked)
      .filter((id) => members.has(id))
      .join(','),
  );
  if (!stacks.length) {
    return (
      <div className="empty" data-testid="stacks-empty">
        <h2>No compose stacks</h2>
        <p>
          Containers started by Docker Compose appear here, grouped by project. Point Compose at Pier's API socket (see{' '}
          <b>System</b>) and run <code>docker compose up -d</code>.
        </p>
      </div>
    );
  }
  const lines: Line[] = stacks.flatMap((s) => [
    { kind: 'stack' as const, stack: s },
    ...(folded[s.project] ? [] : s.ids.map((id) => ({ kind: 'service' as const, id }))),
  ]);
  let index = 0;
  const ids = checked ? checked.split(',') : [];
  return (
    <div className="stacks" data-testid="stacks">
      <h1>Stacks</h1>
      <SelectionBar
        n={ids.length}
        what="containers"
        onClear={() => useUi.getState().setChecked([])}
        onRemove={() => useUi.getState().openDialog({ kind: 'confirm-remove', ids })}
      />
      <Grid
        className="rgrid stacks-grid"
        label="Stacks"
        colCount={5}
        rowCount={lines.length}
        multiselectable
        page={10}
        onRowKey={(i, _el, e) => !!lines[i] && lineKey(lines[i], e, setLogs)}
      >
        <GridHeaderRow className="rg-head">
          <ColumnHeader className="rg-check" label="Selected" />
          <ColumnHeader>Stack / service</ColumnHeader>
          <ColumnHeader>Container</ColumnHeader>
          <ColumnHeader>State</ColumnHeader>
          <ColumnHeader label="Actions" />
        </GridHeaderRow>
        {stacks.map((s) => (
          <div role="rowgroup" key={s.project} data-stack={s.project} className={`stack-group st-${s.state}`}>
            <StackRow
              stack={s}
              index={index++}
              open={!folded[s.project]}
              toggle={() => setFolded({ ...folded, [s.project]: !folded[s.project] })}
              showLogs={() => setLogs(logs === s.project ? undefined : s.project)}
              logsShown={logs === s.project}
            />
            {!folded[s.project] && s.ids.map((id) => <ServiceRow key={id} id={id} index={index++} />)}
          </div>
        ))}
      </Grid>
      {logs && stacks.some((s) => s.project === logs) && (
        <DetailPanel label={`Logs of stack ${logs}`} onClose={() => setLogs(undefined)}>
          <StackLogs key={logs} project={logs} />
        </DetailPanel>
      )}
    </div>
  );
}

function StackRow({
  stack,
  index,
  open,
  toggle,
  showLogs,
  logsShown,
}: {
  stack: Stack;
  index: number;
  open: boolean;
  toggle(): void;
  showLogs(): void;
  logsShown: boolean;
}) {
  const all = useUi((s) => stack.ids.every((id) => s.checked[id]));
  return (
    <GridRow
      index={index}
      className="stack-head"
      selected={all}
      aria-expanded={open}
      aria-current={logsShown || undefined}
    >
      <GridCell className="rg-check">
        <input
          type="checkbox"
          aria-label={`select stack ${stack.project}`}
          checked={all}
          onChange={() => checkStack(stack)}
        />
      </GridCell>
      <GridCell className="stack-title">
        <button
          className="disclosure"
          aria-expanded={open}
          onClick={toggle}
          aria-label={`${open ? 'collapse' : 'expand'} stack ${stack.project}`}
        >
          {open ? '▾' : '▸'}
        </button>{' '}
        <b>{stack.project}</b>
      </GridCell>
      <GridCell className="muted small">
        stack · {stack.ids.length} container{stack.ids.length === 1 ? '' : 's'}
      </GridCell>
      <GridCell>
        <span className={`badge stack-state ${stack.state}`} data-testid="stack-glance">
          {glance(stack)}
        </span>
      </GridCell>
      <GridCell className="rg-actions">
        <StackActions stack={stack}>
          <button aria-pressed={logsShown} onClick={showLogs} aria-label={`Logs of stack ${stack.project}`}>
            Logs
          </button>
        </StackActions>
      </GridCell>
    </GridRow>
  );
}

function ServiceRow({ id, index }: { id: string; index: number }) {
  const c = useContainers((s) => s.byId[id]);
  const checked = useUi((s) => !!s.checked[id]);
  if (!c) return null;
  return (
    <GridRow index={index} className="stack-service" data-name={c.name} selected={checked}>
      <GridCell className="rg-check">
        <input
          type="checkbox"
          aria-label={`select ${c.name}`}
          checked={checked}
          onChange={() => useUi.getState().toggleChecked(id)}
        />
      </GridCell>
      <GridCell className="stack-svc-name">
        <button className="link" onClick={() => useUi.getState().select(c.id)} aria-label={`open ${c.name}`}>
          {serviceOf(c)}
        </button>
      </GridCell>
      <GridCell className="muted small">{c.name}</GridCell>
      <GridCell>
        <StateBadge c={c} /> <HealthBadge health={c.health} />
      </GridCell>
      <GridCell className="rg-actions">
        <button
          className="danger"
          aria-label={`Remove ${c.name}`}
          onClick={() => useUi.getState().openDialog({ kind: 'confirm-remove', ids: [id] })}
        >
          Remove…
        </button>
      </GridCell>
    </GridRow>
  );
}
