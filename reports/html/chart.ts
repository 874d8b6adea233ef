// ECharts' core with only what the reports draw, each registered by its own module (the `echarts/charts`
// and `echarts/components` indexes would load every chart and component: a third of the import time
// of the whole library is saved): line, bar, scatter and heatmap series; grid, title, legend, mark
// lines and areas, visual maps; hidden overlapping labels; the SVG renderer. A chart that uses
// anything else must register it here: renderChart refuses an option that needs a part not registered
// (tests/unit/reports/html/chart.test.ts).
import * as echarts from 'echarts/core';
import 'echarts/lib/chart/line';
import 'echarts/lib/chart/bar';
import 'echarts/lib/chart/scatter';
import 'echarts/lib/chart/heatmap';
import 'echarts/lib/component/grid';
import 'echarts/lib/component/title';
import 'echarts/lib/component/legend';
import 'echarts/lib/component/markLine';
import 'echarts/lib/component/markArea';
import 'echarts/lib/component/visualMap';
import { LabelLayout } from 'echarts/features';
import { SVGRenderer } from 'echarts/renderers';
import type { EChartsOption } from 'echarts';
import { TapedeckError } from '../../engine/core/index.js';
import { escapeHtml } from './escape.js';

echarts.use([LabelLayout, SVGRenderer]);

/** The series types registered above. */
const SERIES_TYPES: ReadonlySet<string> = new Set(['line', 'bar', 'scatter', 'heatmap']);
/** Top-level option keys that are registered components (above) or plain settings. */
const OPTION_KEYS: ReadonlySet<string> = new Set(['grid', 'title', 'legend', 'visualMap', 'xAxis', 'yAxis', 'series', 'animation', 'useUTC', 'backgroundColor', 'textStyle', 'color']);
/** Series keys that need a component: only the registered ones may be used. */
const SERIES_COMPONENTS = ['markPoint'] as const;

/**
 * The parts of `option` that need a series or component not registered above (`series 'pie'`,
 * `component 'tooltip'`). ECharts itself only warns on the console, once per process and not in
 * production builds, and draws the chart without them, so renderChart checks first.
 */
export function unregisteredParts(option: EChartsOption): string[] {
  const out: string[] = [];
  for (const key of Object.keys(option)) if (!OPTION_KEYS.has(key)) out.push(`component '${key}'`);
  const series = option.series === undefined ? [] : Array.isArray(option.series) ? option.series : [option.series];
  for (const s of series as Record<string, unknown>[]) {
    const type = String(s.type);
    if (!SERIES_TYPES.has(type)) out.push(`series '${type}'`);
    for (const c of SERIES_COMPONENTS) if (s[c] !== undefined) out.push(`component '${c}'`);
  }
  return [...new Set(out)];
}

/** A chart could not be drawn; the message names the chart and why (ECharts' own assertions carry no message). */
export class ChartRenderError extends TapedeckError {
  readonly chart: string;
  constructor(chart: string, cause: unknown) {
    super('chart', `cannot render chart '${chart}': ${chartFailure(cause)}`, { cause });
    this.chart = chart;
  }
}

/** Why ECharts failed, in one line: its message, or for a bare assertion the ECharts function that failed. */
function chartFailure(err: unknown): string {
  if (!(err instanceof Error)) return `ECharts threw ${String(err)}`;
  const line = err.message.split('\n').find((l) => l.trim() !== '');
  if (line !== undefined) return line;
  // ECharts asserts with `new Error()`: name the first ECharts frame past the assertion itself.
  const fn = err.stack
    ?.split('\n')
    .map((l) => /^\s+at (?:new )?([\w$.<>]+) \(/.exec(l)?.[1])
    .find((f) => f !== undefined && f !== 'assert')
    ?.replace(/^([\w$]+)\.\1\./, '$1.');
  return `an ECharts assertion failed${fn ? ` in ${fn}` : ''} (${err.name} with no message); the values are likely too large or too small to draw`;
}

/** Colours of the report, shared by charts and CSS so a series reads the same everywhere. */
export const COLORS = {
  equity: '#2563eb',
  benchmark: '#9ca3af',
  drawdown: '#dc2626',
  sharpe: '#7c3aed',
  exposure: '#0891b2',
  buyingPower: '#0d9488',
  margin: '#ca8a04',
  price: '#475569',
  buy: '#16a34a',
  sell: '#dc2626',
  grid: '#e5e7eb',
  axis: '#6b7280',
  text: '#1f2937',
} as const;

/** Colours for one series per strategy or per run, in order. */
export const SERIES_PALETTE = ['#2563eb', '#ea580c', '#16a34a', '#9333ea', '#0891b2', '#db2777', '#ca8a04', '#4b5563', '#0d9488', '#b91c1c'] as const;

/** Returns the palette colour for the i-th series (cycling). */
export function seriesColor(i: number): string {
  return SERIES_PALETTE[i % SERIES_PALETTE.length]!;
}

export const FONT_FAMILY = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif";

/** Options every chart shares: no animation (static SVG), UTC time axes, the report's font. */
const BASE: EChartsOption = {
  animation: false,
  useUTC: true,
  backgroundColor: 'transparent',
  textStyle: { fontFamily: FONT_FAMILY, color: COLORS.text, fontSize: 12 },
};

export interface ChartSize {
  readonly width: number;
  readonly height: number;
}

/**
 * Renders an ECharts option to an SVG string in Node (no DOM: ECharts' server-side SVG renderer) and
 * wraps it in a `<figure class="chart">` container named `name` (used by CSS and the browser test).
 * ECharts numbers its SVG ids and hover classes with process-wide counters (`zr3-c0`, `zr3-cls-25`); they
 * are renamed after `name` (see {@link renameSvgIds}) so the output is the same in every process and on
 * every call, and names stay unique when several charts share one page.
 */
export function renderChart(name: string, option: EChartsOption, size: ChartSize, caption?: string): string {
  const missing = unregisteredParts(option);
  if (missing.length > 0) throw new ChartRenderError(name, new Error(`it uses ECharts ${missing.join(', ')}, not registered in reports/html/chart.ts`));
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: size.width, height: size.height });
  let svg: string;
  try {
    chart.setOption({ ...BASE, ...option });
    svg = chart.renderToSVGString();
  } catch (err) {
    throw new ChartRenderError(name, err);
  } finally {
    chart.dispose();
  }
  svg = renameSvgIds(svg, name.replace(/[^A-Za-z0-9_-]/g, '_'));
  // Scale with the page: the viewBox keeps the aspect ratio, CSS sets the width.
  svg = svg.replace(/^<svg width="\d+" height="\d+"/, `<svg role="img" aria-label="${escapeHtml(caption ?? name)}" preserveAspectRatio="xMidYMid meet"`);
  const cap = caption ? `<figcaption>${escapeHtml(caption)}</figcaption>` : '';
  return `<figure class="chart" data-chart="${escapeHtml(name)}">${svg}${cap}</figure>`;
}

/**
 * Returns `svg` with ECharts' generated names (`zr<instance>-<kind><n>` ids and `zr<instance>-cls-<n>`
 * classes) replaced by `<prefix>-<kind><k>`, k counting from 0 per kind in order of first appearance.
 */
export function renameSvgIds(svg: string, prefix: string): string {
  const names = new Map<string, string>();
  const counters = new Map<string, number>();
  return svg.replace(/\bzr\d+-(cls-|[a-z]+)(\d+)\b/g, (token: string, kind: string) => {
    let renamed = names.get(token);
    if (renamed === undefined) {
      const k = counters.get(kind) ?? 0;
      counters.set(kind, k + 1);
      renamed = `${prefix}-${kind}${k}`;
      names.set(token, renamed);
    }
    return renamed;
  });
}

/** Axis label formatter: a fraction as a whole percentage (0.125 -> "12.5%" when small, "13%" otherwise). */
export function percentAxisLabel(v: number): string {
  const p = v * 100;
  return `${Math.abs(p) < 10 && p !== Math.round(p) ? p.toFixed(1) : p.toFixed(0)}%`;
}

/** Axis label formatter: an amount with k/M suffixes (1250000 -> "1.25M"). */
export function compactNumberLabel(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e9) return `${+(v / 1e9).toFixed(2)}B`;
  if (a >= 1e6) return `${+(v / 1e6).toFixed(2)}M`;
  if (a >= 1e4) return `${+(v / 1e3).toFixed(1)}k`;
  return `${+v.toFixed(2)}`;
}

/** A downward triangle (ECharts' legend ignores symbolRotate, so sells get their own shape). */
export const DOWN_TRIANGLE = 'path://M0,0L10,0L5,9Z';
export const UP_TRIANGLE = 'path://M5,0L10,9L0,9Z';

/** A time x-axis styled for the report; `range` (milliseconds) pins it so charts of one run line up. */
export function timeAxis(gridIndex = 0, showLabels = true, range?: readonly [number, number]): Record<string, unknown> {
  return {
    type: 'time',
    gridIndex,
    ...(range ? { min: range[0], max: range[1] } : {}),
    axisLine: { lineStyle: { color: COLORS.axis } },
    axisLabel: { show: showLabels, color: COLORS.axis, hideOverlap: true },
    splitLine: { show: false },
  };
}

/** A value y-axis styled for the report, with a label formatter. */
export function valueAxis(formatter: (v: number) => string, gridIndex = 0, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'value',
    gridIndex,
    scale: true,
    axisLabel: { color: COLORS.axis, formatter },
    splitLine: { lineStyle: { color: COLORS.grid } },
    ...extra,
  };
}
