// A compose project's heading in the containers list: disclosure, name, how many containers, the stack's state at a
// glance and its actions. Subscribes to its own stack only (membership and states), not to the list.
import { memo } from 'react';
import { useContainers } from '../store/containers';
import { useUi } from '../store/ui';
import { glance, groupStacks, stacksKey } from '../lib/stacks';
import { StackActions } from './StackActions';
import { GridCell, GridRow } from './Grid';

export const StackHeadRow = memo(function StackHeadRow({ project, index, top, height }:
  { project: string; index: number; top: number; height: number }) {
  useContainers((s) => stacksKey(s.byId, s.order).split('|').find((k) => k.startsWith(`${project}:`)));
  const { byId, order } = useContainers.getState();
  const stack = groupStacks(byId, order).find((s) => s.project === project);
  const collapsed = useUi((s) => !!s.collapsedStacks[project]);
  if (!stack) return null;
  const toggle = () => useUi.getState().toggleStack(project);
  return (
    <GridRow index={index} className={`row stack-row st-${stack.state}`} data-stack-row={project} aria-expanded={!collapsed}
      style={{ transform: `translateY(${top}px)`, height }} onClick={toggle}>
      <GridCell className="cell stack-title">
        <button className="disclosure" aria-expanded={!collapsed} aria-label={`${collapsed ? 'expand' : 'collapse'} stack ${project}`}
          onClick={(e) => { e.stopPropagation(); toggle(); }}>{collapsed ? '▸' : '▾'}</button>
        <b>{project}</b>
        <span className="muted small">stack · {stack.ids.length} container{stack.ids.length === 1 ? '' : 's'}</span>
        <span className={`badge stack-state ${stack.state}`} data-testid="stack-glance">{glance(stack)}</span>
      </GridCell>
      <GridCell className="cell stack-row-actions"><StackActions stack={stack} /></GridCell>
    </GridRow>
  );
});
