/**
 * Seed 002's ensemble views in the run report, each drawn only when report.ensemble holds its data:
 * the performance decomposition per strategy (closed trades, per symbol, and alpha/beta/selection/timing of
 * its returns), regime effectiveness per strategy, signal quality over time, each strategy's status over
 * time (from the audited status changes) and the monitor's alerts.
 */
import type { RunReport } from '../run-report.js';
import { COLORS, fmt, itemTooltip, renderChart, seriesColor, timeAxis, timeTooltip, timeZoom, valueAxis } from './chart.js';
import { escapeHtml } from './escape.js';
import { formatCount, formatMoney, formatNumber, formatPercent, shortTime } from './format.js';
import { signClass } from './page.js';
import { PAGE_ROWS, recordTablePieces } from './record-table.js';

type Ensemble = NonNullable<RunReport['ensemble']>;
type Stats = Ensemble['decomposition']['byStrategy'][string];
type AuditEntry = Ensemble['audit'][number];
type Attribution = NonNullable<NonNullable<Ensemble['attribution']>['account']>;

const US_PER_MS = 1000;
export const STATUS_COLORS: Readonly<Record<string, string>> = { ACTIVE: '#16a34a', DEGRADED: '#f59e0b', SUSPENDED: '#f97316', RETIRED: '#6b7280' };

/** A P&L cell shaded by its sign and its size relative to the largest |P&L| of its table; `extra` goes under the amount. */
function pnlCell(pnl: number, scale: number, extra = '', attrs = ''): string {
  const alpha = scale > 0 ? Math.min(Math.abs(pnl) / scale, 1) * 0.45 : 0;
  const bg = pnl > 0 ? `rgba(22,163,74,${alpha.toFixed(3)})` : pnl < 0 ? `rgba(220,38,38,${alpha.toFixed(3)})` : 'transparent';
  return `<td class="num ${signClass(pnl)}" data-v="${pnl}"${attrs} style="background:${bg}">${formatMoney(pnl)}${extra}</td>`;
}

function statsCells(s: Stats): string {
  return `<td class="num" data-v="${s.trades}">${formatCount(s.trades)}</td><td class="num ${signClass(s.pnl)}" data-v="${s.pnl}">${formatMoney(s.pnl)}</td><td class="num" data-v="${s.winRate}">${formatPercent(s.winRate, 1)}</td><td class="num" data-v="${s.profitFactor ?? ''}">${formatNumber(s.profitFactor)}</td><td class="num ${signClass(s.expectancy)}" data-v="${s.expectancy}">${formatMoney(s.expectancy)}</td>`;
}

const STATS_HEAD =
  '<th class="num" data-type="num">Trades</th><th class="num" data-type="num">P&amp;L</th><th class="num" data-type="num">Win rate</th><th class="num" data-type="num">Profit factor</th><th class="num" data-type="num">Expectancy</th>';

/** Row ids in the order of `order` first, then any others in key order. */
function ordered(order: readonly string[], keys: Iterable<string>): string[] {
  const set = new Set(keys);
  return [...order.filter((id) => set.has(id)), ...[...set].filter((id) => !order.includes(id)).sort()];
}

function tCell(t: number | null): string {
  if (t === null) return '<td class="num muted" data-v="">-</td>';
  const strong = Math.abs(t) >= 2 ? ' style="font-weight:600"' : '';
  return `<td class="num"${strong} data-v="${t}">${formatNumber(t)}</td>`;
}

function pctCell(v: number | null): string {
  return v === null ? '<td class="num muted" data-v="">-</td>' : `<td class="num ${signClass(v)}" data-v="${v}">${formatPercent(v, 2)}</td>`;
}

function attributionRow(label: string, a: Attribution | null | undefined): string {
  if (a === null || a === undefined) return `<tr><td>${label}</td><td class="muted" colspan="10">too few samples or a flat benchmark</td></tr>`;
  return `<tr><td>${label}</td>${pctCell(a.meanReturn)}${pctCell(a.alpha)}<td class="num" data-v="${a.beta}">${formatNumber(a.beta)}</td>${tCell(a.alphaT)}${pctCell(a.selection)}${pctCell(a.market)}${pctCell(a.timing)}${tCell(a.selectionT)}${tCell(a.timingT)}<td class="num" data-v="${a.rSquared}">${formatNumber(a.rSquared)}</td></tr>`;
}

/**
 * Alpha, beta, selection, market and timing of each strategy's shadow-ledger returns (and the account's)
 * against buy and hold: report.ensemble.attribution (engine/ensemble/adaptive/return-attribution.ts).
 */
export function attributionView(e: Ensemble, ids: readonly string[]): string {
  const at = e.attribution;
  if (!at) return '';
  const rowIds = ordered(ids, Object.keys(at.byStrategy));
  const rows = rowIds.map((id) => attributionRow(escapeHtml(id), at.byStrategy[id])).join('') + attributionRow(`<strong>account (${escapeHtml(e.accountId)})</strong>`, at.account);
  const periods = at.account?.periods ?? Object.values(at.byStrategy).find((a) => a !== null)?.periods ?? 0;
  return `<h4>Alpha, beta, selection and timing</h4><table class="sortable" data-view="attribution"><thead><tr><th>Strategy</th><th class="num" data-type="num">Mean return</th><th class="num" data-type="num">Alpha</th><th class="num" data-type="num">Beta</th><th class="num" data-type="num">Alpha t</th><th class="num" data-type="num">Selection</th><th class="num" data-type="num">Market</th><th class="num" data-type="num">Timing</th><th class="num" data-type="num">Selection t</th><th class="num" data-type="num">Timing t</th><th class="num" data-type="num">R&sup2;</th></tr></thead><tbody>${rows}</tbody></table>
<p class="note">Each shadow ledger's returns per equity sample (${formatCount(periods)} periods) against the ${escapeHtml(at.benchmark)}, annualized, no risk-free rate. Alpha and beta: CAPM regression r = a + &beta; b. Selection + market + timing = mean return, from the Treynor-Mazuy regression r = s + m b + g b&sup2;: selection is s (return independent of the market), market is m &times; mean(b) (exposure), timing is g &times; mean(b&sup2;) (more exposure before larger market moves when positive). t-statistics in bold when |t| &ge; 2; with overlapping signals and few independent periods they overstate significance.</p>`;
}

/** Closed shadow trades per strategy, and per strategy x symbol as a shaded P&L grid. */
export function decompositionView(e: Ensemble, order: readonly string[]): string {
  const by = e.decomposition.byStrategy;
  const ids = ordered(order, Object.keys(by));
  if (ids.length === 0) {
    const attribution = attributionView(e, order);
    return attribution === '' ? '' : `<h3>Performance decomposition</h3>${attribution}`;
  }
  const rows = ids.map((id) => `<tr><td>${escapeHtml(id)}</td>${statsCells(by[id]!)}</tr>`).join('');
  let html = `<h3>Performance decomposition</h3><table class="sortable" data-view="decomposition"><thead><tr><th>Strategy</th>${STATS_HEAD}</tr></thead><tbody>${rows}</tbody></table>
<p class="note">Closed shadow-ledger trades of each strategy.</p>${attributionView(e, ids)}`;
  const symRows = ordered(order, Object.keys(e.decomposition.bySymbol)).filter((id) => Object.keys(e.decomposition.bySymbol[id]!).length > 0);
  if (symRows.length > 0) {
    const symbols = [...new Set(symRows.flatMap((id) => Object.keys(e.decomposition.bySymbol[id]!)))].sort();
    const scale = Math.max(0, ...symRows.flatMap((id) => Object.values(e.decomposition.bySymbol[id]!).map((s) => Math.abs(s.pnl))));
    const body = symRows
      .map((id) => {
        const m = e.decomposition.bySymbol[id]!;
        return `<tr><td>${escapeHtml(id)}</td>${symbols.map((sym) => (m[sym] ? pnlCell(m[sym].pnl, scale) : '<td class="num muted">-</td>')).join('')}</tr>`;
      })
      .join('');
    html += `<h4>P&amp;L by strategy and symbol</h4><table class="sortable" data-view="by-symbol"><thead><tr><th>Strategy</th>${symbols.map((s) => `<th class="num" data-type="num">${escapeHtml(s)}</th>`).join('')}</tr></thead><tbody>${body}</tbody></table>
<p class="note">Shaded by sign and size; - marks a symbol the strategy closed no trade on.</p>`;
  }
  return html;
}

/** Regime effectiveness: each strategy's closed-trade P&L and win rate in each regime (the regime in force when the trade closed). */
export function regimeView(e: Ensemble, order: readonly string[]): string {
  const byRegime = e.decomposition.byRegime;
  const regimes = Object.keys(byRegime).filter((r) => Object.keys(byRegime[r]!).length > 0).sort();
  if (regimes.length === 0) return '';
  const ids = ordered(order, regimes.flatMap((r) => Object.keys(byRegime[r]!)));
  const scale = Math.max(0, ...regimes.flatMap((r) => Object.values(byRegime[r]!).map((s) => Math.abs(s.pnl))));
  const head = regimes.map((r) => `<th class="num" data-type="num">${escapeHtml(r)}</th>`).join('');
  const body = ids
    .map(
      (id) =>
        `<tr><td>${escapeHtml(id)}</td>${regimes
          .map((r) => {
            const s = byRegime[r]![id];
            return s
              ? pnlCell(s.pnl, scale, `<br><span class="muted">${formatPercent(s.winRate, 1)} won of ${formatCount(s.trades)}</span>`, ` data-win="${s.winRate}"`)
              : '<td class="num muted">-</td>';
          })
          .join('')}</tr>`,
    )
    .join('');
  return `<h3>Regime effectiveness</h3><table class="sortable" data-view="by-regime"><thead><tr><th>Strategy</th>${head}</tr></thead><tbody>${body}</tbody></table>
<p class="note">P&amp;L of each strategy's closed shadow-ledger trades by the regime classified when each closed, shaded by sign and size, with its win rate and trade count below; - marks no trade in that regime.</p>`;
}

/**
 * Signal quality over time: each strategy's mean quality score per time bucket (report.ensemble.signalQuality),
 * the filter's threshold as a line; the tooltip gives the signals scored and passed in the bucket.
 */
export function signalQualityView(e: Ensemble, order: readonly string[], range: readonly [number, number] | undefined, group: string, width: number): string {
  const sq = e.signalQuality;
  if (!sq || sq.buckets.length === 0) return '';
  const ids = ordered(order, new Set(sq.buckets.flatMap((b) => Object.keys(b.byStrategy))));
  if (ids.length === 0) return '';
  let signals = 0;
  let passed = 0;
  const series = ids.map((id, k) => ({
    name: id,
    type: 'line',
    showSymbol: false,
    connectNulls: false,
    lineStyle: { width: 1.5 },
    color: seriesColor(k),
    data: sq.buckets.map((b) => {
      const s = b.byStrategy[id];
      // Each bucket drawn at its midpoint; a bucket where the strategy scored nothing breaks its line.
      const t = (b.startTs + b.endTs) / 2 / US_PER_MS;
      if (!s) return [t, null];
      signals += s.signals;
      passed += s.passed;
      return [t, s.meanQuality];
    }),
    ...(k === 0 ? { markLine: { silent: true, symbol: 'none', lineStyle: { color: COLORS.axis, type: 'dashed' }, label: { position: 'insideEndTop', formatter: `threshold ${sq.threshold}`, color: COLORS.axis }, data: [{ yAxis: sq.threshold }] } } : {}),
  }));
  const passRate = signals > 0 ? passed / signals : 0;
  return `<h3>Signal quality over time</h3>${renderChart(
    'ensemble-signal-quality',
    {
      legend: { top: 0, left: 'center', type: 'scroll' },
      tooltip: timeTooltip(Object.fromEntries(ids.map((id) => [id, ['fixed', 3] as const]))),
      grid: { left: 60, right: 24, top: 34, bottom: 28 },
      xAxis: timeAxis(0, true, range),
      yAxis: valueAxis(fmt('fixed', 2), 0, { min: 0, max: 1, scale: false, name: 'mean quality', nameTextStyle: { color: COLORS.axis } }),
      dataZoom: timeZoom([0], false),
      series: series as never,
    },
    { width, height: 280 },
    `Mean quality score of each strategy's signals in ${formatCount(sq.buckets.length)} equal time buckets (the filter of ensemble.quality: confluence, regime alignment and the success of similar setups); signals under the dashed threshold are dropped. ${formatCount(signals)} signals scored, ${formatPercent(passRate, 1)} passed; a gap is a bucket where the strategy signalled nothing.`,
    group,
  )}`;
}

/** One status interval of a strategy, in milliseconds. */
export interface StatusSpan {
  readonly strategyId: string;
  readonly status: string;
  readonly start: number;
  readonly end: number;
}

/** The entries of the ensemble audit and the run's audit, each once, in time order. */
function allAudit(report: RunReport): AuditEntry[] {
  const seen = new Set<string>();
  const out: AuditEntry[] = [];
  for (const a of [...(report.ensemble?.audit ?? []), ...report.audit]) {
    const key = `${a.ts}\u0000${a.kind}\u0000${a.strategyId ?? ''}\u0000${a.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(a);
  }
  return out.sort((a, b) => a.ts - b.ts);
}

/**
 * Each strategy's status intervals over the run, from its audited 'strategy.status' changes (details.from/to):
 * the first change's `from` holds from the run's start. Strategies with no audited change are left out.
 */
export function statusSpans(report: RunReport, range: readonly [number, number]): StatusSpan[] {
  const changes = allAudit(report).filter((a) => a.kind === 'strategy.status' && a.strategyId !== undefined && typeof a.details?.to === 'string');
  const spans: StatusSpan[] = [];
  const ids = [...new Set(changes.map((a) => a.strategyId!))];
  const at = (tsUs: number) => Math.min(Math.max(tsUs / US_PER_MS, range[0]), range[1]);
  for (const id of ids) {
    const own = changes.filter((a) => a.strategyId === id);
    let status = typeof own[0]!.details!.from === 'string' ? (own[0]!.details!.from as string) : null;
    let start = range[0];
    for (const a of own) {
      const t = at(a.ts);
      if (status !== null && t > start) spans.push({ strategyId: id, status, start, end: t });
      status = a.details!.to as string;
      start = t;
    }
    if (status !== null && range[1] > start) spans.push({ strategyId: id, status, start, end: range[1] });
  }
  return spans;
}

/** The per-strategy status timeline: one row per strategy, coloured by status, on the run's time axis. */
export function statusView(report: RunReport, range: readonly [number, number] | undefined, group: string, width: number): string {
  if (!range) return '';
  const spans = statusSpans(report, range);
  if (spans.length === 0) return '';
  const ids = [...new Set(spans.map((s) => s.strategyId))];
  const statuses = [...new Set(spans.map((s) => s.status))];
  const day = (ms: number) => shortTime(new Date(ms).toISOString());
  // One thick line series per status (a legend entry each); a null point breaks the line between intervals.
  // Hovering an interval's end marks shows the strategy, its status and the interval.
  const series = statuses.map((st) => {
    const color = STATUS_COLORS[st] ?? COLORS.axis;
    const data: ({ value: [number, string]; tip: string } | null)[] = [];
    for (const s of spans.filter((x) => x.status === st)) {
      const tip = `${s.strategyId}: ${st} from ${day(s.start)} to ${day(s.end)}`;
      data.push({ value: [s.start, s.strategyId], tip }, { value: [s.end, s.strategyId], tip }, null);
    }
    return { name: st, type: 'line', data, connectNulls: false, showSymbol: true, symbol: 'rect', symbolSize: [3, 14], lineStyle: { width: 14, color, cap: 'butt' }, itemStyle: { color } };
  });
  const changes = spans.length - ids.length;
  return `<h3>Strategy status over time</h3>${renderChart(
    'ensemble-status',
    {
      legend: { top: 0, left: 'center' },
      tooltip: itemTooltip(),
      grid: { left: 120, right: 24, top: 30, bottom: 28 },
      xAxis: timeAxis(0, true, range),
      yAxis: { type: 'category', data: ids, inverse: true, axisLabel: { color: COLORS.axis } },
      dataZoom: timeZoom([0], false),
      series: series as never,
    },
    { width, height: 60 + 34 * ids.length },
    `Status of each strategy over the run from its audited status changes (${formatCount(Math.max(changes, 0))} change${changes === 1 ? '' : 's'}); a strategy with no audited change is not drawn. Hover an interval's ends for its dates.`,
    group,
  )}`;
}

/** A monitor alert: its kind (details.alert), level, time, strategy and message. */
export interface AlertRow {
  readonly ts: number;
  readonly time: string;
  readonly kind: string;
  readonly level: string;
  readonly strategyId: string;
  readonly message: string;
}

/** The 'monitor.alert' entries of the ensemble audit and the run's audit, newest first. */
export function monitorAlerts(report: RunReport): AlertRow[] {
  return allAudit(report)
    .filter((a) => a.kind === 'monitor.alert')
    .map((a) => ({
      ts: a.ts,
      time: a.time,
      kind: typeof a.details?.alert === 'string' ? a.details.alert : a.kind,
      level: typeof a.details?.level === 'string' ? a.details.level : '',
      strategyId: a.strategyId ?? '',
      message: a.message,
    }))
    .reverse();
}

/** The monitor's alerts, newest first: every one, as a record table (record-table.ts) the page's script draws a page at a time. */
export function alertsView(report: RunReport): string {
  const alerts = monitorAlerts(report);
  if (alerts.length === 0) return '';
  const counts = new Map<string, number>();
  for (const a of alerts) counts.set(a.kind, (counts.get(a.kind) ?? 0) + 1);
  const table = recordTablePieces({
    id: 'alert-table',
    head: '<tr><th>Time</th><th>Alert</th><th>Level</th><th>Strategy</th><th>Message</th></tr>',
    rows: alerts.length,
    columns: [
      { f: 'iso', at: (i) => alerts[i]!.time },
      // A bare pill: an alert's kind is no class of the page.
      { f: 'pill', at: (i) => alerts[i]!.kind, mark: () => '' },
      { f: 'text', at: (i) => alerts[i]!.level },
      // An alert of no strategy reads 'ensemble', muted: the ensemble's own.
      { f: 'text', at: (i) => alerts[i]!.strategyId || 'ensemble', mark: (i) => (alerts[i]!.strategyId ? '' : 'muted') },
      { f: 'text', at: (i) => alerts[i]!.message },
    ],
    noscript: `The alerts are drawn by the page's script, which is off: report.json has all ${formatCount(alerts.length)}.`,
  });
  const summary = [...counts].map(([k, n]) => `${escapeHtml(k)} ${formatCount(n)}`).join(', ');
  const paged = alerts.length > PAGE_ROWS ? `, ${formatCount(PAGE_ROWS)} a page` : '';
  return `<h3>Alerts</h3>${table.join('')}
<p class="note">The ensemble monitor's alerts, newest first (${summary})${paged}.</p>`;
}

/** Every ensemble view the report has the data for, in page order. */
export function ensembleViews(report: RunReport, order: readonly string[], range: readonly [number, number] | undefined, group: string, width: number): string {
  const e = report.ensemble;
  if (!e) return '';
  const views = [decompositionView(e, order), regimeView(e, order), signalQualityView(e, order, range, group, width), statusView(report, range, group, width), alertsView(report)].filter((v) => v !== '');
  return views.join('');
}
