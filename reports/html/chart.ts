import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { EChartsOption } from 'echarts';
import { escapeHtml } from './escape.js';

// Charts are drawn in the browser: each chart is an ECharts option serialized as JSON into the page,
// and the page inlines the ECharts library once (read from node_modules at render time; no CDN, so the
// file opens offline from file://) with a small script (CHART_SCRIPT) that draws them with zoom, pan,
// tooltips and legend toggles. Rendering a report never loads ECharts into Node.

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

/** Options every chart shares: no animation, UTC time axes, the report's font. */
const BASE = {
  animation: false,
  useUTC: true,
  backgroundColor: 'transparent',
  textStyle: { fontFamily: FONT_FAMILY, color: COLORS.text, fontSize: 12 },
};

export interface ChartSize {
  /** Kept for the layout arithmetic of multi-grid charts; the drawn chart takes the column's width. */
  readonly width: number;
  readonly height: number;
}

/**
 * A formatter the page's script builds in the browser (a JSON option cannot carry a function):
 * `{ $fmt: name, arg }` is replaced by CHART_FORMATTERS[name](arg) before the option is drawn.
 */
export interface FormatterRef {
  readonly $fmt: 'percentAxis' | 'compact' | 'fixed' | 'percent' | 'amount' | 'timeTooltip' | 'itemTooltip';
  readonly arg?: unknown;
}

/** Returns a reference to a formatter of the page's script (see {@link FormatterRef}). */
export function fmt($fmt: FormatterRef['$fmt'], arg?: unknown): FormatterRef {
  return arg === undefined ? { $fmt } : { $fmt, arg };
}

/** How a value of a series is shown in a tooltip, by series name: a formatter name and its argument. */
export type TooltipFormats = Readonly<Record<string, readonly [FormatterRef['$fmt'], unknown?]>>;

/**
 * An axis tooltip for time axes: the UTC date (and time of day when not midnight) of the hovered
 * point, then each series' value formatted by `formats` (by series name; a number with 4 significant
 * digits otherwise); a data item with a `tip` field (a trade marker) shows that text instead, when it
 * lies within `tolMs` of the hovered time (0: always).
 */
export function timeTooltip(formats: TooltipFormats = {}, tolMs = 0): Record<string, unknown> {
  return { trigger: 'axis', axisPointer: { type: 'line', snap: true }, confine: true, formatter: fmt('timeTooltip', { formats, tolMs }) };
}

/** An item tooltip (scatter, heatmap and bar charts without a time axis): the data item's `tip`, else its name and value. */
export function itemTooltip(): Record<string, unknown> {
  return { trigger: 'item', confine: true, formatter: fmt('itemTooltip') };
}

/**
 * Zoom and pan on the time axes `xAxisIndex`: drag to pan, Ctrl + wheel (or a trackpad pinch) to zoom,
 * and a range slider under the chart (`slider` false hides it: the chart still follows the slider of
 * the charts linked to it). The components have fixed ids so that charts of one `group` (see
 * {@link renderChart}) move together: ECharts' connect replays one chart's zoom on the others by id.
 */
export function timeZoom(xAxisIndex: readonly number[], slider: boolean, sliderBottom = 6): Record<string, unknown>[] {
  return [
    { id: 'zoom-inside', type: 'inside', xAxisIndex: [...xAxisIndex], filterMode: 'none', zoomOnMouseWheel: 'ctrl', moveOnMouseWheel: false, moveOnMouseMove: true },
    { id: 'zoom-slider', type: 'slider', xAxisIndex: [...xAxisIndex], filterMode: 'none', show: slider, height: 22, bottom: sliderBottom, showDetail: true, brushSelect: true },
  ];
}

/** Extra room under a chart for a visible range slider. */
export const SLIDER_ROOM = 40;

let echartsBytes: Buffer | undefined;
let echartsSource: string | undefined;

/**
 * Returns the ECharts library's file (the minified browser build of the installed package) as its bytes,
 * read once per process, to write into a page as it is: it holds characters beyond Latin-1, so as text
 * it would make the whole page a two-byte string, flattened and encoded again when written (~90 ms of a
 * run's report.html).
 */
export function echartsLibraryBytes(): Buffer {
  echartsBytes ??= readEchartsLibrarySync();
  return echartsBytes;
}

/** The ECharts library's file (the minified browser build of the installed package) as Node resolves it. */
function echartsLibraryFile(): string {
  return createRequire(import.meta.url).resolve('echarts/dist/echarts.min.js');
}

/**
 * The ECharts library's file as the bin's build found it (scripts/build.mjs defines __TAPEDECK_ECHARTS_FILE__: the
 * path from the bundle's chunks to the package's file, when Node resolves the package from there to that file),
 * undefined under tsc's output and tsx. Read first, so that a run's page does not resolve the package (~3-5 ms in
 * a fresh process: Node reads echarts' package.json and walks its exports); a file not there (the package installed
 * elsewhere than when built) falls back on the resolve. tests/unit/reports/html/echarts-file.test.ts checks the two
 * name the same file.
 */
declare const __TAPEDECK_ECHARTS_FILE__: string | undefined;
const BUILT_ECHARTS_FILE: string | undefined = typeof __TAPEDECK_ECHARTS_FILE__ === 'string' ? fileURLToPath(new URL(__TAPEDECK_ECHARTS_FILE__, import.meta.url)) : undefined;

/** Reads the ECharts library's file: the build's path (see BUILT_ECHARTS_FILE) if it is there, else as Node resolves it. */
export function readEchartsLibrarySync(built: string | undefined = BUILT_ECHARTS_FILE): Buffer {
  if (built !== undefined) {
    try {
      return readFileSync(built);
    } catch {
      // Not where the build saw it: resolved below.
    }
  }
  return readFileSync(echartsLibraryFile());
}

/** {@link readEchartsLibrarySync} on libuv's threads. */
export function readEchartsLibrary(built: string | undefined = BUILT_ECHARTS_FILE): Promise<Buffer> {
  const resolved = (): Promise<Buffer> => readFile(echartsLibraryFile());
  return built === undefined ? resolved() : readFile(built).catch(resolved);
}

let echartsReading: Promise<void> | undefined;

/**
 * Starts reading the ECharts library's file (see echartsLibraryBytes) on libuv's threads, for a page about to be
 * rendered: its MB is read, and the fresh memory it fills touched, beside the page's sections rather than on the main
 * thread when the page is put together. The promise settles once it is read, never rejected: a file that cannot be
 * read is left to echartsLibraryBytes, which reads it again (and fails) when the page asks for it.
 */
export function prefetchEchartsLibrary(): Promise<void> {
  if (echartsBytes !== undefined) return Promise.resolve();
  echartsReading ??= readEchartsLibrary().then(
    (bytes) => {
      echartsBytes ??= bytes;
    },
    () => {
      echartsReading = undefined;
    },
  );
  return echartsReading;
}

/** Returns the ECharts library as text (see {@link echartsLibraryBytes}), to inline into a page. */
export function echartsLibrary(): string {
  echartsSource ??= echartsLibraryBytes().toString('utf8');
  return echartsSource;
}

/** Significant digits a chart keeps of a fractional number below 1e6: more than a chart or a tooltip shows, half the bytes of a full double. */
const CHART_DIGITS = 8;

/**
 * Returns a fractional number as a chart keeps it: CHART_DIGITS significant digits below 1e6, three
 * decimals from 1e6 up (so a time in milliseconds keeps its microseconds, an amount its cents).
 */
export function chartNumber(v: number): number {
  if (Number.isInteger(v) || !Number.isFinite(v)) return v;
  const a = Math.abs(v);
  if (a >= 1e6) return Math.round(v * 1000) / 1000;
  // The common case by arithmetic (toPrecision makes text and Number reads it back: ~0.2-0.4 us a number while
  // the page's code is cold, ~30,000 numbers in a 62k-bar run's charts). With a * 10^k in [1e7, 1e8), its rounding
  // n is the eight digits toPrecision writes, and n / 10^k (10^k exact for k <= 22, the quotient correctly
  // rounded) is the double nearest n * 10^-k: what Number reads from toPrecision's text. a * 10^k is within
  // 2^-27 of the exact product, so the rounding is that of the exact value unless the fraction is within 1e-7 of
  // a half (a tie toPrecision breaks upward): those, the products at the range's ends (where log10 may be a digit
  // off) and magnitudes below 1e-15 take toPrecision. tests/unit/reports/html/chart.test.ts holds the two to each other.
  if (a >= 1e-15) {
    const p = POW10[7 - Math.floor(Math.log10(a))]!;
    const x = a * p;
    if (x >= 10_000_001 && x < 99_999_999) {
      const f = x - Math.floor(x);
      if (f < 0.4999999 || f > 0.5000001) {
        const r = Math.round(x) / p;
        return v < 0 ? -r : r;
      }
    }
  }
  return Number(v.toPrecision(CHART_DIGITS));
}

/** 10^0 to 10^22, each exact as a double. */
const POW10: readonly number[] = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));

/**
 * Returns `value` as JSON that is safe inside a `<script>` element (no `</script>`, no `<!--`), its
 * fractional numbers rounded by {@link chartNumber}.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' ? chartNumber(v) : v)).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/**
 * Returns a chart container named `name` (used by CSS, the script and the browser test): a
 * `<figure class="chart">` holding the element the page's script draws `option` into, the option as
 * JSON, and the caption. Charts with the same `group` share their zoom (a time axis over the same
 * range). The same option gives the same bytes.
 */
export function renderChart(name: string, option: EChartsOption | Record<string, unknown>, size: ChartSize, caption?: string, group?: string, renderer: 'svg' | 'canvas' = 'svg'): string {
  return renderChartPieces(name, option, size, caption, group, renderer).join('');
}

/**
 * {@link renderChart} as three pieces, the option's JSON the middle one: a chart of thousands of points (a
 * price pane's JSON is ~500 KB) goes into the page as JSON.stringify wrote it, not copied into one string
 * with the markup around it (see Html in page.ts).
 */
export function renderChartPieces(name: string, option: EChartsOption | Record<string, unknown>, size: ChartSize, caption?: string, group?: string, renderer: 'svg' | 'canvas' = 'svg'): [string, string, string] {
  const json = scriptJson({ ...BASE, ...option });
  const cap = caption ? `<figcaption>${escapeHtml(caption)}</figcaption>` : '';
  const g = group ? ` data-group="${escapeHtml(group)}"` : '';
  // SVG by default (crisp, text selectable); canvas for charts with thousands of markers, which SVG draws as
  // thousands of elements (about 8 times slower for a price pane with 2,400 round trips).
  const r = renderer === 'canvas' ? ' data-renderer="canvas"' : '';
  return [`<figure class="chart" data-chart="${escapeHtml(name)}"><div class="echart" role="img" aria-label="${escapeHtml(caption ?? name)}" style="height:${size.height}px"${g}${r}></div><script type="application/json" class="chart-option">`, json, `</script>${cap}</figure>`];
}

/** Whether a page body holds a chart (and so needs the library and the chart script). */
export function hasCharts(body: string): boolean {
  return body.includes('class="chart-option"');
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

/** A value y-axis styled for the report, with a label formatter of the page's script (see {@link fmt}). */
export function valueAxis(formatter: FormatterRef, gridIndex = 0, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'value',
    gridIndex,
    scale: true,
    axisLabel: { color: COLORS.axis, formatter },
    splitLine: { lineStyle: { color: COLORS.grid } },
    ...extra,
  };
}
