// Stats in the interface (issue 17): Debian's Chromium against web mode, a real engine on an
// isolated root, real conmon/runc containers with real cgroup limits. The last case is
// render-level like bench/ui.bench.ts: 1,000 containers and a stats tick for each through
// an in-page bridge, counting DOM rows and renders (the timing itself is in the bench).
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { startUi, shot, waitFor, type UiEnv } from '../helpers/browser.ts';
import type { ContainerSummary, StatsPoint } from '../../electron/common/types.ts';
import { openFileCount } from '../../electron/engine/stats/openfiles.ts';

let env: UiEnv;
let page: Page;
const MiB = 1024 * 1024;
const rootUid = process.getuid?.() === 0;

type PlotData = { data: Array<Array<number | null>>; yMax: number; shown: boolean[] };
const plot = (name: string) =>
  page.evaluate((n) => {
    const u = (
      window as unknown as {
        __pierPlots?: Record<
          string,
          { data: Array<Array<number | null>>; scales: { y: { max: number } }; series: Array<{ show: boolean }> }
        >;
      }
    ).__pierPlots?.[n];
    return u ? { data: u.data, yMax: u.scales.y.max, shown: u.series.map((s) => s.show) } : undefined;
  }, name) as Promise<PlotData | undefined>;
const rowText = (name: string, cell: string) => page.innerText(`[role="row"][data-name="${name}"] .cell.${cell}`);

describe(
  'stats in the UI (Chromium, web mode, real engine)',
  { skip: rootUid ? false : 'needs root for conmon/runc containers with cgroups' },
  () => {
    before(async () => {
      env = await startUi();
      page = env.page;
    });
    after(async () => {
      await env?.close();
    });

    test('Stats tab: the plots get points and the -m 64m limit line appears', async () => {
      const c = await env.engine.containers.create({
        rootfs: env.dirs.rootfs,
        cmd: ['sleep', '1000'],
        name: 'limited',
        resources: { memory: 64 * MiB },
      });
      await env.engine.containers.start(c.id);
      await page.click('[role="row"][data-name="limited"]');
      await page.click('[data-tab="stats"]');
      const mem = await waitFor(
        async () => {
          const p = await plot('memory');
          return p && p.data[0].length >= 3 ? p : undefined;
        },
        15_000,
        'three readings in the memory plot',
      );
      const cpu = await plot('cpu');
      assert.ok(cpu && cpu.data[0].length >= 3, 'the CPU plot has points too');
      const [times, used, limit] = mem.data;
      assert.ok(
        times.every((t, i) => i === 0 || t! > times[i - 1]!),
        'times increase',
      );
      assert.ok(
        used.every((v) => typeof v === 'number' && v > 0 && v < 64 * MiB),
        `working set plotted: ${used.join(',')}`,
      );
      assert.ok(
        limit.every((v) => v === 64 * MiB),
        `limit line at 64 MiB: ${limit.join(',')}`,
      );
      assert.ok(
        mem.shown[2] && mem.yMax >= 64 * MiB,
        `the limit line is shown and inside the y range (max ${mem.yMax})`,
      );
      assert.match(await page.innerText('[data-testid="memory-note"]'), /limit 64 MB/);
      assert.match(await page.innerText('[data-testid="stats-summary"]'), /Memory .* \/ 64 MB/);
      // the newest points keep arriving (one a second)
      const n = mem.data[0].length;
      await waitFor(async () => ((await plot('memory'))?.data[0].length ?? 0) > n, 5000, 'a new point');
      await shot(page, 'stats');
    });

    test('Processes tab lists the container’s process and refreshes', async () => {
      await page.click('[data-tab="processes"]');
      await page.waitForSelector('[data-testid="processes"]');
      const table = await page.innerText('[data-testid="processes"]');
      assert.match(table, /PID/);
      assert.match(table, /sleep 1000/);
      await page.selectOption('select[aria-label="ps format"]', 'aux');
      await waitFor(async () => /%CPU/.test(await page.innerText('[data-testid="processes"]')), 5000, 'ps aux columns');
      await shot(page, 'processes');
    });

    test('leaving the Stats tab closes its stream; the list keeps one', async () => {
      await page.click('[data-tab="stats"]');
      await waitFor(() => env.engine.stats.watching === 2, 5000, 'list + Stats tab watching');
      await page.click('[data-tab="inspect"]');
      await waitFor(() => env.engine.stats.watching === 1, 5000, 'only the list watching');
    });

    test('list: CPU and memory columns with a sparkline, sortable by CPU', async () => {
      const busy = await env.engine.containers.create({
        rootfs: env.dirs.rootfs,
        cmd: ['sh', '-c', 'while :; do :; done'],
        name: 'busy',
        resources: { nanoCpus: 200_000_000 },
      });
      await env.engine.containers.start(busy.id);
      await page.click('button[aria-label="Close details"]');
      await waitFor(async () => /%/.test(await rowText('busy', 'cpu')), 10_000, 'CPU % in the busy row');
      assert.match(await rowText('limited', 'mem'), /\d+(\.\d)? [KM]B\s*\/64 MB/);
      await waitFor(
        async () =>
          ((await page.getAttribute('[data-name="busy"] .spark polyline', 'points')) ?? '').split(' ').length >= 3,
        10_000,
        'a sparkline with points',
      );
      // busy (≈ 20 % under --cpus 0.2) sorts above the sleeping one
      await page.click('[data-sort="cpu"]');
      assert.equal(await page.getAttribute('[role="columnheader"]:has([data-sort="cpu"])', 'aria-sort'), 'descending');
      await waitFor(
        async () => (await page.getAttribute('.list-body [role="row"] >> nth=0', 'data-name')) === 'busy',
        5000,
        'busy first',
      );
      const cpuBusy = parseFloat(await rowText('busy', 'cpu'));
      assert.ok(cpuBusy > 5 && cpuBusy < 40, `busy at ${cpuBusy} % (limited to 20 %)`);
      await page.click('[data-sort="cpu"]');
      await waitFor(
        async () => (await page.getAttribute('.list-body [role="row"] >> nth=0', 'data-name')) === 'limited',
        5000,
        'ascending: limited first',
      );
      await shot(page, 'containers-stats');
      await page.click('[data-sort="cpu"]');
      assert.equal(await page.getAttribute('[role="columnheader"]:has([data-sort="cpu"])', 'aria-sort'), 'none');
    });

    test('System view: whole-engine CPU and memory plots, top consumers', async () => {
      await page.click('[data-nav="system"]');
      await page.waitForSelector('[data-testid="dashboard"]');
      const cpu = await waitFor(
        async () => {
          const p = await plot('engine-cpu');
          return p && p.data[0].length >= 3 ? p : undefined;
        },
        10_000,
        'engine CPU points',
      );
      const last = cpu.data[1][cpu.data[1].length - 1]!;
      assert.ok(last > 5, `all containers together use the busy one's CPU: ${last}`);
      const mem = await plot('engine-memory');
      assert.ok(mem && (mem.data[1][mem.data[1].length - 1] ?? 0) > 0, 'engine memory plotted');
      await waitFor(
        async () => (await page.locator('[data-testid="top-consumers"] tbody tr').count()) === 2,
        5000,
        'two consumers',
      );
      assert.match(await page.innerText('[data-testid="top-consumers"] tbody tr >> nth=0'), /^busy/);
      assert.match(await page.innerText('[data-testid="limits"]'), /memory/);
      await shot(page, 'system-dashboard');
      // a consumer opens that container's Stats tab
      await page.click('[data-testid="top-consumers"] tbody tr >> nth=0');
      await page.waitForSelector('.detail[data-container="busy"] [data-tab="stats"][aria-selected="true"]');
      await page.waitForSelector('[data-plot="cpu"]');
    });

    test('nothing watches stats once no view shows them: the sampler stops', async () => {
      await page.click('[data-nav="images"]');
      await waitFor(() => env.engine.stats.watching === 0, 5000, 'no watcher');
      const ticks = env.engine.stats.ticks;
      await new Promise((r) => setTimeout(r, 2500));
      assert.equal(env.engine.stats.ticks, ticks, 'no sampling tick without a viewer');
      assert.equal(openFileCount(), 0, 'every kept-open counter file closed');
      // back: the list and busy's Stats tab (still selected) watch again
      await page.click('[data-nav="containers"]');
      await waitFor(() => env.engine.stats.watching === 2, 5000, 'the list and the Stats tab watch again');
    });

    test('1,000 rows with stats columns: virtualised, a tick re-renders only visible stats cells', async () => {
      const template =
        env.engine.containers.list()[0] ??
        (await env.engine.containers.create({ rootfs: env.dirs.rootfs, cmd: ['true'], name: 'template' }));
      const t = await thousandRows(template);
      assert.equal(t.count, '1000');
      assert.ok(t.domRows > 0 && t.domRows <= 60, `${t.domRows} rows in the DOM for 1,000 containers`);
      assert.ok(
        t.statsCells > 0 && t.statsCells <= t.domRows,
        `${t.statsCells} stats cells re-rendered per tick (visible rows: ${t.domRows})`,
      );
      assert.equal(t.rowRenders, 0, 'no row re-rendered by a stats tick');
      assert.equal(t.firstByCpu, t.busiest, 'sorted by CPU: the busiest of the 1,000 on top');
      console.log(
        `# 1,000 rows: first render ${t.firstRenderMs.toFixed(1)} ms, stats tick → frame ${t.tickMs.toFixed(1)} ms ` +
          '(budget: bench/ui.bench.ts)',
      );
    });
  },
);

const LIMITS = {
  cgroupVersion: 1,
  rootless: false,
  memory: true,
  swap: true,
  cpu: true,
  cpuset: true,
  pids: true,
  blkioWeight: false,
  oomKillDisable: true,
  ncpu: 2,
  memTotal: 2 ** 34,
};

/** Loads the page with an in-page bridge serving 1,000 containers, then pushes stats ticks for all of them. */
async function thousandRows(template: ContainerSummary) {
  const base = Date.parse(template.created);
  const list = Array.from({ length: 1000 }, (_, i) => ({
    ...template,
    id: i.toString(16).padStart(64, 'b'),
    name: `row-${i}`,
    created: new Date(base + i * 1000).toISOString(),
    status: i % 3 ? 'running' : 'exited',
  }));
  const ctx = await env.browser.newContext({ viewport: { width: 1400, height: 860 } });
  // a string, not a function: tsx's name helpers would not exist in the page
  await ctx.addInitScript({
    content: `(() => {
  window.__PIER_TEST__ = true;
  const list = ${JSON.stringify(list)};
  const listeners = {};
  const b = window.__bench = { listeners, t0: 0, tFrame: 0 };
  window.pier = {
    invoke: async (m) => {
      if (m === 'containers.list') { b.t0 = performance.now(); return { ok: true, result: list }; }
      if (m === 'stats.watch') return { ok: true, result: { stream: 'st-1', history: [] } };
      if (m === 'system.limits') return { ok: true, result: ${JSON.stringify(LIMITS)} };
      if (m.endsWith('.list')) return { ok: true, result: [] };
      return { ok: true, result: null };
    },
    on: (c, fn) => { (listeners[c] ||= []).push(fn); return () => undefined; },
    onStream: (c, fn) => { (listeners[c] ||= []).push(fn); return () => undefined; },
  };
  const mo = new MutationObserver(() => {
    if (b.tFrame || !document.querySelector('.list-body [role=row]')) return;
    mo.disconnect();
    requestAnimationFrame(() => setTimeout(() => { b.tFrame = performance.now(); }, 0));
  });
  document.addEventListener('DOMContentLoaded', () => mo.observe(document.body, { childList: true, subtree: true }));
})();`,
  });
  const p = await ctx.newPage();
  p.on('pageerror', (e) => console.error('[page error]', e.message));
  try {
    await p.goto(env.web.url);
    await p.waitForFunction(() => (window as unknown as { __bench: { tFrame: number } }).__bench.tFrame > 0);
    const firstRenderMs = await p.evaluate(() => {
      const b = (window as unknown as { __bench: { t0: number; tFrame: number } }).__bench;
      return b.tFrame - b.t0;
    });
    const ids = list.filter((c) => c.status === 'running').map((c) => c.id);
    const busiest = ids[500];
    /** one stats tick for every running container; resolves after the next frame with render counts */
    const tick = (n: number) =>
      p.evaluate(
        ({ ids, n, busiest }) => {
          const w = window as unknown as {
            __bench: { listeners: Record<string, Array<(p: unknown) => void>> };
            __pierRenders: Map<string, number>;
          };
          const points: StatsPoint[] = ids.map((id, i) => ({
            id,
            t: Date.now() + n,
            cpu: id === busiest ? 180 : (i % 50) / 10,
            throttled: 0,
            mem: 1e6 + i,
            memCache: 0,
            netRx: 0,
            netTx: 0,
            blkRead: 0,
            blkWrite: 0,
            pids: 1,
          }));
          w.__pierRenders.clear();
          const t0 = performance.now();
          for (const fn of w.__bench.listeners.stats ?? []) fn({ stream: 'st-1', points });
          return new Promise<{ ms: number; stats: number; rows: number }>((resolve) =>
            requestAnimationFrame(() =>
              setTimeout(() => {
                let stats = 0,
                  rows = 0;
                for (const [k, v] of w.__pierRenders)
                  if (k.startsWith('stats:')) stats += v;
                  else rows += v;
                resolve({ ms: performance.now() - t0, stats, rows });
              }, 0),
            ),
          );
        },
        { ids, n, busiest },
      );
    await tick(0);
    const r = await tick(1);
    const domRows = await p.locator('.list-body [role=row]').count();
    await p.click('[data-sort="cpu"]');
    await tick(2);
    const firstByCpu = await p.getAttribute('.list-body [role="row"] >> nth=0', 'data-id');
    return {
      count: await p.getAttribute('.list', 'data-count'),
      domRows,
      statsCells: r.stats,
      rowRenders: r.rows,
      firstByCpu,
      busiest,
      firstRenderMs,
      tickMs: r.ms,
    };
  } finally {
    await ctx.close();
  }
}
