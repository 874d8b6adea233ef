import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenario } from '../../../../cli/compose/load-scenario.js';
import { runScenario } from '../../../../cli/compose/run-scenario.js';
import { generateDataset } from '../../../../datasets/synthetic/index.js';
import { chartNumber } from '../../../../reports/html/chart.js';
import { escapeHtml } from '../../../../reports/html/escape.js';
import { shortTime } from '../../../../reports/html/format.js';
import { ensembleViews, monitorAlerts, statusSpans } from '../../../../reports/html/ensemble-views.js';
import { renderRunReportHtml } from '../../../../reports/html/run-report-html.js';
import type { RunReport } from '../../../../reports/run-report.js';
import { chartOption, charts } from './chart-options.js';
import { sampleReport } from './fixture.js';
import { columnsOf, drawnCells } from './record-rows.js';

/** The rows of the table marked data-view="<view>": each row's first cell text and its cells' `attr` values (null when absent or empty). */
function tableRows(html: string, view: string, attr = 'data-v'): { id: string; values: (number | null)[] }[] {
  const m = new RegExp(`<table class="sortable" data-view="${view}">.*?<tbody>(.*?)</tbody>`, 's').exec(html);
  if (!m) throw new Error(`no table ${view}`);
  return [...m[1]!.matchAll(/<tr><td>([^<]*)<\/td>(.*?)<\/tr>/g)].map((r) => ({
    id: r[1]!,
    values: [...r[2]!.matchAll(/<td([^>]*)>/g)].map((c) => {
      const v = new RegExp(` ${attr}="([^"]*)"`).exec(c[1]!);
      return v === null || v[1] === '' ? null : Number(v[1]);
    }),
  }));
}

const US_PER_MS = 1000;

/** Runs scenarios/ensemble.json with `overrides` on a generated four-symbol daily dataset in a new temporary directory. */
async function runEnsemble(overrides: readonly string[]): Promise<{ dir: string; report: RunReport; html: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'tapedeck-ensemble-views-'));
  const data = join(dir, 'data');
  await generateDataset({ seed: 11, out: data, symbols: ['AAA', 'BBB', 'CCC', 'DDD'], days: 504, kinds: ['bars'] });
  const scenario = await loadScenario(resolve('scenarios/ensemble.json'), { overrides: [`data.bars=${data}`, ...overrides] });
  const report = (await runScenario(scenario)).report;
  return { dir, report, html: renderRunReportHtml(report) };
}

/** scenarios/ensemble.json on a generated four-symbol daily dataset, run in process (as tests/integration/ensemble.test.ts runs it). */
describe('ensemble views of a real ensemble run', () => {
  let dir: string;
  let report: RunReport;
  let html: string;

  beforeAll(async () => {
    ({ dir, report, html } = await runEnsemble([]));
  }, 120_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('lists each strategy closed-trade decomposition with the report numbers', () => {
    const by = report.ensemble!.decomposition.byStrategy;
    const rows = tableRows(html, 'decomposition');
    expect(rows.map((r) => r.id)).toEqual(report.ensemble!.strategies.map((s) => s.id).filter((id) => id in by));
    expect(rows.length).toBe(7);
    for (const r of rows) {
      const s = by[r.id]!;
      expect(r.values).toEqual([s.trades, s.pnl, s.winRate, s.profitFactor, s.expectancy]);
    }
  });

  it('tabulates alpha, beta, selection, market and timing of every strategy and the account from report.ensemble.attribution', () => {
    const at = report.ensemble!.attribution!;
    expect(at.benchmark).toBe('equal-weight buy and hold of AAA, BBB, CCC, DDD');
    const rows = tableRows(html, 'attribution');
    const ids = report.ensemble!.strategies.map((s) => s.id);
    expect(rows.map((r) => r.id)).toEqual(ids);
    const cols = (a: NonNullable<typeof at.account>) => [a.meanReturn, a.alpha, a.beta, a.alphaT, a.selection, a.market, a.timing, a.selectionT, a.timingT, a.rSquared];
    for (const r of rows) {
      const a = at.byStrategy[r.id]!;
      expect(a.periods).toBe(at.account!.periods);
      expect(a.periods).toBeGreaterThan(report.equity.length - 3);
      expect(r.values).toEqual(cols(a));
      // The Treynor-Mazuy parts add up to the annualized mean return.
      expect(a.selection! + a.market! + a.timing!).toBeCloseTo(a.meanReturn, 10);
    }
    expect(tableRows(html.replace('<strong>account (ensemble)</strong>', 'account'), 'attribution').at(-1)!.values).toEqual(cols(at.account!));
    // Different strategies, different attributions: the numbers come from each shadow ledger.
    expect(new Set(ids.map((id) => at.byStrategy[id]!.beta)).size).toBe(ids.length);
    // An allocation ensemble without ensemble.quality records no signal quality and draws no chart.
    expect(report.ensemble!.signalQuality).toBeNull();
    expect(charts(html)).not.toContain('ensemble-signal-quality');
  });

  it('shades a strategy x symbol P&L grid from bySymbol', () => {
    const bySymbol = report.ensemble!.decomposition.bySymbol;
    const symbols = [...new Set(Object.values(bySymbol).flatMap((m) => Object.keys(m)))].sort();
    expect(symbols).toEqual(['AAA', 'BBB', 'CCC', 'DDD']);
    const rows = tableRows(html, 'by-symbol');
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(r.values).toEqual(symbols.map((sym) => bySymbol[r.id]![sym]?.pnl ?? null));
    // Each strategy's symbol P&L adds up to its total.
    for (const r of rows) expect(r.values.reduce((a: number, v) => a + (v ?? 0), 0)).toBeCloseTo(report.ensemble!.decomposition.byStrategy[r.id]!.pnl, 6);
  });

  it('tabulates P&L and win rate per strategy and regime from byRegime', () => {
    const byRegime = report.ensemble!.decomposition.byRegime;
    const regimes = Object.keys(byRegime).filter((r) => Object.keys(byRegime[r]!).length > 0).sort();
    expect(regimes.length).toBeGreaterThan(0);
    const rows = tableRows(html, 'by-regime');
    expect(rows.length).toBe(7);
    for (const r of rows) expect(r.values).toEqual(regimes.map((g) => byRegime[g]![r.id]?.pnl ?? null));
    for (const r of tableRows(html, 'by-regime', 'data-win')) expect(r.values).toEqual(regimes.map((g) => byRegime[g]![r.id]?.winRate ?? null));
    for (const g of regimes) expect(html).toContain(`<th class="num" data-type="num">${g}</th>`);
  });

  it('draws each audited strategy status on the shared time axis, ending in the status the report gives it', () => {
    expect(charts(html)).toContain('ensemble-status');
    const option = chartOption(html, 'ensemble-status');
    const changes = report.ensemble!.audit.filter((a) => a.kind === 'strategy.status');
    const changed = [...new Set(changes.map((a) => a.strategyId!))];
    expect(changed.length).toBeGreaterThan(0);
    expect((option.yAxis as { data: string[] }).data).toEqual(changed);
    const eq = report.equity;
    const range: [number, number] = [eq[0]!.ts / US_PER_MS, eq.at(-1)!.ts / US_PER_MS];
    const spans = statusSpans(report, range);
    for (const id of changed) {
      const own = spans.filter((s) => s.strategyId === id);
      expect(own[0]!.start).toBe(range[0]);
      expect(own.at(-1)!.end).toBe(range[1]);
      expect(own.at(-1)!.status).toBe(report.ensemble!.strategies.find((s) => s.id === id)!.status);
      // Each change of this strategy starts a span at its audited time.
      expect(own.slice(1).map((s) => s.start)).toEqual(changes.filter((a) => a.strategyId === id).map((a) => a.ts / US_PER_MS));
    }
    expect(html).toMatch(/<figure class="chart" data-chart="ensemble-status"[^]*?data-group="run"|data-group="run"[^]*?data-chart="ensemble-status"/);
  });

  it('lists the monitor alerts newest first', () => {
    const alerts = report.ensemble!.audit.filter((a) => a.kind === 'monitor.alert');
    expect(alerts.length).toBeGreaterThan(0);
    const { data, cols } = columnsOf(html, 'alert-table');
    // report.audit repeats the ensemble's entries: each alert is listed once.
    expect(data.n).toBe(alerts.length);
    const times = Array.from({ length: data.n }, (_, i) => cols[0]!.val(i) as string);
    expect(times).toEqual([...times].sort().reverse());
    expect(cols[1]!.val(0)).toBe(alerts.at(-1)!.details!.alert);
    expect(cols[1]!.cell(0)).toBe(`<td><span class="pill">${alerts.at(-1)!.details!.alert as string}</span></td>`);
  });
});

/** The same ensemble voting, with the signal quality filter (ensemble.quality) on. */
describe('signal quality over time of a voting ensemble with the quality filter', () => {
  let dir: string;
  let report: RunReport;
  let html: string;

  beforeAll(async () => {
    ({ dir, report, html } = await runEnsemble(['ensemble.mode=voting', 'ensemble.quality={"threshold":0.5}']));
  }, 120_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('records every scored signal in equal-sample buckets covering the run', () => {
    const sq = report.ensemble!.signalQuality!;
    expect(sq.threshold).toBe(0.5);
    const b = sq.buckets;
    expect(b.length).toBeGreaterThan(100);
    expect(b.length).toBeLessThanOrEqual(256);
    expect(b[0]!.startTs).toBe(report.equity[0]!.ts);
    // The last bucket ends at the ensemble's last equity sample (the run's last sample, or the one before when the run's end adds a closing one).
    expect(report.equity.slice(-2).map((e) => e.ts)).toContain(b.at(-1)!.endTs);
    expect(b[0]!.start).toBe(report.equity[0]!.time);
    const all = b.flatMap((x) => Object.values(x.byStrategy));
    const scored = all.reduce((s, v) => s + v.signals, 0);
    const passed = all.reduce((s, v) => s + v.passed, 0);
    expect(scored).toBeGreaterThan(passed);
    expect(passed).toBeGreaterThan(0);
    for (const v of all) {
      expect(v.meanQuality).toBeGreaterThanOrEqual(0);
      expect(v.meanQuality).toBeLessThanOrEqual(1);
      // A bucket whose signals all passed has a mean at or above the threshold; all failed, below it.
      if (v.passed === v.signals) expect(v.meanQuality).toBeGreaterThanOrEqual(0.5);
      if (v.passed === 0) expect(v.meanQuality).toBeLessThan(0.5);
    }
    // Every vote decision that counted a strategy's signal came from a passing signal of that strategy.
    const contributors = new Set(report.ensemble!.decisions.flatMap((d) => d.contributingStrategies));
    for (const id of contributors) expect(all.length > 0 && b.some((x) => (x.byStrategy[id]?.passed ?? 0) > 0)).toBe(true);
  });

  it('draws one line per strategy of its bucket means, at each bucket midpoint, with the threshold', () => {
    const sq = report.ensemble!.signalQuality!;
    const option = chartOption(html, 'ensemble-signal-quality');
    const series = option.series as { name: string; data: [number, number | null][]; markLine?: { data: { yAxis: number }[] } }[];
    const ids = report.ensemble!.strategies.map((s) => s.id).filter((id) => sq.buckets.some((x) => id in x.byStrategy));
    expect(series.map((s) => s.name)).toEqual(ids);
    for (const s of series) {
      expect(s.data).toEqual(sq.buckets.map((x) => [(x.startTs + x.endTs) / 2 / US_PER_MS, x.byStrategy[s.name] ? chartNumber(x.byStrategy[s.name]!.meanQuality) : null]));
    }
    expect(series[0]!.markLine!.data).toEqual([{ yAxis: 0.5 }]);
    expect(html).toContain('<h3>Signal quality over time</h3>');
    expect(html).not.toContain('Signal quality over time is not shown');
  });
});

describe('ensemble views without their data', () => {
  const base = sampleReport();
  const t0 = base.equity[0]!.ts;
  const t1 = base.equity.at(-1)!.ts;
  const empty = {
    mode: 'allocation' as const,
    accountId: 'ensemble',
    weightsOverTime: [],
    decisions: [],
    strategies: [],
    account: { return: 0, sharpe: null, maxDrawdown: 0, turnover: 0 },
    decomposition: { byStrategy: {}, bySymbol: {}, byRegime: {} },
    audit: [],
  };
  const entry = (ts: number, kind: string, message: string, details: Record<string, unknown>, strategyId?: string) => ({ ts, time: new Date(ts / 1000).toISOString(), kind, message, details, ...(strategyId ? { strategyId } : {}) });

  it('omits every view when the ensemble has no decomposition, status change or alert', () => {
    const html = renderRunReportHtml({ ...base, ensemble: empty });
    expect(html).not.toContain('data-view=');
    expect(charts(html)).not.toContain('ensemble-status');
    expect(ensembleViews({ ...base, ensemble: empty }, [], [0, 1], 'run', 1100)).toBe('');
    expect(ensembleViews(base, [], [0, 1], 'run', 1100)).toBe('');
  });

  it('splits a strategy status into spans at its changes', () => {
    const mid = t0 + (t1 - t0) / 2;
    const audit = [entry(t0 + 1000, 'strategy.status', 'a', { from: 'ACTIVE', to: 'DEGRADED' }, 'x'), entry(mid, 'strategy.status', 'b', { from: 'DEGRADED', to: 'RETIRED' }, 'x')];
    const r = { ...base, ensemble: { ...empty, audit } };
    const range: [number, number] = [t0 / 1000, t1 / 1000];
    expect(statusSpans(r, range)).toEqual([
      { strategyId: 'x', status: 'ACTIVE', start: t0 / 1000, end: t0 / 1000 + 1 },
      { strategyId: 'x', status: 'DEGRADED', start: t0 / 1000 + 1, end: mid / 1000 },
      { strategyId: 'x', status: 'RETIRED', start: mid / 1000, end: t1 / 1000 },
    ]);
    const html = renderRunReportHtml(r);
    expect(charts(html)).toContain('ensemble-status');
    expect(html).not.toContain('data-view="decomposition"');
  });

  it('lists every alert, newest first, 100 a page: 250 of them', () => {
    const audit = Array.from({ length: 250 }, (_, i) => entry(t0 + i * 1000, 'monitor.alert', `turnover ${i}`, { level: 'warning', alert: 'excessive_turnover' }, i % 2 === 0 ? 'trend' : undefined));
    const r = { ...base, ensemble: { ...empty, audit } };
    expect(monitorAlerts(r)[0]!.message).toBe('turnover 249');
    const html = ensembleViews(r, [], undefined, 'run', 1100);
    const { data, cols } = columnsOf(html, 'alert-table');
    expect(data.n).toBe(250);
    expect(Array.from({ length: 250 }, (_, i) => cols[4]!.val(i))).toEqual(audit.map((a) => a.message).reverse());
    expect(html).toContain('<span class="count muted">rows 1-100 of 250</span>');
    expect(html).toContain("The ensemble monitor's alerts, newest first (excessive_turnover 250), 100 a page.");
    expect(html).not.toContain('are listed');
  });

  it('draws each alert\'s cells as the table listed them before: time, alert pill, level, strategy (or a muted "ensemble"), message', () => {
    const audit = [entry(t0, 'monitor.alert', 'drawdown <5%>', { level: 'critical', alert: 'drawdown' }, 'trend'), entry(t0 + 86_400_000_000, 'monitor.alert', 'turnover', { level: 'warning', alert: 'excessive_turnover' })];
    const html = ensembleViews({ ...base, ensemble: { ...empty, audit } }, [], undefined, 'run', 1100);
    expect(drawnCells(html, 'alert-table')).toEqual(
      [...audit].reverse().map((a) => [
        `<td>${shortTime(a.time)}</td>`,
        `<td><span class="pill">${a.details.alert as string}</span></td>`,
        `<td>${a.details.level as string}</td>`,
        a.strategyId ? `<td>${a.strategyId}</td>` : '<td><span class="muted">ensemble</span></td>',
        `<td>${escapeHtml(a.message)}</td>`,
      ]),
    );
    expect(html).toContain("The ensemble monitor's alerts, newest first (excessive_turnover 1, drawdown 1).");
  });
});
