// The interface end to end: Debian's Chromium against web mode, a real engine on an
// isolated root, real conmon/runc containers. Screenshots of every view go to
// test-results/ (and docs/screenshots/ with PIER_UPDATE_SCREENSHOTS=1).
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { startUi, shot, waitFor, type UiEnv } from '../helpers/browser.ts';
import { startWebServer } from '../../electron/web/server.ts';

let env: UiEnv;
let page: Page;
const rootUid = process.getuid?.() === 0;

async function termText(session?: string): Promise<string> {
  return page.evaluate((s) => {
    const t = (window as unknown as { __pierTerm: { sessions(): string[]; text(id: string): string } }).__pierTerm;
    const id = s ?? t.sessions()[0];
    return id ? t.text(id) : '';
  }, session);
}
async function termSessions(): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __pierTerm: { sessions(): string[] } }).__pierTerm.sessions());
}
async function termSize(session: string): Promise<{ rows: number; cols: number }> {
  return page.evaluate((s) => (window as unknown as { __pierTerm: { size(id: string): { rows: number; cols: number } } }).__pierTerm.size(s), session);
}
async function typeInTerminal(text: string): Promise<void> {
  await page.click('.terminal-host');
  await page.keyboard.type(text, { delay: 5 });
}
const state = (id: string) => env.engine.containers.inspect(id).status;

describe('UI in Chromium against web mode', { skip: rootUid ? false : 'needs root for conmon/runc containers' }, () => {
  before(async () => {
    env = await startUi();
    page = env.page;
  });
  after(async () => { await env?.close(); });

  test('an empty engine shows what to do', async () => {
    await page.waitForSelector('[data-testid="empty-state"]');
    assert.match(await page.innerText('[data-testid="empty-state"]'), /New container/);
    await shot(page, 'containers-empty');
  });

  test('a container created through the engine appears within 1 s', async () => {
    const c = await env.engine.containers.create({ rootfs: env.dirs.rootfs, cmd: ['sh'], tty: true, openStdin: true, name: 'alpha' });
    const t0 = Date.now();
    await page.waitForSelector('[role="row"][data-name="alpha"]', { timeout: 1000 });
    const ms = Date.now() - t0;
    assert.ok(ms <= 1000, `appeared after ${ms} ms`);
    await page.waitForSelector('[data-name="alpha"] [data-state="created"]');
    // starting it from the engine updates the same row
    await env.engine.containers.start(c.id);
    await page.waitForSelector('[data-name="alpha"] [data-state="running"]', { timeout: 1000 });
  });

  test('start, pause, resume and stop from the UI change the real state', async () => {
    const c = await env.engine.containers.create({ rootfs: env.dirs.rootfs, cmd: ['sh', '-c', 'trap "exit 0" TERM; while :; do sleep 0.2; done'], name: 'beta' });
    const row = `[role="row"][data-name="beta"]`;
    await page.waitForSelector(row);
    await page.click(`${row} [data-action="start"]`);
    await waitFor(() => state(c.id) === 'running', 5000, 'beta running');
    await page.waitForSelector(`${row} [data-state="running"]`);
    await page.click(`${row} [data-action="pause"]`);
    await waitFor(() => state(c.id) === 'paused', 5000, 'beta paused');
    await page.waitForSelector(`${row} [data-state="paused"]`);
    await shot(page, 'containers-list');
    await page.click(`${row} [data-action="unpause"]`);
    await waitFor(() => state(c.id) === 'running', 5000, 'beta running again');
    await page.click(`${row} [data-action="stop"]`);
    await waitFor(() => state(c.id) === 'exited', 15000, 'beta exited');
    await page.waitForSelector(`${row} [data-state="exited"]`);
  });

  test('an action the engine refuses shows its reason on the row', async () => {
    const c = await env.engine.containers.create({ rootfs: env.dirs.rootfs, cmd: ['sleep', '300'], name: 'delta' });
    await page.waitForSelector('[data-name="delta"] [data-action="start"]');
    // remove the container behind the UI's back, then press Start: the row says why it failed
    env.engine.events.publish = ((orig) => (e: Parameters<typeof orig>[0]) => { if (e.type === 'container' && e.id === c.id && e.action === 'removed') return; orig(e); })(env.engine.events.publish.bind(env.engine.events));
    await env.engine.containers.remove(c.id, { force: true });
    await page.click('[data-name="delta"] [data-action="start"]');
    const err = await page.waitForSelector('[data-name="delta"] .row-error');
    assert.match(await err.innerText(), /start delta: .*(no such|not found|delta)/i);
    delete (env.engine.events as { publish?: unknown }).publish; // back to the prototype's
    await page.evaluate((id) => (window as unknown as { __pierStores: { containers: { getState(): { remove(i: string): void } } } }).__pierStores.containers.getState().remove(id), c.id);
  });

  test('filters: text and state', async () => {
    await page.fill('#container-filter', 'alp');
    await waitFor(async () => (await page.locator('.list-body [role="row"]').count()) === 1, 2000, 'one row');
    await page.fill('#container-filter', '');
    await page.selectOption('select[aria-label="State filter"]', 'stopped');
    await page.waitForSelector('.list-body [data-name="beta"]');
    assert.equal(await page.locator('.list-body [data-name="alpha"]').count(), 0);
    await page.fill('#container-filter', 'zzz-none');
    await page.waitForSelector('[data-testid="no-match"]');
    await page.fill('#container-filter', '');
    await page.selectOption('select[aria-label="State filter"]', 'all');
  });

  test('terminal: echo $((6*7)) prints 42', async () => {
    await page.click('[role="row"][data-name="alpha"]');
    await page.click('[data-tab="terminal"]');
    await page.waitForSelector('.terminal-pane .xterm');
    await waitFor(async () => /#\s*$/m.test(await termText()), 5000, 'shell prompt');
    await typeInTerminal('echo $((6*7))\n');
    await waitFor(async () => /^42\s*$/m.test(await termText()), 5000, '42 in the terminal');
    await shot(page, 'terminal');
  });

  test('terminal: resizing the page resizes the pty (stty size matches)', async () => {
    const [session] = await termSessions();
    let asked = 0;
    for (const vp of [{ width: 1100, height: 640 }, { width: 1500, height: 900 }]) {
      const before = await termSize(session);
      await page.setViewportSize(vp);
      const size = await waitFor(async () => { const s = await termSize(session); return s.cols !== before.cols || s.rows !== before.rows ? s : undefined; }, 3000, 'xterm to refit');
      // the resize reaches the container through conmon's ctl asynchronously: ask until it shows
      // (each answer tagged, so an earlier one is never taken for it)
      await waitFor(async () => {
        const tag = `sz${++asked}:`;
        await typeInTerminal(`stty size | sed s/^/${tag}/\n`);
        const got = await waitFor(async () => new RegExp(`^${tag}(\\d+ \\d+)\\s*$`, 'm').exec(await termText(session))?.[1], 5000, `answer ${tag}`);
        return got === `${size.rows} ${size.cols}`;
      }, 15_000, `stty size = ${size.rows} ${size.cols}`);
    }
    await page.setViewportSize({ width: 1400, height: 860 });
  });

  test('terminal: switching tabs and views keeps the session and its scrollback', async () => {
    const [session] = await termSessions();
    await typeInTerminal('echo keep-$((40+2))\n');
    await waitFor(async () => /^keep-42\s*$/m.test(await termText(session)), 5000, 'keep-42');
    await page.click('[data-tab="inspect"]');
    await page.waitForSelector('[data-testid="inspect-json"]');
    await shot(page, 'inspect');
    await page.click('[data-nav="images"]');
    await page.waitForSelector('h1:text("Images")');
    await page.click('[data-nav="containers"]');
    await page.click('[data-tab="terminal"]');
    await waitFor(async () => (await termSessions())[0] === session, 3000, 'same session');
    await waitFor(async () => /^keep-42\s*$/m.test(await termText(session)), 5000, 'scrollback replayed');
    await typeInTerminal('echo still-$((1+1))\n');
    await waitFor(async () => /^still-2\s*$/m.test(await termText(session)), 5000, 'session still live');
    assert.equal(env.engine.sessions!.list().filter((s) => s.kind === 'attach' && s.alive).length, 1, 'one attach session, not a new one per visit');
  });

  test('terminal renderer: DOM on software WebGL, WebGL when asked for, same session either way', async () => {
    const [session] = await termSessions();
    assert.equal(await page.getAttribute('.terminal-pane', 'data-renderer'), 'dom', 'headless Chromium has only software WebGL');
    await page.evaluate(() => localStorage.setItem('pier.renderer', 'webgl'));
    await page.click('[data-tab="logs"]');
    await page.click('[data-tab="terminal"]');
    await page.waitForSelector('.terminal-pane[data-renderer="webgl"] canvas');
    await typeInTerminal('echo gl-$((5*5))\n');
    await waitFor(async () => /^gl-25\s*$/m.test(await termText(session)), 5000, 'gl-25 with the WebGL renderer');
    await page.evaluate(() => localStorage.removeItem('pier.renderer'));
  });

  test('shell tab: an exec session inside the container', async () => {
    await page.click('[data-tab="shell"]');
    await page.click('[data-testid="open-shell"]');
    await page.waitForSelector('.terminal-pane .xterm');
    const session = await waitFor(async () => (await termSessions())[0], 3000, 'shell session');
    await waitFor(async () => /#\s*$/m.test(await termText(session)), 5000, 'shell prompt');
    await typeInTerminal('echo exec-$((3*3))\n');
    await waitFor(async () => /^exec-9\s*$/m.test(await termText(session)), 5000, 'exec-9');
    await shot(page, 'shell');
  });

  test('logs: follow shows a new line within 1 s, search finds it', async () => {
    const c = await env.engine.containers.create({ rootfs: env.dirs.rootfs, cmd: ['sh', '-c', 'echo ready; while read l; do echo "got $l"; echo "warn $l" >&2; done'], openStdin: true, name: 'logger' });
    await env.engine.containers.start(c.id);
    await page.click('[role="row"][data-name="logger"]');
    await page.click('[data-tab="logs"]');
    await page.waitForSelector('.log-line:text("ready")', { timeout: 5000 });
    const s = await env.engine.sessions!.attach(c.id, {});
    const marker = `line-${Date.now()}`;
    const t0 = Date.now();
    await s.write(`${marker}\n`);
    await page.waitForSelector(`.log-line:text("got ${marker}")`, { timeout: 1000 });
    const ms = Date.now() - t0;
    assert.ok(ms <= 1000, `new line shown after ${ms} ms`);
    await page.fill('input[aria-label="Search logs"]', marker);
    await waitFor(async () => /^1\/2 matches$/.test(await page.innerText('[data-testid="log-matches"]')), 2000, 'two matches (stdout and stderr)');
    assert.equal(await page.locator('.log-line mark').count(), 2);
    await page.click('label:has-text("Timestamps") input');
    await page.selectOption('select[aria-label="Streams"]', 'stderr');
    await waitFor(async () => /^1\/1 matches$/.test(await page.innerText('[data-testid="log-matches"]')), 2000, 'stderr only');
    assert.match(await page.innerText('.log-line.stderr'), /\d{4}-\d\d-\d\dT.*warn line-/);
    await shot(page, 'logs');
    await page.selectOption('select[aria-label="Streams"]', 'all');
    await s.close();
  });

  test('create dialog: validation before submit, engine errors in the dialog, then a running container', async () => {
    await page.click('[data-nav="containers"]');
    await page.keyboard.press('Escape');
    await page.locator('body').click({ position: { x: 5, y: 500 } });
    await page.keyboard.press('n');
    await page.waitForSelector('[role="dialog"][aria-label="New container"]');
    await page.click('[role="dialog"] button[type="submit"]');
    assert.match(await page.innerText('[data-field="image"] .field-error'), /Choose an image/);
    await page.fill('[name="image"]', env.dirs.rootfs);
    await page.fill('[name="name"]', 'bad name!');
    await page.fill('[name="env"]', 'NOEQUALS');
    await page.click('[role="dialog"] button[type="submit"]');
    assert.match(await page.innerText('[data-field="name"] .field-error'), /letters, digits/);
    assert.match(await page.innerText('[data-field="env"] .field-error'), /NAME=value/);
    await shot(page, 'create-dialog');
    // an engine refusal (name taken) appears in the dialog
    await page.fill('[name="name"]', 'alpha');
    await page.fill('[name="env"]', 'GREETING=hi');
    await page.fill('[name="command"]', 'sh -c "echo $GREETING; sleep 300"');
    await page.click('[role="dialog"] button[type="submit"]');
    assert.match(await (await page.waitForSelector('[data-testid="create-error"]')).innerText(), /alpha/);
    await page.fill('[name="name"]', 'gamma');
    await page.click('[role="dialog"] button[type="submit"]');
    await page.waitForSelector('[role="dialog"]', { state: 'detached' });
    await page.waitForSelector('[data-name="gamma"] [data-state="running"]');
    const g = env.engine.containers.list().find((c) => c.name === 'gamma')!;
    assert.equal(g.status, 'running');
    // Escape closes a dialog
    await page.click('button:text("New container")');
    await page.waitForSelector('[role="dialog"]');
    await page.keyboard.press('Escape');
    await page.waitForSelector('[role="dialog"]', { state: 'detached' });
  });

  test('bulk: select two containers, stop both', async () => {
    await page.click('[data-tab="inspect"]').catch(() => undefined);
    for (const n of ['alpha', 'gamma']) await page.check(`[data-name="${n}"] input[type="checkbox"]`);
    await page.waitForSelector('[data-testid="bulk"]');
    await shot(page, 'containers-bulk');
    await page.click('[data-testid="bulk"] button:text("Stop")');
    const byName = (n: string) => env.engine.containers.list().find((c) => c.name === n)!;
    await waitFor(() => byName('alpha').status === 'exited' && byName('gamma').status === 'exited', 20000, 'both stopped');
    await page.click('[data-testid="bulk"] button:text("Clear")');
  });

  test('command palette: Ctrl+K, type, Enter', async () => {
    await page.keyboard.press('Control+k');
    await page.waitForSelector('[role="dialog"][aria-label="Commands"]');
    // the keys go where the focus is: the palette's field, as soon as the palette shows
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Command');
    await page.keyboard.type('go to sys');
    await shot(page, 'command-palette');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid="system-table"]');
    assert.match(await page.innerText('[data-testid="system-table"]'), /conmon/);
    assert.match(await page.innerText('[data-testid="system-table"]'), /runc/);
    await page.waitForSelector('text=Disk usage');
    await shot(page, 'system');
    await page.keyboard.press('Alt+1');
    await page.waitForSelector('#container-filter');
  });

  test('host terminal: a shell on the host', async () => {
    await page.keyboard.press('Alt+4');
    await page.click('button:text("Open host shell")');
    await page.waitForSelector('.terminal-pane .xterm');
    const session = await waitFor(async () => (await termSessions())[0], 3000, 'host session');
    await waitFor(async () => /[#$]\s*$/m.test(await termText(session)), 5000, 'host shell prompt');
    await typeInTerminal('echo host-$((2+3))\n');
    await waitFor(async () => /^host-5\s*$/m.test(await termText(session)), 5000, 'host-5');
    await shot(page, 'host-terminal');
  });

  test('images: pull shows per-layer progress (needs a local registry)', async (t) => {
    await page.keyboard.press('Alt+2');
    await page.waitForSelector('h1:text("Images")');
    const { registryAvailable, startRegistry } = await import('../helpers/registry.ts');
    const why = registryAvailable();
    if (why) { console.log(`# image pull case skipped: ${why}`); t.skip(why); await shot(page, 'images'); return; }
    const { buildTestImages } = await import('../../scripts/build-test-images.ts');
    const imgs = await buildTestImages();
    const reg = await startRegistry();
    try {
      reg.push(imgs.images.layered.ociRef, 'pier-test/layered:latest');
      const ref = `${reg.host}/pier-test/layered:latest`;
      await page.fill('input[aria-label="Image reference"]', ref);
      await page.click('button:text("Pull")');
      await page.waitForSelector(`[data-pull="${ref}"]`);
      const entry = () => page.evaluate((r) => {
        const s = (window as unknown as { __pierStores: { images: { getState(): { pulls: Record<string, { ref: string; done: boolean; layers: Record<string, unknown> }> } } } }).__pierStores.images.getState();
        return Object.values(s.pulls).find((p) => p.ref === r);
      }, ref);
      // a finished pull stays on screen for a moment (store/prune.ts), then leaves the store
      const pull = await waitFor(async () => { const p = await entry(); return p?.done ? p : undefined; }, 30000, 'pull finished');
      assert.ok(Object.keys(pull.layers).length >= 2, `per-layer progress for ${Object.keys(pull?.layers ?? {}).length} layers`);
      assert.ok(await page.locator(`[data-pull="${ref}"] [role="progressbar"]`).count() >= 2);
      await page.waitForSelector(`[data-image="${ref}"]`, { timeout: 30000 });
      await shot(page, 'images');
      await waitFor(async () => !(await entry()), 10000, 'finished pull pruned from the store');
      await page.waitForSelector(`[data-pull="${ref}"]`, { state: 'detached' });
    } finally { await reg.stop(); }
  });

  test('checkpoints: create with export shows a draggable archive chip', async (t) => {
    const c = await env.engine.containers.create({ rootfs: env.dirs.rootfs, cmd: ['sh', '-c', 'i=0; while :; do i=$((i+1)); echo $i; sleep 0.5; done'], name: 'counter' });
    await env.engine.containers.start(c.id);
    await page.keyboard.press('Alt+1');
    await page.click('[role="row"][data-name="counter"]');
    await page.click('[data-tab="checkpoints"]');
    const checkpoints = env.engine.checkpoints;
    assert.ok(checkpoints, 'openEngine attaches the checkpoint area');
    const cap = checkpoints.capability();
    if (!cap.supported) { console.log(`# checkpoint case skipped: ${cap.reason}`); await shot(page, 'checkpoints'); t.skip(cap.reason); return; }
    await page.waitForSelector('fieldset:not([disabled])');
    await page.check('label:has-text("Leave running") input');
    await page.click('fieldset button:text("Checkpoint")');
    const chip = await page.waitForSelector('.chip.archive[draggable="true"][data-archive-id]', { timeout: 60000 });
    const id = await chip.getAttribute('data-archive-id');
    const list = await checkpoints.list(c.id);
    assert.equal(list[0]?.id, id);
    assert.ok(list[0].archive, 'archive written');
    await shot(page, 'checkpoints');
  });

  test('web mode restarted with a new token: the page says how to get back in, the new URL works', async () => {
    const port = env.web.port;
    await env.web.close();
    const web2 = await startWebServer(env.engine, { listen: `127.0.0.1:${port}` });
    try {
      await page.waitForSelector('[data-connection="unauthorized"]', { timeout: 15000 });
      assert.match(await page.innerText('[data-connection]'), /open the URL printed by `pier serve` again/);
      await page.goto(web2.url);
      await page.waitForSelector('[data-connection="open"]', { timeout: 10000 });
      await page.waitForSelector('[role="row"][data-name="counter"]');
    } finally { await web2.close(); }
  });
});
