import { formatIsoUs } from '../../engine/core/index.js';
import { formatCount, formatDurationUs, formatMoney, formatNumber, formatPercent, shortTime } from '../../reports/html/format.js';
import { METRIC_ROWS, buyAndHoldCagr } from '../../reports/html/metric-rows.js';
import type { RunReport } from '../../reports/run-report.js';
import { bookRuinLine, reportAccounts, reportRuin, ruinLine } from '../../reports/account-view.js';

/**
 * The metrics table `tapedeck run` prints: every metric of report.metrics (the report page's rows,
 * METRIC_ROWS, plus the period, the equity peak, the annualization and the drawdown durations), grouped
 * as backtesting.py's stats read, labels left and values right-aligned. A metric that is undefined for
 * the run (null, NaN) reads `-`. Colour (dim labels, bold group titles, green/red signed returns) only
 * when asked; the plain text is the same either way.
 */

/** What a null or non-finite metric reads as in the terminal table. */
export const NO_VALUE = '-';

/** Whether to colour output written to `stream`: a terminal, and NO_COLOR not set to a non-empty value (no-color.org). */
export function wantsColor(stream: { readonly isTTY?: boolean }, env: Readonly<Record<string, string | undefined>> = process.env): boolean {
  return stream.isTTY === true && (env.NO_COLOR === undefined || env.NO_COLOR === '');
}

/** One row: its label, its text, and the number whose sign colours it (absent: not coloured). */
interface Cell {
  readonly label: string;
  readonly text: string;
  readonly signed?: number | null;
}

/** A row beyond METRIC_ROWS: a metric the report page shows elsewhere, or one the table derives from the report. */
interface ExtraRow {
  readonly label: string;
  /** The number behind the row (its sign colours it; null or non-finite reads `-`). */
  readonly value: (report: RunReport) => number | null;
  readonly format: (v: number, report: RunReport) => string;
}

const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;

/**
 * What the period replayed: `N equity samples` (one per timestamp; the metrics' `bars`) and the data rows
 * behind them (`B bars`, `Q quotes`, `T trade prints`, the nonzero ones): a run over 3 symbols' daily bars
 * has 3 bars per sample.
 */
function replayed(report: RunReport): string {
  const c = report.counts as RunReport['counts'] | undefined;
  const samples = `${report.metrics.bars} equity samples`;
  if (c === undefined) return samples;
  const rows = [c.bars > 0 ? `${c.bars} bars` : null, c.quotes > 0 ? `${c.quotes} quotes` : null, c.trades > 0 ? `${c.trades} trade prints` : null].filter((x) => x !== null);
  return rows.length > 0 ? `${samples} of ${rows.join(', ')}` : samples;
}

const time = (ts: number): string => shortTime(formatIsoUs(ts));

/** The highest equity sample: report.equity keeps every bucket's highest sample, so its maximum is the run's. */
function equityPeak(report: RunReport): number | null {
  let peak = Number.NEGATIVE_INFINITY;
  for (const p of report.equity) if (p.equity > peak) peak = p.equity;
  return report.equity.length > 0 ? peak : null;
}

const EXTRA_ROWS: Readonly<Record<string, ExtraRow>> = {
  startTs: { label: 'Start', value: (r) => r.metrics.startTs, format: time },
  endTs: { label: 'End', value: (r) => r.metrics.endTs, format: time },
  duration: { label: 'Duration', value: (r) => r.metrics.endTs - r.metrics.startTs, format: formatDurationUs },
  bars: { label: 'Equity samples', value: (r) => r.metrics.bars, format: formatCount },
  equityPeak: { label: 'Equity peak', value: equityPeak, format: (v) => formatMoney(v) },
  buyAndHoldCagr: { label: 'Buy & hold CAGR', value: (r) => buyAndHoldCagr(r.metrics), format: (v) => formatPercent(v) },
  periodsPerYear: { label: 'Periods per year', value: (r) => r.metrics.periodsPerYear, format: (v) => formatNumber(v, v % 1 === 0 ? 0 : 2) },
  annualization: { label: 'Annualization', value: (r) => r.metrics.periodsPerYear, format: (_v, r) => r.metrics.annualization ?? NO_VALUE },
  riskFreeRate: { label: 'Risk-free rate', value: (r) => r.metrics.riskFreeRate, format: (v) => formatPercent(v) },
  maxDrawdownDurationBars: { label: 'Max drawdown duration (bars)', value: (r) => r.metrics.maxDrawdownDurationBars, format: formatCount },
  averageDrawdownDurationUs: { label: 'Average drawdown duration', value: (r) => r.metrics.averageDrawdownDurationUs, format: formatDurationUs },
};

/**
 * The table's groups in reading order, by the key of a METRIC_ROWS row or of an extra row; a METRIC_ROWS
 * row none of them names is shown under `Other`. Every metric of report.metrics but `ruinedAt` (the ruin
 * line) has a row.
 */
export const TABLE_GROUPS: readonly { readonly title: string; readonly keys: readonly string[] }[] = [
  { title: 'Period', keys: ['startTs', 'endTs', 'duration', 'bars', 'exposureTime'] },
  { title: 'Returns', keys: ['finalEquity', 'equityPeak', 'totalReturn', 'buyAndHoldReturn', 'cagr', 'buyAndHoldCagr', 'annualizedVolatility'] },
  { title: 'Risk-adjusted', keys: ['sharpe', 'sortino', 'calmar', 'periodsPerYear', 'annualization', 'riskFreeRate'] },
  { title: 'Drawdowns', keys: ['maxDrawdown', 'averageDrawdown', 'maxDrawdownDurationUs', 'maxDrawdownDurationBars', 'averageDrawdownDurationUs', 'drawdownEpisodes'] },
  { title: 'Trades', keys: ['tradeCount', 'winRate', 'bestTrade', 'worstTrade', 'averageTrade', 'averageWinningTrade', 'averageLosingTrade', 'profitFactor', 'expectancy', 'sqn', 'kelly'] },
  { title: 'Costs and turnover', keys: ['totalCommissions', 'tradedNotional', 'turnover', 'annualTurnover'] },
];

/** The rows coloured by their sign: returns and the ratios built on them. */
const SIGNED = new Set(['totalReturn', 'buyAndHoldReturn', 'cagr', 'buyAndHoldCagr', 'sharpe', 'sortino', 'calmar', 'bestTrade', 'worstTrade', 'averageTrade', 'expectancy', 'sqn']);

const defined = (v: number | null): v is number => v !== null && Number.isFinite(v);

function cellOf(key: string, report: RunReport): Cell | null {
  const extra = EXTRA_ROWS[key];
  const row = extra === undefined ? METRIC_ROWS.find((r) => r.key === key) : undefined;
  if (extra === undefined && row === undefined) return null;
  const v = extra !== undefined ? extra.value(report) : row!.value(report.metrics);
  const text = !defined(v) ? NO_VALUE : extra !== undefined ? extra.format(v, report) : row!.format(report.metrics);
  const label = extra?.label ?? row!.label;
  return SIGNED.has(key) ? { label, text, signed: v } : { label, text };
}

const paint = (on: boolean, open: string, close: string) => (s: string) => (on ? `\x1b[${open}m${s}\x1b[${close}m` : s);

/**
 * A run's summary for stdout: the scenario and what was replayed, a ruined run's
 * `account ruined at <ISO time> (equity <x>)`, the metrics table, with per-strategy accounts a line per
 * account (initial cash, final equity, return, max drawdown) and `account <id> ruined at ...` for a
 * ruined one, then the runHash and the report's path. `color`: ANSI colours (see wantsColor).
 */
export function summarize(report: RunReport, outFile: string, opts: { readonly color?: boolean } = {}): string {
  const color = opts.color === true;
  const dim = paint(color, '2', '22');
  const bold = paint(color, '1', '22');
  const green = paint(color, '32', '39');
  const red = paint(color, '31', '39');
  const named = new Set(TABLE_GROUPS.flatMap((g) => g.keys));
  const others = METRIC_ROWS.filter((r) => !named.has(r.key)).map((r) => r.key);
  const groups = [...TABLE_GROUPS, ...(others.length > 0 ? [{ title: 'Other', keys: others }] : [])]
    .map((g) => ({ title: g.title, cells: g.keys.map((k) => cellOf(k, report)).filter((c): c is Cell => c !== null) }))
    .filter((g) => g.cells.length > 0);
  const cells = groups.flatMap((g) => g.cells);
  const labelWidth = Math.max(...cells.map((c) => c.label.length));
  const valueWidth = Math.max(...cells.map((c) => c.text.length));
  // `label  value` lines around the table start their values in the table's value column.
  const info = (label: string, value: string): string => `${dim(label.padEnd(labelWidth + 2))}  ${value}`;
  const ruin = reportRuin(report);
  const lines = [info('scenario', `${(report.scenario as { name: string }).name} (seed ${report.seed})`), info('data', replayed(report))];
  if (ruin !== null) lines.push(red(ruinLine(ruin)));
  lines.push('');
  for (const g of groups) {
    lines.push(bold(g.title));
    for (const c of g.cells) {
      const text = c.text.padStart(valueWidth);
      const value = c.signed === undefined || !defined(c.signed) || c.signed === 0 ? text : c.signed > 0 ? green(text) : red(text);
      lines.push(`  ${dim(c.label.padEnd(labelWidth))}  ${value}`);
    }
  }
  lines.push('');
  // Each strategy's own account (books): what it started and ended with, then a ruined one's line.
  for (const a of reportAccounts(report)) {
    lines.push(`account ${a.id}  ${a.initialCash.toFixed(2)} -> ${a.finalEquity.toFixed(2)}   return ${pct(a.totalReturn)}   max drawdown ${pct(a.maxDrawdown)}`);
    const line = bookRuinLine(a);
    if (line !== null) lines.push(red(line));
  }
  lines.push(info('runHash', report.runHash), info('report', outFile));
  return lines.join('\n');
}
