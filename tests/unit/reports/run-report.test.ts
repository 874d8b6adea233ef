import { describe, expect, it, vi } from 'vitest';
import { formatIsoUs } from '../../../engine/core/index.js';
import { renderRunReportHtml } from '../../../reports/html/run-report-html.js';
import { buildRunReport, extendReport, reportWithoutLists, runRecordsOf } from '../../../reports/run-report.js';
import type { RunReport, RunReportInput } from '../../../reports/run-report.js';

// Counts the ISO-8601 times formatted, to see which records the report and its page turn into text.
vi.mock('../../../engine/core/index.js', async (importOriginal) => {
  const core = await importOriginal<typeof import('../../../engine/core/index.js')>();
  return { ...core, formatIsoUs: vi.fn(core.formatIsoUs) };
});
const formatted = (): number => vi.mocked(formatIsoUs).mock.calls.length;

const DAY_US = 86_400_000_000;
const START_US = Date.parse('2023-01-02T00:00:00Z') * 1000;
const SYMBOLS = ['AAA', 'BBB', 'CCC'];
const PER_SYMBOL = 8000;

/**
 * A run of 24,000 round trips (8,000 per symbol, two strategies) and 48,000 fills over 300 daily samples,
 * listed symbol by symbol (as merged books list them: not in exit order), with exits that share a
 * millisecond and differ in microseconds, and exits on a whole millisecond.
 */
function manyTradesInput(): RunReportInput {
  const days = 300;
  const ts = new Float64Array(days);
  const equity = new Float64Array(days);
  for (let i = 0; i < days; i++) {
    ts[i] = START_US + i * DAY_US;
    equity[i] = 100_000 + 1_000 * Math.sin(i / 9);
  }
  const fills: Record<string, unknown>[] = [];
  const trades: RunReportInput['trades'][number][] = [];
  for (const [k, symbol] of SYMBOLS.entries()) {
    for (let j = 0; j < PER_SYMBOL; j++) {
      const strategyId = j % 3 === 0 ? 'revert' : 'trend';
      const entryTs = START_US + j * 5_000_000 + k;
      // The three symbols' j-th exits share a millisecond: one on it, the others 1 to 999 microseconds past it.
      const exitTs = START_US + (j + 1) * 5_000_000 + ((j + k) % 3 === 0 ? 0 : ((j * 7 + k * 13) % 999) + 1);
      const pnl = ((j * 37 + k) % 101) - 50;
      trades.push({ symbol, strategyId, side: j % 2 === 0 ? 'long' : 'short', qty: 1 + (j % 5), entryTs, entryPrice: 100 + k, exitTs, exitPrice: 100 + k + pnl / 10, pnl, returnPct: pnl / 1000, commission: 0.5 });
      for (const [n, t] of [entryTs, exitTs].entries()) {
        fills.push({ fillId: `F-${fills.length}`, orderId: `O-${fills.length + 1}`, strategyId, ts: t, symbol, side: n === 0 ? 'buy' : 'sell', qty: 1 + (j % 5), price: 100 + k, commission: 0.25, liquidity: 'taker' });
      }
    }
  }
  return {
    symbols: SYMBOLS,
    strategyIds: ['trend', 'revert'],
    initialCash: 100_000,
    barIntervalUs: DAY_US,
    fills: fills as unknown as RunReportInput['fills'],
    orders: [],
    trades,
    equity: { ts, equity, cash: equity, grossExposure: new Float64Array(days), marginInUse: new Float64Array(days), buyingPower: equity },
    audit: [{ ts: START_US + DAY_US + 5, kind: 'risk.denied', message: 'order O-9 denied', strategyId: 'trend', symbol: 'AAA', details: { limit: 1 } }],
    signals: [{ ts: START_US + 7, strategyId: 'trend', symbol: 'AAA', direction: 1, strength: 0.5, confidence: 0.9 }] as unknown as RunReportInput['signals'],
    signalCount: 1,
    assumptions: ['Market orders fill at the next bar open'],
    firstPrice: { AAA: 100, BBB: 101, CCC: 102 },
    lastPrice: { AAA: 100, BBB: 101, CCC: 102 },
    finalPositions: { AAA: 0, BBB: 0, CCC: 0 },
    barCount: days,
    quoteCount: 0,
    tradeCount: 0,
    runHash: 'ab'.repeat(32),
  };
}

function build(input: RunReportInput): RunReport {
  const scenario = { name: 'many', strategies: [{ id: 'trend', type: 'sma_cross' }, { id: 'revert', type: 'sma_cross' }] };
  return buildRunReport(input, scenario, 7, { source: '/data/many', kinds: ['bars'], symbols: SYMBOLS, start: null, end: null, rows: {}, contentHash: null, barInterval: '1d' });
}

describe('buildRunReport record lists', () => {
  it('lists every fill, round trip, audit entry and recorded signal with its ISO-8601 time, in report.json order', () => {
    const input = manyTradesInput();
    const report = build(input);
    const t = input.trades[8001]!;
    expect(report.trades[8001]).toEqual({ symbol: 'BBB', strategyId: t.strategyId, side: t.side, qty: t.qty, entryTime: formatIsoUs(t.entryTs), entryPrice: t.entryPrice, exitTime: formatIsoUs(t.exitTs), exitPrice: t.exitPrice, pnl: t.pnl, returnPct: t.returnPct, commission: 0.5 });
    const f = input.fills[3]!;
    expect(report.fills[3]).toEqual({ ts: f.ts, time: formatIsoUs(f.ts), symbol: 'AAA', side: 'sell', qty: f.qty, price: 100, commission: 0.25, orderId: 'O-4', strategyId: f.strategyId, liquidity: 'taker' });
    expect(report.audit).toEqual([{ ...input.audit[0]!, time: '2023-01-03T00:00:00.000005Z' }]);
    expect(report.signals).toEqual({ count: 1, recorded: [{ ...input.signals[0]!, time: '2023-01-02T00:00:00.000007Z' }] });
    expect(report.trades).toHaveLength(3 * PER_SYMBOL);
    expect(report.fills).toHaveLength(6 * PER_SYMBOL);
    // report.json written whole (a library caller's report) holds the lists where it always did.
    const json = JSON.parse(JSON.stringify(report)) as Record<string, unknown>;
    expect(Object.keys(json).slice(0, 16)).toEqual(['schemaVersion', 'generator', 'scenario', 'seed', 'runHash', 'metrics', 'fills', 'trades', 'equity', 'orders', 'positions', 'assumptions', 'audit', 'signals', 'data', 'counts']);
    expect(json['trades']).toEqual(report.trades);
    expect(json['signals']).toEqual(report.signals);
  });

  it('turns the records into objects on the first read of each list, once', () => {
    const input = manyTradesInput();
    const before = formatted();
    const report = build(input);
    const built = formatted();
    // The equity preview and the tear sheet format a few hundred times, not a time per record.
    expect(built - before).toBeLessThan(1000);
    const trades = report.trades;
    expect(formatted() - built).toBe(2 * input.trades.length);
    expect(report.trades).toBe(trades);
    const fills = report.fills;
    expect(formatted() - built).toBe(2 * input.trades.length + input.fills.length);
    expect(report.fills).toBe(fills);
    expect(formatted() - built).toBe(2 * input.trades.length + input.fills.length);
  });

  it("renders the same page from the run's records as from the report's lists, formatting only the times it draws", () => {
    const input = manyTradesInput();
    const report = build(input);
    expect(runRecordsOf(report)?.trades).toBe(input.trades);
    const before = formatted();
    const html = renderRunReportHtml(report);
    // Drawn: up to 750 entry and exit markers per symbol, 2,000 table rows, 2,000 steps per strategy (12,500 times); listed in full, 96,000.
    expect(formatted() - before).toBeLessThan(input.trades.length);
    // A spread copy holds the lists (built) and not the run's records: the page reads the lists.
    const copy = { ...report };
    expect(runRecordsOf(copy)).toBeNull();
    expect(renderRunReportHtml(copy)).toBe(html);
  });

  it('formats each time the trade list and the markers both show once: a round trip is built once, a reversal shares its time', () => {
    // 3,000 reversals of one symbol (each entry the previous exit), whole milliseconds: the markers draw every 4th
    // round trip (750: 1,500 times); the list is data the page's script formats (its times as numbers).
    const input = manyTradesInput();
    const trades = input.trades.filter((t) => t.symbol === 'AAA').slice(0, 3000);
    const reversals = trades.map((t, j) => ({ ...t, entryTs: START_US + j * 5_000_000, exitTs: START_US + (j + 1) * 5_000_000 }));
    const report = build({ ...input, trades: reversals, fills: input.fills.filter((f) => f.symbol === 'AAA'), audit: [], symbols: ['AAA'] });
    const before = formatted();
    const html = renderRunReportHtml(report);
    // The markers' 1,500 times, each round trip built once; the trade list formats none (the browser does), and
    // the attribution chart's steps (two strategies in the scenario) are drawn from their numbers. Before: 8,500
    // (1,500, 2 * 2,000 and 3,000 steps formatted and parsed back), then 3,000 (the list's 2,000 rows).
    expect(formatted() - before).toBe(1500);
    expect(html).toContain('<h2>Trades (3,000)</h2>');
    expect(renderRunReportHtml({ ...report })).toBe(html);
  });

  it('extends a report and leaves out its lists for report.json without building them', () => {
    const report = build(manyTradesInput());
    const tables = { equity: { file: 'equity.parquet', rows: 300 } };
    const before = formatted();
    const written = extendReport(report, { tables });
    const file = JSON.stringify(reportWithoutLists(written as unknown as RunReport));
    expect(formatted()).toBe(before);
    expect(runRecordsOf(written)).toBe(runRecordsOf(report));
    // What the spread and the destructuring it replaces gave.
    const { fills: _f, orders: _o, trades: _t, audit: _a, signals, ...rest } = { ...report, tables };
    expect(file).toBe(JSON.stringify({ ...rest, signals: { count: signals.count } }));
    expect(Object.keys(written)).toEqual(Object.keys({ ...report, tables }));
    expect(written.trades).toEqual(report.trades);
  });
});
