// Compose stacks in the UI (Chromium against web mode, real containers): grouped under their project, the stack's
// state at a glance, interleaved logs of every service, and a stack-wide stop.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { startUi, shot, type UiEnv } from '../helpers/browser.ts';

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
});
