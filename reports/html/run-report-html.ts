import { accountSeries, bookRuinLine, reportAccounts, reportRuin, ruinLine } from '../account-view.js';
import type { RunReport } from '../run-report.js';
import { cumulativePnlSteps, strategyAttribution } from './attribution.js';
import { COLORS, SLIDER_ROOM, fmt, prefetchEchartsLibrary, renderChart, renderChartPieces, seriesColor, timeAxis, timeTooltip, timeZoom, valueAxis } from './chart.js';
import { MAX_CHART_POINTS, downsamplePairs, everyKth, lttbMeansX } from './downsample.js';
import { ensembleViews } from './ensemble-views.js';
import { escapeHtml } from './escape.js';
import { formatCount, formatDurationUs, formatMoney, formatNumber, formatPercent, shortTime } from './format.js';
import { METRIC_ROWS, buyAndHoldCagr } from './metric-rows.js';
import { monthlyReturns, yearlyReturns } from './monthly-returns.js';
import type { MonthlyReturn } from './monthly-returns.js';
import { isEmptyHtml, renderPage, renderPagePieces, section, sectionPieces, signClass } from './page.js';
import { exitMs, pageTrades } from './page-records.js';
import type { TradeNumber } from './page-records.js';
import { PAGE_ROWS, recordTablePieces } from './record-table.js';
import type { RecordColumn } from './record-table.js';
import type { Html, NavLink, PageContent } from './page.js';
import { pricePanes } from './price-pane.js';
import { ROLLING_SHARPE_WINDOW, rollingSharpe } from './rolling-sharpe.js';
import { compactValue, scenarioInfo } from './scenario-info.js';
import { distributionSection, drawdownsSection, reportTearSheet, rollingSection, statsSection, yearlySection } from './tear-sheet-html.js';

/** The width in pixels the layout of multi-pane charts is computed for; a chart takes its column's width in the page. */
export const CHART_WIDTH = 1100;
export { MAX_MARKERS_PER_SYMBOL } from './price-pane.js';
/** The zoom group of the run report's time charts: zooming one zooms them all. */
const GROUP = 'run';

const US_PER_MS = 1000;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * Returns report.html for a run: one self-contained HTML document (inline CSS, the ECharts library
 * inlined once, each chart's option as JSON drawn in the browser with zoom, pan, tooltips and legend
 * toggles, the time charts zooming together; no network, opens from file://). Results come first: the
 * headline numbers, equity and drawdown (linear or log) against buy and hold, the metrics; then the
 * account, the price pane of each symbol (candles or closes, volume, indicators, trade markers),
 * exposure, the tear sheet (worst drawdowns, monthly and yearly returns, return distribution, rolling
 * statistics, trade statistics, alpha and beta; the parts report.tearSheet has), ensemble weights,
 * per-strategy attribution, the trade list and the audit trail; the data, configuration, assumptions
 * and scenario last, collapsed. Long series are downsampled for drawing (LTTB, at most MAX_CHART_POINTS
 * points per series); the numbers in tables are never downsampled. The same report gives the same bytes.
 */
export function renderRunReportHtml(report: RunReport): string {
  const { sections, page } = runReportPage(report);
  return renderPage(page(sections.map((render) => render())));
}

/**
 * The page of {@link renderRunReportHtml} as pieces to write one after the other (see renderPagePieces): the
 * same bytes. The event loop runs between sections, so that work waiting on it (the run's tables being handed
 * to DuckDB, run-outputs.ts) goes on while the page renders rather than after.
 */
export async function renderRunReportPieces(report: RunReport): Promise<(string | Uint8Array)[]> {
  // The ECharts library the page inlines is read while the sections render (a page with charts: two equity samples).
  const library = report.equity.length >= 2 ? prefetchEchartsLibrary() : undefined;
  const { sections, page } = runReportPage(report);
  const html: Html[] = [];
  for (const render of sections) {
    html.push(render());
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  await library;
  return renderPagePieces(page(html));
}

/** The page's sections, each rendered when called (in order), and the page around them once rendered. */
function runReportPage(report: RunReport): { readonly sections: readonly (() => Html)[]; readonly page: (sections: readonly Html[]) => PageContent } {
  const info = scenarioInfo(report.scenario);
  const tradedBy = new Set<string>();
  const trades = pageTrades(report);
  for (let i = 0; i < trades.length; i++) tradedBy.add(trades.strategyIdAt(i));
  const strategyIds = info.strategies.length > 0 ? info.strategies.map((s) => s.id) : [...tradedBy];
  const multiStrategy = new Set([...strategyIds, ...tradedBy]).size > 1;
  const account = accountSection(report);
  const books = accountsSection(report);
  const ruin = reportRuin(report);

  // The equity's months, for the monthly table and (without a tear sheet's years) the yearly bars: reckoned once.
  let months: readonly MonthlyReturn[] | undefined;
  const equityMonths = (): readonly MonthlyReturn[] => (months ??= report.equity.length < 2 ? [] : monthlyReturns(report.equity.map((p) => p.ts), report.equity.map((p) => p.equity)));
  const tear = reportTearSheet(report);
  const tearRolling: Html = tear ? rollingSection(tear, runRange(report), GROUP, CHART_WIDTH) : '';
  const parts: [NavLink | null, () => Html][] = [
    [{ id: 'summary', label: 'Summary' }, () => summarySection(report)],
    [{ id: 'equity', label: 'Equity & drawdown' }, () => equitySection(report)],
    [{ id: 'metrics', label: 'Metrics' }, () => metricsSection(report)],
    [{ id: 'accounts', label: 'Accounts' }, () => books],
    [{ id: 'account', label: 'Buying power & margin' }, () => account],
    [{ id: 'prices', label: 'Prices & trades' }, () => pricesSection(report)],
    [{ id: 'exposure', label: 'Exposure' }, () => exposureSection(report)],
    [{ id: 'drawdowns', label: 'Worst drawdowns' }, () => tear ? drawdownsSection(tear) : ''],
    [{ id: 'monthly', label: 'Monthly & yearly' }, () => monthlySection(report, equityMonths())],
    [null, () => yearlySection(tear, yearlyReturns(equityMonths()), CHART_WIDTH)],
    [{ id: 'distribution', label: 'Distribution' }, () => tear ? distributionSection(tear, CHART_WIDTH) : ''],
    !isEmptyHtml(tearRolling) ? [{ id: 'rolling', label: 'Rolling statistics' }, () => tearRolling] : [{ id: 'rolling-sharpe', label: 'Rolling Sharpe' }, () => rollingSharpeSection(report)],
    [{ id: 'statistics', label: 'Trade statistics' }, () => tear ? statsSection(tear) : ''],
    [{ id: 'ensemble', label: 'Ensemble weights' }, () => report.ensemble ? ensembleSection(report, strategyIds) : ''],
    [{ id: 'attribution', label: 'Attribution' }, () => multiStrategy ? attributionSection(report, strategyIds) : ''],
    [{ id: 'trades', label: 'Trades' }, () => tradesSection(report)],
    [{ id: 'audit', label: 'Audit trail' }, () => auditSection(report)],
    [{ id: 'run', label: 'Setup' }, () => runSection(report)],
  ];
  const period = report.equity.length > 0 ? `${shortTime(report.equity[0]!.time)} to ${shortTime(report.equity.at(-1)!.time)}` : 'no bars';
  const header = `<div class="kicker">Tapedeck run report</div>
<h1>${escapeHtml(info.name)}</h1>
${info.description ? `<p class="desc">${escapeHtml(info.description)}</p>` : ''}
<div class="hash">seed <code>${report.seed}</code> &middot; runHash <code>${escapeHtml(report.runHash)}</code> &middot; ${escapeHtml(period)} &middot; ${formatCount(report.metrics.bars)} bars</div>${
    ruin !== null ? `\n<div class="alert" role="alert">${escapeHtml(ruinLine(ruin))}: equity reached zero or below and trading ended</div>` : ''
  }`;
  return {
    sections: parts.map(([, render]) => render),
    page: (html) => ({
      title: `${info.name} - Tapedeck run report`,
      header,
      nav: parts.filter(([n], k) => n !== null && !isEmptyHtml(html[k]!)).map(([n]) => n!),
      body: html.flat(),
      footer: `${escapeHtml(report.generator)} report.json schemaVersion ${report.schemaVersion} &middot; formulas in reports/METRICS.md`,
    }),
  };
}

/**
 * Columns of the equity samples that several sections draw (times in milliseconds, equity), made once per
 * report: a page's sections would otherwise each map the same ~7,000 samples again (the equity, account,
 * exposure and rolling-Sharpe charts), while that code still runs cold (every number a fresh heap number).
 * The arrays are shared: no caller may change them.
 */
const equityColumnsMade = new WeakMap<readonly unknown[], { ms?: readonly number[]; equity?: readonly number[] }>();
function equityColumns(eq: RunReport['equity']): { ms?: readonly number[]; equity?: readonly number[] } {
  let c = equityColumnsMade.get(eq);
  if (c === undefined) {
    c = {};
    equityColumnsMade.set(eq, c);
  }
  return c;
}
/** The equity samples' times in milliseconds (shared, see {@link equityColumns}). */
function equityMs(eq: RunReport['equity']): readonly number[] {
  const c = equityColumns(eq);
  if (c.ms === undefined) {
    c.ms = eq.map((p) => p.ts / US_PER_MS);
    msMeansX.set(c.ms, null);
  }
  return c.ms;
}
/** The LTTB bucket means (lttbMeansX) of each array of times {@link equityMs} made, once the first series over it is drawn. */
const msMeansX = new WeakMap<readonly number[], Float64Array | null>();
/** downsamplePairs of y over x; over an {@link equityMs} array, with its bucket means computed once for every series drawn over it. */
function pairsOver(x: readonly number[], y: readonly number[]): [number, number][] {
  if (!msMeansX.has(x)) return downsamplePairs(x, y);
  let means = msMeansX.get(x)!;
  if (means === null) {
    means = lttbMeansX(x, MAX_CHART_POINTS);
    msMeansX.set(x, means);
  }
  return downsamplePairs(x, y, MAX_CHART_POINTS, means);
}
/** The equity samples' equity (shared, see {@link equityColumns}). */
function equityValues(eq: RunReport['equity']): readonly number[] {
  const c = equityColumns(eq);
  return (c.equity ??= eq.map((p) => p.equity));
}

/** The run's first and last equity time in milliseconds, so every time axis of the page spans the same period. */
function runRange(report: RunReport): [number, number] | undefined {
  const eq = report.equity;
  if (eq.length < 2) return undefined;
  return [eq[0]!.ts / US_PER_MS, eq.at(-1)!.ts / US_PER_MS];
}

function kpi(label: string, value: string, cls = '', sub = ''): string {
  return `<div class="kpi"><div class="l">${escapeHtml(label)}</div><div class="v ${cls}">${escapeHtml(value)}</div>${sub ? `<div class="s">${escapeHtml(sub)}</div>` : ''}</div>`;
}

/** The headline numbers, first on the page. */
function summarySection(report: RunReport): string {
  const m = report.metrics;
  const bhCagr = buyAndHoldCagr(m);
  return `<section id="summary" class="summary"><div class="kpis">
${kpi('Total return', formatPercent(m.totalReturn), signClass(m.totalReturn), `buy & hold ${formatPercent(m.buyAndHoldReturn)}`)}
${kpi('CAGR', formatPercent(m.cagr), signClass(m.cagr), `buy & hold ${formatPercent(bhCagr)}`)}
${kpi('Sharpe', formatNumber(m.sharpe), signClass(m.sharpe), `Sortino ${formatNumber(m.sortino)}`)}
${kpi('Max drawdown', formatPercent(m.maxDrawdown), m.maxDrawdown > 0 ? 'neg' : '', `lasted ${formatDurationUs(m.maxDrawdownDurationUs)}`)}
${kpi('Trades', formatCount(m.tradeCount), '', `win rate ${formatPercent(m.winRate)}`)}
${kpi('Final equity', formatMoney(m.finalEquity, 0), '', `commissions ${formatMoney(m.totalCommissions, 0)}`)}
</div></section>
`;
}

function metricsSection(report: RunReport): string {
  const m = report.metrics;
  const bhCagr = buyAndHoldCagr(m);
  const benchmark: Record<string, string> = { totalReturn: formatPercent(m.buyAndHoldReturn), cagr: formatPercent(bhCagr) };
  const rows = METRIC_ROWS.filter((r) => r.key !== 'buyAndHoldReturn').map((r) => {
    const v = r.value(m);
    const signed = r.key === 'totalReturn' || r.key === 'cagr' || r.key === 'sharpe' ? signClass(v) : '';
    return `<tr><td>${escapeHtml(r.label)}</td><td class="num ${signed}">${escapeHtml(r.format(m))}</td><td class="num muted">${escapeHtml(benchmark[r.key] ?? '')}</td></tr>`;
  });
  const half = Math.ceil(rows.length / 2);
  const table = (part: string[]) =>
    `<table class="metrics"><thead><tr><th>Metric</th><th class="num">Strategy</th><th class="num">Buy &amp; hold</th></tr></thead><tbody>${part.join('')}</tbody></table>`;
  const annual =
    m.periodsPerYear === null ? 'no annualization (a single bar and no bar interval)' : `annualized with ${formatNumber(m.periodsPerYear, m.periodsPerYear % 1 === 0 ? 0 : 2)} periods per year (${m.annualization})`;
  return section(
    'metrics',
    'Performance',
    `<div class="cols">${table(rows.slice(0, half))}${table(rows.slice(half))}</div>
<p class="note">Buy &amp; hold: an equal-weight buy of every replayed symbol at its first price, held to its last. Ratios are ${escapeHtml(annual)}, risk-free rate ${formatPercent(m.riskFreeRate)}; n/a marks a metric that is undefined for this run.</p>`,
  );
}

/** Equal-weight buy-and-hold equity at the given times from the report's close prices (last price at or before each time). */
function buyAndHoldCurve(report: RunReport, tsUs: readonly number[], initial: number): number[] | null {
  const prices = report.prices;
  if (!prices) return null;
  const series = Object.values(prices).filter((p) => p.ts.length > 0 && p.ts.length === p.close.length && p.close[0]! > 0);
  if (series.length === 0) return null;
  const pointers = series.map(() => 0);
  return tsUs.map((t) => {
    let sum = 0;
    series.forEach((p, k) => {
      let j = pointers[k]!;
      while (j + 1 < p.ts.length && p.ts[j + 1]! <= t) j++;
      pointers[k] = j;
      sum += p.close[j]! / p.close[0]!;
    });
    return (initial * sum) / series.length;
  });
}

function equitySection(report: RunReport): Html {
  const eq = report.equity;
  if (eq.length < 2) return section('equity', 'Equity and drawdown', '<p class="note">Fewer than two equity samples: nothing to draw.</p>');
  const x = equityMs(eq);
  const equity = pairsOver(x, equityValues(eq));
  const dd = pairsOver(x, eq.map((p) => -p.drawdown));
  const bh = buyAndHoldCurve(report, equity.map(([t]) => t * US_PER_MS), eq[0]!.equity);
  const series: Record<string, unknown>[] = [
    {
      name: 'Equity',
      type: 'line',
      data: equity,
      showSymbol: false,
      lineStyle: { width: 1.6, color: COLORS.equity },
      itemStyle: { color: COLORS.equity },
      areaStyle: { color: COLORS.equity, opacity: 0.06 },
      markLine: { silent: true, symbol: 'none', lineStyle: { color: COLORS.axis, type: 'dashed', width: 1 }, label: { show: false }, data: [{ yAxis: eq[0]!.equity }] },
    },
    {
      name: 'Drawdown',
      type: 'line',
      xAxisIndex: 1,
      yAxisIndex: 1,
      data: dd,
      showSymbol: false,
      lineStyle: { width: 1, color: COLORS.drawdown },
      itemStyle: { color: COLORS.drawdown },
      areaStyle: { color: COLORS.drawdown, opacity: 0.25 },
    },
  ];
  if (bh) {
    series.splice(1, 0, {
      name: 'Buy & hold',
      type: 'line',
      data: equity.map(([t], i) => [t, bh[i]!]),
      showSymbol: false,
      lineStyle: { width: 1.2, color: COLORS.benchmark, type: 'dashed' },
      itemStyle: { color: COLORS.benchmark },
    });
  }
  const logOk = equity.every(([, v]) => v > 0) && (bh === null || bh.every((v) => v > 0));
  const chart = renderChartPieces(
    'equity-drawdown',
    {
      legend: { top: 0, left: 'center', itemWidth: 18, data: series.map((s) => s.name as string) },
      tooltip: timeTooltip({ Equity: ['amount', 0], 'Buy & hold': ['amount', 0], Drawdown: ['percent', 2] }),
      axisPointer: { link: [{ xAxisIndex: 'all' }] },
      grid: [
        { left: 78, right: 24, top: 30, height: 250 },
        { left: 78, right: 24, top: 318, height: 110 },
      ],
      xAxis: [timeAxis(0, false, runRange(report)), timeAxis(1, true, runRange(report))],
      yAxis: [valueAxis(fmt('compact'), 0, { name: 'equity', nameTextStyle: { color: COLORS.axis } }), valueAxis(fmt('percentAxis'), 1, { scale: false, max: 0, name: 'drawdown', nameTextStyle: { color: COLORS.axis } })],
      dataZoom: timeZoom([0, 1], true),
      series: series as never,
    },
    { width: CHART_WIDTH, height: 460 + SLIDER_ROOM },
    `Account equity (cash plus positions marked to market) and its drawdown below the running peak (the underwater curve)${bh ? '; dashed: equal-weight buy & hold from the close prices' : ''}. Drag to pan, Ctrl + wheel or the slider to zoom: every time chart of the page follows. ${downsampleNote(eq.length)}`,
    GROUP,
  );
  const tools = logOk ? '<div class="chart-tools">Equity scale <button type="button" class="toggle" data-log-chart="equity-drawdown" aria-pressed="false">log</button></div>' : '';
  const m = report.metrics;
  return sectionPieces('equity', 'Equity and drawdown', [
    tools,
    ...chart,
    `<p class="note">Max drawdown ${formatPercent(m.maxDrawdown)} lasting ${formatDurationUs(m.maxDrawdownDurationUs)} (${formatCount(m.maxDrawdownDurationBars)} bars); ${formatCount(m.drawdownEpisodes)} drawdown episodes averaging ${formatPercent(m.averageDrawdown)}.</p>`,
  ]);
}

/**
 * The strategies' own accounts (a run with books): one row per account with its starting cash, final
 * equity, return, max drawdown and ruin; '' for a run with one account.
 */
function accountsSection(report: RunReport): string {
  const accounts = reportAccounts(report);
  if (accounts.length === 0) return '';
  const rows = accounts.map(
    (a) =>
      `<tr><td>${escapeHtml(a.id)}</td><td class="num">${escapeHtml(formatMoney(a.initialCash, 0))}</td><td class="num">${escapeHtml(formatMoney(a.finalEquity, 0))}</td><td class="num ${signClass(a.totalReturn)}">${escapeHtml(formatPercent(a.totalReturn))}</td><td class="num">${escapeHtml(formatPercent(a.maxDrawdown))}</td><td>${a.ruinedAt === null ? '<span class="muted">never</span>' : escapeHtml(shortTime(a.ruinedAt))}</td></tr>`,
  );
  const ruined = accounts.map(bookRuinLine).filter((l): l is string => l !== null);
  return section(
    'accounts',
    'Accounts',
    `<table><thead><tr><th>Account</th><th class="num">Initial cash</th><th class="num">Final equity</th><th class="num">Return</th><th class="num">Max drawdown</th><th>Ruined at</th></tr></thead><tbody>${rows.join('')}</tbody></table>
<p class="note">Each strategy traded its own account (strategies[i].account) on the same data; the equity, metrics and charts above are the accounts summed.${ruined.length > 0 ? ` ${escapeHtml(ruined.join('; '))}: that account stopped trading, the others traded on.` : ''}</p>`,
  );
}

function downsampleNote(n: number): string {
  return n > MAX_CHART_POINTS ? `Drawn from ${formatCount(MAX_CHART_POINTS)} of ${formatCount(n)} samples chosen by largest-triangle-three-buckets downsampling.` : '';
}

/**
 * Buying power and initial margin in use over time, below the equity chart; '' when the report has no
 * account columns (written before accounts). A ruined run marks the ruin with a vertical line.
 */
function accountSection(report: RunReport): Html {
  const a = accountSeries(report);
  if (a === null || a.ts.length < 2) return '';
  // accountSeries keeps every sample's time (or returns null): the equity section's times.
  const x = a.ts.length === report.equity.length ? equityMs(report.equity) : a.ts.map((t) => t / US_PER_MS);
  const ruin = reportRuin(report);
  const ruinMs = ruin === null ? Number.NaN : Date.parse(ruin.time);
  const chart = renderChartPieces(
    'account',
    {
      legend: { top: 0, left: 'center', itemWidth: 18, data: ['Buying power', 'Margin in use'] },
      tooltip: timeTooltip({ 'Buying power': ['amount', 0], 'Margin in use': ['amount', 0] }),
      grid: { left: 78, right: 24, top: 30, bottom: 28 },
      xAxis: timeAxis(0, true, runRange(report)),
      yAxis: valueAxis(fmt('compact'), 0, { name: 'account currency', nameTextStyle: { color: COLORS.axis } }),
      dataZoom: timeZoom([0], false),
      series: [
        {
          name: 'Buying power',
          type: 'line',
          data: pairsOver(x, a.buyingPower),
          showSymbol: false,
          step: 'end',
          lineStyle: { width: 1.4, color: COLORS.buyingPower },
          itemStyle: { color: COLORS.buyingPower },
          ...(Number.isFinite(ruinMs)
            ? { markLine: { silent: true, symbol: 'none', lineStyle: { color: COLORS.drawdown, type: 'solid', width: 1.5 }, label: { formatter: 'ruined', position: 'insideEndTop', color: COLORS.drawdown }, data: [{ xAxis: ruinMs }] } }
            : {}),
        },
        stepArea('Margin in use', pairsOver(x, a.marginInUse), COLORS.margin, 0.15),
      ],
    },
    { width: CHART_WIDTH, height: 240 },
    `Buying power (cash account: the cash available; margin account: (equity - initial margin in use) / initial margin rate) and the initial margin in use at each equity sample. ${downsampleNote(a.ts.length)}`,
    GROUP,
  );
  const lastPower = a.buyingPower.at(-1)!;
  const peakMargin = a.marginInUse.reduce((m, v) => (v > m ? v : m), 0);
  const note = `Final buying power ${formatMoney(lastPower, 0)}; largest margin in use ${formatMoney(peakMargin, 0)}.${ruin !== null ? ` ${ruinLine(ruin)}.` : ''}`;
  return sectionPieces('account', 'Buying power and margin', [...chart, `<p class="note">${escapeHtml(note)}</p>`]);
}

function rollingSharpeSection(report: RunReport): string {
  const m = report.metrics;
  const w = ROLLING_SHARPE_WINDOW;
  const title = `Rolling Sharpe ratio (${w} bars)`;
  if (m.periodsPerYear === null) return section('rolling-sharpe', title, '<p class="note">No annualization for this run (a single bar), so no Sharpe ratio.</p>');
  const eq = report.equity;
  const values = rollingSharpe(
    equityValues(eq),
    m.periodsPerYear,
    w,
    m.riskFreeRate,
  );
  const ms = equityMs(eq);
  const xs: number[] = [];
  const ys: number[] = [];
  values.forEach((v, i) => {
    if (v !== null) {
      xs.push(ms[i]!);
      ys.push(v);
    }
  });
  if (xs.length < 2) return section('rolling-sharpe', title, `<p class="note">The run has ${formatCount(eq.length)} equity samples: too few for a ${w}-bar window.</p>`);
  const data = downsamplePairs(xs, ys);
  const lines: Record<string, unknown>[] = [{ yAxis: 0, lineStyle: { color: COLORS.axis, type: 'solid', width: 1 }, label: { show: false } }];
  if (m.sharpe !== null) lines.push({ yAxis: m.sharpe, lineStyle: { color: COLORS.sharpe, type: 'dashed', width: 1 }, label: { formatter: `whole run ${m.sharpe.toFixed(2)}`, color: COLORS.sharpe, position: 'insideStartTop' } });
  const chart = renderChart(
    'rolling-sharpe',
    {
      tooltip: timeTooltip({ 'Rolling Sharpe': ['fixed', 2] }),
      grid: { left: 78, right: 24, top: 16, bottom: 28 },
      xAxis: timeAxis(0, true, runRange(report)),
      yAxis: valueAxis(fmt('fixed', 1)),
      dataZoom: timeZoom([0], false),
      series: [
        {
          name: 'Rolling Sharpe',
          type: 'line',
          data,
          showSymbol: false,
          lineStyle: { width: 1.4, color: COLORS.sharpe },
          itemStyle: { color: COLORS.sharpe },
          markLine: { silent: true, symbol: 'none', data: lines as never },
        },
      ],
    },
    { width: CHART_WIDTH, height: 230 },
    `At each bar: mean(r - rf_p) / std(r) * sqrt(P) over the last ${w} per-bar returns r = E_t / E_(t-1) - 1 (sample std, P = ${formatNumber(m.periodsPerYear, 0)}), the whole-run Sharpe formula of METRICS.md on a trailing window; gaps where the window is flat. ${downsampleNote(xs.length)}`,
    GROUP,
  );
  return section('rolling-sharpe', title, chart);
}

/** Returns a background colour for a monthly return: green above 0, red below, intensity by size (full at `scale`). */
function heatColor(v: number | null, scale: number): string {
  if (v === null) return '#f3f4f6';
  const s = Math.min(Math.abs(v) / scale, 1);
  const [r, g, b] = v >= 0 ? [22, 163, 74] : [220, 38, 38];
  const mix = (c: number) => Math.round(255 + (c - 255) * s * 0.85);
  return `rgb(${mix(r)},${mix(g)},${mix(b)})`;
}

function monthlySection(report: RunReport, months: readonly MonthlyReturn[]): string {
  if (report.equity.length < 2) return section('monthly', 'Monthly returns', '<p class="note">Fewer than two equity samples.</p>');
  const years = yearlyReturns(months);
  const byKey = new Map<string, MonthlyReturn>(months.map((m) => [`${m.year}-${m.month}`, m]));
  let scale = 0;
  for (const m of months) if (m.value !== null) scale = Math.max(scale, Math.abs(m.value));
  scale = scale > 0 ? scale : 1;
  const rows = years.map((y) => {
    const cells = MONTHS.map((_, i) => {
      const m = byKey.get(`${y.year}-${i + 1}`);
      if (!m) return '<td></td>';
      const dark = m.value !== null && Math.abs(m.value) / scale > 0.6;
      return `<td style="background:${heatColor(m.value, scale)}${dark ? ';color:#fff' : ''}" title="${MONTHS[i]} ${y.year}: ${formatPercent(m.value, 2)}">${formatPercent(m.value, 1)}</td>`;
    });
    return `<tr><td>${y.year}</td>${cells.join('')}<td style="font-weight:650" class="${signClass(y.value)}">${formatPercent(y.value, 1)}</td></tr>`;
  });
  const head = `<tr><th>Year</th>${MONTHS.map((m) => `<th>${m}</th>`).join('')}<th>Year</th></tr>`;
  return section(
    'monthly',
    'Monthly returns',
    `<table class="heat"><thead>${head}</thead><tbody>${rows.join('')}</tbody></table>
<p class="note">Each UTC calendar month's last equity over the previous month's last (the first month from the start of the run); years compound their months. Colour intensity is relative to the largest monthly move, ${formatPercent(scale, 1)}.</p>`,
  );
}

function pricesSection(report: RunReport): Html {
  const charts = pricePanes(report, runRange(report), GROUP, CHART_WIDTH);
  if (charts.length === 0) return section('prices', 'Prices and trades', '<p class="note">No fills and no price series in this report.</p>');
  const note = report.prices
    ? ''
    : '<p class="note">This report.json has no <code>prices</code> section, so the markers stand alone at their prices; a runner that records close prices gets the price line drawn under them.</p>';
  return sectionPieces('prices', 'Prices and trades', [...charts.flat(), note]);
}

/** A stepped line series with a shaded area below it (exposure, margin in use). */
function stepArea(name: string, data: readonly (readonly [number, number])[], color: string, opacity: number): Record<string, unknown> {
  return { name, type: 'line', data, showSymbol: false, step: 'end', lineStyle: { width: 1.2, color }, itemStyle: { color }, areaStyle: { color, opacity } };
}

function exposureSection(report: RunReport): string {
  const eq = report.equity.filter((p) => p.equity > 0);
  if (eq.length < 2) return section('exposure', 'Exposure', '<p class="note">Fewer than two equity samples with positive equity.</p>');
  const data = pairsOver(
    // Every sample kept (equity positive throughout, the usual run): the equity section's times.
    eq.length === report.equity.length ? equityMs(report.equity) : eq.map((p) => p.ts / US_PER_MS),
    eq.map((p) => p.grossExposure / p.equity),
  );
  const chart = renderChart(
    'exposure',
    {
      tooltip: timeTooltip({ 'Gross exposure': ['percent', 1] }),
      grid: { left: 78, right: 24, top: 16, bottom: 28 },
      xAxis: timeAxis(0, true, runRange(report)),
      yAxis: valueAxis(fmt('percentAxis'), 0, { scale: false, min: 0 }),
      dataZoom: timeZoom([0], false),
      series: [
        stepArea('Gross exposure', data, COLORS.exposure, 0.18),
      ],
    },
    { width: CHART_WIDTH, height: 200 },
    `Gross exposure: the sum of absolute position notionals over equity. ${downsampleNote(eq.length)}`,
    GROUP,
  );
  return section('exposure', 'Exposure', `${chart}<p class="note">Exposed (non-zero position) ${formatPercent(report.metrics.exposureTime, 1)} of the bars.</p>`);
}

function attributionSection(report: RunReport, strategyIds: readonly string[]): string {
  const all = pageTrades(report);
  const trades = Array.from({ length: all.length }, (_, i) => all.attributedAt(i));
  const rows = strategyAttribution(trades, strategyIds);
  const table = `<table class="sortable"><thead><tr><th>Strategy</th><th class="num" data-type="num">Trades</th><th class="num" data-type="num">Realized PnL</th><th class="num" data-type="num">Commissions</th><th class="num" data-type="num">Win rate</th><th class="num" data-type="num">Share of |PnL|</th></tr></thead><tbody>${rows
    .map(
      (r) =>
        `<tr><td>${escapeHtml(r.strategyId)}</td><td class="num" data-v="${r.trades}">${formatCount(r.trades)}</td><td class="num ${signClass(r.pnl)}" data-v="${r.pnl}">${formatMoney(r.pnl)}</td><td class="num" data-v="${r.commission}">${formatMoney(r.commission)}</td><td class="num" data-v="${r.winRate ?? ''}">${formatPercent(r.winRate, 1)}</td><td class="num" data-v="${r.shareOfAbsPnl ?? ''}">${formatPercent(r.shareOfAbsPnl, 1)}</td></tr>`,
    )
    .join('')}</tbody></table>`;
  const cumulative = cumulativePnlSteps(trades);
  const order = rows.map((r) => r.strategyId).filter((id) => cumulative.has(id));
  let chart = '';
  if (order.length > 0) {
    const start = report.equity[0]?.ts;
    chart = renderChart(
      'attribution',
      {
        legend: { type: 'scroll', top: 0, left: 'center', itemWidth: 18 },
        tooltip: timeTooltip(Object.fromEntries(order.map((id) => [id, ['amount', 0] as const]))),
        grid: { left: 78, right: 24, top: 30, bottom: 28 },
        xAxis: timeAxis(0, true, runRange(report)),
        yAxis: valueAxis(fmt('compact'), 0, { scale: false }),
        dataZoom: timeZoom([0], false),
        series: order.map((id) => {
          const steps = cumulative.get(id)!;
          const color = seriesColor(strategyIds.indexOf(id) >= 0 ? strategyIds.indexOf(id) : order.indexOf(id));
          const points = everyKth(steps, MAX_CHART_POINTS).map(([t, v]) => [exitMs(t), v]);
          if (start !== undefined) points.unshift([start / US_PER_MS, 0]);
          return { name: id, type: 'line', step: 'end', data: points, showSymbol: false, lineStyle: { width: 1.5, color }, itemStyle: { color } };
        }) as never,
      },
      { width: CHART_WIDTH, height: 260 },
      'Cumulative realized PnL per strategy at the exit of each round trip, net of commission; open positions are not included.',
      GROUP,
    );
  }
  return section('attribution', 'Per-strategy attribution', `${chart}${table}`);
}

/** Shading colours for market regimes (known names first; others take the palette, lightened by opacity). */
const REGIME_COLORS: Readonly<Record<string, string>> = { trending: '#2563eb', ranging: '#ca8a04', volatile: '#dc2626', mixed: '#6b7280', calm: '#16a34a' };

/** Returns "1 thing" or "2,000 things". */
function plural(n: number, noun: string): string {
  return `${formatCount(n)} ${noun}${n === 1 ? '' : 's'}`;
}

function ensembleSection(report: RunReport, strategyIds: readonly string[]): string {
  const e = report.ensemble!;
  const range = runRange(report);
  const parts: string[] = [];
  const snaps = e.weightsOverTime;
  if (snaps.length > 0 && range) {
    const ids = [...new Set([...strategyIds.filter((id) => snaps.some((w) => id in w.weights)), ...snaps.flatMap((w) => Object.keys(w.weights))])];
    // A snapshot before the first bar (the initial weights, stamped 0) holds from the start of the run.
    const at = (tsUs: number) => Math.min(Math.max(tsUs / US_PER_MS, range[0]), range[1]);
    const regimes = [...new Set(snaps.map((w) => w.regime))];
    const regimeColor = (r: string) => REGIME_COLORS[r] ?? seriesColor(regimes.indexOf(r) + 3);
    // Regimes are a strip above the stacked weights (the stack itself is opaque), from top to top + 8%.
    let top = 1;
    for (const w of snaps) top = Math.max(top, Object.values(w.weights).reduce((a, b) => a + Math.max(b, 0), 0));
    const strip = top * 0.08;
    const bands: unknown[] = [];
    for (let i = 0; i < snaps.length; i++) {
      const start = at(snaps[i]!.ts);
      let j = i;
      while (j + 1 < snaps.length && snaps[j + 1]!.regime === snaps[i]!.regime) j++;
      const end = j + 1 < snaps.length ? at(snaps[j + 1]!.ts) : range[1];
      if (end > start) bands.push([{ xAxis: start, yAxis: top + strip * 0.15, itemStyle: { color: regimeColor(snaps[i]!.regime), opacity: 0.55 } }, { xAxis: end, yAxis: top + strip }]);
      i = j;
    }
    const series = ids.map((id, k) => {
      const data: [number, number][] = snaps.map((w) => [at(w.ts), w.weights[id] ?? 0]);
      data.push([range[1], data.at(-1)![1]]);
      const color = seriesColor(strategyIds.indexOf(id) >= 0 ? strategyIds.indexOf(id) : k);
      return {
        name: id,
        type: 'line',
        stack: 'weights',
        step: 'end',
        data,
        showSymbol: false,
        lineStyle: { width: 0.6, color },
        itemStyle: { color },
        areaStyle: { color, opacity: 0.75 },
        ...(k === 0 && bands.length > 0 ? { markArea: { silent: true, data: bands } } : {}),
      };
    });
    parts.push(
      renderChart(
        'ensemble-weights',
        {
          legend: { type: 'scroll', top: 0, left: 'center', itemWidth: 14 },
          tooltip: timeTooltip(Object.fromEntries(ids.map((id) => [id, ['percent', 1] as const]))),
          grid: { left: 78, right: 24, top: 34, bottom: 28 },
          xAxis: timeAxis(0, true, range),
          yAxis: valueAxis(fmt('percentAxis'), 0, { scale: false, min: 0, max: top + strip, axisLabel: { color: COLORS.axis, formatter: fmt('percentAxis'), showMaxLabel: false } }),
          dataZoom: timeZoom([0], false),
          series: series as never,
        },
        { width: CHART_WIDTH, height: 280 },
        `Strategy weights (stacked), ${plural(snaps.length, 're-weighting')}; the strip along the top marks the regime in force.`,
        GROUP,
      ),
    );
    parts.push(
      `<p class="note">Regimes: ${regimes.map((r) => `<span class="pill" style="background:${regimeColor(r)}59;color:#1f2937">${escapeHtml(r)} (${plural(snaps.filter((w) => w.regime === r).length, 're-weighting')})</span>`).join(' ')}</p>`,
    );
  }
  if (e.strategies.length > 0) {
    const head =
      '<tr><th>Strategy</th><th>Status</th><th class="num" data-type="num">Final weight</th><th class="num" data-type="num">Return</th><th class="num" data-type="num">Sharpe</th><th class="num" data-type="num">Max drawdown</th><th class="num" data-type="num">Trades</th><th class="num" data-type="num">Win rate</th><th class="num" data-type="num">Profit factor</th></tr>';
    const rows = e.strategies.map(
      (s) =>
        `<tr><td>${escapeHtml(s.id)}</td><td><span class="pill">${escapeHtml(s.status)}</span></td><td class="num" data-v="${s.finalWeight}">${formatPercent(s.finalWeight, 1)}</td><td class="num ${signClass(s.return)}" data-v="${s.return}">${formatPercent(s.return)}</td><td class="num" data-v="${s.sharpe ?? ''}">${formatNumber(s.sharpe)}</td><td class="num" data-v="${s.maxDrawdown}">${formatPercent(s.maxDrawdown)}</td><td class="num" data-v="${s.trades}">${formatCount(s.trades)}</td><td class="num" data-v="${s.winRate ?? ''}">${formatPercent(s.winRate, 1)}</td><td class="num" data-v="${s.profitFactor ?? ''}">${formatNumber(s.profitFactor)}</td></tr>`,
    );
    const a = e.account;
    rows.push(
      `<tr><td><b>account</b></td><td></td><td class="num"></td><td class="num ${signClass(a.return)}" data-v="${a.return}"><b>${formatPercent(a.return)}</b></td><td class="num" data-v="${a.sharpe ?? ''}"><b>${formatNumber(a.sharpe)}</b></td><td class="num" data-v="${a.maxDrawdown}"><b>${formatPercent(a.maxDrawdown)}</b></td><td class="num"></td><td class="num"></td><td class="num"></td></tr>`,
    );
    parts.push(
      `<h3>Strategies on their shadow ledgers</h3><table class="sortable"><thead>${head}</thead><tbody>${rows.join('')}</tbody></table><p class="note">Each strategy measured on its own shadow ledger beside the account the ensemble traded (${escapeHtml(e.mode)} mode).</p>`,
    );
  }
  parts.push(ensembleViews(report, strategyIds, range, GROUP, CHART_WIDTH));
  return section('ensemble', 'Ensemble weights and strategies', parts.join('') || '<p class="note">The ensemble recorded no weights.</p>');
}

function tradesSection(report: RunReport): Html {
  const trades = pageTrades(report);
  if (trades.length === 0) return section('trades', 'Trades', '<p class="note">No closed round trips.</p>');
  const n = trades.length;
  const head =
    '<tr><th class="num" data-type="num">#</th><th>Symbol</th><th>Strategy</th><th>Side</th><th class="num" data-type="num">Qty</th><th>Entry</th><th class="num" data-type="num">Entry price</th><th>Exit</th><th class="num" data-type="num">Exit price</th><th class="num" data-type="num">PnL</th><th class="num" data-type="num">Return</th><th class="num" data-type="num">Commission</th></tr>';
  // Times as numbers when every one is a whole number of microseconds that formatIsoUs writes as the report does
  // (always, for a run's own records), else as the report's text.
  let exact = true;
  for (let i = 0; i < n && exact; i++) exact = Number.isSafeInteger(trades.timeUsAt(i, 0)) && Number.isSafeInteger(trades.timeUsAt(i, 1));
  const time = (member: 0 | 1): RecordColumn =>
    exact ? { f: 'time', seq: 0, member } : { f: 'iso', at: (i) => (member === 0 ? trades.tradeAt(i).entryTime : trades.tradeAt(i).exitTime) };
  const number = (field: TradeNumber, f: 'qty' | 'price' | 'money' | 'pct', sign = false): RecordColumn => {
    return { f, values: trades.column(field), sign };
  };
  const table = recordTablePieces({
    id: 'trade-table',
    head,
    rows: n,
    columns: [
      { f: 'idx' },
      { f: 'text', at: (i) => trades.symbolAt(i) },
      { f: 'text', at: (i) => trades.strategyIdAt(i) },
      { f: 'pill', at: (i) => trades.sideAt(i) },
      number('qty', 'qty'),
      time(0),
      // A reversal's entry price is the exit price before it (column 8): only the others are written.
      { f: 'price', values: trades.column('entryPrice'), after: 8 },
      time(1),
      number('exitPrice', 'price'),
      number('pnl', 'money', true),
      number('returnPct', 'pct', true),
      number('commission', 'money'),
    ],
    seqs: exact ? [{ width: 2, at: (i, m) => trades.timeUsAt(i, m as 0 | 1) }] : [],
    noscript: `The trade list is drawn by the page's script, which is off: report.json and trades.parquet have all ${formatCount(n)} round trips.`,
  });
  table.push(`<p class="note">Closed round trips in exit order, ${formatCount(PAGE_ROWS)} a page; PnL is net of commission. Click a column header to sort all ${formatCount(n)}.</p>`);
  return sectionPieces('trades', `Trades (${formatCount(n)})`, table);
}

/**
 * `make` that keeps its last argument and answer (a value equal to the last one, as ===, is made once): what a
 * cell of a value gives depends on the value alone (a number and its text: -0 and 0 read the same).
 */
function lastMade<T>(make: (value: T) => string): (value: T) => string {
  let last: T | undefined;
  let made: string | undefined;
  return (value) => {
    if (made === undefined || value !== last) {
      last = value;
      made = make(value);
    }
    return made;
  };
}

/** escapeHtml that keeps its last text and answer (for a column whose rows repeat a few values). */
function lastEscaped(): (text: string) => string {
  let last: string | undefined;
  let html = '';
  return (text) => {
    if (text !== last) {
      last = text;
      html = escapeHtml(text);
    }
    return html;
  };
}

function auditSection(report: RunReport): Html {
  const audit = report.audit;
  if (audit.length === 0) {
    return section(
      'audit',
      'Audit trail',
      '<p>No audit entries: no order was denied by risk or rejected by the venue, no trading halt, and no weight change or strategy retirement was recorded during this run.</p>',
    );
  }
  const kinds = new Map<string, number>();
  for (const a of audit) kinds.set(a.kind, (kinds.get(a.kind) ?? 0) + 1);
  const summary = [...kinds].map(([k, n]) => `<span class="pill">${escapeHtml(k)} &times; ${formatCount(n)}</span>`).join(' ');
  const table = recordTablePieces({
    id: 'audit-table',
    head: '<tr><th>Time</th><th>Kind</th><th>Strategy</th><th>Symbol</th><th>Order</th><th>Message</th></tr>',
    rows: audit.length,
    columns: [
      { f: 'iso', at: (i) => audit[i]!.time, cls: 'mono' },
      { f: 'text', at: (i) => audit[i]!.kind },
      { f: 'text', at: (i) => audit[i]!.strategyId ?? '' },
      { f: 'text', at: (i) => audit[i]!.symbol ?? '' },
      { f: 'text', at: (i) => audit[i]!.orderId ?? '' },
      { f: 'text', at: (i) => audit[i]!.message, extra: (i) => (audit[i]!.details ? compactValue(audit[i]!.details) : '') },
    ],
    noscript: `The audit trail is drawn by the page's script, which is off: report.json and audit.parquet have all ${formatCount(audit.length)} entries.`,
  });
  return sectionPieces('audit', `Audit trail (${formatCount(audit.length)})`, [`<p>${summary}</p>`, ...table]);
}

function rowsSummary(rows: Readonly<Record<string, unknown>>): string {
  return Object.entries(rows)
    .map(([kind, v]) => {
      if (typeof v === 'number') return `${kind}: ${formatCount(v)}`;
      if (v !== null && typeof v === 'object') {
        const parts = Object.entries(v as Record<string, unknown>).map(([s, n]) => `${s} ${typeof n === 'number' ? formatCount(n) : compactValue(n, false)}`);
        return `${kind}: ${parts.join(', ')}`;
      }
      return `${kind}: ${String(v)}`;
    })
    .join('; ');
}

function runSection(report: RunReport): string {
  const info = scenarioInfo(report.scenario);
  const d = report.data;
  const c = report.counts;
  const fact = (k: string, v: string) => `<dt>${escapeHtml(k)}</dt><dd>${v}</dd>`;
  const positions = Object.entries(report.positions)
    .map(([s, q]) => `${s} ${formatNumber(q, q % 1 === 0 ? 0 : 4)}`)
    .join(', ');
  const facts = `<dl class="facts">
${fact('Scenario', escapeHtml(info.name))}
${fact('Seed', `<code>${report.seed}</code>`)}
${fact('runHash', `<code>${escapeHtml(report.runHash)}</code>`)}
${info.initialCash !== null ? fact('Initial cash', formatMoney(info.initialCash)) : ''}
${fact('Data source', `<code>${escapeHtml(d.source)}</code>`)}
${fact('Content hash', d.contentHash ? `<code>${escapeHtml(d.contentHash)}</code>` : 'n/a')}
${fact('Data range', `${escapeHtml(d.start ?? 'n/a')} to ${escapeHtml(d.end ?? 'n/a')}`)}
${fact('Bar interval', escapeHtml(d.barInterval ?? 'n/a'))}
${fact('Symbols', escapeHtml(d.symbols.join(', ')))}
${fact('Kinds in the dataset', escapeHtml(d.kinds.join(', ')))}
${fact('Rows in the dataset', escapeHtml(rowsSummary(d.rows)))}
${fact('Replayed', `${formatCount(c.bars)} bars, ${formatCount(c.quotes)} quotes, ${formatCount(c.trades)} trades`)}
${fact('Orders / fills / signals', `${formatCount(c.orders)} / ${formatCount(c.fills)} / ${formatCount(report.signals.count)}`)}
${fact('Final positions', escapeHtml(positions || 'flat'))}
</dl>`;
  const strategies =
    info.strategies.length > 0
      ? `<h3>Strategies</h3><table><thead><tr><th>Id</th><th>Type</th><th>Symbols</th><th>Parameters</th></tr></thead><tbody>${info.strategies
          .map(
            (s) =>
              `<tr><td>${escapeHtml(s.id)}</td><td><code>${escapeHtml(s.type)}</code></td><td>${escapeHtml(s.symbols ? s.symbols.join(', ') : 'all')}</td><td class="mono">${escapeHtml(compactValue(s.params))}</td></tr>`,
          )
          .join('')}</tbody></table>`
      : '';
  const config = [info.venue ? `<dt>Venue</dt><dd class="mono">${escapeHtml(compactValue(info.venue))}</dd>` : '', info.risk ? `<dt>Risk limits</dt><dd class="mono">${escapeHtml(compactValue(info.risk))}</dd>` : '']
    .filter((x) => x)
    .join('');
  const assumptions = report.assumptions.length > 0 ? `<ol class="assumptions">${report.assumptions.map((a) => `<li>${escapeHtml(a)}</li>`).join('')}</ol>` : '<p class="note">The run listed no assumptions.</p>';
  return `<section id="run"><details class="setup"><summary>Data, configuration and assumptions</summary><div class="cols"><div>${facts}</div><div>${config ? `<dl class="facts">${config}</dl>` : ''}</div></div>
${strategies}
<h3>Assumptions in force (${report.assumptions.length})</h3>${assumptions}
<h3>Scenario as run</h3><details><summary>Show the scenario JSON</summary><pre>${escapeHtml(JSON.stringify(report.scenario, null, 2))}</pre></details></details></section>
`;
}
