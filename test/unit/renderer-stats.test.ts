// Renderer stats logic without a DOM: units, list sorting by CPU/memory, totals for the
// System dashboard, sparkline buffers and paths, plot columns, the all-containers store.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerSummary, StatsPoint } from '../../electron/common/types.ts';
import {
  BYTE_INCRS,
  DEFAULT_SORT,
  SPARK_POINTS,
  SparkBuffers,
  WINDOW_MS,
  addTotals,
  appendPoints,
  columns,
  nextSort,
  percent,
  rate,
  sortIds,
  sparkPath,
} from '../../renderer/src/lib/stats.ts';
import { applyPoints, spark, useStats } from '../../renderer/src/store/stats.ts';

const pt = (id: string, t: number, o: Partial<StatsPoint> = {}): StatsPoint => ({
  id,
  t,
  cpu: 1,
  throttled: 0,
  mem: 1000,
  memCache: 0,
  netRx: 0,
  netTx: 0,
  blkRead: 0,
  blkWrite: 0,
  pids: 1,
  ...o,
});
const mk = (id: string, name: string, status: ContainerSummary['status'] = 'running'): ContainerSummary => ({
  id,
  name,
  image: 'busybox',
  command: 'sh',
  status,
  created: new Date(0).toISOString(),
  pid: 1,
  terminal: false,
  stdin: false,
  labels: {},
});

describe('renderer stats logic', () => {
  test('units: percent of one CPU and byte rates', () => {
    assert.equal(percent(0.4213), '0.42 %');
    assert.equal(percent(19.74), '19.7 %');
    assert.equal(percent(180.4), '180 %');
    assert.equal(percent(undefined), '–');
    assert.equal(rate(1536), '1.5 KB/s');
    assert.equal(rate(NaN), '–');
    assert.ok(BYTE_INCRS.includes(2 * 1024 ** 2) && BYTE_INCRS.includes(500 * 1024), 'steps label as 2 MB, 500 KB');
  });

  test('sort: header clicks cycle descending → ascending → newest first', () => {
    let s = nextSort(DEFAULT_SORT, 'cpu');
    assert.deepEqual(s, { key: 'cpu', desc: true });
    s = nextSort(s, 'cpu');
    assert.deepEqual(s, { key: 'cpu', desc: false });
    assert.deepEqual(nextSort(s, 'cpu'), DEFAULT_SORT);
    assert.deepEqual(nextSort(DEFAULT_SORT, 'name'), { key: 'name', desc: false }, 'names start A→Z');
  });

  test('sortIds: by CPU or memory, containers with a reading first; stopped ones never ranked', () => {
    const byId = { a: mk('a', 'zeta'), b: mk('b', 'alpha'), c: mk('c', 'mid'), d: mk('d', 'stopped', 'exited') };
    const ids = ['a', 'b', 'c', 'd'];
    const latest = {
      a: pt('a', 1, { cpu: 5, mem: 10 }),
      b: pt('b', 1, { cpu: 50, mem: 5 }),
      d: pt('d', 1, { cpu: 99, mem: 99 }),
    };
    assert.equal(sortIds(ids, byId, latest, DEFAULT_SORT), ids, 'default: the store order itself');
    assert.deepEqual(sortIds(ids, byId, latest, { key: 'cpu', desc: true }), ['b', 'a', 'c', 'd']);
    assert.deepEqual(sortIds(ids, byId, latest, { key: 'cpu', desc: false }), ['a', 'b', 'c', 'd']);
    assert.deepEqual(sortIds(ids, byId, latest, { key: 'mem', desc: true }), ['a', 'b', 'c', 'd']);
    assert.deepEqual(sortIds(ids, byId, latest, { key: 'name', desc: false }), ['b', 'c', 'd', 'a']);
    assert.deepEqual(sortIds(ids, byId, undefined, { key: 'cpu', desc: true }), ids, 'no readings yet: order kept');
  });

  test('totals: one entry per reading time, summed, only newer ones, 5-minute window', () => {
    let t = addTotals(
      [],
      [pt('a', 1000, { cpu: 10, mem: 1 }), pt('b', 1000, { cpu: 20, mem: 2 }), pt('a', 2000, { cpu: 1, mem: 1 })],
    );
    assert.deepEqual(t, [
      { t: 1000, cpu: 30, mem: 3, n: 2 },
      { t: 2000, cpu: 1, mem: 1, n: 1 },
    ]);
    assert.equal(addTotals(t, [pt('a', 2000)]), t, 'an old tick again changes nothing');
    t = addTotals(t, [pt('a', 2000 + WINDOW_MS)]);
    assert.deepEqual(
      t.map((x) => x.t),
      [2000, 2000 + WINDOW_MS],
      'older than 5 minutes dropped',
    );
  });

  test('sparklines: bounded per container, repeats ignored, path spans the right edge', () => {
    const b = new SparkBuffers();
    for (let i = 1; i <= SPARK_POINTS + 10; i++) b.push([pt('a', i * 1000, { cpu: i })]);
    b.push([pt('a', 5000, { cpu: 999 })]);
    assert.equal(b.get('a').length, SPARK_POINTS);
    assert.equal(b.get('a')[SPARK_POINTS - 1], SPARK_POINTS + 10);
    assert.equal(sparkPath([1], 44, 16), '', 'one value: no line');
    const x0 = (44 - 44 / (SPARK_POINTS - 1)).toFixed(1);
    assert.equal(
      sparkPath([0, 100], 44, 16),
      `${x0},15.0 44.0,1.0`,
      'newest at the right edge; 0 at the bottom, 100 % at the top',
    );
    b.retain((id) => id !== 'a');
    assert.equal(b.get('a').length, 0);
  });

  test('plot columns: seconds, values, null without a limit; appendPoints keeps order and the window', () => {
    let pts = appendPoints([], [pt('a', 2000), pt('a', 1000, { memLimit: 64 })]);
    pts = appendPoints(pts, [pt('a', 2000), pt('a', 3000, { memLimit: 64 })]);
    assert.deepEqual(
      pts.map((p) => p.t),
      [1000, 2000, 3000],
    );
    assert.deepEqual(columns(pts, ['mem', 'memLimit']), [
      [1, 2, 3],
      [1000, 1000, 1000],
      [64, null, 64],
    ]);
    pts = appendPoints(pts, [pt('a', 3000 + WINDOW_MS)]);
    assert.deepEqual(
      pts.map((p) => p.t),
      [3000, 3000 + WINDOW_MS],
    );
  });

  test('store: latest per container, stopped ones age out, totals and sparklines follow', () => {
    useStats.setState({ latest: {}, totals: [] });
    spark.clear();
    applyPoints([pt('a', 1000, { cpu: 3 }), pt('b', 1000, { cpu: 4 })], true);
    const first = useStats.getState();
    assert.deepEqual(Object.keys(first.latest).sort(), ['a', 'b']);
    applyPoints([pt('a', 2000, { cpu: 5 })]);
    assert.equal(useStats.getState().latest.b, first.latest.b, 'b kept for a moment (a tick may skip it)');
    applyPoints([pt('a', 6000, { cpu: 6 })]);
    assert.deepEqual(
      Object.keys(useStats.getState().latest),
      ['a'],
      'b stopped: dropped after 3.5 s without a reading',
    );
    assert.deepEqual([...spark.get('a')], [3, 5, 6]);
    assert.equal(spark.get('b').length, 0);
    assert.deepEqual(
      useStats.getState().totals.map((x) => x.cpu),
      [7, 5, 6],
    );
  });
});
