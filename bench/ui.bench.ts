// UI benchmarks in Debian's Chromium against the built renderer (web mode server).
//
// 1. Containers view with 1,000 containers: first render, one container's state
//    change, and one stats tick (a point for every running row, as the stats stream
//    sends). Render-level: the page talks to an in-page bridge (window.pier, the
//    Electron transport shape) that answers containers.list with 1,000 summaries cloned
//    from a real container's summary (real DTO shape) and delivers engine events the
//    way the engine's event stream does; no 1,000 real containers are created.
// 2. Terminal flood: 50 MB of output from a real container (real engine, conmon, runc,
//    WebSocket, flow control) into xterm while keys are typed; echo latency, main
//    thread input delay, throughput and JS heap are measured in the page.
// Pier only: the peers have no comparable UI to drive side by side.
import { performance } from 'node:perf_hooks';
import type { BenchCase } from './harness';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { openEngine } from '../electron/engine/open';
import type { Engine } from '../electron/engine/engine';
import { startWebServer, type WebServer } from '../electron/web/server';
import { testDirs, type TestDirs } from '../test/helpers/rootfs';
import { ensureRendererBuilt, CHROMIUM, CHROMIUM_ARGS } from '../test/helpers/browser';
import type { ContainerSummary } from '../electron/common/types';

let dirs: TestDirs | undefined, engine: Engine | undefined, web: WebServer | undefined, browser: Browser | undefined;
const N = 1000;
const FLOOD_BYTES = 50 * 1024 * 1024;

/** Installs the in-page bridge and the first-render probe (runs before the app). */
function bridgeScript(list: ContainerSummary[]): string {
  return `(() => {
  window.__PIER_TEST__ = true;
  const listeners = {};
  const b = window.__bench = { listeners, t0: 0, tRendered: 0, tFrame: 0 };
  window.pier = {
    invoke: async (m) => {
      if (m === 'containers.list') { const l = ${JSON.stringify(list)}; b.t0 = performance.now(); return { ok: true, result: l }; }
      if (m === 'sessions.list' || m === 'images.list' || m === 'checkpoints.list') return { ok: true, result: [] };
      if (m === 'stats.watch') return { ok: true, result: { stream: 'st-1', history: [] } };
      return { ok: true, result: null };
    },
    on: (c, fn) => { (listeners[c] ||= []).push(fn); return () => {}; },
    onStream: (c, fn) => { (listeners[c] ||= []).push(fn); return () => {}; },
  };
  const mo = new MutationObserver(() => {
    if (b.tRendered || !document.querySelector('.list-body [role=row]')) return;
    b.tRendered = performance.now();
    mo.disconnect();
    requestAnimationFrame(() => setTimeout(() => { b.tFrame = performance.now(); }, 0));
  });
  document.addEventListener('DOMContentLoaded', () => mo.observe(document.body, { childList: true, subtree: true }));
})();`;
}

// PIER_UI_BENCH_BASELINE=<dir>: an older build of the renderer (out/renderer of another commit)
// served side by side; the first-render case then alternates it with this build.
const BASELINE = process.env.PIER_UI_BENCH_BASELINE;
let baseWeb: WebServer | undefined, basePage: Page | undefined;

async function listPage(server = web!): Promise<Page> {
  const template = engine!.containers.list()[0];
  const base = Date.parse(template.created);
  const list = Array.from({ length: N }, (_, i) => ({ ...template, id: i.toString(16).padStart(64, 'a'), name: `bench-${i}`, created: new Date(base + i * 1000).toISOString(), status: (i % 3 ? 'running' : 'exited') as ContainerSummary['status'] }));
  const ctx = await browser!.newContext({ viewport: { width: 1400, height: 900 } });
  await ctx.addInitScript({ content: bridgeScript(list) });
  // log in once (cookie), then pages load from the web server
  const page = await ctx.newPage();
  await page.goto(server.url);
  return page;
}

async function firstRender(page: Page): Promise<number> {
  await page.reload();
  await page.waitForFunction(() => (window as unknown as { __bench: { tFrame: number } }).__bench.tFrame > 0, undefined, { timeout: 10000 });
  const rows = await page.locator('.list-body [role=row]').count();
  if (!rows || (await page.getAttribute('.list', 'data-count')) !== String(N)) throw new Error(`list did not render ${N} containers`);
  return page.evaluate(() => { const b = (window as unknown as { __bench: { t0: number; tFrame: number } }).__bench; return b.tFrame - b.t0; });
}

let lastOtherRenders = 0;
/** One event for a visible row: time to the DOM commit and to the next presented frame; other rows' renders counted. */
async function rowRepaint(page: Page, which: 'commit' | 'frame'): Promise<number> {
  const r = await page.evaluate(async () => {
    const w = window as unknown as { __bench: { listeners: Record<string, Array<(p: unknown) => void>> }; __pierRenders: Map<string, number>; __pierStores: { containers: { getState(): { byId: Record<string, { status: string; id: string; name: string }>; order: string[] } } } };
    const st = w.__pierStores.containers.getState();
    const id = st.order[3];
    const c = st.byId[id];
    const next = { ...c, status: c.status === 'running' ? 'paused' : 'running' };
    const badge = document.querySelector(`[role=row][data-id="${id}"] .badge`)!;
    w.__pierRenders.clear();
    return await new Promise<{ commit: number; frame: number; others: number }>((resolve) => {
      let t0 = 0, tc = 0;
      const mo = new MutationObserver(() => {
        mo.disconnect();
        tc = performance.now();
        requestAnimationFrame(() => setTimeout(() => {
          const others = [...w.__pierRenders.entries()].filter(([k]) => k !== id && k !== `stats:${id}`).reduce((a, [, v]) => a + v, 0);
          resolve({ commit: tc - t0, frame: performance.now() - t0, others });
        }, 0));
      });
      mo.observe(badge.parentElement!, { childList: true, subtree: true, characterData: true, attributes: true });
      t0 = performance.now();
      for (const fn of w.__bench.listeners['engine.event'] ?? []) fn({ type: 'container', action: next.status === 'paused' ? 'paused' : 'unpaused', id, name: c.name, container: next, time: Date.now() });
    });
  });
  lastOtherRenders = Math.max(lastOtherRenders, r.others);
  return which === 'commit' ? r.commit : r.frame;
}

let tickN = 0;
/** One stats tick for every running row (667 of 1,000, as the engine's stream delivers it) → next frame. */
async function statsTick(page: Page): Promise<number> {
  return page.evaluate(async (n) => {
    const w = window as unknown as { __bench: { listeners: Record<string, Array<(p: unknown) => void>> }; __pierStores: { containers: { getState(): { byId: Record<string, { status: string }> } } } };
    const byId = w.__pierStores.containers.getState().byId;
    const t = Date.now() + n;
    const points = Object.keys(byId).filter((id) => byId[id].status === 'running').map((id, i) => ({ id, t, cpu: (i * 7 + n) % 100, throttled: 0, mem: 1e6 + i * 4096, memCache: 0, netRx: 0, netTx: 0, blkRead: 0, blkWrite: 0, pids: 1 }));
    const t0 = performance.now();
    for (const fn of w.__bench.listeners.stats ?? []) fn({ stream: 'st-1', points });
    return await new Promise<number>((resolve) => requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - t0), 0)));
  }, ++tickN);
}

interface FloodResult { echoP95: number; echoMax: number; inputDelayMax: number; mbps: number; heapMaxMB: number; heapStartMB: number; echoes: number }
const floods: FloodResult[] = [];

async function floodOnce(): Promise<FloodResult> {
  const c = await engine!.containers.create({ rootfs: dirs!.rootfs, cmd: ['sh'], tty: true, openStdin: true });
  await engine!.containers.start(c.id);
  const ctx = await browser!.newContext({ viewport: { width: 1400, height: 900 } });
  await ctx.addInitScript(() => {
    type Flood = { bytes: number; pending: number[]; echo: number[]; inputDelay: number[]; heap: number[]; gaps: number[]; start: number; last: number };
    const w = window as unknown as { __PIER_TEST__: boolean; __flood: Flood };
    w.__PIER_TEST__ = true;
    const f: Flood = w.__flood = { bytes: 0, pending: [], echo: [], inputDelay: [], heap: [], gaps: [], start: 0, last: 0 };
    // count bytes and find echoed 'Z' (0x5a) in session frames as they arrive
    const desc = Object.getOwnPropertyDescriptor(WebSocket.prototype, 'onmessage')!;
    Object.defineProperty(WebSocket.prototype, 'onmessage', {
      set(fn: (ev: MessageEvent) => void) {
        desc.set!.call(this, (ev: MessageEvent) => {
          if (typeof ev.data !== 'string') {
            const u = new Uint8Array(ev.data as ArrayBuffer);
            f.bytes += u.length;
            // gaps between arriving frames (> 20 ms): the page's main thread was busy or the source paused
            const now = performance.now();
            if (f.last && now - f.last > 20) f.gaps.push(now - f.last);
            f.last = now;
            for (let i = u.indexOf(0x5a, 2); i >= 0; i = u.indexOf(0x5a, i + 1)) { const t = f.pending.shift(); if (t !== undefined) f.echo.push(performance.now() - t); }
          }
          fn.call(this, ev);
        });
      },
      get() { return desc.get!.call(this); },
    });
    window.addEventListener('keydown', (e) => { if (e.key === 'Z') { f.pending.push(performance.now()); f.inputDelay.push(performance.now() - e.timeStamp); } }, true);
    setInterval(() => { const m = (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory; if (m) f.heap.push(m.usedJSHeapSize); }, 100);
  });
  const page = await ctx.newPage();
  try {
    await page.goto(web!.url);
    await page.waitForSelector(`[role=row][data-id="${c.id}"]`);
    await page.click(`[role=row][data-id="${c.id}"]`);
    await page.waitForSelector('.terminal-pane .xterm');
    const text = () => page.evaluate(() => { const t = (window as unknown as { __pierTerm: { sessions(): string[]; text(s: string): string } }).__pierTerm; return t.text(t.sessions()[0]); });
    const t0w = performance.now();
    while (!/#\s*$/m.test(await text())) { if (performance.now() - t0w > 5000) throw new Error('no prompt'); await new Promise((r) => setTimeout(r, 50)); }
    await page.click('.terminal-host');
    const lines = Math.ceil(FLOOD_BYTES / 8); // seq 1..6.5M is ≈ 50 MB of digits and newlines
    await page.evaluate(() => { const f = (window as unknown as { __flood: { heap: number[]; gaps: number[]; bytes: number; start: number; last: number } }).__flood; f.heap.length = 0; f.gaps.length = 0; f.bytes = 0; f.last = 0; f.start = performance.now(); });
    await page.keyboard.type(`seq 1 ${lines}; echo FLOOD-$((1+1))\n`);
    // type a key every 250 ms while the flood runs; stop when FLOOD-2 is on screen
    const tStart = performance.now();
    for (;;) {
      await new Promise((r) => setTimeout(r, 250));
      const done = await page.evaluate(() => { const t = (window as unknown as { __pierTerm: { sessions(): string[]; text(s: string, last?: number): string } }).__pierTerm; return /^FLOOD-2\s*$/m.test(t.text(t.sessions()[0], 60)); });
      if (done) break;
      if (performance.now() - tStart > 180_000) throw new Error('flood did not finish in 180 s');
      await page.keyboard.press('Shift+KeyZ');
    }
    const r = await page.evaluate(() => {
      const f = (window as unknown as { __flood: { bytes: number; echo: number[]; inputDelay: number[]; heap: number[]; gaps: number[]; start: number } }).__flood;
      const s = [...f.echo].sort((a, b) => a - b);
      return { gapCount: f.gaps.length, gapMs: Math.round(f.gaps.reduce((a, b) => a + b, 0)), echo: s, inputDelayMax: Math.max(0, ...f.inputDelay), heap: f.heap, secs: (performance.now() - f.start) / 1000, bytes: f.bytes };
    });
    const p95 = r.echo.length ? r.echo[Math.min(r.echo.length - 1, Math.floor(r.echo.length * 0.95))] : NaN;
    console.log(`stalls: ${r.gapCount} gaps > 20 ms totalling ${r.gapMs} ms over ${r.secs.toFixed(1)} s`);
    return { echoP95: p95, echoMax: r.echo[r.echo.length - 1] ?? NaN, inputDelayMax: r.inputDelayMax, mbps: r.bytes / 1024 / 1024 / r.secs, heapMaxMB: Math.max(...r.heap) / 1048576, heapStartMB: (r.heap[0] ?? 0) / 1048576, echoes: r.echo.length };
  } finally {
    await ctx.close();
    for (const s of engine!.sessions?.list() ?? []) await engine!.sessions!.get(s.id).close().catch(() => undefined);
    await engine!.containers.remove(c.id, { force: true }).catch(() => undefined);
  }
}

export async function cases(): Promise<BenchCase[]> {
  ensureRendererBuilt();
  dirs = testDirs('pier-bench-ui-');
  engine = await openEngine({ root: dirs.root, runroot: dirs.runroot });
  web = await startWebServer(engine, { listen: '127.0.0.1:0' });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, '--enable-precise-memory-info', ...(process.env.PIER_UI_BENCH_ARGS?.split(' ').filter(Boolean) ?? [])], headless: true });
  // one real container gives the summary shape the 1,000 rows are cloned from
  await engine.containers.create({ rootfs: dirs.rootfs, cmd: ['sleep', '1'], name: 'template' });
  let page: Page | undefined;
  return [
    {
      title: `Containers view, ${N} containers: first render (containers.list answered → first frame painted)`, target: '≤ 300 ms', runs: 15, warmup: 2,
      contenders: [
        { name: 'Pier (Chromium)', setup: async () => { page = await listPage(); }, run: () => firstRender(page!) },
        ...(BASELINE ? [{ name: `baseline build (${BASELINE})`, setup: async () => { baseWeb = await startWebServer(engine!, { listen: '127.0.0.1:0', staticDir: BASELINE }); basePage = await listPage(baseWeb); }, run: () => firstRender(basePage!), teardown: async () => { await basePage?.context().close(); await baseWeb?.close(); } }] : []),
      ],
    },
    {
      title: `Containers view, ${N} containers: one state change, event → DOM commit`, target: '≤ 16 ms, no other row re-rendered', runs: 30, warmup: 3,
      contenders: [{ name: 'Pier (Chromium)', run: () => rowRepaint(page!, 'commit') }],
    },
    {
      title: `Containers view, ${N} containers: one state change, event → next frame`, target: '≤ 16 ms (one frame)', runs: 30, warmup: 3,
      contenders: [{ name: 'Pier (Chromium)', run: () => rowRepaint(page!, 'frame') }],
    },
    {
      title: `Containers view, ${N} containers: one stats tick (CPU/memory columns, sparklines of 667 running) → next frame`, target: '≤ 16 ms (one frame)', runs: 30, warmup: 3,
      contenders: [{ name: 'Pier (Chromium)', run: () => statsTick(page!), teardown: async () => { console.log(`other rows re-rendered during single-row updates: ${lastOtherRenders}`); await page?.context().close(); } }],
    },
    {
      title: 'Terminal flood, 50 MB from a container: key echo latency during the flood, p95 per run', target: '≤ 100 ms', runs: 3, warmup: 0,
      contenders: [{ name: 'Pier (Chromium, web mode)', run: async () => { const f = await floodOnce(); floods.push(f); console.log(`flood: ${JSON.stringify(f)}`); return f.echoP95; } }],
    },
    {
      title: 'Terminal flood, 50 MB: throughput into xterm (same runs)', unit: 'MB/s', runs: 3, warmup: 0,
      contenders: [{ name: 'Pier (Chromium, web mode)', run: async () => floods.shift()?.mbps ?? NaN }],
    },
  ];
}

export async function cleanup(): Promise<void> {
  await browser?.close().catch(() => undefined);
  await web?.close().catch(() => undefined);
  for (const c of engine?.containers.list() ?? []) await engine!.containers.remove(c.id, { force: true }).catch(() => undefined);
  await engine?.images?.close().catch(() => undefined);
  await engine?.close().catch(() => undefined);
  dirs?.cleanup();
}
