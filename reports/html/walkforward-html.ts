import type { WalkForwardFoldRow, WalkForwardJsonReport } from '../research-schema.js';
import { COLORS, SLIDER_ROOM, fmt, itemTooltip, renderChart, timeZoom } from './chart.js';
import { downsamplePairs } from './downsample.js';
import { escapeHtml } from './escape.js';
import { formatCount, formatDurationUs, formatNumber, formatPercent } from './format.js';
import { renderPage, section, signClass } from './page.js';
import { CHART_WIDTH } from './run-report-html.js';
import { parameterLabel } from './sweep-heatmap.js';

/** Shading of alternate folds behind the stitched curve. */
const FOLD_SHADES = ['rgba(37,99,235,0.06)', 'rgba(234,88,12,0.07)'] as const;

/**
 * Returns walkforward.html for a walk-forward analysis: one self-contained page (inline CSS, inline SVG
 * charts drawn by ECharts in Node; no network). It shows the walk-forward efficiency with what it means,
 * the stitched out-of-sample equity curve with the folds marked, in-sample against out-of-sample
 * returns per fold, the fold table (windows, chosen parameters, IS and OOS metrics) and the setup.
 * The same input gives the same bytes.
 */
export function renderWalkForwardHtml(wf: WalkForwardJsonReport): string {
  const ran = wf.folds.filter((f) => f.outOfSample.status === 'ok').length;
  const w = wf.windows;
  const header = `<div class="kicker">Tapedeck walk-forward report</div>
<h1>${escapeHtml(wf.scenario)}</h1>
<p class="desc">${w.anchored ? 'Anchored' : 'Rolling'} walk-forward over ${formatCount(wf.folds.length)} folds: optimize on ${escapeHtml(w.train)} of data (${escapeHtml(wf.method)} search${wf.trialsPerFold !== null ? `, ${formatCount(wf.trialsPerFold)} trials` : ''}, maximizing <code>${escapeHtml(wf.fitness)}</code>), then trade the chosen parameters on the next ${escapeHtml(w.test)} it never saw; ${formatCount(ran)} test runs completed.</p>
<div class="hash">seed <code>${wf.seed}</code> &middot; combinedHash <code>${escapeHtml(wf.combinedHash)}</code></div>`;
  return renderPage({
    title: `${wf.scenario} walk-forward - Tapedeck`,
    header,
    nav: [
      { id: 'summary', label: 'Efficiency' },
      { id: 'stitched', label: 'Out-of-sample equity' },
      { id: 'is-oos', label: 'In vs out of sample' },
      { id: 'folds', label: 'Folds' },
      { id: 'setup', label: 'Setup' },
    ],
    body: [summarySection(wf), stitchedSection(wf), isOosSection(wf), foldsSection(wf), setupSection(wf)].join(''),
    footer: `tapedeck walkforward.json schemaVersion ${wf.schemaVersion}`,
  });
}

function kpi(label: string, value: string, cls = '', sub = ''): string {
  return `<div class="kpi"><div class="l">${escapeHtml(label)}</div><div class="v ${cls}">${escapeHtml(value)}</div>${sub ? `<div class="s">${escapeHtml(sub)}</div>` : ''}</div>`;
}

/** Returns the largest fall of a curve below its running peak, as a positive fraction (0 when it never falls). */
export function maxDrawdownOf(equity: readonly number[]): number {
  let peak = -Infinity;
  let worst = 0;
  for (const e of equity) {
    if (e > peak) peak = e;
    else if (peak > 0) worst = Math.max(worst, 1 - e / peak);
  }
  return worst;
}

/** A few words on a walk-forward efficiency. */
export function efficiencyVerdict(wfe: number | null): string {
  if (wfe === null) return 'undefined';
  if (wfe < 0) return 'lost out of sample';
  if (wfe < 0.5) return 'mostly fitted noise';
  if (wfe <= 1.5) return 'held up out of sample';
  return 'beat in-sample';
}

function summarySection(wf: WalkForwardJsonReport): string {
  const eq = wf.stitched.equity;
  const oosTotal = eq.length > 1 ? eq.at(-1)! / eq[0]! - 1 : null;
  const wfe = wf.efficiency;
  const ran = wf.folds.filter((f) => f.outOfSample.status === 'ok').length;
  const kpis = `<div class="kpis">
${kpi('Walk-forward efficiency', wfe === null ? 'n/a' : formatNumber(wfe, 2), wfe === null ? '' : wfe >= 0.5 ? 'pos' : 'neg', efficiencyVerdict(wfe))}
${kpi('OOS return (ann.)', formatPercent(wf.oosAnnualizedReturn), signClass(wf.oosAnnualizedReturn), 'stitched test windows')}
${kpi('IS return (ann.)', formatPercent(wf.isAnnualizedReturn), signClass(wf.isAnnualizedReturn), 'mean of the folds')}
${kpi('OOS total return', formatPercent(oosTotal), signClass(oosTotal), `${formatCount(Math.max(0, eq.length - 1))} periods`)}
${kpi('OOS max drawdown', formatPercent(maxDrawdownOf(eq)), maxDrawdownOf(eq) > 0 ? 'neg' : '', 'of the stitched curve')}
${kpi('Folds run', `${formatCount(ran)} / ${formatCount(wf.folds.length)}`, ran < wf.folds.length ? 'neg' : '', ran < wf.folds.length ? 'some test runs missing' : 'every test window')}
</div>`;
  let meaning: string;
  if (wfe === null) {
    const why =
      wf.isAnnualizedReturn === null
        ? 'no fold produced an in-sample return'
        : !(wf.isAnnualizedReturn > 0)
          ? `the in-sample return is not positive (${formatPercent(wf.isAnnualizedReturn)}): even the optimizer's best choice did not make money in sample, so a ratio would say nothing`
          : 'no test window produced an out-of-sample return';
    meaning = `<p><b>Walk-forward efficiency is undefined</b>: ${escapeHtml(why)}.</p>`;
  } else {
    const decision =
      wfe < 0
        ? 'The parameters chosen in sample lost money on the data that followed: the optimization found no edge that carries forward. Do not trade this configuration on the strength of its backtest.'
        : wfe < 0.5
          ? 'Less than half of the in-sample performance survived on unseen data: most of what the optimizer found was noise. Treat the in-sample figures as heavily inflated.'
          : wfe <= 1.5
            ? 'The out-of-sample performance kept pace with what the optimization found in sample (Pardo treats 0.5 and above as acceptable): re-optimizing on this schedule looks robust, though a few folds are a small sample.'
            : 'The test windows did better than the train windows: likely a favourable market in the test periods rather than skill; do not expect it to persist.';
    meaning = `<p><b>Walk-forward efficiency ${formatNumber(wfe, 2)}</b> (${escapeHtml(efficiencyVerdict(wfe))}) is the annualized return of the stitched out-of-sample curve, ${formatPercent(wf.oosAnnualizedReturn)}, divided by the mean annualized in-sample return of the chosen parameters, ${formatPercent(wf.isAnnualizedReturn)}. Annualizing lets train and test windows of different lengths compare. ${decision}</p>`;
  }
  return section(
    'summary',
    'Walk-forward efficiency',
    `${kpis}${meaning}<p class="note">In sample (IS): the train window, where each fold's parameters were chosen as the best of its sweep. Out of sample (OOS): the test window right after, run once with those parameters, starting flat, so indicators warm up inside the window and OOS figures are, if anything, conservative.</p>`,
  );
}

function foldLabel(f: WalkForwardFoldRow): string {
  return `fold ${f.index}`;
}

function stitchedSection(wf: WalkForwardJsonReport): string {
  const eq = wf.stitched.equity;
  if (eq.length < 2) return section('stitched', 'Stitched out-of-sample equity', '<p class="note">No test window produced returns: nothing to draw.</p>');
  const x = eq.map((_, i) => i);
  // Drawn as the return since the start, so the axis ticks fall on round percentages.
  const data = downsamplePairs(
    x,
    eq.map((e) => e / eq[0]! - 1),
  );
  const offsets = wf.stitched.foldOffsets;
  const areas: [Record<string, unknown>, Record<string, unknown>][] = [];
  wf.folds.forEach((f, k) => {
    const start = offsets[k];
    const end = k + 1 < offsets.length ? offsets[k + 1]! : eq.length - 1;
    if (start === undefined || end <= start) return;
    areas.push([
      { xAxis: start, name: `${foldLabel(f)}\n${f.test.startIso.slice(0, 10)}`, itemStyle: { color: FOLD_SHADES[k % 2] } },
      { xAxis: end },
    ]);
  });
  const chart = renderChart(
    'wf-stitched',
    {
      grid: { left: 70, right: 24, top: 44, bottom: 44 + SLIDER_ROOM },
      xAxis: { type: 'value', min: 0, max: eq.length - 1, name: 'out-of-sample period', nameLocation: 'middle', nameGap: 28, axisLabel: { color: COLORS.axis }, splitLine: { show: false } },
      yAxis: { type: 'value', scale: true, axisLabel: { color: COLORS.axis, formatter: fmt('percentAxis') }, splitLine: { lineStyle: { color: COLORS.grid } } },
      tooltip: { trigger: 'axis', confine: true, valueFormatter: fmt('percent', 2) },
      dataZoom: timeZoom([0], true),
      series: [
        {
          name: 'OOS equity',
          type: 'line',
          data,
          showSymbol: false,
          lineStyle: { width: 1.6, color: COLORS.equity },
          itemStyle: { color: COLORS.equity },
          areaStyle: { color: COLORS.equity, opacity: 0.05 },
          markLine: { silent: true, symbol: 'none', lineStyle: { color: COLORS.axis, type: 'dashed', width: 1 }, label: { show: false }, data: [{ yAxis: 0 }] },
          // Past 12 folds the band labels would run into each other: the fold table and the bars below name them.
          markArea: { silent: true, label: { show: wf.folds.length <= 12, position: 'insideTop', color: COLORS.axis, fontSize: 11 }, data: areas },
        },
      ] as never,
    },
    { width: CHART_WIDTH, height: 380 + SLIDER_ROOM },
    `Growth of 1 invested only in the test windows, one after another (0% = the start); each band is one fold's test window${wf.folds.length <= 12 ? ', labelled with its first day' : ' (the fold table names them)'}. The x axis counts return periods.${eq.length - 1 > data.length ? ' Downsampled for drawing.' : ''}`,
  );
  return section('stitched', 'Stitched out-of-sample equity', `${chart}<p class="note">This is the curve a trader re-optimizing on this schedule would have lived through: every point comes from parameters chosen on data before it.</p>`);
}

function isOosSection(wf: WalkForwardJsonReport): string {
  if (wf.folds.length === 0) return section('is-oos', 'In sample vs out of sample', '<p class="note">No folds.</p>');
  const labels = wf.folds.map((f) => `${foldLabel(f)}\n${f.test.startIso.slice(0, 10)}`);
  const isR = wf.folds.map((f) => f.inSample?.annualizedReturn ?? null);
  const oosR = wf.folds.map((f) => (f.outOfSample.status === 'ok' ? f.outOfSample.annualizedReturn : null));
  const bar = (name: string, values: (number | null)[], color: string) => ({
    name,
    type: 'bar',
    itemStyle: { color },
    barMaxWidth: 36,
    data: values.map((v, i) => (v === null ? '-' : { value: v, label: { formatter: formatPercent(v, 1) }, tip: `${labels[i]!.replace('\n', ' ')} ${name}: ${formatPercent(v, 2)}` })),
    label: { show: wf.folds.length <= 12, position: 'top', fontSize: 10, color: COLORS.axis },
  });
  // Many folds: the labels turn and thin out (ECharts drops the ones that would overlap), and a slider
  // selects a range of folds.
  const many = wf.folds.length > 12;
  const chart = renderChart(
    'wf-is-oos',
    {
      legend: { top: 0, left: 'center', itemGap: 36 },
      tooltip: itemTooltip(),
      grid: { left: 70, right: 24, top: 40, bottom: many ? 78 + SLIDER_ROOM : 50 },
      xAxis: { type: 'category', data: many ? labels.map((l) => l.replace('\n', ' ')) : labels, axisLabel: { color: COLORS.axis, interval: many ? 'auto' : 0, hideOverlap: true, rotate: many ? 40 : 0 } },
      yAxis: { type: 'value', axisLabel: { color: COLORS.axis, formatter: fmt('percentAxis') }, splitLine: { lineStyle: { color: COLORS.grid } } },
      ...(many ? { dataZoom: [{ type: 'inside', xAxisIndex: [0], zoomOnMouseWheel: 'ctrl', moveOnMouseWheel: false }, { type: 'slider', xAxisIndex: [0], height: 22, bottom: 6 }] } : {}),
      series: [bar('In sample (train)', isR, COLORS.benchmark), bar('Out of sample (test)', oosR, COLORS.equity)] as never,
    },
    { width: CHART_WIDTH, height: many ? 380 + SLIDER_ROOM : 320 },
    'Annualized return of the chosen parameters on each fold’s train window (grey) and on its test window (blue). A missing bar is undefined (no finite fitness in train, or a test run that failed).',
  );
  return section('is-oos', 'In sample vs out of sample, per fold', `${chart}<p class="note">Where the blue bars fall far short of the grey ones, the optimizer was fitting the train window; bars that agree fold after fold are the sign of a parameter choice that generalizes.</p>`);
}

function paramsText(f: WalkForwardFoldRow): string {
  if (f.params === null) return '';
  const paths = Object.keys(f.params).map((path) => ({ path }));
  return Object.entries(f.params)
    .map(([p, v]) => `${parameterLabel(paths, p)}=${String(v)}`)
    .join(', ');
}

function numCell(v: number | null, text: string, signed = false): string {
  return `<td class="num ${signed ? signClass(v) : ''}" data-v="${v ?? ''}">${escapeHtml(text)}</td>`;
}

function foldsSection(wf: WalkForwardJsonReport): string {
  const head =
    '<tr><th class="num" data-type="num">Fold</th><th>Train</th><th>Test</th><th>Chosen parameters</th><th class="num" data-type="num">Trials</th><th class="num" data-type="num">IS fitness</th><th class="num" data-type="num">IS Sharpe</th><th class="num" data-type="num">IS return (ann.)</th><th>OOS</th><th class="num" data-type="num">OOS Sharpe</th><th class="num" data-type="num">OOS return (ann.)</th><th class="num" data-type="num">OOS max DD</th><th class="num" data-type="num">OOS trades</th><th class="num" data-type="num">Efficiency</th></tr>';
  const rows = wf.folds.map((f) => {
    const is = f.inSample;
    const oos = f.outOfSample;
    const om = oos.status === 'ok' ? oos.metrics : null;
    const status =
      oos.status === 'ok' ? '<span class="pill long">ok</span>' : `<span class="pill sell" title="${escapeHtml(oos.status === 'failed' ? oos.error : oos.reason)}">${oos.status}</span> <span class="muted">${escapeHtml(oos.status === 'failed' ? oos.error : oos.reason)}</span>`;
    return `<tr><td class="num" data-v="${f.index}">${f.index}</td><td data-v="${escapeHtml(f.train.startIso)}" style="white-space:nowrap">${escapeHtml(f.train.startIso.slice(0, 10))} to ${escapeHtml(f.train.endIso.slice(0, 10))}</td><td data-v="${escapeHtml(f.test.startIso)}" style="white-space:nowrap">${escapeHtml(f.test.startIso.slice(0, 10))} to ${escapeHtml(f.test.endIso.slice(0, 10))}</td><td class="mono">${escapeHtml(paramsText(f))}</td>${numCell(f.sweep.trials, `${formatCount(f.sweep.trials)}${f.sweep.failed > 0 ? ` (${formatCount(f.sweep.failed)} failed)` : ''}`)}${numCell(is?.fitness ?? null, formatNumber(is?.fitness ?? null, 3), true)}${numCell(is?.metrics.sharpe ?? null, formatNumber(is?.metrics.sharpe ?? null), true)}${numCell(is?.annualizedReturn ?? null, formatPercent(is?.annualizedReturn ?? null), true)}<td data-v="${oos.status}">${status}</td>${numCell(om?.sharpe ?? null, formatNumber(om?.sharpe ?? null), true)}${numCell(oos.status === 'ok' ? oos.annualizedReturn : null, formatPercent(oos.status === 'ok' ? oos.annualizedReturn : null), true)}${numCell(om?.maxDrawdown ?? null, formatPercent(om?.maxDrawdown ?? null))}${numCell(om?.tradeCount ?? null, formatCount(om?.tradeCount ?? null))}${numCell(f.efficiency, formatNumber(f.efficiency, 2), true)}</tr>`;
  });
  return section(
    'folds',
    `Folds (${formatCount(wf.folds.length)})`,
    `<div class="scroll"><table class="sortable" id="fold-table"><thead>${head}</thead><tbody>${rows.join('')}</tbody></table></div>
<p class="note">Train and test windows are half-open, [start, end). IS: the best trial of the fold's sweep on its train window; OOS: those parameters run once on the test window. Sharpe ratios are annualized; a fold's efficiency is its OOS annualized return over its IS annualized return (n/a when the IS return is not positive). Click a column header to sort.</p>`,
  );
}

function setupSection(wf: WalkForwardJsonReport): string {
  const w = wf.windows;
  const rows = wf.folds.map(
    (f) =>
      `<tr><td class="num">${f.index}</td><td class="mono">${escapeHtml(f.sweep.combinedHash.slice(0, 16))}</td><td class="mono">${escapeHtml(f.trialKey ?? '')}</td><td class="num">${f.trialSeed ?? ''}</td><td class="mono">${escapeHtml(f.outOfSample.status === 'ok' ? f.outOfSample.runHash.slice(0, 16) : '')}</td><td class="num">${f.purgedUs === 0 ? 'none' : escapeHtml(formatDurationUs(f.purgedUs))}</td></tr>`,
  );
  return section(
    'setup',
    'Setup',
    `<dl class="facts"><dt>Scenario</dt><dd>${escapeHtml(wf.scenario)} <span class="mono muted">${escapeHtml(wf.scenarioFile)}</span></dd>${wf.sets.length > 0 ? `<dt>Overrides</dt><dd class="mono">${wf.sets.map((s) => `--set ${escapeHtml(s)}`).join(' ')}</dd>` : ''}<dt>Windows</dt><dd>train ${escapeHtml(w.train)}, test ${escapeHtml(w.test)}, ${w.anchored ? 'anchored (every train window starts at the data start)' : 'rolling'}, purge ${escapeHtml(w.purge)}, embargo ${escapeHtml(w.embargo)}</dd><dt>Search</dt><dd>${escapeHtml(wf.method)}${wf.trialsPerFold !== null ? `, ${formatCount(wf.trialsPerFold)} trials per fold` : ', every grid point'}; fitness <code>${escapeHtml(wf.fitness)}</code></dd><dt>Seed</dt><dd>${wf.seed}</dd><dt>combinedHash</dt><dd><code>${escapeHtml(wf.combinedHash)}</code> (over every fold's windows, sweep hash, chosen trial and test runHash)</dd></dl>
<h3>Per fold</h3><table><thead><tr><th class="num">Fold</th><th>Sweep combinedHash</th><th>Chosen trial</th><th class="num">Trial seed</th><th>Test runHash</th><th class="num">Purged</th></tr></thead><tbody>${rows.join('')}</tbody></table>`,
  );
}
