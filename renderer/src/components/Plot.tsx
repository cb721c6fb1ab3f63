// A live time-series plot (uPlot: canvas, ~50 KB, made for streaming series; see docs/ui.md).
// The x axis always spans the last 5 minutes up to now; y starts at 0 and is labelled in the
// plot's unit. Data updates call setData on the existing chart (no React re-creation); the
// width follows the container. With window.__PIER_TEST__ the chart is reachable as
// window.__pierPlots[name] (tests read its data).
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { bytes } from '../lib/format';
import { BYTE_INCRS, WINDOW_MS, percent, rate } from '../lib/stats';

export type PlotUnit = 'percent' | 'bytes' | 'rate';
export interface PlotSeries {
  label: string;
  color: string;
  dash?: boolean;
}

const FMT: Record<PlotUnit, (n: number) => string> = { percent, bytes: (n) => bytes(n), rate };
const AXIS = { stroke: '#8b96a8', grid: { stroke: '#222a35', width: 1 }, ticks: { stroke: '#2a3340', width: 1 } };

/** Up to now: from the first point (at least the last minute) to at most the last 5 minutes. */
function xRange(xs: ArrayLike<number>): [number, number] {
  const now = Date.now() / 1000;
  const span = xs.length ? Math.min(WINDOW_MS / 1000, Math.max(60, now - xs[0])) : 60;
  return [now - span, now];
}
const clock = (s: number) =>
  new Date(s * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });

type Plots = Record<string, uPlot>;
const registry = (): Plots | undefined =>
  window.__PIER_TEST__ ? ((window as unknown as { __pierPlots?: Plots }).__pierPlots ??= {}) : undefined;

export function Plot({
  name,
  title,
  unit,
  series,
  data,
  height = 150,
  minMax,
}: {
  name: string;
  title: string;
  unit: PlotUnit;
  series: PlotSeries[];
  /** [seconds[], ...values[]] as from lib/stats columns() */
  data: Array<Array<number | null>>;
  height?: number;
  /** the y axis reaches at least this (e.g. 100 % for CPU) */
  minMax?: number;
}) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot>(undefined);
  const fmt = FMT[unit];

  useEffect(() => {
    const el = host.current!;
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      legend: { show: true, live: true },
      cursor: { drag: { x: false, y: false } },
      scales: {
        x: { time: true, range: (u) => xRange(u.data[0]) },
        y: { range: (_u, _min, max) => [0, Math.max(minMax ?? 0, max > 0 ? max * 1.1 : 1)] },
      },
      axes: [
        { ...AXIS, space: 60, values: (_u, splits) => splits.map(clock) },
        {
          ...AXIS,
          size: 70,
          values: (_u, splits) => splits.map(fmt),
          ...(unit === 'percent' ? {} : { incrs: BYTE_INCRS }),
        },
      ],
      series: [
        { value: (_u, v) => (v == null ? '–' : new Date(v * 1000).toLocaleTimeString()) },
        ...series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: 1.5,
          ...(s.dash ? { dash: [6, 4] } : { fill: `${s.color}22` }),
          value: (_u: uPlot, v: number | null) => (v == null ? '–' : fmt(v)),
          points: { show: false },
        })),
      ],
    };
    const u = new uPlot(opts, data as uPlot.AlignedData, el);
    plot.current = u;
    const reg = registry();
    if (reg) reg[name] = u;
    const ro = new ResizeObserver(() => {
      if (el.clientWidth > 0) u.setSize({ width: el.clientWidth, height });
    });
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = undefined;
      if (reg?.[name] === u) delete reg[name];
    };
    // built once per mount (and unit/size change); data goes through setData below
  }, [name, unit, height, minMax, series.length]);

  useEffect(() => {
    const u = plot.current;
    if (!u) return;
    u.setData(data as uPlot.AlignedData);
    // not hovering: the legend shows the newest values
    if (!(u.cursor.left! >= 0) && data[0].length) u.setLegend({ idx: data[0].length - 1 });
  }, [data]);

  const points = data[0]?.length ?? 0;
  return (
    <figure className="plot" data-plot={name} data-points={points}>
      <figcaption>{title}</figcaption>
      <div ref={host} className="plot-host" />
    </figure>
  );
}
