// E2E helpers: a real engine on an isolated root, `pier serve --web`'s server on a
// random loopback port, and Debian's Chromium driven by playwright-core.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { openEngine } from '../../electron/engine/open.ts';
import type { Engine } from '../../electron/engine/engine.ts';
import { startWebServer, type WebServer } from '../../electron/web/server.ts';
import { testDirs, type TestDirs } from './rootfs.ts';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const OUT = path.join(REPO, 'out/renderer/index.html');
export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

function newest(dir: string): number {
  let t = 0;
  for (const n of readdirSync(dir)) {
    const p = path.join(dir, n);
    const s = statSync(p);
    t = Math.max(t, s.isDirectory() ? newest(p) : s.mtimeMs);
  }
  return t;
}

/** Builds out/renderer when missing or older than its sources. */
export function ensureRendererBuilt(): void {
  const src = Math.max(newest(path.join(REPO, 'renderer')), newest(path.join(REPO, 'electron/common')));
  if (existsSync(OUT) && statSync(OUT).mtimeMs >= src) return;
  execFileSync(process.execPath, [path.join(REPO, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn'], { cwd: REPO, stdio: 'inherit' });
}

export interface UiEnv {
  dirs: TestDirs; engine: Engine; web: WebServer; browser: Browser; page: Page;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

/** Engine + web server + a page logged in through the token URL, test hooks on. */
export async function startUi(opts: { viewport?: { width: number; height: number } } = {}): Promise<UiEnv> {
  ensureRendererBuilt();
  const dirs = testDirs('pier-ui-');
  const engine = await openEngine({ root: dirs.root, runroot: dirs.runroot });
  const web = await startWebServer(engine, { listen: '127.0.0.1:0' });
  const browser = await launchChromium();
  const ctx = await browser.newContext({ viewport: opts.viewport ?? { width: 1400, height: 860 } });
  await ctx.addInitScript(() => { (window as unknown as { __PIER_TEST__: boolean }).__PIER_TEST__ = true; });
  const page = await ctx.newPage();
  page.on('pageerror', (e) => console.error('[page error]', e.message));
  await page.goto(web.url);
  await page.waitForSelector('[data-connection="open"]', { timeout: 10_000 });
  return {
    dirs, engine, web, browser, page,
    async close() {
      await browser.close().catch(() => undefined);
      await web.close().catch(() => undefined);
      for (const si of engine.sessions?.list() ?? []) await engine.sessions!.get(si.id).close().catch(() => undefined);
      for (const c of engine.containers.list()) await engine.containers.remove(c.id, { force: true }).catch(() => undefined);
      await engine.images?.close().catch(() => undefined);
      await engine.close().catch(() => undefined);
      dirs.cleanup();
      if (process.env.PIER_DEBUG_HANDLES) setTimeout(() => console.error('[handles]', (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles().map((h) => { const s = h as { constructor?: { name: string }; _handle?: { fd?: number; constructor?: { name: string } }; remoteAddress?: string; localAddress?: string; _pendingData?: unknown; readable?: boolean }; return [s.constructor?.name, s._handle?.constructor?.name, s._handle?.fd, s.remoteAddress, s.localAddress]; })), 2000).unref();
    },
  };
}

/** Saves a screenshot under test-results/; also under docs/screenshots/ when PIER_UPDATE_SCREENSHOTS=1. */
export async function shot(page: Page, name: string): Promise<void> {
  const dirs = [path.join(REPO, 'test-results')];
  if (process.env.PIER_UPDATE_SCREENSHOTS === '1') dirs.push(path.join(REPO, 'docs/screenshots'));
  for (const dir of dirs) {
    mkdirSync(dir, { recursive: true });
    await page.screenshot({ path: path.join(dir, `${name}.png`) });
  }
}

export async function waitFor<T>(fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 5000, what = 'condition'): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v as T;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
