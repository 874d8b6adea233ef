import type { RunReport } from '../run-report.js';
import { COLORS, fmt, itemTooltip, renderChart, renderChartPieces, timeAxis, timeTooltip, timeZoom, valueAxis } from './chart.js';
import { downsamplePairs } from './downsample.js';
import { escapeHtml } from './escape.js';
import { formatCount, formatNumber, formatPercent, shortTime } from './format.js';
import type { YearlyReturn } from './monthly-returns.js';
import { section, sectionPieces, signClass } from './page.js';
import type { Html } from './page.js';
import { toMs } from './price-pane.js';

// The tear sheet's views drawn from report.tearSheet (computed by reports/tearsheet.ts). The section is
// read defensively: a field that is absent or not of the expected shape leaves its view out, so a
// report written before the tear sheet (or by another version) still renders.

type Num = number | null;
type Obj = Record<string, unknown>;

function obj(v: unknown): Obj | null {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : null;
}
function num(v: unknown): Num {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
function nums(v: unknown): Num[] | null {
  return Array.isArray(v) ? v.map(num) : null;
}

/** A time of the tear sheet (ISO text, or microseconds / milliseconds since the epoch) as the report's short UTC text. */
export function whenText(v: unknown): string {
  if (typeof v === 'string') return shortTime(v);
  const n = num(v);
  return n === null ? '' : shortTime(new Date(toMs(n)).toISOString());
}

/** Returns report.tearSheet when it is an object, else null. */
export function reportTearSheet(report: RunReport): Obj | null {
  return obj((report as { tearSheet?: unknown }).tearSheet);
}

/** The worst drawdowns table (start, trough, end, depth, length, recovery); '' when absent. */
export function drawdownsSection(ts: Obj): string {
  const list = Array.isArray(ts.worstDrawdowns) ? ts.worstDrawdowns.map(obj).filter((d): d is Obj => d !== null) : null;
  if (list === null) return '';
  const body =
    list.length === 0
      ? '<p class="note">The equity never fell below a previous peak.</p>'
      : `<table id="worst-drawdowns"><thead><tr><th class="num">#</th><th>Started</th><th>Trough</th><th>Recovered</th><th class="num">Depth</th><th class="num">Length (days)</th><th class="num">Recovery (days)</th></tr></thead><tbody>${list
          .map(
            (d, i) =>
              `<tr><td class="num">${i + 1}</td><td>${escapeHtml(whenText(d.start))}</td><td>${escapeHtml(whenText(d.trough))}</td><td>${d.end === null || d.end === undefined ? '<span class="muted">not recovered</span>' : escapeHtml(whenText(d.end))}</td><td class="num neg">${formatPercent(num(d.depth))}</td><td class="num">${formatNumber(num(d.lengthDays), 1)}</td><td class="num">${d.recoveryDays === null || d.recoveryDays === undefined ? '<span class="muted">n/a</span>' : formatNumber(num(d.recoveryDays), 1)}</td></tr>`,
          )
          .join('')}</tbody></table>`;
  return section(
    'drawdowns',
    `Worst ${list.length === 0 ? '' : `${list.length} `}drawdowns`,
    `${body}<p class="note">Drawdown episodes from a peak of the equity to its lowest point (trough) and back to the peak, deepest first; depth below the peak; lengths in calendar days from the peak to the recovery (or to the end of the run).</p>`,
  );
}

/** Yearly returns as bars (beside buy and hold when the tear sheet has it): from report.tearSheet.yearly, else from the equity's months. */
export function yearlySection(ts: Obj | null, fallback: readonly YearlyReturn[], width: number): string {
  const rows = ts && Array.isArray(ts.yearly) ? ts.yearly.map(obj).filter((y): y is Obj => y !== null && num(y.year) !== null) : null;
  const years = rows ? rows.map((y) => String(y.year)) : fallback.map((y) => String(y.year));
  const strat = rows ? rows.map((y) => num(y.strategy ?? y.return)) : fallback.map((y) => y.value);
  const bench = rows && rows.some((y) => num(y.benchmark) !== null) ? rows.map((y) => num(y.benchmark)) : null;
  if (years.length === 0) return '';
  const bar = (name: string, values: Num[], color: string) => ({
    name,
    type: 'bar',
    barMaxWidth: 40,
    itemStyle: { color },
    data: values.map((v, i) => (v === null ? '-' : { value: v, tip: `${years[i]} ${name}: ${formatPercent(v, 1)}`, label: { formatter: formatPercent(v, 1) } })),
    label: { show: years.length <= 15, position: 'top', fontSize: 10, color: COLORS.axis },
  });
  const chart = renderChart(
    'yearly',
    {
      legend: { top: 0, left: 'center' },
      tooltip: itemTooltip(),
      grid: { left: 78, right: 24, top: 34, bottom: 28 },
      xAxis: { type: 'category', data: years, axisLabel: { color: COLORS.axis } },
      yAxis: valueAxis(fmt('percentAxis'), 0, { scale: false }),
      series: [bar('Strategy', strat, COLORS.equity), ...(bench ? [bar('Buy & hold', bench, COLORS.benchmark)] : [])],
    },
    { width, height: 240 },
    'Return of each calendar year (UTC); the first and last years are partial when the run starts or ends inside them.',
  );
  return section('yearly', 'Yearly returns', chart);
}

/** The normal density at x. */
function normalPdf(x: number, mean: number, std: number): number {
  const z = (x - mean) / std;
  return Math.exp(-0.5 * z * z) / (std * Math.sqrt(2 * Math.PI));
}

/** The return distribution: histogram of per-period returns with the fitted normal's expected counts, and its statistics; '' when absent. */
export function distributionSection(ts: Obj, width: number): string {
  const d = obj(ts.distribution);
  if (d === null) return '';
  const binList = Array.isArray(d.histogram) ? d.histogram : d.bins;
  const bins = Array.isArray(binList) ? binList.map(obj).filter((b): b is Obj => b !== null && num(b.from) !== null && num(b.to) !== null && num(b.count) !== null) : [];
  const periods = num(d.periods);
  const normal = obj(d.normal);
  const nMean = normal ? num(normal.mean) : null;
  const nStd = normal ? num(normal.std) : null;
  let chart = '';
  if (bins.length > 0) {
    const centers = bins.map((b) => ((b.from as number) + (b.to as number)) / 2);
    const series: Record<string, unknown>[] = [
      {
        name: 'Periods',
        type: 'bar',
        barCategoryGap: '8%',
        itemStyle: { color: COLORS.equity, opacity: 0.75 },
        data: bins.map((b, i) => ({ value: b.count, tip: `${formatPercent(b.from as number, 2)} to ${formatPercent(b.to as number, 2)}: ${formatCount(b.count as number)} periods`, name: String(i) })),
      },
    ];
    if (nMean !== null && nStd !== null && nStd > 0 && periods !== null) {
      series.push({
        name: 'Normal',
        type: 'line',
        smooth: true,
        showSymbol: false,
        lineStyle: { color: COLORS.drawdown, width: 1.5 },
        itemStyle: { color: COLORS.drawdown },
        data: bins.map((b, i) => ({ value: periods * ((b.to as number) - (b.from as number)) * normalPdf(centers[i]!, nMean, nStd), tip: `normal with the same mean and std: ${formatNumber(periods * ((b.to as number) - (b.from as number)) * normalPdf(centers[i]!, nMean, nStd), 1)} periods expected` })),
      });
    }
    chart = renderChart(
      'distribution',
      {
        legend: { top: 0, left: 'center' },
        tooltip: itemTooltip(),
        grid: { left: 60, right: 24, top: 34, bottom: 40 },
        xAxis: { type: 'category', data: centers.map((c) => formatPercent(c, 2)), axisLabel: { color: COLORS.axis, hideOverlap: true }, name: 'return per period', nameLocation: 'middle', nameGap: 26 },
        yAxis: valueAxis(fmt('compact'), 0, { scale: false, name: 'periods', nameTextStyle: { color: COLORS.axis } }),
        series,
      },
      { width, height: 260 },
      `Per-period returns in ${formatCount(bins.length)} bins; red: the counts a normal distribution with the same mean and standard deviation would give.`,
    );
  }
  const stat = (label: string, v: string) => `<tr><td>${escapeHtml(label)}</td><td class="num">${escapeHtml(v)}</td></tr>`;
  const table = `<table class="metrics" id="distribution-stats"><tbody>${[
    stat('Periods', formatCount(periods)),
    stat('Mean', formatPercent(num(d.mean), 3)),
    stat('Standard deviation', formatPercent(num(d.std), 3)),
    stat('Skew', formatNumber(num(d.skew), 3)),
    stat('Excess kurtosis', formatNumber(num(d.kurtosis), 3)),
    stat('Worst period', formatPercent(num(d.min), 2)),
    stat('Best period', formatPercent(num(d.max), 2)),
    stat('Value at risk (95%)', formatPercent(num(d.var95), 2)),
    stat('Expected shortfall (95%)', formatPercent(num(d.cvar95), 2)),
  ].join('')}</tbody></table>`;
  return section('distribution', 'Return distribution', `<div class="cols wide-left"><div>${chart}</div><div>${table}</div></div>`);
}

/** Rolling Sharpe, volatility and beta in three linked panes from report.tearSheet.rolling; '' when absent. */
export function rollingSection(ts: Obj, range: [number, number] | undefined, group: string, width: number): Html {
  const r = obj(ts.rolling);
  if (r === null || !Array.isArray(r.ts)) return '';
  const x = (r.ts as unknown[]).map((t) => toMs(Number(t)));
  const panes = (
    [
      ['Sharpe', nums(r.sharpe), COLORS.sharpe, fmt('fixed', 1), ['fixed', 2]],
      ['Volatility', nums(r.volatility), COLORS.exposure, fmt('percentAxis'), ['percent', 1]],
      ['Beta', nums(r.beta), COLORS.margin, fmt('fixed', 2), ['fixed', 2]],
    ] as const
  ).filter(([, v]) => v !== null && v.length === x.length && v.some((y) => y !== null));
  if (panes.length === 0) return '';
  const h = 110;
  const gap = 26;
  const grids = panes.map((_, i) => ({ left: 78, right: 24, top: 30 + i * (h + gap), height: h }));
  const series = panes.map(([name, values, color], i) => {
    const xs: number[] = [];
    const ys: number[] = [];
    values!.forEach((v, j) => {
      if (v !== null) {
        xs.push(x[j]!);
        ys.push(v);
      }
    });
    return { name, type: 'line', xAxisIndex: i, yAxisIndex: i, data: downsamplePairs(xs, ys), showSymbol: false, lineStyle: { width: 1.3, color }, itemStyle: { color } };
  });
  const chart = renderChartPieces(
    'rolling',
    {
      legend: { top: 0, left: 'center' },
      tooltip: timeTooltip(Object.fromEntries(panes.map(([name, , , , f]) => [name, f]))),
      axisPointer: { link: [{ xAxisIndex: 'all' }] },
      grid: grids,
      xAxis: panes.map((_, i) => timeAxis(i, i === panes.length - 1, range)),
      yAxis: panes.map(([name, , , axisFmt], i) => valueAxis(axisFmt, i, { name, nameLocation: 'middle', nameRotate: 90, nameGap: 54, nameTextStyle: { color: COLORS.axis }, splitNumber: 3 })),
      dataZoom: timeZoom(
        panes.map((_, i) => i),
        false,
      ),
      series,
    },
    { width, height: 30 + panes.length * (h + gap) + 20 },
    `Over a trailing window of ${formatCount(num(r.window))} periods: annualized Sharpe ratio, annualized volatility, and beta against equal-weight buy and hold; gaps where the window is not yet full.`,
    group,
  );
  return sectionPieces('rolling', `Rolling statistics (${formatCount(num(r.window))} periods)`, chart);
}

/** Humanizes a camelCase key ("avgHoldingDays" -> "Avg holding days"). */
function keyLabel(key: string): string {
  const s = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** A statistic by its key's name: rates and returns as percentages, durations in microseconds as durations, counts whole. */
function statText(key: string, v: unknown): string {
  const n = num(v);
  if (n === null) return typeof v === 'string' ? v : 'n/a';
  if (/(rate|return|pct|percent|ratio)$/i.test(key) && !/sharpe|sortino|information|profit|payoff/i.test(key)) return formatPercent(n, 2);
  if (/count|trades$|^n[A-Z]/.test(key)) return formatCount(n);
  return formatNumber(n, 2);
}

/** Trade statistics and alpha/beta against buy and hold, side by side; '' when both are absent. */
export function statsSection(ts: Obj): string {
  const trade = obj(ts.tradeStats);
  const bench = ts.benchmark === null ? null : obj(ts.benchmark);
  if (trade === null && bench === null && ts.benchmark !== null) return '';
  // One level of nesting is flattened: tradeStats.winners.meanDays is the row 'winners mean days'.
  const flat = (o: Obj): [string, unknown][] =>
    Object.entries(o).flatMap(([k, v]): [string, unknown][] => (v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.entries(v as Obj).map(([k2, v2]): [string, unknown] => [`${k} ${k2}`, v2]) : [[k, v]]));
  const rows = (o: Obj) =>
    flat(o)
      // MAE/MFE are shown when the run recorded them, not as n/a rows.
      .filter(([k, v]) => !(v === null && /^(mae|mfe)$/i.test(k)))
      .filter(([, v]) => v === null || typeof v === 'number' || typeof v === 'string')
      .map(([k, v]) => `<tr><td>${escapeHtml(keyLabel(k))}</td><td class="num ${k === 'alpha' ? signClass(num(v)) : ''}">${escapeHtml(statText(k, v))}</td></tr>`)
      .join('');
  const benchRows: [string, string, string][] = [
    ['alpha', 'Alpha (annualized)', formatPercent(bench ? num(bench.alpha) : null, 2)],
    ['beta', 'Beta', formatNumber(bench ? num(bench.beta) : null, 3)],
    ['correlation', 'Correlation', formatNumber(bench ? num(bench.correlation) : null, 3)],
    ['rSquared', 'R squared', formatNumber(bench ? num(bench.rSquared) : null, 3)],
    ['trackingError', 'Tracking error (annualized)', formatPercent(bench ? num(bench.trackingError) : null, 2)],
    ['informationRatio', 'Information ratio', formatNumber(bench ? num(bench.informationRatio) : null, 3)],
  ];
  const benchTable = bench
    ? `<h3>Against buy and hold</h3><table class="metrics" id="benchmark-stats"><tbody>${benchRows.map(([k, l, v]) => `<tr><td>${l}</td><td class="num ${k === 'alpha' ? signClass(num(bench[k])) : ''}">${escapeHtml(v)}</td></tr>`).join('')}</tbody></table>`
    : '<h3>Against buy and hold</h3><p class="note">No buy-and-hold benchmark for this run (no close prices recorded).</p>';
  const tradeTable = trade ? `<h3>Trades</h3><table class="metrics" id="trade-stats"><tbody>${rows(trade)}</tbody></table>` : '';
  return section('statistics', 'Trade statistics, alpha and beta', `<div class="cols"><div>${tradeTable}</div><div>${benchTable}</div></div>`);
}
