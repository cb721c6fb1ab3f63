// Grouping containers into compose stacks, service colours, and the stack-log merge order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { glance, groupStacks, listItems, serviceColor } from '../../renderer/src/lib/stacks';
import { mergeByTime } from '../../electron/rpc/stack-logs';
import type { ContainerSummary } from '../../electron/common/types';

function c(id: string, project: string | undefined, status: ContainerSummary['status'], health?: ContainerSummary['health']): ContainerSummary {
  return { id, name: id, image: 'i', command: '', status, created: '', pid: 0, terminal: false, stdin: false, health,
    labels: project ? { 'com.docker.compose.project': project, 'com.docker.compose.service': `svc-${id}` } : {} };
}

test('containers group by compose project with their state at a glance', () => {
  const list = [c('a', 'shop', 'running', 'healthy'), c('b', 'shop', 'exited'), c('x', undefined, 'running'),
    c('d', 'blog', 'running', 'unhealthy')];
  const byId = Object.fromEntries(list.map((x) => [x.id, x]));
  const stacks = groupStacks(byId, list.map((x) => x.id));
  assert.deepEqual(stacks.map((s) => [s.project, s.ids, s.running, s.unhealthy, s.state]), [
    ['blog', ['d'], 1, 1, 'running'],
    ['shop', ['a', 'b'], 1, 0, 'partial'],
  ]);
  assert.deepEqual(stacks.map(glance), ['1/1 running · 1 unhealthy', '1/2 running']);
});

test('the containers list: a stack heading where its first container stands, its members under it, collapsible', () => {
  const list = [c('x', undefined, 'running'), c('b', 'shop', 'exited'), c('y', undefined, 'exited'), c('a', 'shop', 'running')];
  const byId = Object.fromEntries(list.map((x) => [x.id, x]));
  const ids = list.map((x) => x.id);
  const show = (items: ReturnType<typeof listItems>) => items.map((i) => (i.kind === 'stack' ? `[${i.project} ${i.count}]` : i.id));
  assert.deepEqual(show(listItems(ids, byId, {})), ['x', '[shop 2]', 'b', 'a', 'y']);
  assert.deepEqual(show(listItems(ids, byId, { shop: true })), ['x', '[shop 2]', 'y']);
  assert.deepEqual(show(listItems(['x', 'y'], byId, {})), ['x', 'y'], 'a filtered-out stack has no heading');
});

test('a service keeps its colour; lines interleave by time, ties in arrival order', () => {
  assert.equal(serviceColor('web'), serviceColor('web'));
  assert.notEqual(serviceColor('web'), serviceColor('db'));
  const l = (time: string, text: string) => ({ time, stream: 'stdout' as const, text });
  const merged = mergeByTime([[l('2026-01-01T00:00:01Z', 'a1'), l('2026-01-01T00:00:03Z', 'a3')],
    [l('2026-01-01T00:00:02Z', 'b2'), l('2026-01-01T00:00:03Z', 'b3')]]);
  assert.deepEqual(merged.map((x) => x.text), ['a1', 'b2', 'a3', 'b3']);
});
