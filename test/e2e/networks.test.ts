// The network UI (Chromium against web mode, real netavark and containers): create a network in the
// Networks view, see a running container in it with its address, removal refused while it is in
// use and done (after its confirmation) once it is not; the Ports column links to the published
// address, which answers.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { Page } from 'playwright-core';
import { startUi, shot, type UiEnv } from '../helpers/browser.ts';

let env: UiEnv;
let page: Page;
const skip = process.getuid?.() === 0 ? false : 'needs root for conmon/runc containers and netavark';

function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get(url, { agent: false }, (res) => {
      let body = '';
      res.on('data', (b) => { body += b; });
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

describe('networks in the UI', { skip }, () => {
  before(async () => { env = await startUi(); page = env.page; });
  after(async () => { await env?.close(); });

  test('create a network, a container in it, remove refused while in use; the Ports link answers', async () => {
    await page.click('[data-nav="networks"]');
    await page.fill('input[name="network-name"]', 'e2enet');
    await page.click('[data-testid="networks-view"] button:text("Create")');
    const row = '[data-network="e2enet"]';
    await page.waitForSelector(`${row} [role="gridcell"]:has-text("none running")`);

    const c = await env.engine.containers.create({
      rootfs: env.dirs.rootfs, name: 'web', network: 'e2enet',
      ports: [{ hostIp: '127.0.0.1', hostPort: 0, containerPort: 80, protocol: 'tcp' }],
      cmd: ['sh', '-c', 'mkdir -p /w && echo from-e2e > /w/index.html && exec httpd -f -p 80 -h /w'],
    });
    await env.engine.containers.start(c.id);
    const ip = env.engine.network!.attachment(c.id)!.endpoints[0].ip;
    await page.waitForSelector(`${row} button.link:text("web")`);
    await page.waitForSelector(`${row} code:text("${ip}")`);
    const remove = `${row} button:text("Remove")`;
    assert.equal(await page.getAttribute(remove, 'disabled'), '', 'Remove is disabled while a container uses the network');
    assert.equal(await page.getAttribute(remove, 'title'), 'in use by running containers');
    await shot(page, 'networks');

    await page.click('[data-nav="containers"]');
    const port = env.engine.network!.attachment(c.id)!.ports[0].hostPort;
    const link = `[data-name="web"] .ports a[data-port="${port}"]`;
    await page.waitForSelector(link);
    const href = await page.getAttribute(link, 'href');
    assert.equal(href, `http://127.0.0.1:${port}/`);
    assert.equal(await page.textContent(link), `127.0.0.1:${port}→80`);
    // the link's address answers (httpd may still be starting: ask until it does)
    let body = '';
    for (let i = 0; i < 100 && body !== 'from-e2e\n'; i++) body = await get(href!).catch(() => '');
    assert.equal(body, 'from-e2e\n');

    await env.engine.containers.stop(c.id, 1);
    await page.click('[data-nav="networks"]');
    await page.waitForSelector(`${row} [role="gridcell"]:has-text("none running")`);
    await page.click(remove);
    await page.click('[role="alertdialog"] [data-testid="confirm-action"]');
    await page.waitForSelector(row, { state: 'detached' });
    assert.equal(env.engine.network!.find('e2enet'), undefined);
  });
});
