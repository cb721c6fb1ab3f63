// Volumes, "Save as image" and the Build dialog in the UI (Chromium against web mode, a real engine with the
// test images loaded, real containers): a volume created, picked in the create dialog, seen in use, browsed,
// refused removal while in use (the engine's reason in the confirmation), pruned; a running container saved as an image that appears in Images; a folder
// built with its live log and step progress, the image appearing in Images without a reload.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { startUi, shot, waitFor, type UiEnv } from '../helpers/browser.ts';

let env: UiEnv;
let page: Page;
const skip = process.getuid?.() === 0 ? false : 'needs root for conmon/runc containers';

describe('volumes, save as image and build in the UI', { skip }, () => {
  before(async () => {
    env = await startUi();
    page = env.page;
    const { buildTestImages } = await import('../../scripts/build-test-images.ts');
    await env.engine.images!.load((await buildTestImages()).dockerArchive);
  });
  after(async () => { await env?.close(); });

  test('Volumes: empty state, create, used by a container from the create dialog, browse, in-use refusal, prune', async () => {
    await page.click('[data-nav="volumes"]');
    await page.waitForSelector('[data-testid="volumes-empty"]:has-text("No volumes yet")');
    await page.fill('[name="volume-name"]', 'bad/name');
    await page.click('[data-testid="volumes-view"] button:has-text("Create")');
    await page.waitForSelector('[data-testid="volumes-view"] .error-line:has-text("is not a volume name")');
    await page.fill('[name="volume-name"]', 'e2e-data');
    await page.click('[data-testid="volumes-view"] button:has-text("Create")');
    await page.waitForSelector('[data-volume="e2e-data"] [data-testid="volume-users"]:has-text("unused")');

    await page.click('[data-nav="containers"]');
    await page.click('button:has-text("New container")');
    await page.waitForSelector('[role="dialog"][aria-label="New container"]');
    await page.fill('[name="image"]', 'pier-test/busybox');
    await page.fill('[name="name"]', 'vol-user');
    await page.fill('[name="command"]', 'sh -c "mkdir -p /data/notes && echo hello-volume > /data/notes/a.txt && echo wrote; sleep 300"');
    await page.click('[data-action="add-volume"]');
    await page.fill('[name="volume-0"]', 'e2e-data');
    await page.fill('[name="volume-path-0"]', 'data');
    await page.click('[role="dialog"] button[type="submit"]');
    await page.waitForSelector('[data-field="volumes"] .field-error:has-text("absolute path")');
    await page.fill('[name="volume-path-0"]', '/data');
    await page.click('[role="dialog"] button[type="submit"]');
    await page.waitForSelector('[role="dialog"]', { state: 'detached' });
    const c = await waitFor(() => env.engine.containers.list().find((x) => x.name === 'vol-user' && x.status === 'running'), 10_000, 'vol-user running');
    await waitFor(async () => {
      for await (const l of env.engine.containers.logs(c.id, {})) if (l.line.toString().includes('wrote')) return true;
      return false;
    }, 10_000, 'the container wrote into the volume');

    await page.click('[data-nav="volumes"]');
    await page.waitForSelector('[data-volume="e2e-data"] [data-testid="volume-users"]:has-text("vol-user")');
    await page.click('[data-volume="e2e-data"] [data-action="browse"]');
    await page.click('[data-testid="volume-browser"] [data-entry="notes"] button');
    await page.waitForSelector('[data-testid="volume-browser"][data-path="notes"] [data-entry="a.txt"]');
    await page.click('[data-testid="volume-browser"] [data-entry="a.txt"] button');
    assert.equal((await page.innerText('[data-testid="volume-file"] pre')).trim(), 'hello-volume');
    await shot(page, 'volumes');

    await page.click('[data-volume="e2e-data"] [data-action="remove"]');
    await page.waitForSelector('[role="alertdialog"]:has-text("In use by vol-user")');
    await page.click('[role="alertdialog"] [data-testid="confirm-action"]');
    await page.waitForSelector('[role="alertdialog"] .error-line:has-text("in use")');
    await page.keyboard.press('Escape');
    await page.waitForSelector('[role="alertdialog"]', { state: 'detached' });
    assert.ok(env.engine.volumes.has('e2e-data'), 'the volume is kept');

    await env.engine.containers.remove(c.id, { force: true });
    await page.waitForSelector('[data-volume="e2e-data"] [data-testid="volume-users"]:has-text("unused")');
    await page.click('[data-action="prune"]');
    await page.waitForSelector('[data-testid="volumes-notice"]:has-text("Removed 1 unused volume")');
    await page.waitForSelector('[data-testid="volumes-empty"]');
    assert.equal(env.engine.volumes.has('e2e-data'), false);
  });

  test('Save as image: a running container becomes an image listed in Images', async () => {
    const c = await env.engine.containers.create({ image: 'pier-test/busybox', name: 'saver', cmd: ['sh', '-c', 'echo saved > /state.txt; echo ready; sleep 300'] });
    await env.engine.containers.start(c.id);
    await waitFor(async () => {
      for await (const l of env.engine.containers.logs(c.id, {})) if (l.line.toString() === 'ready') return true;
      return false;
    }, 10_000, 'saver ready');
    await page.click('[data-nav="images"]');
    await page.waitForSelector('[data-image="pier-test/busybox:latest"]');
    await page.click('[data-nav="containers"]');
    await page.click('[role="row"][data-name="saver"]');
    await page.click('[data-container="saver"] [data-action="commit"]');
    await page.waitForSelector('[role="dialog"][aria-label="Save saver as image"]');
    await page.fill('[name="ref"]', 'Bad Name');
    await page.click('[role="dialog"] button[type="submit"]');
    await page.waitForSelector('[data-testid="commit-error"]:has-text("repository:tag")');
    await page.fill('[name="ref"]', 'saved/e2e:v1');
    await page.fill('[name="comment"]', 'made in the UI');
    await page.click('[role="dialog"] button[type="submit"]');
    await page.waitForSelector('[role="dialog"]', { state: 'detached', timeout: 30_000 });
    await page.waitForSelector('.toast:has-text("Saved saver as saved/e2e:v1")');
    await page.click('[data-nav="images"]');
    await page.waitForSelector('[data-image="saved/e2e:v1"]');
    const hist = await env.engine.images!.history('saved/e2e:v1');
    assert.equal(hist[0].comment, 'made in the UI');
    await env.engine.containers.remove(c.id, { force: true });
  });

  test('Build dialog: a folder built with a live log and step progress; the image appears in Images', async () => {
    const dir = path.join(env.dirs.base, 'my-app');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'Dockerfile'), 'FROM pier-test/busybox\nARG NOTE=none\nCOPY msg.txt /msg.txt\nRUN echo "note $NOTE" && cat /msg.txt\nCMD ["cat", "/msg.txt"]\n');
    writeFileSync(path.join(dir, 'msg.txt'), 'from-the-folder\n');
    await page.click('[data-nav="images"]');
    await page.click('[data-action="build"]');
    await page.waitForSelector('[role="dialog"][aria-label="Build an image"]');
    await page.fill('[name="context"]', 'relative/path');
    await page.click('[role="dialog"] button[type="submit"]');
    await page.waitForSelector('[role="dialog"] [data-testid="build-dialog-error"]:has-text("folder: must be an absolute path")');
    await page.fill('[name="context"]', path.join(env.dirs.base, 'missing'));
    await page.click('[role="dialog"] button[type="submit"]');
    await page.waitForSelector('[role="dialog"] [data-testid="build-dialog-error"]:has-text("does not exist")');
    await page.fill('[name="context"]', dir);
    await page.fill('[name="tags"]', 'built/e2e:1');
    await page.fill('[name="buildargs"]', 'NOTE=from-ui');
    await page.click('[role="dialog"] button[type="submit"]');
    await page.waitForSelector('[role="dialog"] [data-testid="build-progress"][data-state="done"]', { timeout: 60_000 });
    const log = await page.innerText('[role="dialog"] [data-testid="build-log"]');
    for (const s of ['Step 1/5 : FROM pier-test/busybox', 'Step 4/5 : RUN', 'note from-ui', 'from-the-folder']) assert.ok(log.includes(s), `log has "${s}":\n${log}`);
    assert.equal(await page.innerText('[role="dialog"] [data-testid="build-step"]'), 'Step 5/5');
    await page.waitForSelector('[role="dialog"] [data-testid="build-result"]:has-text("tagged built/e2e:1")');
    await shot(page, 'build-dialog');
    await page.click('[role="dialog"] [data-testid="build-result"] button:has-text("Show in Images")');
    await page.waitForSelector('[data-image="built/e2e:1"]');

    // a failing step: the error names the step and the exit code
    writeFileSync(path.join(dir, 'Dockerfile'), 'FROM pier-test/busybox\nRUN echo about to fail; exit 7\n');
    await page.click('[data-action="build"]');
    await page.fill('[name="context"]', dir);
    await page.click('[role="dialog"] button[type="submit"]');
    await page.waitForSelector('[role="dialog"] [data-testid="build-progress"][data-state="failed"]', { timeout: 60_000 });
    assert.match(await page.innerText('[role="dialog"] [data-testid="build-error"]'), /step 2\/2: .*returned a non-zero code: 7/);
    assert.match(await page.innerText('[role="dialog"] [data-testid="build-log"]'), /about to fail/);
    assert.equal(env.engine.containers.list().some((c) => c.labels['io.pier.build']), false, 'the failed step container is removed');
    await page.keyboard.press('Escape');

    // cancel: the running step is stopped, its container removed, the dialog says where it stopped
    writeFileSync(path.join(dir, 'Dockerfile'), 'FROM pier-test/busybox\nRUN echo long-step; sleep 120\nRUN echo never\n');
    const containers = env.engine.containers.list().length;
    await page.click('[data-action="build"]');
    await page.fill('[name="context"]', dir);
    await page.click('[role="dialog"] button[type="submit"]');
    await page.waitForSelector('[role="dialog"] [data-testid="build-log"]:has-text("long-step")', { timeout: 60_000 });
    assert.equal(await page.innerText('[role="dialog"] [data-testid="build-step"]'), 'Step 2/3');
    await page.click('[role="dialog"] [data-action="cancel-build"]');
    await page.waitForSelector('[role="dialog"] [data-testid="build-progress"][data-state="failed"]', { timeout: 30_000 });
    assert.match(await page.innerText('[role="dialog"] [data-testid="build-error"]'), /build cancelled at step 2\/3/);
    await waitFor(() => env.engine.containers.list().length === containers, 10_000, 'the step container removed');
    assert.equal(env.engine.containers.list().some((c) => c.labels['io.pier.build']), false, 'no second build was started');
    await page.keyboard.press('Escape');
  });
});
