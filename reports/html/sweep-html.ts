import type { SweepJsonReport, SweepTrialRow } from '../research-schema.js';
import { COLORS, fmt as formatterRef, itemTooltip, renderChart } from './chart.js';
import { escapeHtml } from './escape.js';
import { formatCount, formatNumber, formatPercent } from './format.js';
import { renderPage, section, sectionPieces, signClass } from './page.js';
import { PAGE_ROWS, recordTablePieces } from './record-table.js';
import type { RecordColumn } from './record-table.js';
import { CHART_WIDTH } from './run-report-html.js';
import { buildHeatmap, heatmapAxes, parameterLabel } from './sweep-heatmap.js';
import { TRIAL_METRIC_COLUMNS, formatTrialMetric, trialMetricColumn, trialMetricValue } from './trial-metrics.js';
import type { TrialMetricColumn } from './trial-metrics.js';

/** What to draw in the heatmap: two parameter paths (or unique last segments) and a metric name. */
export interface SweepHtmlOptions {
  readonly x?: string;
  readonly y?: string;
  /** `fitness` (default) or a trial metric (sharpe, totalReturn, maxDrawdown, ...). */
  readonly metric?: string;
}

type Parameter = SweepJsonReport['space']['parameters'][number];
type ParamValue = number | string | boolean;

/** Heatmap colours from worst to best. */
const WORST_TO_BEST = ['#b91c1c', '#fca5a5', '#fef9c3', '#86efac', '#15803d'];

/**
 * Returns sweep.html for a sweep: one self-contained page (inline CSS, inline SVG charts drawn by
 * ECharts in Node, the sortable-table script; no network). It shows the best trial with its deflated
 * Sharpe ratio and the probability of backtest overfitting, each with what the number means for the
 * decision; a heatmap of a metric over two parameters; each parameter against the fitness; every trial
 * in a sortable table; the failed trials with their errors; and the sweep's setup. Throws
 * InvalidArgumentError for an unknown parameter or metric in `options`. The same input gives the same bytes.
 */
export function renderSweepHtml(sweep: SweepJsonReport, options: SweepHtmlOptions = {}): string {
  const metric = trialMetricColumn(options.metric ?? 'fitness');
  const axes = heatmapAxes(sweep.space, { ...(options.x !== undefined ? { x: options.x } : {}), ...(options.y !== undefined ? { y: options.y } : {}) });
  const params = sweep.space.parameters;
  const header = `<div class="kicker">Tapedeck sweep report</div>
<h1>${escapeHtml(sweep.scenario)}</h1>
<p class="desc">${escapeHtml(sweep.method)} sweep of ${formatCount(sweep.trialCount)} trials over ${params.length} parameter${params.length === 1 ? '' : 's'} (${params.map((p) => escapeHtml(parameterLabel(params, p.path))).join(', ')}), maximizing <code>${escapeHtml(sweep.fitness)}</code>; ${formatCount(sweep.failedCount)} failed.</p>
<div class="hash">seed <code>${sweep.seed}</code> &middot; combinedHash <code>${escapeHtml(sweep.combinedHash)}</code></div>`;
  const nav = [
    { id: 'best', label: 'Best trial' },
    { id: 'overfitting', label: 'Is it luck?' },
    { id: 'heatmap', label: 'Heatmap' },
    { id: 'params-fitness', label: 'Parameters vs fitness' },
    { id: 'trials', label: 'Trials' },
    { id: 'failed', label: `Failed (${sweep.failedCount})` },
    { id: 'setup', label: 'Setup' },
  ];
  const body = [
    bestSection(sweep),
    overfittingSection(sweep),
    heatmapSection(sweep, axes, metric),
    scatterSection(sweep),
    ...trialsSection(sweep),
    ...failedSection(sweep),
    setupSection(sweep),
  ];
  return renderPage({
    title: `${sweep.scenario} sweep - Tapedeck`,
    header,
    nav,
    body,
    footer: `${escapeHtml(sweep.generator)} sweep.json schemaVersion ${sweep.schemaVersion} &middot; DSR and PBO as in reports/METRICS.md`,
  });
}

function kpi(label: string, value: string, cls = '', sub = ''): string {
  return `<div class="kpi"><div class="l">${escapeHtml(label)}</div><div class="v ${cls}">${escapeHtml(value)}</div>${sub ? `<div class="s">${escapeHtml(sub)}</div>` : ''}</div>`;
}

function valueText(v: ParamValue): string {
  return typeof v === 'string' ? v : String(v);
}

function paramsTable(params: readonly Parameter[], values: Readonly<Record<string, ParamValue>>): string {
  const rows = Object.entries(values).map(([path, v]) => `<tr><td>${escapeHtml(parameterLabel(params, path))}</td><td class="mono muted">${escapeHtml(path)}</td><td class="num">${escapeHtml(valueText(v))}</td></tr>`);
  return `<table><thead><tr><th>Parameter</th><th>Path</th><th class="num">Value</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function bestSection(sweep: SweepJsonReport): string {
  const best = sweep.best;
  if (best === null) {
    return section('best', 'Best trial', `<p>No trial has a finite fitness (${formatCount(sweep.failedCount)} of ${formatCount(sweep.trialCount)} failed), so there is no best trial to report. See the failed trials below.</p>`);
  }
  const m = best.metrics;
  const dsr = sweep.deflatedSharpe;
  const pbo = sweep.pbo;
  const kpis = `<div class="kpis">
${kpi('Fitness', formatNumber(best.fitness, 4), signClass(best.fitness), sweep.fitness)}
${kpi('Sharpe', formatNumber(m?.sharpe ?? null), signClass(m?.sharpe ?? null), `Sortino ${formatNumber(m?.sortino ?? null)}`)}
${kpi('Total return', formatPercent(m?.totalReturn ?? null), signClass(m?.totalReturn ?? null), `CAGR ${formatPercent(m?.cagr ?? null)}`)}
${kpi('Max drawdown', formatPercent(m?.maxDrawdown ?? null), m && m.maxDrawdown > 0 ? 'neg' : '', `${formatCount(m?.tradeCount ?? null)} trades`)}
${kpi('Deflated Sharpe', dsr.kind === 'value' ? formatNumber(dsr.value, 3) : 'n/a', dsr.kind === 'value' ? (dsr.value >= 0.95 ? 'pos' : dsr.value < 0.5 ? 'neg' : '') : '', dsr.kind === 'value' ? dsrVerdict(dsr.value) : 'undefined')}
${kpi('PBO', pbo.kind === 'value' ? formatPercent(pbo.value, 1) : 'n/a', pbo.kind === 'value' ? (pbo.value >= 0.5 ? 'neg' : pbo.value < 0.1 ? 'pos' : '') : '', pbo.kind === 'value' ? pboVerdict(pbo.value) : 'undefined')}
</div>`;
  return section(
    'best',
    `Best trial ${best.key}`,
    `${kpis}<div class="cols"><div>${paramsTable(sweep.space.parameters, best.params)}</div><div><dl class="facts"><dt>Trial key</dt><dd><code>${escapeHtml(best.key)}</code></dd><dt>Trial seed</dt><dd><code>${best.seed}</code></dd><dt>runHash</dt><dd><code>${escapeHtml(best.runHash ?? 'n/a')}</code></dd><dt>Observations</dt><dd>${formatCount(m?.observations ?? null)} returns</dd></dl></div></div>
<h3>Reproduce it as a single run</h3><pre style="white-space:pre-wrap;word-break:break-all">${escapeHtml(best.reproduce)}</pre>
<p class="note">The best trial is the one with the highest fitness among all ${formatCount(sweep.trialCount)}. Its runHash is what <code>tapedeck run</code> prints for the command above. Before trusting its numbers, read the next section: the best of many trials is biased upwards.</p>`,
  );
}

/** A few words on a DSR value (the probability that the best trial's true Sharpe beats the luck benchmark). */
export function dsrVerdict(v: number): string {
  if (v >= 0.95) return 'unlikely to be luck';
  if (v >= 0.5) return 'not proven';
  return 'consistent with luck';
}

/** A few words on a PBO value (the probability that the in-sample winner is below median out of sample). */
export function pboVerdict(v: number): string {
  if (v < 0.1) return 'selection is informative';
  if (v < 0.5) return 'some overfitting';
  return 'overfit';
}

function overfittingSection(sweep: SweepJsonReport): string {
  const dsr = sweep.deflatedSharpe;
  const pbo = sweep.pbo;
  let dsrText: string;
  if (dsr.kind === 'value') {
    const decision =
      dsr.value >= 0.95
        ? 'That is strong evidence: the best result is very unlikely to be an artefact of trying many configurations, though it still has to hold out of sample.'
        : dsr.value >= 0.5
          ? 'That falls short of the usual 95%: the best result may be real, but it is not established. Confirm it out of sample (tapedeck walkforward) before acting on it.'
          : 'The best Sharpe ratio is no better than what the luckiest of that many skill-less configurations would show: treat the best trial as luck, not as an edge.';
    dsrText = `<p><b>Deflated Sharpe ratio ${formatNumber(dsr.value, 3)}</b> (${escapeHtml(dsrVerdict(dsr.value))}). This is the probability that the best trial's true Sharpe ratio is above the best Sharpe ratio that ${formatCount(dsr.trials)} trials with no skill at all would be expected to show by chance (${formatNumber(dsr.expectedMaxSharpe, 4)} per period, from the variance of the trials' Sharpe ratios), allowing for the skewness (${formatNumber(dsr.skewness)}) and kurtosis (${formatNumber(dsr.kurtosis)}) of its ${formatCount(dsr.observations)} returns. The best trial's per-period Sharpe is ${formatNumber(dsr.sharpe, 4)}. ${decision}</p>`;
  } else {
    dsrText = `<p><b>Deflated Sharpe ratio: undefined</b> (${escapeHtml(dsr.reason)}). Without it, nothing says whether the best trial beats what luck over ${formatCount(sweep.trialCount)} trials would give.</p>`;
  }
  let pboText: string;
  if (pbo.kind === 'value') {
    const decision =
      pbo.value < 0.1
        ? 'Choosing the configuration with the best backtest does carry information here.'
        : pbo.value < 0.5
          ? 'Selection helps, but expect the chosen configuration to do worse live than in this backtest.'
          : 'Picking the best backtest is no better than picking a configuration at random: the sweep is overfit, and its best trial says little about the future.';
    const slope = pbo.degradation ? ` The out-of-sample Sharpe falls by ${formatNumber(-pbo.degradation.slope, 2)} for each unit of in-sample Sharpe (slope ${formatNumber(pbo.degradation.slope, 2)}); a negative slope means the better a configuration looked in sample, the worse it did out of sample.` : '';
    pboText = `<p><b>Probability of backtest overfitting ${formatPercent(pbo.value, 1)}</b> (${escapeHtml(pboVerdict(pbo.value))}). The ${formatCount(pbo.observations)} returns of the ${formatCount(pbo.configurations)} successful configurations are cut into ${pbo.blocks} blocks; in each of the ${formatCount(pbo.splits)} ways to pick half of them as in-sample, the configuration with the best in-sample Sharpe is ranked on the other half. PBO is the share of splits where it ranked below the median out of sample. ${decision} In ${formatPercent(pbo.probabilityOfLoss, 1)} of the splits the in-sample winner lost money out of sample.${slope}</p>`;
  } else {
    pboText = `<p><b>Probability of backtest overfitting: undefined</b> (${escapeHtml(pbo.reason)}).</p>`;
  }
  return section('overfitting', 'Is the best trial luck?', `${dsrText}${pboText}<p class="note">Bailey and L&oacute;pez de Prado: the deflated Sharpe ratio (2014) and the probability of backtest overfitting by combinatorially symmetric cross-validation (2016). Failed trials count in the number of trials of the DSR: every attempt inflates the best result.</p>`);
}

function heatmapSection(sweep: SweepJsonReport, axes: { x: string; y: string } | null, metric: TrialMetricColumn): string {
  const params = sweep.space.parameters;
  const title = `Heatmap: ${metric.label.toLowerCase()} by parameter pair`;
  if (axes === null) return section('heatmap', title, `<p class="note">The sweep has a single parameter: there is no pair to draw. The next chart shows it against the fitness.</p>`);
  const hm = buildHeatmap(sweep.trials, axes.x, axes.y, metric.key);
  const shown = hm.cells.filter((c) => c.value !== null);
  if (shown.length === 0) return section('heatmap', title, `<p class="note">No trial has a defined ${escapeHtml(metric.label.toLowerCase())}: nothing to draw.</p>`);
  let lo = Infinity;
  let hi = -Infinity;
  for (const c of shown) {
    lo = Math.min(lo, c.value!);
    hi = Math.max(hi, c.value!);
  }
  if (lo === hi) {
    lo -= Math.abs(lo) * 0.01 + 1e-9;
    hi += Math.abs(hi) * 0.01 + 1e-9;
  }
  const colors = metric.better === 'lower' ? [...WORST_TO_BEST].reverse() : WORST_TO_BEST;
  const xLabel = parameterLabel(params, hm.x);
  const yLabel = parameterLabel(params, hm.y);
  const labels = hm.xValues.length <= 16 && hm.yValues.length <= 30;
  const fmt = (v: number) => formatTrialMetric(metric, v);
  const failedCells = hm.cells.filter((c) => c.value === null);
  const height = Math.min(720, Math.max(260, 110 + hm.yValues.length * 34));
  const chart = renderChart(
    'sweep-heatmap',
    {
      tooltip: itemTooltip(),
      grid: { left: 100, right: 130, top: 16, bottom: 56 },
      xAxis: { type: 'category', data: hm.xValues.map(valueText), name: xLabel, nameLocation: 'middle', nameGap: 34, axisLabel: { color: COLORS.axis }, splitArea: { show: false } },
      yAxis: { type: 'category', data: hm.yValues.map(valueText), name: yLabel, nameLocation: 'middle', nameGap: 64, axisLabel: { color: COLORS.axis }, splitArea: { show: false } },
      // ECharts draws a heatmap series only through a visual map: the failed cells get a constant grey one.
      visualMap: [
        {
        type: 'continuous',
        min: lo,
        max: hi,
        seriesIndex: 0,
        orient: 'vertical',
        right: 8,
        top: 'middle',
        itemHeight: Math.max(100, height - 120),
        calculable: false,
        text: [fmt(hi), fmt(lo)],
        textStyle: { color: COLORS.text },
        inRange: { color: colors },
        },
        { type: 'continuous', show: false, seriesIndex: 1, min: 0, max: 1, inRange: { color: ['#e5e7eb', '#e5e7eb'] } },
      ],
      series: [
        {
          name: metric.label,
          type: 'heatmap',
          // Dark cells (either end of the scale) get white labels.
          data: shown.map((c) => {
            const u = (c.value! - lo) / (hi - lo);
            return { value: [c.xi, c.yi, c.value], label: { color: u < 0.2 || u > 0.8 ? '#fff' : '#111827', formatter: fmt(c.value!) }, tip: `${xLabel} ${valueText(hm.xValues[c.xi]!)}, ${yLabel} ${valueText(hm.yValues[c.yi]!)}: ${metric.label} ${fmt(c.value!)}` };
          }),
          label: { show: labels, fontSize: 11 },
          itemStyle: { borderColor: '#fff', borderWidth: 1 },
        },
        {
          name: 'failed',
          type: 'heatmap',
          data: failedCells.map((c) => ({ value: [c.xi, c.yi, 0], tip: `${xLabel} ${valueText(hm.xValues[c.xi]!)}, ${yLabel} ${valueText(hm.yValues[c.yi]!)}: every trial failed` })),
          label: { show: labels, fontSize: 11, color: COLORS.axis, formatter: 'failed' },
          itemStyle: { color: '#e5e7eb', borderColor: '#fff', borderWidth: 1 },
        },
      ] as never,
    },
    { width: CHART_WIDTH, height },
    `${metric.label} for each (${xLabel}, ${yLabel}) pair${hm.aggregated ? '; other parameters vary, so each cell shows the trial with the highest fitness among its trials (the one a search would keep)' : ''}. Grey: every trial of the cell failed.`,
  );
  const others = params.filter((p) => p.path !== hm.x && p.path !== hm.y).map((p) => parameterLabel(params, p.path));
  return section(
    'heatmap',
    title,
    `${chart}<p class="note">A plateau of good cells suggests a robust region; a lone bright cell among poor neighbours is what overfitting looks like. Rebuild with other axes or another metric: <code>tapedeck report DIR --x ${escapeHtml(xLabel)} --y ${escapeHtml(yLabel)} --metric sharpe</code>${others.length > 0 ? ` (other parameters: ${others.map(escapeHtml).join(', ')})` : ''}.</p>`,
  );
}

function scatterSection(sweep: SweepJsonReport): string {
  const params = sweep.space.parameters;
  const ok = sweep.trials.filter((t) => t.status === 'ok' && t.fitness !== null);
  if (ok.length === 0 || params.length === 0) return section('params-fitness', 'Parameters vs fitness', '<p class="note">No trial has a finite fitness: nothing to draw.</p>');
  const perRow = params.length === 1 ? 1 : params.length === 2 || params.length === 4 ? 2 : 3;
  const rows = Math.ceil(params.length / perRow);
  const panelH = 220;
  const top = 36;
  const gapY = 70;
  const left = 70;
  const right = 24;
  const gapX = 60;
  const panelW = (CHART_WIDTH - left - right - gapX * (perRow - 1)) / perRow;
  const bestKey = sweep.best?.key ?? null;
  const grids: Record<string, unknown>[] = [];
  const xAxes: Record<string, unknown>[] = [];
  const yAxes: Record<string, unknown>[] = [];
  const series: Record<string, unknown>[] = [];
  params.forEach((p, i) => {
    const has = (t: SweepTrialRow) => t.params[p.path] !== undefined;
    const r = Math.floor(i / perRow);
    const c = i % perRow;
    // In percent of the chart's width: the chart takes the width of the page's column.
    const pct = (px: number) => `${((px / CHART_WIDTH) * 100).toFixed(3)}%`;
    grids.push({ left: pct(left + c * (panelW + gapX)), top: top + r * (panelH + gapY), width: pct(panelW), height: panelH });
    const categorical = p.kind === 'categorical';
    const categories = categorical ? p.values.map(valueText) : [];
    xAxes.push({
      gridIndex: i,
      type: categorical ? 'category' : 'value',
      // Numeric axes get 5% room on each side, so points at the ends of a domain are not cut by the frame.
      ...(categorical ? { data: categories } : { scale: true, ...padded(ok.filter(has).map((t) => Number(t.params[p.path]))) }),
      // The padded bounds are not round numbers: label only the ticks inside them.
      name: parameterLabel(params, p.path),
      nameLocation: 'middle',
      nameGap: 26,
      nameTextStyle: { color: COLORS.text, fontWeight: 600 },
      axisLabel: { color: COLORS.axis, hideOverlap: true, showMinLabel: categorical, showMaxLabel: categorical },
      axisLine: { onZero: false, lineStyle: { color: COLORS.axis } },
      splitLine: { show: false },
    });
    yAxes.push({ gridIndex: i, type: 'value', scale: true, ...padded(ok.filter(has).map((t) => t.fitness!)), axisLabel: { color: COLORS.axis, showMinLabel: false, showMaxLabel: false, formatter: formatterRef('fixed', 2) }, splitLine: { lineStyle: { color: COLORS.grid } } });
    const point = (t: SweepTrialRow) => ({ value: [categorical ? valueText(t.params[p.path]!) : t.params[p.path], t.fitness], tip: `trial ${t.key}: ${Object.entries(t.params).map(([k, v]) => `${parameterLabel(params, k)}=${valueText(v)}`).join(', ')}; fitness ${formatNumber(t.fitness, 4)}` });
    series.push({ name: 'trials', type: 'scatter', xAxisIndex: i, yAxisIndex: i, symbolSize: 7, itemStyle: { color: COLORS.equity, opacity: 0.55 }, data: ok.filter((t) => has(t) && t.key !== bestKey).map(point) });
    const best = ok.find((t) => t.key === bestKey);
    if (best && has(best)) series.push({ name: 'best trial', type: 'scatter', xAxisIndex: i, yAxisIndex: i, symbol: 'diamond', symbolSize: 14, z: 3, itemStyle: { color: COLORS.drawdown, borderColor: '#fff', borderWidth: 1 }, data: [point(best)] });
  });
  const chart = renderChart(
    'sweep-scatter',
    {
      legend: { top: 0, left: 'center', data: ['trials', 'best trial'] },
      tooltip: itemTooltip(),
      grid: grids,
      xAxis: xAxes,
      yAxis: yAxes,
      series: series as never,
    },
    { width: CHART_WIDTH, height: top + rows * panelH + (rows - 1) * gapY + 44 },
    `Fitness (${sweep.fitness}) of each successful trial against each parameter; red diamond: the best trial. ${sweep.failedCount > 0 ? `${formatCount(sweep.failedCount)} failed trials have no fitness and are not drawn.` : ''}`,
  );
  return section('params-fitness', 'Parameters vs fitness', `${chart}<p class="note">A parameter whose points climb or fall steadily matters; a flat cloud means the fitness does not depend on it. A wide vertical spread at one value shows how much the other parameters move the result.</p>`);
}

/** Axis bounds 5% beyond the values (a range of 10 assumed when all are equal), rounded to 2 decimals for tidy labels; none for no values. */
export function padded(values: readonly number[]): { min?: number; max?: number } {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return {};
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of finite) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const r = hi - lo || 10;
  return { min: Math.floor((lo - r * 0.05) * 100) / 100, max: Math.ceil((hi + r * 0.05) * 100) / 100 };
}

/**
 * A trial metric as a number column of a record table, formatted as formatTrialMetric formats it: a ratio with 2
 * decimals (4 for the per-period Sharpe), a percentage, money, a count (money with no decimals).
 */
function metricColumn(c: TrialMetricColumn, trials: readonly SweepTrialRow[]): RecordColumn {
  const values = Float64Array.from(trials, (t) => trialMetricValue(t, c.key) ?? Number.NaN);
  const sign = c.key === 'fitness' || c.key === 'sharpe' || c.key === 'totalReturn';
  switch (c.kind) {
    case 'ratio':
      return { f: 'price', values, sign, dp: c.key === 'periodSharpe' ? 4 : 2 };
    case 'pct':
      return { f: 'pct', values, sign };
    case 'money':
      return { f: 'money', values, sign };
    case 'count':
      return { f: 'money', values, sign, dp: 0 };
  }
}

/** A parameter's column: its values as numbers when every trial has a number there, else as text (categorical). */
function parameterColumn(p: Parameter, trials: readonly SweepTrialRow[]): RecordColumn {
  if (p.kind !== 'categorical' && trials.every((t) => typeof t.params[p.path] === 'number')) {
    return { f: 'num', values: Float64Array.from(trials, (t) => t.params[p.path] as number) };
  }
  const text = (v: ParamValue | undefined) => (v === undefined ? '' : valueText(v));
  return { f: 'text', cls: 'num', at: (i) => text(trials[i]!.params[p.path]) };
}

function trialsSection(sweep: SweepJsonReport): string[] {
  const params = sweep.space.parameters;
  // Best first: fitness descending, trials without one (failed, undefined) last, ties by key.
  const ordered = [...sweep.trials].sort((a, b) => (b.fitness ?? -Infinity) - (a.fitness ?? -Infinity) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const n = ordered.length;
  const head = `<tr><th class="num" data-type="num">Rank</th><th>Trial</th><th>Status</th>${params.map((p) => `<th class="num"${p.kind === 'categorical' ? '' : ' data-type="num"'} title="${escapeHtml(p.path)}">${escapeHtml(parameterLabel(params, p.path))}</th>`).join('')}${TRIAL_METRIC_COLUMNS.map((c) => `<th class="num" data-type="num">${escapeHtml(c.label)}</th>`).join('')}<th class="num" data-type="num">Seed</th><th>runHash</th><th>Error</th></tr>`;
  const ruinedAt = (t: SweepTrialRow) => (t.status === 'ok' ? (t.metrics?.ruinedAt ?? null) : null);
  const best = ordered.findIndex((t) => t.key === sweep.best?.key);
  const table = recordTablePieces({
    id: 'trial-table',
    head,
    rows: n,
    columns: [
      { f: 'idx' },
      { f: 'text', cls: 'mono', at: (i) => ordered[i]!.key },
      {
        f: 'pill',
        at: (i) => (ordered[i]!.status !== 'ok' ? 'failed' : ruinedAt(ordered[i]!) !== null ? 'ruined' : 'ok'),
        mark: (i) => (ordered[i]!.status !== 'ok' || ruinedAt(ordered[i]!) !== null ? 'sell' : 'long'),
        title: (i) => {
          const at = ruinedAt(ordered[i]!);
          return at === null ? '' : `account ruined at ${at}: equity reached zero or below and trading ended`;
        },
      },
      ...params.map((p) => parameterColumn(p, ordered)),
      ...TRIAL_METRIC_COLUMNS.map((c) => metricColumn(c, ordered)),
      { f: 'num', values: Float64Array.from(ordered, (t) => t.seed) },
      { f: 'text', cls: 'mono', at: (i) => (ordered[i]!.runHash ?? '').slice(0, 12), title: (i) => ordered[i]!.runHash ?? '' },
      { f: 'text', cls: 'muted', at: (i) => ordered[i]!.error ?? '' },
    ],
    rowClasses: best >= 0 ? { best: [best] } : {},
    noscript: `The trial table is drawn by the page's script, which is off: sweep.json has all ${formatCount(n)} trials.`,
  });
  table.push(`<p class="note">Every trial, failed ones too, best fitness first (bold: the best trial), ${formatCount(PAGE_ROWS)} a page. Click a column header to sort all ${formatCount(n)}. Sharpe, Sortino and CAGR are annualized as in report.json; Sharpe / period is the per-period figure the DSR uses.</p>`);
  return sectionPieces('trials', `Trials (${formatCount(sweep.trialCount)})`, table);
}

/** A cause of failed trials: how many, the first trial's message, and how many different messages it stands for. */
export interface FailureCause {
  readonly trials: number;
  readonly example: string;
  readonly distinct: number;
}

/**
 * Failed trials' errors grouped by cause, most trials first (ties in the order they first fail): a cause is a
 * message with its numbers taken out (not an index such as the 0 of `strategies[0]`, nor a digit inside a name), since
 * a trial's error names its own parameter values ("not smaller than 'slow' (24), was 55") and each would otherwise be
 * a cause of its own.
 */
export function failureCauses(errors: readonly string[]): FailureCause[] {
  const byShape = new Map<string, { trials: number; example: string; messages: Set<string> }>();
  for (const e of errors) {
    const shape = e.replace(/(?<![[\w.])-?\d+(?:\.\d+)?(?:e[+-]?\d+)?/gi, '#');
    const c = byShape.get(shape);
    if (c === undefined) byShape.set(shape, { trials: 1, example: e, messages: new Set([e]) });
    else {
      c.trials++;
      c.messages.add(e);
    }
  }
  return [...byShape.values()].sort((a, b) => b.trials - a.trials).map((c) => ({ trials: c.trials, example: c.example, distinct: c.messages.size }));
}

function failedSection(sweep: SweepJsonReport): string[] {
  const failed = sweep.trials.filter((t) => t.status !== 'ok');
  const title = `Failed trials (${formatCount(failed.length)} of ${formatCount(sweep.trialCount)})`;
  if (failed.length === 0) return [section('failed', title, '<p>No trial failed: every parameter combination ran to the end.</p>')];
  const causes = failureCauses(failed.map((t) => t.error ?? 'no message')).map(
    (c) => `<tr><td class="num">${formatCount(c.trials)}</td><td>${escapeHtml(c.example)}${c.trials > 1 && c.distinct > 1 ? ` <span class="muted">(and ${formatCount(c.distinct - 1)} more like it, other numbers)</span>` : ''}</td></tr>`,
  );
  const params = sweep.space.parameters;
  const table = recordTablePieces({
    id: 'failed-table',
    head: '<tr><th>Trial</th><th>Parameters</th><th>Error</th></tr>',
    rows: failed.length,
    columns: [
      { f: 'text', cls: 'mono', at: (i) => failed[i]!.key },
      { f: 'text', at: (i) => Object.entries(failed[i]!.params).map(([p, v]) => `${parameterLabel(params, p)}=${valueText(v)}`).join(', ') },
      { f: 'text', at: (i) => failed[i]!.error ?? '' },
    ],
    noscript: `The failed trials are drawn by the page's script, which is off: sweep.json has all ${formatCount(failed.length)}.`,
  });
  return sectionPieces('failed', title, [
    `<h3>Causes</h3><table><thead><tr><th class="num">Trials</th><th>Error</th></tr></thead><tbody>${causes.join('')}</tbody></table>
<h3>Trials</h3>`,
    ...table,
    `<p class="note">A failed trial has no metrics, but it still counts as a trial in the deflated Sharpe ratio. Invalid combinations (a fast average not shorter than the slow one) can be excluded with a constraint in the space file, such as <code>"constraints": ["a.fast &lt; a.slow"]</code>.</p>`,
  ]);
}

function domain(p: Parameter): string {
  switch (p.kind) {
    case 'int':
      return `int ${p.min} to ${p.max} step ${p.step}`;
    case 'float':
      return `float ${p.min} to ${p.max}${p.log ? ' (log)' : ''}${p.step !== null ? ` step ${p.step}` : ''}${p.count !== null ? `, ${p.count} grid points` : ''}`;
    case 'categorical':
      return `one of ${p.values.map(valueText).join(', ')}`;
  }
}

function setupSection(sweep: SweepJsonReport): string {
  const params = sweep.space.parameters;
  const rows = params.map((p) => `<tr><td>${escapeHtml(parameterLabel(params, p.path))}</td><td class="mono">${escapeHtml(p.path)}</td><td>${escapeHtml(domain(p))}</td></tr>`);
  const constraints = sweep.space.constraints.length > 0 ? `<p>Constraints: ${sweep.space.constraints.map((c) => `<code>${escapeHtml(c.text)}</code>`).join(', ')}</p>` : '<p class="note">No constraints.</p>';
  const optimizer = sweep.optimizer !== null && sweep.optimizer !== undefined ? `<details><summary>Optimizer summary</summary><pre>${escapeHtml(JSON.stringify(sweep.optimizer, null, 1))}</pre></details>` : '';
  return section(
    'setup',
    'Setup',
    `<dl class="facts"><dt>Scenario</dt><dd>${escapeHtml(sweep.scenario)}</dd><dt>Method</dt><dd>${escapeHtml(sweep.method)}</dd><dt>Seed</dt><dd>${sweep.seed} (trial seeds derive from it and each trial's key)</dd><dt>Fitness</dt><dd><code>${escapeHtml(sweep.fitness)}</code></dd><dt>configHash</dt><dd><code>${escapeHtml(sweep.configHash)}</code></dd><dt>combinedHash</dt><dd><code>${escapeHtml(sweep.combinedHash)}</code> (SHA-256 over every trial's key, runHash and status: equal for the same sweep in any process, on any number of workers)</dd></dl>
<h3>Search space</h3><table><thead><tr><th>Parameter</th><th>Path</th><th>Domain</th></tr></thead><tbody>${rows.join('')}</tbody></table>${constraints}${optimizer}`,
  );
}
