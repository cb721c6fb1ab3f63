// Compose stacks in the UI (Chromium against web mode, real containers): grouped under their project, the stack's
// state at a glance, interleaved logs of every service, and a stack-wide stop — in the Stacks view and, grouped
// under a collapsible heading, in the containers list; removing a stack asks (volumes only when ticked).
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { startUi, shot, waitFor, type UiEnv } from '../helpers/browser.ts';

let env: UiEnv;
let page: Page;
const skip = process.getuid?.() === 0 ? false : 'needs root for conmon/runc containers';

describe('compose stacks in the UI', { skip }, () => {
  before(async () => { env = await startUi(); page = env.page; });
  after(async () => { await env?.close(); });

  test('a stack is grouped, shows every service in its logs, and stops as one', async () => {
    const labels = (service: string) => ({ 'com.docker.compose.project': 'shop', 'com.docker.compose.service': service });
    const script = (n: string) => `trap "exit 0" TERM; echo ${n} ready; while :; do sleep 0.2; done`;
    for (const svc of ['web', 'worker']) {
      const c = await env.engine.containers.create({ rootfs: env.dirs.rootfs, name: `shop-${svc}-1`, labels: labels(svc),
        cmd: ['sh', '-c', script(svc)] });
      await env.engine.containers.start(c.id);
    }
    await env.engine.containers.create({ rootfs: env.dirs.rootfs, name: 'loner', cmd: ['true'] });
    await page.click('[data-nav="stacks"]');
    await page.waitForSelector('[data-stack="shop"] [data-testid="stack-glance"]:text("2/2 running")');
    const services = await page.$$eval('[data-stack="shop"] .stack-service', (els) => els.map((e) => e.getAttribute('data-name')));
    assert.deepEqual(services.sort(), ['shop-web-1', 'shop-worker-1']);
    assert.equal(await page.$('[data-stack="loner"]'), null, 'a container outside compose is not a stack');
    await page.click('[data-stack="shop"] button:text("Logs")');
    await page.waitForSelector('[data-testid="stack-logs"] [data-source="web"]:text("web ready")');
    await page.waitForSelector('[data-testid="stack-logs"] [data-source="worker"]:text("worker ready")');
    await shot(page, 'stacks');
    await page.click('[data-stack="shop"] button:text("Stop")');
    await page.waitForSelector('[data-stack="shop"] [data-testid="stack-glance"]:text("0/2 running")', { timeout: 15_000 });
    for (const c of env.engine.containers.list().filter((x) => x.labels['com.docker.compose.project'])) {
      assert.equal(c.status, 'exited');
    }
  });

  test('the containers list groups the stack under a collapsible heading with its state and actions', async () => {
    await page.click('[data-nav="containers"]');
    const head = '[data-stack-row="shop"]';
    await page.waitForSelector(`${head} [data-testid="stack-glance"]:text("0/2 running")`);
    // the heading, then its members; a container outside compose keeps its own row
    const order = await page.$$eval('.list-body > .row', (els) => els
      .sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top)
      .map((e) => e.getAttribute('data-stack-row') ? `[${e.getAttribute('data-stack-row')}]` : e.getAttribute('data-name')));
    const at = order.indexOf('[shop]');
    assert.ok(at >= 0, `a heading for shop in ${order}`);
    assert.deepEqual(order.slice(at + 1, at + 3).sort(), ['shop-web-1', 'shop-worker-1']);
    assert.ok(order.includes('loner'));
    await page.click(`${head} button:text("Start")`);
    await page.waitForSelector(`${head} [data-testid="stack-glance"]:text("2/2 running")`, { timeout: 15_000 });
    await page.click(`${head} button[aria-expanded="true"]`);
    await page.waitForSelector('.row[data-name="shop-web-1"]', { state: 'detached' });
    assert.equal(await page.$('.row[data-name="shop-worker-1"]'), null, 'folded: the members are hidden');
    assert.ok(await page.$('.row[data-name="loner"]'), 'other containers stay');
    await shot(page, 'containers-stack-folded');
    await page.click(`${head} button[aria-expanded="false"]`);
    await page.waitForSelector('.row[data-name="shop-web-1"]');
    await page.click(`${head} button:text("Stop")`);
    await page.waitForSelector(`${head} [data-testid="stack-glance"]:text("0/2 running")`, { timeout: 15_000 });
    for (const c of env.engine.containers.list().filter((x) => x.labels['com.docker.compose.project'])) {
      assert.equal(c.status, 'exited');
    }
  });

  test('removing a stack asks first; its named volumes go only when that is ticked', async () => {
    await env.engine.volumes.create({ name: 'shop_data', labels: { 'com.docker.compose.project': 'shop' } });
    const head = '[data-stack-row="shop"]';
    const remove = `${head} button[aria-label="Remove stack shop"]`;
    await page.click(remove);
    const dialog = '[role="alertdialog"][aria-label="Remove stack"]';
    await page.waitForSelector(`${dialog}:has-text("Remove stack shop (2 containers)?")`);
    const option = '[role="alertdialog"] input[name="confirm-option"]';
    assert.equal(await page.isChecked(option), false, 'volumes kept by default');
    await page.keyboard.press('Escape');
    await page.waitForSelector('[role="alertdialog"]', { state: 'detached' });
    await waitFor(
      () => page.evaluate(() => document.activeElement?.getAttribute('aria-label') === 'Remove stack shop'),
      2000,
      'the focus back on the button that asked',
    );
    const members = () => env.engine.containers.list().filter((c) => c.labels['com.docker.compose.project']);
    assert.equal(members().length, 2, 'Escape removes nothing');
    await page.click(remove);
    await page.check(option);
    await page.click('[role="alertdialog"] [data-testid="confirm-action"]');
    await page.waitForSelector('[role="alertdialog"]', { state: 'detached', timeout: 15_000 });
    await page.waitForSelector(head, { state: 'detached' });
    assert.deepEqual(members(), []);
    assert.equal(env.engine.volumes.has('shop_data'), false, 'the stack\'s volume went with it');
    assert.ok(env.engine.containers.list().some((c) => c.name === 'loner'), 'other containers stay');
  });
});
