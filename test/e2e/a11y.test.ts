// Accessibility end to end: Chromium's own accessibility tree (CDP Accessibility.getFullAXTree)
// for the containers grid, the detail tabs and the dialogs, and a keyboard-only walk through
// the main flows — create a container in the dialog, open it, switch tabs, remove it with
// Delete and the confirmation — with key events only. Then the Images, Volumes, Networks and
// Stacks views: their empty states, their grids in the tree, and a keyboard-only walk through
// Images (arrows, Space, Enter inspects, Delete asks, Escape cancels, focus returns) and the
// others. Real engine, real conmon/runc; no network is created (the default one is listed).
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { CDPSession, Page } from 'playwright-core';
import { shot, startUi, waitFor, type UiEnv } from '../helpers/browser.ts';

let env: UiEnv;
let page: Page;
let cdp: CDPSession;
const rootUid = process.getuid?.() === 0;

interface AXNode {
  nodeId: string;
  ignored: boolean;
  role?: { value: string };
  name?: { value: string };
  description?: { value: string };
  properties?: Array<{ name: string; value: { value: unknown } }>;
  childIds?: string[];
}
async function axTree(): Promise<AXNode[]> {
  return ((await cdp.send('Accessibility.getFullAXTree')) as { nodes: AXNode[] }).nodes.filter((n) => !n.ignored);
}
const role = (nodes: AXNode[], r: string) => nodes.filter((n) => n.role?.value === r);
const prop = (n: AXNode, p: string) => n.properties?.find((x) => x.name === p)?.value.value;
function descendants(nodes: AXNode[], root: AXNode): AXNode[] {
  const byId = new Map(nodes.map((n) => [n.nodeId, n]));
  const out: AXNode[] = [];
  const walk = (n: AXNode) => {
    for (const id of n.childIds ?? []) {
      const c = byId.get(id);
      if (c) {
        out.push(c);
        walk(c);
      }
    }
  };
  walk(root);
  return out;
}

/** What has the focus: role, accessible-ish name, and where it is. */
async function focused(): Promise<{
  tag: string;
  name: string | null;
  role: string | null;
  label: string;
  text: string;
  row: string | null;
  /** the data-image / data-volume / data-network of the focused row */
  item: string | null;
  region: string | null;
  inDialog: boolean;
  inGrid: boolean;
  tab: string | null;
}> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement;
    return {
      tag: el.tagName.toLowerCase(),
      name: el.getAttribute('name'),
      role: el.getAttribute('role'),
      label: el.getAttribute('aria-label') ?? '',
      text: (el.textContent ?? '').trim(),
      row: el.closest('[role="row"]')?.getAttribute('data-name') ?? null,
      item:
        ((r) => r?.getAttribute('data-image') ?? r?.getAttribute('data-volume') ?? r?.getAttribute('data-network'))(
          el.closest('[role="row"]'),
        ) ?? null,
      region: el.getAttribute('role') === 'region' ? el.getAttribute('aria-label') : null,
      inDialog: !!el.closest('[role="dialog"], [role="alertdialog"]'),
      inGrid: !!el.closest('[role="grid"]'),
      tab: el.getAttribute('data-tab'),
    };
  });
}
/** Presses Tab (or Shift+Tab) until `want` holds for the focused element; fails after `max` presses. */
async function tabUntil(
  want: (f: Awaited<ReturnType<typeof focused>>) => boolean,
  what: string,
  { back = false, max = 40 } = {},
): Promise<number> {
  for (let i = 1; i <= max; i++) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    if (want(await focused())) return i;
  }
  throw new Error(
    `${what}: not reached with ${max} ${back ? 'Shift+Tab' : 'Tab'} presses (focus on ${JSON.stringify(await focused())})`,
  );
}

describe(
  'accessibility in Chromium against web mode',
  { skip: rootUid ? false : 'needs root for conmon/runc containers' },
  () => {
    before(async () => {
      env = await startUi();
      page = env.page;
      cdp = await page.context().newCDPSession(page);
      await cdp.send('Accessibility.enable');
    });
    after(async () => {
      await env?.close();
    });

    test('keyboard only: create from the dialog, focus trapped and returned', async () => {
      await env.engine.containers.create({ rootfs: env.dirs.rootfs, cmd: ['sleep', '300'], name: 'kb-zero' });
      await page.waitForSelector('[role="row"][data-name="kb-zero"]');
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      await tabUntil((f) => f.tag === 'button' && f.text === 'New container', 'New container button');
      await page.keyboard.press('Enter');
      await page.waitForSelector('[role="dialog"][aria-label="New container"]');
      await waitFor(async () => (await focused()).name === 'image', 2000, 'focus on the first field of the dialog');

      // the dialog's accessibility: a modal dialog named by its title
      const dlg = role(await axTree(), 'dialog').find((n) => n.name?.value === 'New container');
      assert.ok(dlg, 'a dialog named "New container" in the accessibility tree');
      assert.equal(prop(dlg, 'modal'), true);

      // Tab and Shift+Tab never leave it
      for (let i = 0; i < 25; i++) {
        await page.keyboard.press('Tab');
        assert.ok((await focused()).inDialog, `Tab ${i + 1} stays in the dialog`);
      }
      for (let i = 0; i < 25; i++) {
        await page.keyboard.press('Shift+Tab');
        assert.ok((await focused()).inDialog, `Shift+Tab ${i + 1} stays in the dialog`);
      }

      // fill it by keyboard: image, name, command; Enter submits
      await tabUntil((f) => f.inDialog && f.name === 'image', 'image field');
      await page.keyboard.type(env.dirs.rootfs);
      await page.keyboard.press('Tab');
      await page.keyboard.type('kb-one');
      await page.keyboard.press('Tab');
      await page.keyboard.type('sh');
      await page.keyboard.press('Enter');
      await page.waitForSelector('[role="dialog"]', { state: 'detached', timeout: 10_000 });
      await page.waitForSelector('[role="row"][data-name="kb-one"] [data-state="running"]', { timeout: 10_000 });
      await waitFor(
        async () => {
          const f = await focused();
          return f.tag === 'button' && f.text === 'New container';
        },
        2000,
        'focus back on the opener',
      );
    });

    test('the grid in the accessibility tree: name, column headers, rows of gridcells', async () => {
      const nodes = await axTree();
      const grid = role(nodes, 'grid').find((n) => n.name?.value === 'Containers');
      assert.ok(grid, 'a grid named "Containers"');
      assert.equal(prop(grid, 'multiselectable'), true);
      const inside = descendants(nodes, grid);
      // kb-one's detail is open beside the list: the columns the layout collapses are hidden from everyone
      const heads = role(inside, 'columnheader').map((n) => n.name?.value ?? '');
      assert.deepEqual(
        heads.map((h) => h.replace(/ [▲▼]$/, '')),
        ['Selected', 'Name', 'State', 'CPU', 'Memory', 'Actions'],
      );
      const rows = role(inside, 'row').filter((r) => role(descendants(nodes, r), 'gridcell').length);
      assert.equal(rows.length, 2, 'two data rows');
      for (const r of rows) assert.equal(role(descendants(nodes, r), 'gridcell').length, 6);
      const cells = role(descendants(nodes, rows[0]), 'gridcell');
      assert.ok(
        role(descendants(nodes, cells[0]), 'checkbox').some((n) => n.name?.value === 'select kb-one'),
        'a labelled checkbox',
      );
      assert.ok(
        role(descendants(nodes, cells[5]), 'button').some((n) => n.name?.value === 'Stop kb-one'),
        'labelled actions',
      );
      const names = rows.map((r) => role(descendants(nodes, r), 'gridcell')[1].name?.value ?? '');
      assert.match(names[0], /^kb-one/, 'newest first');
      assert.match(names[1], /^kb-zero/);
    });

    test('keyboard only: into the grid with one Tab stop, arrows, Enter opens, tabs switch with arrows', async () => {
      // from the opener, Tab reaches the grid's single stop: the first row's checkbox
      await tabUntil((f) => f.inGrid && f.row !== null, 'a grid row');
      assert.deepEqual([(await focused()).row, (await focused()).label], ['kb-one', 'select kb-one']);
      await page.keyboard.press('Tab');
      assert.equal((await focused()).inGrid, false, 'one more Tab leaves the grid (one stop, roving)');
      await page.keyboard.press('Shift+Tab');
      assert.equal((await focused()).row, 'kb-one', 'Shift+Tab comes back to the same stop');
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowRight');
      let f = await focused();
      assert.deepEqual([f.row, f.role], ['kb-zero', 'gridcell']);
      assert.match(f.text, /^kb-zero/);
      // Space checks the row (selection), Enter opens its detail and puts the focus on its tabs
      await page.keyboard.press(' ');
      await page.waitForSelector('[role="row"][data-name="kb-zero"][aria-selected="true"]');
      await page.waitForSelector('[data-testid="bulk"]:has-text("1 selected")');
      await page.keyboard.press(' ');
      await page.waitForSelector('[role="row"][data-name="kb-zero"][aria-selected="false"]');
      await page.keyboard.press('Enter');
      await page.waitForSelector('.detail[data-container="kb-zero"]');
      await waitFor(async () => (await focused()).role === 'tab', 2000, 'focus on the selected tab');
      f = await focused();
      const first = f.tab!;
      // arrows switch tabs; the panel follows and is labelled by its tab
      const order = ['terminal', 'shell', 'logs', 'stats', 'processes', 'inspect', 'checkpoints'];
      for (let i = 1; i <= order.length; i++) {
        await page.keyboard.press('ArrowRight');
        const want = order[(order.indexOf(first) + i) % order.length];
        await waitFor(async () => (await focused()).tab === want || undefined, 2000, `focus on tab ${want}`);
        const panel = await page.getAttribute('[role="tabpanel"]', 'aria-labelledby');
        assert.equal(panel, `detail-tab-${want}`);
        assert.equal(await page.getAttribute(`#detail-tab-${want}`, 'aria-selected'), 'true');
      }
      await page.keyboard.press('End');
      assert.equal((await focused()).tab, 'checkpoints');
      await page.keyboard.press('Home');
      assert.equal((await focused()).tab, 'terminal', 'a terminal tab does not take the focus from a keyboard user');

      const nodes = await axTree();
      const list = role(nodes, 'tablist').find((n) => n.name?.value === 'kb-zero views');
      assert.ok(list, 'a tablist named for the container');
      const tabs = role(descendants(nodes, list), 'tab');
      const labels = await page.$$eval('[role="tab"][id^="detail-tab-"]', (els) => els.map((e) => e.textContent));
      assert.deepEqual(
        tabs.map((t) => t.name?.value),
        labels,
      );
      assert.ok(labels.length >= 5 && labels[0] === 'Terminal', `tabs: ${labels.join(', ')}`);
      assert.deepEqual(
        tabs.map((t) => prop(t, 'selected') === true),
        labels.map((_, i) => i === 0),
      );
      const panel = role(nodes, 'tabpanel');
      assert.equal(panel.length, 1);
      assert.equal(panel[0].name?.value, 'Terminal', 'the panel is named by its tab');
    });

    test('keyboard only: Delete asks, the confirmation is an alertdialog, Enter on Remove removes', async () => {
      await tabUntil((f) => f.inGrid && f.row !== null, 'back to the grid', { back: true });
      await page.keyboard.press('ArrowDown'); // kb-zero: the second row
      assert.equal((await focused()).row, 'kb-zero');
      const zero = env.engine.containers.list().find((c) => c.name === 'kb-zero')!;
      await page.keyboard.press('Delete');
      await page.waitForSelector('[role="alertdialog"]');
      await waitFor(
        async () => (await focused()).text === 'Cancel' || undefined,
        2000,
        'focus on Cancel (the safe choice)',
      );
      const nodes = await axTree();
      const dlg = role(nodes, 'alertdialog')[0];
      assert.equal(dlg?.name?.value, 'Remove container');
      assert.match(dlg.description?.value ?? '', /^Remove kb-zero\? .*cannot be undone/);
      assert.equal(prop(dlg, 'modal'), true);
      await page.keyboard.press('Escape');
      await page.waitForSelector('[role="alertdialog"]', { state: 'detached' });
      await waitFor(
        async () => (await focused()).row === 'kb-zero' || undefined,
        2000,
        'Escape returns the focus to the row',
      );
      await page.keyboard.press('Delete');
      await waitFor(async () => (await focused()).text === 'Cancel' || undefined, 2000, 'Cancel focused again');
      await page.keyboard.press('Tab');
      assert.equal((await focused()).text, 'Remove');
      await page.keyboard.press('Enter');
      await page.waitForSelector('[role="alertdialog"]', { state: 'detached', timeout: 20_000 });
      await waitFor(
        () => !env.engine.containers.list().some((c) => c.id === zero.id),
        5000,
        'kb-zero removed from the engine',
      );
      await page.waitForSelector('[role="row"][data-name="kb-zero"]', { state: 'detached' });
      await waitFor(
        async () => {
          const f = await focused();
          return (f.inGrid && f.row === 'kb-one') || undefined;
        },
        2000,
        'focus on the row now in the grid',
      );
    });

    test('screen reader mode: offered in settings, applied to an open terminal at once', async () => {
      await page.click('[role="row"][data-name="kb-one"]');
      await page.click('[data-tab="terminal"]');
      await page.waitForSelector('.terminal-pane .xterm');
      assert.equal(await page.locator('.terminal-pane .xterm-accessibility-tree').count(), 0, 'off by default');
      await page.keyboard.press('Control+k');
      await waitFor(async () => (await focused()).label === 'Command' || undefined, 2000, 'focus in the palette');
      await page.keyboard.type('screen reader');
      await page.keyboard.press('Enter');
      await page.waitForSelector('.terminal-pane .xterm-accessibility-tree');
      assert.equal(
        await page.evaluate(() => JSON.parse(localStorage.getItem('pier.settings') ?? '{}').screenReaderMode),
        true,
        'kept',
      );
      await page.keyboard.press('Control+k');
      await waitFor(async () => (await focused()).label === 'Command' || undefined, 2000, 'focus in the palette');
      await page.keyboard.type('open settings');
      await page.keyboard.press('Enter');
      const box = page.locator('input[name="screenReaderMode"]');
      assert.equal(await box.isChecked(), true, 'the setting shows the state');
      const nodes = await axTree();
      const cb = role(nodes, 'checkbox').find((n) => n.name?.value === 'Terminal screen reader mode');
      assert.ok(cb, 'a labelled checkbox');
      assert.match(cb.description?.value ?? '', /announce new output/);
      await box.uncheck();
      await page.click('[data-nav="containers"]');
      await page.click('[data-tab="terminal"]');
      await page.waitForSelector('.terminal-pane .xterm');
      assert.equal(await page.locator('.terminal-pane .xterm-accessibility-tree').count(), 0, 'off again');
    });

    test('Images, Volumes and Stacks: clear empty states, no empty grid', async () => {
      for (const [nav, id, heading] of [
        ['images', 'images-empty', 'No images yet'],
        ['volumes', 'volumes-empty', 'No volumes yet'],
        ['stacks', 'stacks-empty', 'No compose stacks'],
      ]) {
        await page.click(`[data-nav="${nav}"]`);
        await page.waitForSelector(`[data-testid="${id}"] h2:text("${heading}")`);
        const nodes = await axTree();
        assert.ok(
          role(nodes, 'heading').some((n) => n.name?.value === heading),
          `${nav}: the empty state's heading "${heading}" in the accessibility tree`,
        );
        assert.equal(role(nodes, 'grid').length, 0, `${nav}: no grid without rows`);
      }
    });

    test('Images, Volumes, Networks, Stacks: grids in the accessibility tree', async () => {
      const { buildTestImages } = await import('../../scripts/build-test-images.ts');
      await env.engine.images!.load((await buildTestImages()).dockerArchive);
      for (const name of ['kb-vol-a', 'kb-vol-b']) await env.engine.volumes.create({ name });
      const labels = (service: string) => ({
        'com.docker.compose.project': 'kbshop',
        'com.docker.compose.service': service,
      });
      for (const svc of ['web', 'worker'])
        await env.engine.containers.create({
          rootfs: env.dirs.rootfs,
          name: `kbshop-${svc}-1`,
          labels: labels(svc),
          cmd: ['true'],
        });
      const images = (await env.engine.images!.list()).length;
      assert.ok(images >= 2, `test images loaded (${images})`);
      const nets = env.engine.network?.list().length ?? 0;
      assert.ok(nets >= 1, 'the default network is listed (netavark is part of this tier)');

      const views: Array<[string, string, string[], number, string]> = [
        ['images', 'Images', ['Selected', 'Repository:tag', 'Id', 'Size', 'Created', 'Actions'], images, 'data-image'],
        ['volumes', 'Volumes', ['Selected', 'Name', 'Size', 'Used by', 'Created', 'Actions'], 2, 'data-volume'],
        [
          'networks',
          'Networks',
          ['Selected', 'Name', 'Subnet', 'Gateway', 'Names resolve', 'Containers', 'Created', 'Actions'],
          nets,
          'data-network',
        ],
        ['stacks', 'Stacks', ['Selected', 'Stack / service', 'Container', 'State', 'Actions'], 3, 'data-row'],
      ];
      for (const [nav, label, heads, count, attr] of views) {
        await page.click(`[data-nav="${nav}"]`);
        await page.waitForSelector(`[role="grid"][aria-label="${label}"] [role="row"][${attr}]`);
        await waitFor(
          async () =>
            (await page.$$(`[role="grid"][aria-label="${label}"] [role="row"][data-row]`)).length === count ||
            undefined,
          5000,
          `${count} rows in ${label}`,
        );
        const nodes = await axTree();
        const grid = role(nodes, 'grid').find((n) => n.name?.value === label);
        assert.ok(grid, `a grid named "${label}"`);
        assert.equal(prop(grid, 'multiselectable'), true, `${label} is multiselectable`);
        const inside = descendants(nodes, grid);
        assert.deepEqual(
          role(inside, 'columnheader').map((n) => n.name?.value ?? ''),
          heads,
          `${label} column headers`,
        );
        const rows = role(inside, 'row').filter((r) => role(descendants(nodes, r), 'gridcell').length);
        assert.equal(rows.length, count, `${label}: one row per item`);
        for (const r of rows) {
          const cells = role(descendants(nodes, r), 'gridcell');
          assert.equal(cells.length, heads.length, `${label}: a gridcell per column`);
          assert.match(
            role(descendants(nodes, cells[0]), 'checkbox')[0]?.name?.value ?? '',
            /^select \S/,
            `${label}: a labelled checkbox in each row`,
          );
          assert.equal(prop(r, 'selected'), false, `${label}: rows are selectable, none selected`);
        }
        await shot(page, `grid-${nav}`);
      }
      // the stack's heading row says whether it is unfolded
      const nodes = await axTree();
      const head = role(nodes, 'row').find((r) => prop(r, 'expanded') !== undefined);
      assert.equal(prop(head!, 'expanded'), true, 'the stack row is expanded');
    });

    test('keyboard only: Images — arrows move, Space selects, Enter inspects, Delete asks, Escape cancels', async () => {
      await page.keyboard.press('Alt+2');
      const grid = '[role="grid"][aria-label="Images"]';
      await page.waitForSelector(`${grid} [role="row"][data-image]`);
      const names = await page.$$eval(`${grid} [role="row"][data-image]`, (els) =>
        els.map((e) => e.getAttribute('data-image')!),
      );
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      await tabUntil((f) => f.inGrid && f.item !== null, 'the Images grid');
      let f = await focused();
      assert.deepEqual([f.item, f.label], [names[0], `select ${names[0]}`], 'the first row’s checkbox');
      await page.keyboard.press('Tab');
      assert.equal((await focused()).inGrid, false, 'one more Tab leaves the grid (one stop)');
      await page.keyboard.press('Shift+Tab');
      assert.equal((await focused()).item, names[0]);
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowRight');
      f = await focused();
      assert.deepEqual([f.item, f.role], [names[1], 'gridcell']);
      assert.equal(f.text, names[1], 'the name cell');
      await page.keyboard.press('ArrowUp');
      assert.equal((await focused()).item, names[0]);
      await page.keyboard.press('ArrowDown');

      // Space selects (aria-selected, the bulk bar), and again clears
      await page.keyboard.press(' ');
      await page.waitForSelector(`${grid} [data-image="${names[1]}"][aria-selected="true"]`);
      await page.waitForSelector('[data-testid="images-view"] [data-testid="bulk"]:has-text("1 selected")');
      await page.keyboard.press(' ');
      await page.waitForSelector(`${grid} [data-image="${names[1]}"][aria-selected="false"]`);

      // Enter inspects: a region named for the image takes the focus; Escape closes it and gives the focus back
      await page.keyboard.press('Enter');
      await waitFor(
        async () => (await focused()).region === `Image ${names[1]}` || undefined,
        5000,
        'focus on the details',
      );
      await page.waitForSelector('[data-testid="image-inspect"] [data-testid="inspect-json"]');
      await shot(page, 'grid-images-inspect');
      await page.waitForSelector(`${grid} [data-image="${names[1]}"][aria-current="true"]`);
      await page.keyboard.press('Escape');
      await page.waitForSelector('[data-testid="image-inspect"]', { state: 'detached' });
      f = await focused();
      assert.deepEqual([f.item, f.role], [names[1], 'gridcell'], 'focus back on the cell Enter was pressed on');

      // Delete asks in a modal alertdialog; Tab stays inside; Escape cancels and the focus returns
      await page.keyboard.press('Delete');
      await page.waitForSelector('[role="alertdialog"]');
      await waitFor(async () => (await focused()).text === 'Cancel' || undefined, 2000, 'focus on Cancel');
      const dlg = role(await axTree(), 'alertdialog')[0];
      assert.equal(dlg?.name?.value, 'Remove image');
      assert.ok((dlg.description?.value ?? '').startsWith(`Remove ${names[1]}?`), dlg.description?.value);
      assert.equal(prop(dlg, 'modal'), true);
      await shot(page, 'grid-images-confirm');
      for (let i = 0; i < 5; i++) {
        await page.keyboard.press('Tab');
        assert.ok((await focused()).inDialog, `Tab ${i + 1} stays in the dialog`);
      }
      await page.keyboard.press('Escape');
      await page.waitForSelector('[role="alertdialog"]', { state: 'detached' });
      await waitFor(
        async () => {
          const g = await focused();
          return (g.item === names[1] && g.role === 'gridcell') || undefined;
        },
        2000,
        'Escape returns the focus to the cell',
      );
      assert.equal((await env.engine.images!.list()).length, names.length, 'nothing removed');

      // up to the first row; Delete, Tab, Enter on Remove: the image goes and the focus stays in the grid, on the
      // row now in its place
      await page.keyboard.press('ArrowUp');
      assert.equal((await focused()).item, names[0]);
      await page.keyboard.press('Delete');
      await waitFor(async () => (await focused()).text === 'Cancel' || undefined, 2000, 'Cancel focused again');
      await page.keyboard.press('Tab');
      assert.equal((await focused()).text, 'Remove');
      await page.keyboard.press('Enter');
      await page.waitForSelector('[role="alertdialog"]', { state: 'detached', timeout: 20_000 });
      await page.waitForSelector(`${grid} [data-image="${names[0]}"]`, { state: 'detached' });
      assert.equal((await env.engine.images!.list()).length, names.length - 1, 'one image removed');
      await waitFor(
        async () => {
          const g = await focused();
          return (g.inGrid && g.item === names[1]) || undefined;
        },
        2000,
        'focus on the next row',
      );
    });

    test('keyboard only: Volumes (Enter browses, Delete removes) and Stacks (Enter shows logs, Delete asks)', async () => {
      await page.keyboard.press('Alt+7');
      const vgrid = '[role="grid"][aria-label="Volumes"]';
      await page.waitForSelector(`${vgrid} [role="row"][data-volume="kb-vol-a"]`);
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      await tabUntil((f) => f.inGrid && f.item !== null, 'the Volumes grid');
      assert.equal((await focused()).item, 'kb-vol-a');
      await page.keyboard.press('Enter');
      await waitFor(async () => (await focused()).region === 'Volume kb-vol-a' || undefined, 5000, 'the browser');
      await page.waitForSelector('[data-testid="volume-browser"] [data-testid="volume-empty-dir"]');
      await page.keyboard.press('Escape');
      await page.waitForSelector('[data-testid="volume-browser"]', { state: 'detached' });
      assert.equal((await focused()).item, 'kb-vol-a', 'focus back on the row');
      await page.keyboard.press('Delete');
      await waitFor(async () => (await focused()).text === 'Cancel' || undefined, 2000, 'focus on Cancel');
      assert.equal(role(await axTree(), 'alertdialog')[0]?.name?.value, 'Remove volume');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Enter');
      await page.waitForSelector(`${vgrid} [data-volume="kb-vol-a"]`, { state: 'detached', timeout: 10_000 });
      assert.equal(env.engine.volumes.has('kb-vol-a'), false, 'kb-vol-a removed');
      await waitFor(async () => (await focused()).item === 'kb-vol-b' || undefined, 2000, 'focus on kb-vol-b');

      await page.keyboard.press('Alt+5');
      const sgrid = '[role="grid"][aria-label="Stacks"]';
      await page.waitForSelector(`${sgrid} [role="row"][data-name="kbshop-worker-1"]`);
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      await tabUntil((f) => f.inGrid && f.label === 'select stack kbshop', 'the Stacks grid');
      await page.keyboard.press(' ');
      await page.waitForSelector(`${sgrid} [data-name="kbshop-worker-1"][aria-selected="true"]`);
      await page.waitForSelector(`${sgrid} [data-name="kbshop-web-1"][aria-selected="true"]`);
      await page.keyboard.press(' ');
      await page.waitForSelector(`${sgrid} [data-name="kbshop-web-1"][aria-selected="false"]`);
      await page.keyboard.press('Enter');
      await waitFor(async () => (await focused()).region === 'Logs of stack kbshop' || undefined, 5000, 'the logs');
      await page.waitForSelector('[data-testid="stack-logs"]');
      await page.keyboard.press('Escape');
      await page.waitForSelector('[data-testid="stack-logs"]', { state: 'detached' });
      assert.equal((await focused()).label, 'select stack kbshop', 'focus back on the stack row');
      await page.keyboard.press('Delete');
      await waitFor(async () => (await focused()).text === 'Cancel' || undefined, 2000, 'focus on Cancel');
      const dlg = role(await axTree(), 'alertdialog')[0];
      assert.equal(dlg?.name?.value, 'Remove stack');
      assert.match(dlg.description?.value ?? '', /^Remove stack kbshop \(2 containers\)\?/);
      assert.equal(
        await page.isChecked('[role="alertdialog"] input[name="confirm-option"]'),
        false,
        'removing its volumes too is a choice, off by default',
      );
      await page.keyboard.press('Escape');
      await page.waitForSelector('[role="alertdialog"]', { state: 'detached' });
      await waitFor(
        async () => (await focused()).label === 'select stack kbshop' || undefined,
        2000,
        'Escape returns the focus to the stack row',
      );
      assert.equal(env.engine.containers.list().filter((c) => c.name.startsWith('kbshop-')).length, 2, 'kept');
      await page.keyboard.press('ArrowDown');
      assert.match((await focused()).row ?? '', /^kbshop-(web|worker)-1$/, 'down to a service row');
    });
  },
);
