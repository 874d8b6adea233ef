import type { PriceSeries, RunReport } from '../run-report.js';
import { COLORS, DOWN_TRIANGLE, UP_TRIANGLE, fmt, renderChartPieces, seriesColor, timeAxis, timeTooltip, timeZoom, valueAxis } from './chart.js';
import type { TooltipFormats } from './chart.js';
import { MAX_CHART_POINTS, downsamplePairs, everyKth } from './downsample.js';
import { formatCount, formatMoney, formatNumber, shortTime } from './format.js';
import { pageFills, pageTrades } from './page-records.js';
import type { PageFills, PageTrades } from './page-records.js';

/** Most entry (and, separately, exit) markers per symbol chart (every k-th round trip beyond it). */
export const MAX_MARKERS_PER_SYMBOL = 1500;

const US_PER_MS = 1000;

/** One indicator series a strategy declared for plotting (report.indicators[strategyId][name]). */
export interface IndicatorSeries {
  readonly strategyId: string;
  readonly name: string;
  readonly symbol: string;
  readonly overlay: boolean;
  readonly color: string | null;
  /** Milliseconds since the epoch. */
  readonly ts: readonly number[];
  readonly values: readonly (number | null)[];
}

/** A time in the report's microseconds, or in milliseconds, as milliseconds (a number below 1e14 is taken as milliseconds). */
export function toMs(t: number): number {
  return Math.abs(t) >= 1e14 ? t / US_PER_MS : t;
}

/**
 * The indicator series of report.indicators (`{ [strategyId]: { [series]: { symbol, overlay, color?, ts,
 * values } } }`), in declaration order; entries that do not have that shape are left out, so a report
 * without the section (or an older one) draws no indicators.
 */
export function reportIndicators(report: RunReport): IndicatorSeries[] {
  const raw = (report as { indicators?: unknown }).indicators;
  if (raw === null || typeof raw !== 'object') return [];
  const out: IndicatorSeries[] = [];
  for (const [strategyId, byName] of Object.entries(raw as Record<string, unknown>)) {
    if (byName === null || typeof byName !== 'object') continue;
    for (const [name, s] of Object.entries(byName as Record<string, unknown>)) {
      if (s === null || typeof s !== 'object') continue;
      const v = s as Record<string, unknown>;
      if (typeof v.symbol !== 'string' || !Array.isArray(v.ts) || !Array.isArray(v.values) || v.ts.length !== v.values.length) continue;
      out.push({
        strategyId,
        // The series' own name (its key adds the symbol when one name is plotted on several symbols).
        name: typeof v.name === 'string' ? v.name : name,
        symbol: v.symbol,
        overlay: v.overlay === true,
        color: typeof v.color === 'string' ? v.color : null,
        ts: (v.ts as unknown[]).map((t) => toMs(Number(t))),
        values: (v.values as unknown[]).map((x) => (typeof x === 'number' && Number.isFinite(x) ? x : null)),
      });
    }
  }
  return out;
}

/** A symbol's sampled bars as the report carries them: closes always; open, high, low and volume when sampled. */
type SampledBars = PriceSeries;

function sameLength(a: readonly number[] | undefined, n: number): a is readonly number[] {
  return Array.isArray(a) && a.length === n;
}

/** Whether the sampled bars have a range to draw as candles (open, high and low present, and some bar not flat). */
export function hasCandles(p: SampledBars): boolean {
  const n = p.ts.length;
  if (!sameLength(p.open, n) || !sameLength(p.high, n) || !sameLength(p.low, n)) return false;
  for (let i = 0; i < n; i++) if (p.high[i] !== p.low[i]) return true;
  return false;
}

/**
 * Merges consecutive bars into at most `max` candles of equal bar count: each candle opens at its first
 * bar's open, closes at its last bar's close, spans the highest high and lowest low, and sums the
 * volume; it is stamped with its first bar's time. Returns [ms, open, close, low, high] rows (ECharts'
 * candlestick order) and the volumes.
 */
export function mergeCandles(p: SampledBars, max: number = MAX_CHART_POINTS): { candles: [number, number, number, number, number][]; volume: [number, number][] } {
  const n = p.ts.length;
  const per = Math.max(1, Math.ceil(n / max));
  const candles: [number, number, number, number, number][] = [];
  const volume: [number, number][] = [];
  const vol = sameLength(p.volume, n) ? p.volume : null;
  for (let i = 0; i < n; i += per) {
    const end = Math.min(i + per, n);
    let hi = -Infinity;
    let lo = Infinity;
    let v = 0;
    for (let j = i; j < end; j++) {
      hi = Math.max(hi, p.high![j]!);
      lo = Math.min(lo, p.low![j]!);
      if (vol) v += vol[j]!;
    }
    const t = toMs(p.ts[i]!);
    candles.push([t, p.open![i]!, p.close[end - 1]!, lo, hi]);
    if (vol) volume.push([t, v]);
  }
  return { candles, volume: vol ? volume : [] };
}

/**
 * Marker size for a quantity: 7 px for the smallest, up to 18 px for the largest of the chart (by square
 * root, so area follows size); half that when the chart has more than 200 markers, so that they do not
 * cover the price before the user zooms in.
 */
function markerSize(qty: number, maxQty: number, markers: number): number {
  const scale = markers > 200 ? 0.5 : 1;
  return maxQty > 0 ? Math.round((7 + 11 * Math.sqrt(Math.abs(qty) / maxQty)) * scale * 10) / 10 : 9 * scale;
}

/**
 * The price pane of each symbol, one chart per symbol in the run's zoom group: candlesticks when the
 * sampled bars have a range (a close line otherwise), volume bars under them when sampled, the
 * strategies' overlay indicators on the price and each other indicator in a pane of its own below, and
 * the round trips as markers: a triangle at the entry (up for a long, down for a short) and a circle at
 * the exit, sized by quantity and green for a winning trade, red for a losing one. A symbol with fills
 * but no closed round trip shows its fills (up: buy, down: sell). Each chart comes as its pieces (see renderChartPieces).
 */
export function pricePanes(report: RunReport, range: [number, number] | undefined, group: string, width: number): string[][] {
  const indicators = reportIndicators(report);
  const allFills = pageFills(report);
  const allTrades = pageTrades(report);
  const fillRows = rowsBySymbol(allFills);
  const tradeRows = rowsBySymbol(allTrades);
  const symbols = [...new Set([...report.data.symbols, ...Object.keys(report.prices ?? {}), ...fillRows.keys(), ...indicators.map((i) => i.symbol)])];
  const multiStrategy = new Set(indicators.map((i) => i.strategyId)).size > 1;
  const charts: string[][] = [];
  for (const [k, sym] of symbols.entries()) {
    const price = report.prices?.[sym] as SampledBars | undefined;
    const fills = fillRows.get(sym) ?? [];
    const trades = tradeRows.get(sym) ?? [];
    const mine = indicators.filter((i) => i.symbol === sym);
    if (!price && fills.length === 0 && mine.length === 0) continue;
    const series: Record<string, unknown>[] = [];
    const formats: Record<string, TooltipFormats[string]> = {};
    const candles = price !== undefined && price.ts.length > 0 && hasCandles(price);
    let volume: [number, number][] = [];
    if (price && price.ts.length > 0) {
      if (candles) {
        const merged = mergeCandles(price);
        volume = merged.volume;
        series.push({
          name: 'Price',
          type: 'candlestick',
          data: merged.candles,
          itemStyle: { color: COLORS.buy, color0: COLORS.sell, borderColor: COLORS.buy, borderColor0: COLORS.sell },
          barMaxWidth: 10,
        });
      } else {
        series.push({
          name: 'Close',
          type: 'line',
          data: downsamplePairs(price.ts.map(toMs), price.close),
          showSymbol: false,
          lineStyle: { width: 1.2, color: COLORS.price },
          itemStyle: { color: COLORS.price },
        });
        if (sameLength(price.volume, price.ts.length)) volume = everyKth(price.ts.map((t, i) => [toMs(t), price.volume![i]!] as [number, number]), MAX_CHART_POINTS);
      }
      formats[candles ? 'Price' : 'Close'] = ['fixed', 2];
    }
    const label = (i: IndicatorSeries) => (multiStrategy ? `${i.strategyId}: ${i.name}` : i.name);
    const line = (i: IndicatorSeries, n: number, axis: number) => {
      const xs: number[] = [];
      const ys: number[] = [];
      i.values.forEach((v, j) => {
        if (v !== null) {
          xs.push(i.ts[j]!);
          ys.push(v);
        }
      });
      const color = i.color ?? seriesColor(n + 1);
      formats[label(i)] = ['fixed', 2];
      return { name: label(i), type: 'line', xAxisIndex: axis, yAxisIndex: axis, data: downsamplePairs(xs, ys), showSymbol: false, lineStyle: { width: 1.2, color }, itemStyle: { color } };
    };
    mine.filter((i) => i.overlay).forEach((i, n) => series.push(line(i, n, 0)));
    // Round trips (or, with none, the fills) as markers on the price.
    const markers = trades.length > 0 ? tradeMarkers(allTrades, trades) : fillMarkers(allFills, fills);
    series.push(...markers);
    // Panes below the price: volume, then one per non-overlay indicator.
    const panes: { name: string; height: number }[] = [];
    if (volume.length > 0) panes.push({ name: 'volume', height: 70 });
    const below = mine.filter((i) => !i.overlay);
    for (const i of below) panes.push({ name: label(i), height: 90 });
    const priceTop = 30;
    const priceHeight = 230;
    const grids: Record<string, unknown>[] = [{ left: 78, right: 24, top: priceTop, height: priceHeight }];
    const xAxes: Record<string, unknown>[] = [timeAxis(0, panes.length === 0, range)];
    const yAxes: Record<string, unknown>[] = [valueAxis(fmt('compact'), 0)];
    let top = priceTop + priceHeight + 24;
    panes.forEach((p, j) => {
      const g = j + 1;
      grids.push({ left: 78, right: 24, top, height: p.height });
      xAxes.push(timeAxis(g, j === panes.length - 1, range));
      // The pane's name along its axis, left of the labels (above the pane it would run into the one above).
      yAxes.push(valueAxis(fmt('compact'), g, { name: p.name, nameLocation: 'middle', nameRotate: 90, nameGap: 54, nameTextStyle: { color: COLORS.axis }, splitNumber: 2 }));
      top += p.height + 24;
    });
    if (volume.length > 0) {
      formats.Volume = ['compact'];
      series.push({ name: 'Volume', type: 'bar', xAxisIndex: 1, yAxisIndex: 1, data: volume, barMaxWidth: 8, itemStyle: { color: COLORS.benchmark, opacity: 0.7 } });
    }
    below.forEach((i, j) => series.push(line(i, j + mine.filter((x) => x.overlay).length, j + 1 + (volume.length > 0 ? 1 : 0))));
    const axes = xAxes.map((_, i) => i);
    const held = report.positions[sym];
    let nBuy = 0;
    for (const i of fills) if (allFills.sideAt(i) === 'buy') nBuy++;
    const caption = `${sym}: ${candles ? 'sampled bars as candles' : 'sampled closes'}; ${formatCount(trades.length)} round trips (triangle: entry, up long / down short; circle: exit; size: quantity; green: won, red: lost) from ${formatCount(nBuy)} buy and ${formatCount(fills.length - nBuy)} sell fills${held !== undefined ? `; ${formatNumber(held, held % 1 === 0 ? 0 : 4)} held at the end` : ''}.${trades.length > MAX_MARKERS_PER_SYMBOL / 2 ? ' Markers: every k-th round trip.' : ''}`;
    charts.push(
      renderChartPieces(
        `price-${k}`,
        {
          title: { text: sym, left: 8, top: 0, textStyle: { fontSize: 13, fontWeight: 600, color: COLORS.text } },
          legend: { type: 'scroll', top: 0, left: 90, right: 24, itemWidth: 14 },
          tooltip: timeTooltip(formats, range ? (range[1] - range[0]) / 250 : 0),
          axisPointer: { link: [{ xAxisIndex: 'all' }] },
          grid: grids,
          xAxis: xAxes,
          yAxis: yAxes,
          dataZoom: timeZoom(axes, false),
          series,
        },
        { width, height: top + 16 },
        caption,
        group,
        trades.length + fills.length > 400 ? 'canvas' : 'svg',
      ),
    );
  }
  return charts;
}

/**
 * The rows of each symbol's fills or round trips, in row order, the symbols in order of first appearance:
 * row numbers rather than a list of objects per symbol, so a long run's page holds no copy of its records.
 */
function rowsBySymbol(records: Pick<PageFills | PageTrades, 'length' | 'symbolAt'>): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (let i = 0; i < records.length; i++) {
    const sym = records.symbolAt(i);
    let rows = out.get(sym);
    if (rows === undefined) out.set(sym, (rows = []));
    rows.push(i);
  }
  return out;
}

/** Entry and exit markers of the round trips `rows` of `all`, every k-th beyond MAX_MARKERS_PER_SYMBOL / 2. */
function tradeMarkers(all: PageTrades, rows: readonly number[]): Record<string, unknown>[] {
  const drawn = everyKth(rows, MAX_MARKERS_PER_SYMBOL / 2);
  const trades = drawn.map((i) => all.tradeAt(i));
  let maxQty = 0;
  for (const t of trades) maxQty = Math.max(maxQty, Math.abs(t.qty));
  const entries: Record<string, unknown>[] = [];
  const exits: Record<string, unknown>[] = [];
  for (let n = 0; n < trades.length; n++) {
    const t = trades[n]!;
    const color = t.pnl > 0 ? COLORS.buy : COLORS.sell;
    const size = markerSize(t.qty, maxQty, trades.length);
    // What the entry's and the exit's tips share, formatted once.
    const lead = `${t.side} ${formatNumber(t.qty, t.qty % 1 === 0 ? 0 : 4)}`;
    const tail = `; P&L ${formatMoney(t.pnl)} (${t.strategyId})`;
    entries.push({
      value: [all.entryMsAt(drawn[n]!), t.entryPrice],
      symbol: t.side === 'long' ? UP_TRIANGLE : DOWN_TRIANGLE,
      symbolSize: size,
      itemStyle: { color },
      tip: `${lead} entered at ${formatNumber(t.entryPrice, 2)} on ${shortTime(t.entryTime)}${tail}`,
    });
    exits.push({
      value: [all.exitMsAt(drawn[n]!), t.exitPrice],
      symbolSize: size * 0.8,
      itemStyle: { color: '#fff', borderColor: color, borderWidth: trades.length > 200 ? 1 : 2 },
      tip: `${lead} exited at ${formatNumber(t.exitPrice, 2)} on ${shortTime(t.exitTime)}${tail}`,
    });
  }
  return [
    { name: 'Entries', type: 'scatter', data: entries, symbol: UP_TRIANGLE, z: 4, itemStyle: { color: COLORS.axis, opacity: 0.9, borderColor: '#fff', borderWidth: 0.5 } },
    { name: 'Exits', type: 'scatter', data: exits, symbol: 'circle', z: 4, itemStyle: { color: '#fff', borderColor: COLORS.axis, borderWidth: 2 } },
  ];
}

/** Fill markers of the fills `rows` of `all` (a symbol without closed round trips): up for buys, down for sells, sized by quantity. */
function fillMarkers(all: PageFills, rows: readonly number[]): Record<string, unknown>[] {
  const ts = all.column('ts');
  const qty = all.column('qty');
  const price = all.column('price');
  let maxQty = 0;
  for (const i of rows) maxQty = Math.max(maxQty, Math.abs(qty[i]!));
  const marker = (name: string, side: 'buy' | 'sell', color: string, shape: string) => ({
    name,
    type: 'scatter',
    symbol: shape,
    z: 4,
    itemStyle: { color, opacity: 0.85, borderColor: '#fff', borderWidth: 0.5 },
    data: everyKth(
      rows.filter((i) => all.sideAt(i) === side),
      MAX_MARKERS_PER_SYMBOL / 2,
    ).map((i) => {
      const q = qty[i]!;
      return { value: [ts[i]! / US_PER_MS, price[i]!], symbolSize: markerSize(q, maxQty, rows.length), tip: `${side} ${formatNumber(q, q % 1 === 0 ? 0 : 4)} at ${formatNumber(price[i]!, 2)} on ${shortTime(all.timeAt(i))}` };
    }),
  });
  return [marker('Buy', 'buy', COLORS.buy, UP_TRIANGLE), marker('Sell', 'sell', COLORS.sell, DOWN_TRIANGLE)];
}
