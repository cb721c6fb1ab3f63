// Renderer accessibility and subscriptions: roving navigation (pure), the containers grid in a
// DOM (happy-dom: roles, one tab stop, keys, renders per row), the resource grid of the images,
// volumes and networks views and their confirmation dialog, focus return after a dialog,
// settings parsing, and finished progress pruned from the stores.
import { test, describe, before, after, mock } from 'node:test';
import assert from 'node:assert/strict';
import { installDom } from '../helpers/dom.ts';
import { gridMove, tabMove } from '../../renderer/src/lib/roving.ts';
import type { ContainerSummary } from '../../electron/common/types.ts';

const win = installDom();
(window as unknown as { __PIER_TEST__: boolean }).__PIER_TEST__ = true;
const React = await import('react');
// tsx compiles the renderer's .tsx with the classic JSX transform (renderer/tsconfig.json is
// not the one it reads), which calls the global React
(globalThis as Record<string, unknown>).React = React;
const { act } = React;
const { createRoot } = await import('react-dom/client');
const { ContainerList } = await import('../../renderer/src/components/ContainerList.tsx');
const { Dialog } = await import('../../renderer/src/components/Dialog.tsx');
const { ResourceGrid } = await import('../../renderer/src/components/ResourceGrid.tsx');
const { ConfirmDialog, forEach } = await import('../../renderer/src/components/ConfirmDialog.tsx');
const { useContainers } = await import('../../renderer/src/store/containers.ts');
const { useUi } = await import('../../renderer/src/store/ui.ts');
const { useImages } = await import('../../renderer/src/store/images.ts');
const { useCheckpoints } = await import('../../renderer/src/store/checkpoints.ts');
const { useActions } = await import('../../renderer/src/store/actions.ts');
const { PRUNE_MS, PRUNE_ERROR_MS } = await import('../../renderer/src/store/prune.ts');
const { parseSettings } = await import('../../renderer/src/store/settings.ts');
const { returnFocusTarget } = await import('../../renderer/src/lib/focusReturn.ts');
const { createClient, setClient } = await import('../../renderer/src/api/client.ts');
// no engine here: every call is refused (the list's stats stream then shows "–")
setClient(
  createClient({
    invoke: async () => Promise.reject({ code: 'ENOENGINE', message: 'no engine in this unit test' }),
    on: () => () => undefined,
  }),
);

const mk = (i: number, o: Partial<ContainerSummary> = {}): ContainerSummary => ({
  id: `c${String(i).padStart(63, '0')}`,
  name: `n${i}`,
  image: 'busybox',
  command: 'sh',
  status: 'running',
  created: new Date(1_700_000_000_000 + i * 1000).toISOString(),
  pid: 1,
  terminal: true,
  stdin: true,
  labels: {},
  ...o,
});

describe('roving navigation (pure)', () => {
  const stops = (r: number) => (r === 2 ? 3 : 5);
  test('arrows move by row and stop, clamp at the edges, never wrap', () => {
    assert.deepEqual(gridMove({ key: 'ArrowDown' }, { row: 0, stop: 1 }, 4, stops), { row: 1, stop: 1 });
    assert.deepEqual(gridMove({ key: 'ArrowUp' }, { row: 0, stop: 1 }, 4, stops), { row: 0, stop: 1 });
    assert.deepEqual(gridMove({ key: 'ArrowDown' }, { row: 3, stop: 0 }, 4, stops), { row: 3, stop: 0 });
    assert.deepEqual(gridMove({ key: 'ArrowRight' }, { row: 1, stop: 4 }, 4, stops), { row: 1, stop: 4 });
    assert.deepEqual(gridMove({ key: 'ArrowLeft' }, { row: 1, stop: 0 }, 4, stops), { row: 1, stop: 0 });
    assert.deepEqual(gridMove({ key: 'ArrowRight' }, { row: 1, stop: 2 }, 4, stops), { row: 1, stop: 3 });
  });
  test('a shorter row clamps the stop; Home/End stay in the row, Ctrl+Home/End go to the corners', () => {
    assert.deepEqual(gridMove({ key: 'ArrowDown' }, { row: 1, stop: 4 }, 4, stops), { row: 2, stop: 2 });
    assert.deepEqual(gridMove({ key: 'Home' }, { row: 2, stop: 2 }, 4, stops), { row: 2, stop: 0 });
    assert.deepEqual(gridMove({ key: 'End' }, { row: 2, stop: 0 }, 4, stops), { row: 2, stop: 2 });
    assert.deepEqual(gridMove({ key: 'Home', ctrlKey: true }, { row: 3, stop: 3 }, 4, stops), { row: 0, stop: 0 });
    assert.deepEqual(gridMove({ key: 'End', ctrlKey: true }, { row: 0, stop: 0 }, 4, stops), { row: 3, stop: 4 });
  });
  test('PageUp/PageDown move a page, clamped; other keys and modified arrows are not navigation', () => {
    assert.deepEqual(gridMove({ key: 'PageDown' }, { row: 0, stop: 0 }, 25, stops, 10), { row: 10, stop: 0 });
    assert.deepEqual(gridMove({ key: 'PageDown' }, { row: 20, stop: 0 }, 25, stops, 10), { row: 24, stop: 0 });
    assert.deepEqual(gridMove({ key: 'PageUp' }, { row: 5, stop: 0 }, 25, stops, 10), { row: 0, stop: 0 });
    for (const e of [
      { key: 'Enter' },
      { key: ' ' },
      { key: 'Delete' },
      { key: 'a' },
      { key: 'ArrowDown', shiftKey: true },
      { key: 'ArrowDown', altKey: true },
      { key: 'ArrowDown', ctrlKey: true },
    ]) {
      assert.equal(gridMove(e, { row: 1, stop: 1 }, 4, stops), undefined, JSON.stringify(e));
    }
    assert.equal(gridMove({ key: 'ArrowDown' }, { row: 0, stop: 0 }, 0, stops), undefined, 'no rows');
  });
  test('tabs: Left/Right wrap, Home/End, other keys ignored', () => {
    assert.equal(tabMove({ key: 'ArrowRight' }, 4, 5), 0);
    assert.equal(tabMove({ key: 'ArrowLeft' }, 0, 5), 4);
    assert.equal(tabMove({ key: 'ArrowRight' }, 1, 5), 2);
    assert.equal(tabMove({ key: 'Home' }, 3, 5), 0);
    assert.equal(tabMove({ key: 'End' }, 0, 5), 4);
    assert.equal(tabMove({ key: 'ArrowDown' }, 0, 5), undefined);
    assert.equal(tabMove({ key: 'ArrowRight', ctrlKey: true }, 0, 5), undefined);
  });
});

describe('containers grid in a DOM', () => {
  let host: HTMLDivElement;
  let root: ReturnType<typeof createRoot>;
  const renders = () => (window as unknown as { __pierRenders: Map<string, number> }).__pierRenders;
  const key = async (el: Element, k: string, o: KeyboardEventInit = {}) => {
    await act(async () => {
      el.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true, ...o }));
    });
  };
  const tick = () =>
    act(async () => {
      await new Promise((r) => setTimeout(r, 20));
    });

  before(async () => {
    // no layout engine: give the grid (the virtualiser's scroll element) a viewport's size
    for (const [k, v] of [
      ['clientHeight', 800],
      ['clientWidth', 1000],
    ] as const) {
      Object.defineProperty(window.HTMLElement.prototype, k, {
        configurable: true,
        get(this: HTMLElement) {
          return this.getAttribute('role') === 'grid' ? v : 0;
        },
      });
    }
    // and without layout every element counts as not rendered: all are shown here
    (window.HTMLElement.prototype as { checkVisibility(): boolean }).checkVisibility = () => true;
    useContainers.getState().setAll(Array.from({ length: 6 }, (_, i) => mk(i)));
    host = document.createElement('div');
    document.body.appendChild(host);
    root = createRoot(host);
    await act(async () => root.render(React.createElement(ContainerList)));
    await tick();
  });
  after(async () => {
    await act(async () => root.unmount());
  });

  test('roles: a labelled grid, column headers, rows with indexes and gridcells; one tab stop', () => {
    const grid = host.querySelector('[role="grid"]')!;
    assert.equal(grid.getAttribute('aria-label'), 'Containers');
    assert.equal(grid.getAttribute('aria-rowcount'), '7', 'six rows and the header');
    assert.equal(grid.querySelectorAll('[role="columnheader"]').length, 10);
    const rows = [...grid.querySelectorAll('[role="row"][data-row]')];
    assert.equal(rows.length, 6);
    assert.equal(rows[0].getAttribute('aria-rowindex'), '2');
    assert.equal(rows[0].getAttribute('data-name'), 'n5', 'newest first');
    for (const r of rows) assert.equal(r.querySelectorAll('[role="gridcell"]').length, 10);
    const zero = [...grid.querySelectorAll<HTMLElement>('[tabindex="0"]')];
    assert.equal(zero.length, 1, 'exactly one stop in the Tab order');
    assert.equal(zero[0].getAttribute('aria-label'), 'select n5', "the first stop: row 1's checkbox");
    for (const b of grid.querySelectorAll<HTMLElement>('[role="row"][data-row] button')) assert.equal(b.tabIndex, -1);
  });

  test('arrows move the focus and the tab stop with it', async () => {
    const grid = host.querySelector('[role="grid"]')!;
    const first = grid.querySelector<HTMLElement>('[tabindex="0"]')!;
    await act(async () => first.focus());
    await key(first, 'ArrowDown');
    assert.equal(document.activeElement?.getAttribute('aria-label'), 'select n4');
    await key(document.activeElement!, 'ArrowRight');
    const cell = document.activeElement as HTMLElement;
    assert.equal(cell.getAttribute('role'), 'gridcell');
    assert.match(cell.textContent ?? '', /^n4/);
    assert.equal(cell.tabIndex, 0);
    assert.equal(first.tabIndex, -1);
    await key(cell, 'End');
    assert.match(
      document.activeElement?.getAttribute('aria-label') ?? '',
      /^Remove n4$/,
      "the last stop is the row's last action button",
    );
    await key(document.activeElement!, 'End', { ctrlKey: true });
    assert.match(document.activeElement?.getAttribute('aria-label') ?? '', /^Remove n0$/);
    assert.equal(grid.querySelectorAll('[tabindex="0"]').length, 1);
  });

  test('Space checks, Enter opens the detail, Delete asks to remove (only that row)', async () => {
    const grid = host.querySelector('[role="grid"]')!;
    const nameCell = grid.querySelector<HTMLElement>('[data-name="n3"] .cell.name')!;
    await act(async () => nameCell.focus());
    await key(nameCell, ' ');
    assert.deepEqual(Object.keys(useUi.getState().checked), [mk(3).id]);
    assert.equal(grid.querySelector('[data-name="n3"]')!.getAttribute('aria-selected'), 'true');
    await key(nameCell, 'Enter');
    assert.equal(useUi.getState().selected, mk(3).id);
    assert.equal(grid.querySelector('[data-name="n3"]')!.getAttribute('aria-current'), 'true');
    await key(nameCell, 'Delete');
    assert.deepEqual(useUi.getState().dialog, { kind: 'confirm-remove', ids: [mk(3).id] });
    await act(async () => {
      useUi.getState().closeDialog();
      useUi.getState().setChecked([]);
    });
  });

  test('a removed row hands the focus to the row now in its place', async () => {
    const cell = host.querySelector<HTMLElement>('[data-name="n2"] .cell.image')!;
    await act(async () => cell.focus());
    await act(async () => useContainers.getState().remove(mk(2).id));
    await tick();
    const now = document.activeElement as HTMLElement;
    assert.equal(now.closest('[role="row"]')?.getAttribute('data-name'), 'n1');
    assert.ok(now.classList.contains('image'), 'same column');
  });

  test('changes elsewhere in the stores do not re-render a row; its own change re-renders only it', async () => {
    const before = new Map(renders());
    const ids = useContainers.getState().order;
    await act(async () => {
      useImages.setState({ pulls: { t: { task: 't', ref: 'r', status: 'x', layers: {}, done: false } } });
      useUi.getState().toast('unrelated', 'info');
      useUi.getState().setTab('logs');
      useCheckpoints.setState({ progress: { x: { kind: 'checkpoint', status: 's', done: false } } });
      useActions.setState({ busy: { other: 'start' } });
    });
    for (const id of ids) assert.equal(renders().get(id), before.get(id), `row ${id.slice(-2)} not re-rendered`);
    const changed = { ...useContainers.getState().byId[ids[1]], status: 'paused' as const };
    await act(async () => useContainers.getState().upsert(changed));
    for (const id of ids)
      assert.equal(renders().get(id), (before.get(id) ?? 0) + (id === changed.id ? 1 : 0), `row ${id.slice(-2)}`);
    await act(async () => useUi.getState().toggleChecked(ids[3]));
    assert.equal(renders().get(ids[3]), (before.get(ids[3]) ?? 0) + 1);
    assert.equal(renders().get(ids[2]), before.get(ids[2]), 'checking one row leaves the others alone');
  });
});

describe('dialog focus', () => {
  test('focus goes into the dialog and returns to its opener on close', async () => {
    const opener = document.createElement('button');
    opener.textContent = 'open';
    document.body.appendChild(opener);
    opener.focus();
    const host = document.createElement('div');
    document.body.appendChild(host);
    const root = createRoot(host);
    const body = React.createElement(
      'footer',
      null,
      React.createElement('button', { id: 'a' }, 'Cancel'),
      React.createElement('button', { id: 'b' }, 'OK'),
    );
    await act(async () =>
      root.render(React.createElement(Dialog, { title: 'T', role: 'alertdialog', children: body })),
    );
    await act(async () => {
      await new Promise((r) => setTimeout(r, 20));
    });
    assert.equal(document.activeElement?.id, 'a', 'first footer button');
    const dlg = host.querySelector('[role="alertdialog"]')!;
    assert.equal(dlg.getAttribute('aria-modal'), 'true');
    assert.equal(dlg.getAttribute('aria-label'), 'T');
    await act(async () => root.unmount());
    await act(async () => {
      await new Promise((r) => setTimeout(r, 20));
    });
    assert.equal(document.activeElement, opener);
  });

  test("return target: the opener while connected, else the grid's current stop, else none", () => {
    const grid = document.createElement('div');
    grid.setAttribute('role', 'grid');
    const a = document.createElement('span');
    a.tabIndex = -1;
    const b = document.createElement('span');
    b.tabIndex = 0;
    grid.append(a, b);
    document.body.appendChild(grid);
    assert.equal(returnFocusTarget(a, grid), a);
    a.remove();
    assert.equal(returnFocusTarget(a, grid), b);
    grid.remove();
    assert.equal(returnFocusTarget(a, grid), undefined);
    assert.equal(returnFocusTarget(document.body, null), undefined, 'the body is no opener');
  });
});

describe('resource grid (images, volumes, networks) and its confirmation', () => {
  interface Item {
    id: string;
    name: string;
  }
  const items: Item[] = [0, 1, 2].map((i) => ({ id: `i${i}`, name: `item-${i}` }));
  const key = async (el: Element, k: string) => {
    await act(async () => {
      el.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true }));
    });
  };

  test('roles, checks, and Enter/Space/Delete on a row (Enter on the checkbox opens too)', async () => {
    const calls: string[] = [];
    const host = document.createElement('div');
    document.body.appendChild(host);
    const root = createRoot(host);
    const render = (checked: Record<string, true>, current?: string) =>
      act(async () =>
        root.render(
          React.createElement(ResourceGrid<Item>, {
            label: 'Things',
            items,
            keyOf: (x) => x.id,
            nameOf: (x) => x.name,
            columns: [{ head: 'Name', cell: (x) => x.name }],
            checked,
            current,
            toggle: (k) => calls.push(`toggle ${k}`),
            setChecked: (ks) => calls.push(`set ${ks.join(',')}`),
            onOpen: (x) => calls.push(`open ${x.id}`),
            onDelete: (x) => calls.push(`delete ${x.id}`),
            rowAttrs: (x) => ({ 'data-thing': x.name }),
          }),
        ),
      );
    await render({ i1: true }, 'i2');
    const grid = host.querySelector('[role="grid"]')!;
    assert.equal(grid.getAttribute('aria-label'), 'Things');
    assert.equal(grid.getAttribute('aria-multiselectable'), 'true');
    assert.deepEqual(
      [...grid.querySelectorAll('[role="columnheader"]')].map((h) => h.getAttribute('aria-label') ?? h.textContent),
      ['Selected', 'Name'],
    );
    const rows = [...grid.querySelectorAll<HTMLElement>('[role="row"][data-row]')];
    assert.deepEqual(
      rows.map((r) => [r.dataset.thing, r.getAttribute('aria-selected'), r.getAttribute('aria-current')]),
      [
        ['item-0', 'false', null],
        ['item-1', 'true', null],
        ['item-2', 'false', 'true'],
      ],
    );
    assert.equal(grid.querySelectorAll('[tabindex="0"]').length, 1, 'one stop in the Tab order');
    const box = rows[0].querySelector<HTMLInputElement>('input[type="checkbox"]')!;
    assert.equal(box.getAttribute('aria-label'), 'select item-0');
    await key(box, 'Enter');
    const cell = rows[1].querySelectorAll<HTMLElement>('[role="gridcell"]')[1];
    await key(cell, ' ');
    await key(cell, 'Enter');
    await key(cell, 'Delete');
    await key(cell, 'x');
    assert.deepEqual(calls, ['open i0', 'toggle i1', 'open i1', 'delete i1']);
    calls.length = 0;
    await act(async () => grid.querySelector<HTMLInputElement>('[aria-label="select all"]')!.click());
    assert.deepEqual(calls, ['set i0,i1,i2'], 'select all, from a partial selection');
    await act(async () => root.unmount());
    host.remove();
  });

  test('the confirmation: an alertdialog described by its message, Cancel first, errors kept in place', async () => {
    const host = document.createElement('div');
    document.body.appendChild(host);
    const root = createRoot(host);
    const ran: boolean[] = [];
    let fail = true;
    const spec = {
      title: 'Remove thing',
      message: 'Remove item-1? It is gone for good.',
      action: 'Remove',
      option: 'Also its data',
      run: async (o: boolean) => {
        ran.push(o);
        if (fail) throw new Error('item-1: in use by c1');
      },
    };
    useUi.getState().openDialog({ kind: 'confirm', spec });
    await act(async () => root.render(React.createElement(ConfirmDialog, { spec })));
    await act(async () => {
      await new Promise((r) => setTimeout(r, 20));
    });
    const dlg = host.querySelector('[role="alertdialog"]')!;
    assert.equal(dlg.getAttribute('aria-label'), 'Remove thing');
    assert.equal(host.querySelector(`#${dlg.getAttribute('aria-describedby')}`)?.textContent, spec.message);
    assert.equal(document.activeElement?.textContent, 'Cancel', 'the safe choice has the focus');
    await act(async () => host.querySelector<HTMLInputElement>('input[name="confirm-option"]')!.click());
    await act(async () => host.querySelector<HTMLButtonElement>('[data-testid="confirm-action"]')!.click());
    assert.deepEqual(ran, [true], 'the option is passed');
    assert.equal(host.querySelector('[role="alert"]')?.textContent, 'item-1: in use by c1');
    assert.equal(useUi.getState().dialog?.kind, 'confirm', 'a failure keeps the dialog open');
    fail = false;
    await act(async () => host.querySelector<HTMLButtonElement>('[data-testid="confirm-action"]')!.click());
    assert.equal(useUi.getState().dialog, undefined, 'done: closed');
    await act(async () => root.unmount());
    host.remove();
  });

  test('forEach does every item and names each failure', async () => {
    const done: number[] = [];
    await assert.rejects(
      forEach(
        [1, 2, 3],
        async (n) => {
          if (n === 2) throw new Error('busy');
          done.push(n);
        },
        (n) => `n${n}`,
      ),
      { message: 'n2: busy' },
    );
    assert.deepEqual(done, [1, 3]);
    await forEach([], async () => undefined, String);
  });
});

describe('settings and progress pruning', () => {
  test('settings parse with defaults for bad input', () => {
    assert.deepEqual(parseSettings(null), { screenReaderMode: false });
    assert.deepEqual(parseSettings('{"screenReaderMode":true}'), { screenReaderMode: true });
    assert.deepEqual(parseSettings('{"screenReaderMode":"yes"}'), { screenReaderMode: false });
    assert.deepEqual(parseSettings('not json'), { screenReaderMode: false });
  });

  test('finished pulls and checkpoint progress are removed after they were shown', () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      useImages.setState({ pulls: {} });
      useCheckpoints.setState({ progress: {} });
      const pull = (task: string, o: object) =>
        useImages
          .getState()
          .apply({ type: 'progress', task, kind: 'pull', ref: task, status: 'downloading', time: 0, ...o } as never);
      pull('ok', { layer: 'sha256:a', current: 1, total: 2 });
      pull('bad', {});
      pull('ok', { status: 'done', done: true });
      pull('bad', { status: 'failed', done: true, error: 'manifest unknown' });
      pull('running', { layer: 'sha256:b', current: 1, total: 9 });
      useCheckpoints
        .getState()
        .apply({ type: 'progress', task: 'k', kind: 'checkpoint', ref: 'c1', status: 'dumping', time: 0 });
      useCheckpoints
        .getState()
        .apply({ type: 'progress', task: 'k', kind: 'checkpoint', ref: 'c1', status: 'done', done: true, time: 0 });
      assert.deepEqual(
        Object.keys(useImages.getState().pulls).sort(),
        ['bad', 'ok', 'running'],
        'a finished pull is shown first',
      );
      mock.timers.tick(PRUNE_MS);
      assert.deepEqual(Object.keys(useImages.getState().pulls).sort(), ['bad', 'running']);
      assert.deepEqual(useCheckpoints.getState().progress, {});
      mock.timers.tick(PRUNE_ERROR_MS - PRUNE_MS);
      assert.deepEqual(Object.keys(useImages.getState().pulls), ['running'], 'a failure stays longer, then goes too');
      // a task that reports again after "done" (a retry under the same id) is not cut short
      pull('again', { status: 'done', done: true });
      mock.timers.tick(PRUNE_MS - 1);
      pull('again', { status: 'downloading', done: false });
      mock.timers.tick(PRUNE_ERROR_MS);
      assert.ok(useImages.getState().pulls.again, 'still in flight');
    } finally {
      mock.timers.reset();
    }
  });
});

after(async () => {
  await win.happyDOM.close();
});
