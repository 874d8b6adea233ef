import type { RunReport } from '../run-report.js';
import { COLORS, SLIDER_ROOM, fmt, renderChart, seriesColor, timeAxis, timeTooltip, timeZoom, valueAxis } from './chart.js';
import { downsamplePairs } from './downsample.js';
import { escapeHtml } from './escape.js';
import { formatCount, shortTime } from './format.js';
import { METRIC_ROWS } from './metric-rows.js';
import { renderPage, section } from './page.js';
import { CHART_WIDTH } from './run-report-html.js';
import { scenarioInfo } from './scenario-info.js';

/** One run of a comparison: a label to show, where its report came from, and the report. */
export interface ComparedRun {
  readonly label: string;
  readonly source: string;
  readonly report: RunReport;
}

const US_PER_MS = 1000;

/**
 * Returns a distinct label per run: the scenario name, followed by the last component of its source
 * path when two runs share a name, and by its position when even that is shared.
 */
export function comparisonLabels(runs: readonly { readonly source: string; readonly report: RunReport }[]): string[] {
  const names = runs.map((r) => scenarioInfo(r.report.scenario).name);
  const withDir = names.map((n, i) => {
    if (names.filter((x) => x === n).length === 1) return n;
    const parts = runs[i]!.source.split(/[\\/]+/).filter((p) => p !== '' && p !== '.');
    const last = parts.at(-1) === 'report.json' ? parts.at(-2) : parts.at(-1);
    return last ? `${n} (${last})` : n;
  });
  return withDir.map((l, i) => (withDir.filter((x) => x === l).length === 1 ? l : `${l} #${i + 1}`));
}

/**
 * Returns a self-contained comparison page for two or more runs: what each run was, every metric side
 * by side (the best value of a metric with a direction in bold), equity curves overlaid and normalized to
 * 1.0 at each run's start, and the drawdowns overlaid.
 */
export function renderComparisonHtml(runs: readonly ComparedRun[]): string {
  const runsTable = `<table><thead><tr><th>Run</th><th>Scenario</th><th class="num">Seed</th><th>runHash</th><th>Period</th><th class="num">Bars</th><th>Report</th></tr></thead><tbody>${runs
    .map((r, i) => {
      const eq = r.report.equity;
      const period = eq.length > 0 ? `${shortTime(eq[0]!.time)} to ${shortTime(eq.at(-1)!.time)}` : 'no bars';
      return `<tr><td><span style="display:inline-block;width:10px;height:10px;border-radius:2px;background:${seriesColor(i)};margin-right:6px"></span>${escapeHtml(r.label)}</td><td>${escapeHtml(scenarioInfo(r.report.scenario).name)}</td><td class="num">${r.report.seed}</td><td><code title="${escapeHtml(r.report.runHash)}">${escapeHtml(r.report.runHash.slice(0, 16))}</code></td><td>${escapeHtml(period)}</td><td class="num">${formatCount(r.report.metrics.bars)}</td><td class="mono">${escapeHtml(r.source)}</td></tr>`;
    })
    .join('')}</tbody></table>`;

  const metricRows = METRIC_ROWS.map((row) => {
    const values = runs.map((r) => row.value(r.report.metrics));
    let best: number | null = null;
    if (row.better) {
      for (const v of values) if (v !== null && (best === null || (row.better === 'higher' ? v > best : v < best))) best = v;
    }
    const distinct = new Set(values.filter((v) => v !== null)).size > 1;
    const cells = runs.map((r, i) => {
      const v = values[i]!;
      const cls = distinct && best !== null && v === best ? ' best' : '';
      return `<td class="num${cls}" data-v="${v ?? ''}">${escapeHtml(row.format(r.report.metrics))}</td>`;
    });
    return `<tr><td>${escapeHtml(row.label)}</td>${cells.join('')}</tr>`;
  });
  const metricsTable = `<table class="metrics"><thead><tr><th>Metric</th>${runs.map((r) => `<th class="num">${escapeHtml(r.label)}</th>`).join('')}</tr></thead><tbody>${metricRows.join('')}</tbody></table>
<p class="note">Bold: the best run on a metric with a direction (higher return and Sharpe, lower drawdown, volatility and commissions). Formulas in reports/METRICS.md; n/a marks a metric undefined for that run.</p>`;

  const drawable = runs.map((r, i) => ({ r, i })).filter(({ r }) => r.report.equity.length >= 2 && r.report.equity[0]!.equity > 0);
  let charts = '<p class="note">No run has two or more equity samples: nothing to draw.</p>';
  if (drawable.length > 0) {
    const line = (name: string, data: [number, number][], i: number) => ({ name, type: 'line', data, showSymbol: false, lineStyle: { width: 1.5, color: seriesColor(i) }, itemStyle: { color: seriesColor(i) } });
    const equitySeries = drawable.map(({ r, i }) => {
      const eq = r.report.equity;
      const base = eq[0]!.equity;
      return line(
        r.label,
        downsamplePairs(
          eq.map((p) => p.ts / US_PER_MS),
          eq.map((p) => p.equity / base),
        ),
        i,
      );
    });
    const ddSeries = drawable.map(({ r, i }) => {
      const eq = r.report.equity;
      return {
        ...line(
          r.label,
          downsamplePairs(
            eq.map((p) => p.ts / US_PER_MS),
            eq.map((p) => -p.drawdown),
          ),
          i,
        ),
        areaStyle: { color: seriesColor(i), opacity: 0.08 },
      };
    });
    charts =
      renderChart(
        'compare-equity',
        {
          // One scrolling row however many runs and however long their labels (a wrapped legend ran into itself).
          legend: { type: 'scroll', top: 0, left: 24, right: 24, itemWidth: 18 },
          tooltip: timeTooltip(Object.fromEntries(drawable.map(({ r }) => [r.label, ['fixed', 3] as const]))),
          grid: { left: 70, right: 24, top: 34, bottom: 28 + SLIDER_ROOM },
          xAxis: timeAxis(),
          yAxis: valueAxis(fmt('compact')),
          dataZoom: timeZoom([0], true),
          series: equitySeries.map((s, k) =>
            k === 0 ? { ...s, markLine: { silent: true, symbol: 'none', lineStyle: { color: COLORS.axis, type: 'dashed', width: 1 }, label: { show: false }, data: [{ yAxis: 1 }] } } : s,
          ) as never,
        },
        { width: CHART_WIDTH, height: 360 + SLIDER_ROOM },
        'Equity of each run divided by its first value (1.0 = the starting capital). Drag to pan, Ctrl + wheel or the slider to zoom; click a legend entry to hide or show a run.',
        'compare',
      ) +
      renderChart(
        'compare-drawdown',
        {
          legend: { type: 'scroll', top: 0, left: 24, right: 24, itemWidth: 18 },
          tooltip: timeTooltip(Object.fromEntries(drawable.map(({ r }) => [r.label, ['percent', 2] as const]))),
          grid: { left: 70, right: 24, top: 34, bottom: 28 },
          xAxis: timeAxis(),
          yAxis: valueAxis(fmt('percentAxis'), 0, { scale: false, max: 0 }),
          dataZoom: timeZoom([0], false),
          series: ddSeries as never,
        },
        { width: CHART_WIDTH, height: 230 },
        'Drawdown of each run below its running peak.',
        'compare',
      );
  }
  const header = `<div class="kicker">Tapedeck comparison</div><h1>${runs.length} runs side by side</h1><p class="desc">${runs.map((r) => escapeHtml(r.label)).join(' &middot; ')}</p>`;
  return renderPage({
    title: `Comparison: ${runs.map((r) => r.label).join(', ')} - Tapedeck`,
    header,
    nav: [
      { id: 'runs', label: 'Runs' },
      { id: 'metrics', label: 'Metrics' },
      { id: 'equity', label: 'Equity & drawdown' },
    ],
    body: [section('runs', 'Runs', runsTable), section('metrics', 'Metrics', metricsTable), section('equity', 'Equity (normalized) and drawdown', charts)].join(''),
    footer: 'tapedeck compare',
  });
}
