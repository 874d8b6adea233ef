import { describe, expect, it } from 'vitest';
import { runJson, summarize } from '../../../../cli/actions/run.js';
import { bookAssumptions } from '../../../../cli/compose/run-scenario.js';
import { booksOf, booksRunHash, mergeBookResults, sumCurves } from '../../../../cli/compose/books.js';
import type { BookResult } from '../../../../cli/compose/books.js';
import { qualify } from '../../../../cli/compose/load-scenario.js';
import type { FillId, OrderId, StrategyId, Symbol_ } from '../../../../engine/core/index.js';
import type { EquityCurve } from '../../../../engine/kernel/index.js';
import type { Fill, OrderRecord } from '../../../../engine/model/index.js';
import { renderRunReportHtml } from '../../../../reports/html/run-report-html.js';
import { buildRunReport } from '../../../../reports/index.js';
import { RunReportSchema } from '../../../../reports/report-schema.js';
import type { BacktestResult } from '../../../../sim/backtest/index.js';

/** The merge of books (cli/compose/books.ts) on hand-made results. */

const curve = (ts: number[], equity: number[], cash = equity): EquityCurve => ({
  ts: Float64Array.from(ts),
  equity: Float64Array.from(equity),
  cash: Float64Array.from(cash),
  grossExposure: Float64Array.from(equity.map((e, i) => e - cash[i]!)),
  marginInUse: new Float64Array(ts.length),
  buyingPower: Float64Array.from(cash),
});

const fill = (ts: number, orderId: string, fillId: string, strategyId: string): Fill => ({
  fillId: fillId as FillId,
  orderId: orderId as OrderId,
  strategyId: strategyId as StrategyId,
  ts,
  symbol: 'AAA' as Symbol_,
  side: 'buy',
  qty: 1,
  price: 10,
  commission: 0,
  liquidity: 'taker',
});

const order = (id: string, tsCreated: number, strategyId: string, link?: OrderRecord['link']): OrderRecord => ({
  id,
  symbol: 'AAA',
  side: 'buy',
  type: 'market',
  qty: 1,
  limitPrice: null,
  stopPrice: null,
  timeInForce: 'GTC',
  status: 'filled',
  filledQty: 1,
  avgFillPrice: 10,
  tsCreated,
  strategyId,
  reduceOnly: false,
  tag: null,
  reason: null,
  ...(link !== undefined ? { link } : {}),
});

function result(over: Partial<BacktestResult> & { equity: EquityCurve }): BacktestResult {
  const eq = over.equity.equity;
  return {
    symbols: ['AAA'],
    strategyIds: ['s'],
    initialCash: eq[0]!,
    barIntervalUs: 10,
    fills: [],
    orders: [],
    orderCount: 0,
    trades: [],
    audit: [],
    signals: [],
    signalCount: 0,
    assumptions: [],
    finalEquity: eq[eq.length - 1]!,
    finalCash: over.equity.cash[eq.length - 1]!,
    finalPositions: { AAA: 0 },
    firstPrice: { AAA: 10 },
    lastPrice: { AAA: 12 },
    barCount: eq.length,
    quoteCount: 0,
    tradeCount: 0,
    tradedNotional: 0,
    totalCommission: 0,
    runHash: 'h',
    ruin: null,
    ...over,
  };
}

describe('sumCurves', () => {
  it('sums curves on the same timestamps element by element', () => {
    const s = sumCurves([curve([1, 2, 3], [100, 110, 90]), curve([1, 2, 3], [50, 40, 70], [50, 50, 50])], [100, 50]);
    expect([...s.ts]).toEqual([1, 2, 3]);
    expect([...s.equity]).toEqual([150, 150, 160]);
    expect([...s.cash]).toEqual([150, 160, 140]);
    expect([...s.grossExposure]).toEqual([0, -10, 20]);
  });

  it('sums over the union of timestamps, carrying each book forward and its starting cash before its first sample', () => {
    const s = sumCurves([curve([2, 4], [100, 120]), curve([1, 3, 4, 5], [50, 60, 70, 80])], [90, 50]);
    expect([...s.ts]).toEqual([1, 2, 3, 4, 5]);
    // t=1: 90 (book 0 not started: its cash) + 50; t=2: 100 + 50; t=3: 100 + 60; t=4: 120 + 70; t=5: 120 + 80.
    expect([...s.equity]).toEqual([140, 150, 160, 190, 200]);
    expect([...s.marginInUse]).toEqual([0, 0, 0, 0, 0]);
  });
});

describe('mergeBookResults', () => {
  const a = result({
    strategyIds: ['a'],
    equity: curve([1, 2, 3], [1000, 900, -50]),
    fills: [fill(2, 'O-1', 'F-1', 'a'), fill(3, 'O-2', 'F-2', 'a')],
    orders: [order('O-1', 1, 'a'), order('O-2', 3, 'a', { contingency: 'OUO', parentId: 'O-1' as OrderId, linkedIds: ['O-1' as OrderId], group: null })],
    orderCount: 2,
    audit: [{ ts: 3, kind: 'account.ruined', message: 'ruined', orderId: 'O-2' }],
    trades: [{ strategyIndex: 0, symbolIndex: 0, side: 'long', qty: 1, entryTs: 1, entryPrice: 10, exitTs: 3, exitPrice: 9, pnl: -1, returnPct: -0.1, commission: 0, symbol: 'AAA', strategyId: 'a' }],
    finalPositions: { AAA: 2 },
    ruin: { ts: 3, equity: -50 },
    runHash: 'aa',
  });
  const b = result({
    strategyIds: ['b'],
    equity: curve([1, 2, 3], [2000, 2100, 2300]),
    fills: [fill(2, 'O-1', 'F-1', 'b'), fill(3, 'O-3', 'F-2', 'b')],
    orders: [order('O-1', 1, 'b'), order('O-2', 2, 'b'), order('O-3', 2, 'b')],
    orderCount: 3,
    audit: [{ ts: 2, kind: 'risk.denied', message: 'no', orderId: 'O-2' }, { ts: 2, kind: 'note', message: 'no order' }],
    trades: [{ strategyIndex: 0, symbolIndex: 0, side: 'long', qty: 1, entryTs: 1, entryPrice: 10, exitTs: 2, exitPrice: 11, pnl: 1, returnPct: 0.1, commission: 0, symbol: 'AAA', strategyId: 'b' }],
    finalPositions: { AAA: -1 },
    runHash: 'bb',
  });
  const books: BookResult[] = [
    { id: 'a', initialCash: 1000, result: a },
    { id: 'b', initialCash: 2000, result: b },
  ];
  const m = mergeBookResults(books, ['x']);

  it('shifts the later books ids past the earlier ones: a fill still names its order, links their orders', () => {
    expect(m.orders.map((o) => [o.id, o.strategyId])).toEqual([
      ['O-1', 'a'],
      ['O-3', 'b'],
      ['O-4', 'b'],
      ['O-5', 'b'],
      ['O-2', 'a'],
    ]);
    // Ties on time keep book order: a's fill at 2 before b's.
    expect(m.fills.map((f) => [f.ts, f.orderId, f.fillId, f.strategyId])).toEqual([
      [2, 'O-1', 'F-1', 'a'],
      [2, 'O-3', 'F-3', 'b'],
      [3, 'O-2', 'F-2', 'a'],
      [3, 'O-5', 'F-4', 'b'],
    ]);
    expect(m.orders.find((o) => o.id === 'O-2')!.link).toEqual({ contingency: 'OUO', parentId: 'O-1', linkedIds: ['O-1'], group: null });
    expect(m.audit.map((e) => [e.ts, e.orderId ?? null])).toEqual([
      [2, 'O-4'],
      [2, null],
      [3, 'O-2'],
    ]);
    expect(m.trades.map((t) => [t.strategyId, t.strategyIndex, m.strategyIds[t.strategyIndex]])).toEqual([
      ['b', 1, 'b'],
      ['a', 0, 'a'],
    ]);
  });

  it('sums cash, equity, positions and order counts; the ruin is the combined account\'s, each book\'s in accounts', () => {
    expect(m.initialCash).toBe(3000);
    expect([...m.equity.equity]).toEqual([3000, 3000, 2250]);
    expect(m.finalEquity).toBe(2250);
    expect(m.finalPositions).toEqual({ AAA: 1 });
    expect(m.orderCount).toBe(5);
    expect(m.barCount).toBe(3);
    expect(m.strategyIds).toEqual(['a', 'b']);
    expect(m.assumptions).toEqual(['x']);
    expect(m.ruin).toBeNull();
    expect(m.accounts).toEqual([
      { id: 'a', initialCash: 1000, finalEquity: -50, maxDrawdown: 1.05, ruin: { ts: 3, equity: -50 } },
      { id: 'b', initialCash: 2000, finalEquity: 2300, maxDrawdown: 0, ruin: null },
    ]);
    const ruined = mergeBookResults([books[0]!, { id: 'b', initialCash: 10, result: result({ equity: curve([1, 2, 3], [10, 10, 10]) }) }], []);
    expect(ruined.ruin).toEqual({ ts: 3, equity: -40 });
  });

  it('hashes the books in order: deterministic, and moved by any book, its cash or the order', () => {
    expect(m.runHash).toBe(booksRunHash([
      { id: 'a', initialCash: 1000, runHash: 'aa' },
      { id: 'b', initialCash: 2000, runHash: 'bb' },
    ]));
    expect(mergeBookResults(books, []).runHash).toBe(m.runHash);
    expect(mergeBookResults([...books].reverse(), []).runHash).not.toBe(m.runHash);
    expect(mergeBookResults([books[0]!, { ...books[1]!, initialCash: 2001 }], []).runHash).not.toBe(m.runHash);
    expect(mergeBookResults([books[0]!, { ...books[1]!, result: { ...b, runHash: 'bc' } }], []).runHash).not.toBe(m.runHash);
  });

  it('builds a report.json the schema accepts, with the accounts table, and the summary names the ruined book', () => {
    const report = buildRunReport(m, { name: 'books' }, 1, { source: 'x', kinds: ['bars'], symbols: ['AAA'], start: null, end: null, rows: {}, contentHash: null, barInterval: null });
    expect(RunReportSchema.safeParse(JSON.parse(JSON.stringify(report))).success).toBe(true);
    expect(report.accounts!.map((r) => [r.id, r.totalReturn, r.ruinedAt])).toEqual([
      ['a', -1.05, '1970-01-01T00:00:00.000003Z'],
      ['b', 0.15, null],
    ]);
    expect(runJson(report, '/out/report.json').accounts).toEqual(report.accounts);
    const lines = summarize(report, '/out/report.json').split('\n');
    expect(lines).toContain('account a ruined at 1970-01-01T00:00:00.000003Z (equity -50.00)');
    expect(lines.filter((l) => l.includes('ruined'))).toHaveLength(1);
    expect(lines).toContain('account a  1000.00 -> -50.00   return -105.00%   max drawdown ' + (report.accounts![0]!.maxDrawdown * 100).toFixed(2) + '%');
    expect(lines.filter((l) => l.startsWith('account b  2000.00 -> '))).toHaveLength(1);
    const html = renderRunReportHtml(report);
    expect(html).toContain('<a href="#accounts">Accounts</a>');
    const table = html.slice(html.indexOf('<section id="accounts">'));
    expect(table).toMatch(/<td>a<\/td><td class="num">1,000<\/td>/);
    expect(table).toContain('account a ruined at 1970-01-01T00:00:00.000003Z (equity -50.00): that account stopped trading, the others traded on.');
  });
});

describe('booksOf and bookAssumptions', () => {
  it('gives each strategy its own plan: its account, its cash, its cap and daily stop as the constraints', async () => {
    const s = await qualify(
      {
        name: 'b',
        data: { bars: '.' },
        portfolio: { constraints: { symbols: ['AAA'] } },
        strategies: [
          { id: 'x', type: 'sma_cross', account: { initialCash: 10, type: 'margin', leverage: 2, maxPositions: 1, dailyStopLoss: 5 } },
          { id: 'y', type: 'ema_cross', account: { initialCash: 20 } },
        ],
      },
      'b.json',
    );
    expect(booksOf({ ...s, strategies: s.strategies.map(({ account: _a, ...st }) => st) })).toBeNull();
    const books = booksOf(s)!;
    expect(books.map((b) => [b.index, b.id, b.scenario.strategies.map((st) => st.id), b.scenario.initialCash])).toEqual([
      [0, 'x', ['x'], 10],
      [1, 'y', ['y'], 20],
    ]);
    expect(books[0]!.scenario.account).toEqual({ type: 'margin', insufficientFunds: 'reject', leverage: 2 });
    expect(books[0]!.scenario.portfolio!.constraints).toEqual({ symbols: ['AAA'], maxPositions: 1, dailyStopLoss: 5 });
    expect(books[1]!.scenario.portfolio!.constraints).toEqual({ symbols: ['AAA'] });
    expect(books[1]!.scenario.account).toEqual({ type: 'cash', insufficientFunds: 'reject' });
    expect(books[0]!.scenario.strategies[0]).not.toHaveProperty('account');
  });

  it('states what all books share once and each book\'s own prefixed with its account', () => {
    const out = bookAssumptions(['x', 'y'], [
      ['Ruin: when equity at an equity sample is <= 0 trading ends for the run: more', 'cash', 'fees'],
      ['fees', 'margin', 'Ruin: when equity at an equity sample is <= 0 trading ends for the run: more'],
    ]);
    expect(out.slice(1)).toEqual([
      'Ruin: when equity at an equity sample is <= 0 trading ends for that account (the other accounts trade on): more',
      'fees',
      'account x: cash',
      'account y: margin',
    ]);
  });
});
