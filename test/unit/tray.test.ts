// Tray menu template from the containers list (pure, no electron).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTrayMenu, containerSubmenu, countContainers, findItem, trayIconState, trayTooltip, type TrayItem } from '../../electron/main/core/tray-menu';
import { debounce } from '../../electron/main/core/debounce';
import type { ContainerSummary } from '../../electron/common/types';

const c = (name: string, status: ContainerSummary['status'], extra: Partial<ContainerSummary> = {}): ContainerSummary => ({
  id: `${name}000000000000000000000000`.slice(0, 24) + 'abcdef', name, image: 'busybox:latest', command: 'sh', status, created: '2026-11-28T00:00:00Z', pid: 0, terminal: true, stdin: true, labels: {}, ...extra,
});
const labels = (items: TrayItem[]) => items.map((i) => i.type === 'separator' ? '---' : i.label);

test('counts running, paused and stopped containers in the first line', () => {
  const list = [c('web', 'running'), c('db', 'running'), c('job', 'exited', { exitCode: 1 }), c('new', 'created'), c('cache', 'paused')];
  assert.deepEqual(countContainers(list), { running: 2, paused: 1, exited: 1, created: 1, total: 5 });
  const menu = buildTrayMenu(list);
  assert.equal(menu[0].label, '2 running · 1 paused · 2 stopped');
  assert.equal(menu[0].enabled, false);
});

test('one submenu per container, running first, then by name; always ends with Show and Quit', () => {
  const menu = buildTrayMenu([c('zeta', 'exited', { exitCode: 0 }), c('beta', 'running'), c('alpha', 'running'), c('mid', 'paused')]);
  const subs = menu.filter((i) => i.type === 'submenu');
  assert.deepEqual(subs.map((s) => s.label), ['alpha (running)', 'beta (running)', 'mid (paused)', 'zeta (exited (0))']);
  assert.deepEqual(labels(menu.slice(-3)), ['---', 'Show Pier', 'Quit (containers keep running)']);
  assert.deepEqual(menu.at(-1)!.action, { kind: 'quit' });
  assert.deepEqual(menu.at(-2)!.action, { kind: 'show' });
});

test('running container: terminal, logs, stop, pause, checkpoint & export, remove', () => {
  const x = c('web', 'running');
  const sub = containerSubmenu(x);
  assert.deepEqual(labels(sub), ['busybox:latest — running', '---', 'Open Terminal', 'Logs', '---', 'Stop', 'Pause', 'Checkpoint && Export…', '---', 'Remove…']);
  for (const i of sub.filter((i) => i.action)) assert.equal(i.enabled, true, i.label);
  assert.deepEqual(findItem(sub, `stop:${x.id}`)!.action, { kind: 'container', op: 'stop', id: x.id, name: 'web' });
});

test('paused container offers Resume and Stop; exited offers Start; terminal only when running', () => {
  const p = containerSubmenu(c('p', 'paused'));
  assert.ok(p.some((i) => i.label === 'Resume' && i.enabled));
  assert.ok(p.some((i) => i.label === 'Stop' && i.enabled));
  assert.equal(p.find((i) => i.label === 'Open Terminal')!.enabled, false);
  const e = containerSubmenu(c('e', 'exited', { exitCode: 137 }));
  assert.equal(e[0].label, 'busybox:latest — exited (137)');
  assert.ok(e.some((i) => i.label === 'Start' && i.enabled));
  assert.equal(e.find((i) => i.label === 'Pause')!.enabled, false);
  assert.equal(e.find((i) => i.label === 'Checkpoint && Export…')!.enabled, false);
});

test('busy containers have their actions disabled and the icon shows busy', () => {
  const x = c('web', 'running');
  const sub = containerSubmenu(x, { busy: new Set([x.id]) });
  assert.ok(sub.filter((i) => i.action).every((i) => i.enabled === false));
  assert.match(sub[0].label!, /…$/);
  assert.equal(trayIconState([x], new Set([x.id])), 'busy');
  assert.equal(trayIconState([x]), 'running');
  assert.equal(trayIconState([c('a', 'exited')]), 'idle');
  assert.equal(trayIconState([]), 'idle');
});

test('checkpoint disabled with a reason when CRIU is missing', () => {
  const sub = containerSubmenu(c('web', 'running'), { checkpointSupported: false });
  const cp = sub.find((i) => i.label === 'Checkpoint && Export…')!;
  assert.equal(cp.enabled, false);
  assert.match(cp.toolTip!, /CRIU/);
});

test('engine error replaces the list but keeps Show and Quit', () => {
  const menu = buildTrayMenu([], { engineError: 'runc not found' });
  assert.deepEqual(labels(menu), ['Engine not running: runc not found', '---', 'Show Pier', 'Quit (containers keep running)']);
  assert.match(trayTooltip([], { engineError: 'runc not found' }), /runc not found/);
});

test('empty list says so; long lists are capped with a "more" entry; & is escaped', () => {
  assert.ok(buildTrayMenu([]).some((i) => i.label === 'No containers'));
  const many = Array.from({ length: 25 }, (_, i) => c(`n${String(i).padStart(2, '0')}`, 'running'));
  const menu = buildTrayMenu(many, { maxContainers: 20 });
  assert.equal(menu.filter((i) => i.type === 'submenu').length, 20);
  assert.equal(findItem(menu, 'more')!.label, '5 more… (Show Pier)');
  assert.equal(buildTrayMenu([c('a&b', 'running')]).find((i) => i.type === 'submenu')!.label, 'a&&b (running)');
});

test('template is plain data (serialisable through the main process for E2E)', () => {
  const menu = buildTrayMenu([c('web', 'running')]);
  assert.deepEqual(JSON.parse(JSON.stringify(menu)), menu);
});

test('debounce: a burst rebuilds once; maxWait bounds a continuous stream', async () => {
  let n = 0;
  const d = debounce(() => n++, 30, 60);
  for (let i = 0; i < 10; i++) d();
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(n, 1);
  const start = Date.now();
  const timer = setInterval(() => d(), 5);
  await new Promise((r) => setTimeout(r, 150));
  clearInterval(timer);
  d.cancel();
  assert.ok(n >= 2, `continuous calls still rebuilt (n=${n}, ${Date.now() - start} ms)`);
  let m = 0;
  const e = debounce(() => m++, 1000);
  e(); e.flush();
  assert.equal(m, 1);
  e.flush();
  assert.equal(m, 1);
});
