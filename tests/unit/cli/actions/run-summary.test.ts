import { describe, expect, it } from 'vitest';
import { NO_VALUE, TABLE_GROUPS, summarize, wantsColor } from '../../../../cli/actions/run-summary.js';
import { runJson } from '../../../../cli/actions/run.js';
import { METRIC_ROWS } from '../../../../reports/html/metric-rows.js';
import type { PerformanceMetrics } from '../../../../reports/metrics.js';
import type { RunReport } from '../../../../reports/run-report.js';
import { accountReport, legacyReport } from '../../reports/account-fixture.js';

const US = (iso: string) => Date.parse(iso) * 1000;

/**
 * A hand-made report: three equity samples (10,000 -> 13,000 -> 12,100) and metrics set by hand, with
 * undefined ones (null, and a NaN that report.json would never hold) and both signs.
 */
function handReport(over: Partial<PerformanceMetrics> = {}): RunReport {
  const metrics: PerformanceMetrics = {
    bars: 3,
    startTs: US('2024-01-02T00:00:00Z'),
    endTs: US('2024-01-04T12:00:00Z'),
    periodsPerYear: 252,
    annualization: 'trading-days',
    finalEquity: 12_100,
    totalReturn: 0.21,
    cagr: null,
    annualizedVolatility: Number.NaN,
    sharpe: 1.234,
    sortino: -0.5,
    calmar: null,
    maxDrawdown: 0.1,
    maxDrawdownDurationUs: 86_400_000_000,
    maxDrawdownDurationBars: 1,
    averageDrawdown: 0.05,
    averageDrawdownDurationUs: 43_200_000_000,
    drawdownEpisodes: 2,
    exposureTime: 0.5,
    tradeCount: 2,
    winRate: 0.5,
    bestTrade: 0.2,
    worstTrade: -0.1,
    averageTrade: 0.05,
    averageWinningTrade: 2000,
    averageLosingTrade: -1000,
    profitFactor: 2,
    expectancy: 500,
    sqn: null,
    kelly: 0.25,
    tradedNotional: 1_234_567.891,
    turnover: 10,
    annualTurnover: null,
    totalCommissions: 12.5,
    buyAndHoldReturn: -0.05,
    riskFreeRate: 0,
    ruinedAt: null,
    ...over,
  };
  const sample = (time: string, equity: number) => ({ time, ts: US(time), equity, cash: equity, drawdown: 0, grossExposure: 0 });
  return {
    scenario: { name: 'hand' },
    seed: 7,
    runHash: 'cd'.repeat(32),
    metrics,
    equity: [sample('2024-01-02T00:00:00.000Z', 10_000), sample('2024-01-03T00:00:00.000Z', 13_000), sample('2024-01-04T12:00:00.000Z', 12_100)],
    counts: { bars: 6, quotes: 0, trades: 0, orders: 4, fills: 4 },
  } as unknown as RunReport;
}

const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');
const rowOf = (text: string, label: string) => text.split('\n').find((l) => l.startsWith(`  ${label}  `));

describe('tapedeck run: the metrics table', () => {
  const text = summarize(handReport(), '/out/report.json');
  const lines = text.split('\n');

  it('prints the scenario and seed, what was replayed, the groups, then the runHash and the report path', () => {
    expect(lines.slice(0, 3)).toEqual(['scenario                        hand (seed 7)', 'data                            3 equity samples of 6 bars', '']);
    expect(lines.filter((l) => /^\S/.test(l) && !l.includes('  '))).toEqual(['Period', 'Returns', 'Risk-adjusted', 'Drawdowns', 'Trades', 'Costs and turnover']);
    expect(lines.slice(-2)).toEqual([`runHash                         ${'cd'.repeat(32)}`, 'report                          /out/report.json']);
  });

  it('aligns labels left and values right: every row is as wide as the widest label and the widest value', () => {
    // Widest label 'Max drawdown duration (bars)' (28), widest value '2024-01-04 12:00:00Z' (20): 2 + 28 + 2 + 20.
    const rows = lines.filter((l) => l.startsWith('  '));
    expect(rows.length).toBe(39);
    for (const r of rows) expect(r.length, r).toBe(52);
    expect(rowOf(text, 'Total return')).toBe(`  Total return${' '.repeat(32)}21.00%`);
    expect(rowOf(text, 'Traded notional')).toBe(`  Traded notional${' '.repeat(23)}1,234,567.89`);
    expect(rowOf(text, 'Max drawdown duration (bars)')).toBe(`  Max drawdown duration (bars)${' '.repeat(21)}1`);
    expect(rowOf(text, 'End')).toBe(`  End${' '.repeat(27)}2024-01-04 12:00:00Z`);
  });

  it('shows every metric of the report page, and the period, peak and durations backtesting.py users read', () => {
    for (const r of METRIC_ROWS) expect(rowOf(text, r.label), r.label).toBeDefined();
    expect(rowOf(text, 'Start')!.trim().split(/\s+/).at(-1)).toBe('2024-01-02');
    expect(rowOf(text, 'End')!.endsWith('2024-01-04 12:00:00Z')).toBe(true);
    expect(rowOf(text, 'Duration')!.endsWith(' 2.5 d')).toBe(true);
    expect(rowOf(text, 'Equity peak')!.endsWith(' 13,000.00')).toBe(true);
    expect(rowOf(text, 'Average drawdown duration')!.endsWith(' 12.0 h')).toBe(true);
    expect(rowOf(text, 'Periods per year')!.endsWith(' 252')).toBe(true);
    expect(rowOf(text, 'Annualization')!.endsWith(' trading-days')).toBe(true);
    // (1 - 0.05)^(252 / 2) - 1, the buy-and-hold return annualized over the run's 2 periods.
    expect(rowOf(text, 'Buy & hold CAGR')!.endsWith(' -99.84%')).toBe(true);
    expect(rowOf(text, 'Sortino ratio')!.endsWith(' -0.50')).toBe(true);
  });

  it('has a row for every metric of report.metrics but ruinedAt (the ruin line)', () => {
    const shown = new Set(TABLE_GROUPS.flatMap((g) => g.keys));
    expect(Object.keys(handReport().metrics).filter((k) => !shown.has(k))).toEqual(['ruinedAt']);
  });

  it('shows a null or NaN metric as -', () => {
    for (const label of ['CAGR', 'Volatility (ann.)', 'Calmar ratio', 'SQN', 'Turnover per year']) expect(rowOf(text, label)!.endsWith(` ${NO_VALUE}`), label).toBe(true);
    expect(text).not.toMatch(/n\/a|NaN|null/);
    const empty = summarize({ ...handReport(), equity: [] } as RunReport, '/r.json');
    expect(rowOf(empty, 'Equity peak')!.endsWith(' -')).toBe(true);
  });

  it('is plain without colour, and with colour the same text in ANSI: dim labels, bold groups, green gains, red losses', () => {
    expect(text).not.toContain('\x1b');
    const coloured = summarize(handReport(), '/out/report.json', { color: true });
    expect(stripAnsi(coloured)).toBe(text);
    expect(coloured).toContain('\x1b[1mPeriod\x1b[22m');
    expect(coloured).toContain(`  \x1b[2mTotal return${' '.repeat(16)}\x1b[22m  \x1b[32m${' '.repeat(14)}21.00%\x1b[39m`);
    expect(coloured).toContain(`  \x1b[2mBuy & hold return${' '.repeat(11)}\x1b[22m  \x1b[31m${' '.repeat(14)}-5.00%\x1b[39m`);
    expect(coloured).toContain(`  \x1b[2mSortino ratio${' '.repeat(15)}\x1b[22m  \x1b[31m${' '.repeat(15)}-0.50\x1b[39m`);
    // A ratio that is undefined or a metric without a sign (drawdown) is not coloured.
    expect(coloured.split('\n').find((l) => l.includes('CAGR') && !l.includes('Buy'))).not.toMatch(/\x1b\[3[12]m/);
    expect(coloured.split('\n').find((l) => l.includes('Max drawdown '))).not.toMatch(/\x1b\[3[12]m/);
  });

  it('colours only a terminal, and not when NO_COLOR is set to a value', () => {
    expect(wantsColor({ isTTY: true }, {})).toBe(true);
    expect(wantsColor({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(wantsColor({ isTTY: true }, { NO_COLOR: '' })).toBe(true);
    expect(wantsColor({ isTTY: false }, {})).toBe(false);
    expect(wantsColor({}, {})).toBe(false);
  });
});

describe('tapedeck run: summary and --json of a ruined account', () => {
  it('prints `account ruined at <ISO time> (equity <x>)` right under the scenario, before the table', () => {
    const lines = summarize(accountReport({ ruinAt: 200 }), '/out/report.json').split('\n');
    const i = lines.findIndex((l) => l.startsWith('data '));
    expect(lines[i + 1]).toBe('account ruined at 2023-07-21T00:00:00.000Z (equity -1234.50)');
    expect(lines[i + 3]).toBe('Period');
  });

  it('prints no ruin line for a run that was never ruined, or a report written before accounts', () => {
    expect(summarize(accountReport(), '/out/report.json')).not.toContain('ruined');
    expect(summarize(legacyReport(), '/out/report.json')).not.toContain('ruined');
  });

  it('--json carries metrics.ruinedAt: the ISO time, or null', () => {
    expect(runJson(accountReport({ ruinAt: 200 }), '/out/report.json').metrics.ruinedAt).toBe('2023-07-21T00:00:00.000Z');
    expect(runJson(accountReport(), '/out/report.json').metrics.ruinedAt).toBeNull();
    const old = runJson(legacyReport(), '/out/report.json');
    expect(old.metrics.ruinedAt).toBeNull();
    expect(old.runHash).toBe('ab'.repeat(32));
    expect(old.report).toBe('/out/report.json');
  });

  it("says what the period replayed: the equity samples and the data rows behind them, not the samples called bars", () => {
    const report = accountReport();
    const line = (r: typeof report) => summarize(r, '/out/report.json').split('\n').find((l) => l.startsWith('data '))!;
    const three = { ...report, counts: { ...report.counts, bars: 3 * report.metrics.bars, quotes: 0, trades: 0 } };
    expect(line(three)).toMatch(new RegExp(` ${report.metrics.bars} equity samples of ${3 * report.metrics.bars} bars$`));
    const ticks = { ...report, counts: { ...report.counts, bars: 0, quotes: 12, trades: 5 } };
    expect(line(ticks)).toMatch(/ equity samples of 12 quotes, 5 trade prints$/);
  });
});
