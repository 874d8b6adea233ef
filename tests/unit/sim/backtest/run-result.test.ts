import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import type { StrategyId, Symbol_ } from '../../../../engine/core/index.js';
import { ExecutionEngine } from '../../../../engine/execution/index.js';
import { Portfolio } from '../../../../engine/portfolio/index.js';
import { buildRunReport } from '../../../../reports/run-report.js';
import { collectRunResult, extendRunResult } from '../../../../sim/backtest/run-result.js';
import { computeRunHash, hashableFills, hashableOrders } from '../../../../sim/backtest/run-hash.js';
import { RunRecorder, SignalLog } from '../../../../sim/backtest/run-recorder.js';
import type { Signal } from '../../../../engine/model/index.js';
import { ImmediateClient } from '../../engine/execution/algorithms/harness.js';

/** A finished run of `orders` (market orders filled at `price`, or limits left resting), collected. */
function collected(orders: readonly { strategy: number; symbol: 'AAA' | 'BBB'; side: 'buy' | 'sell'; qty: number; rest: boolean; price: number }[], keepOrders = true, signals: readonly Signal[] = []) {
  const symbols = ['AAA', 'BBB'] as Symbol_[];
  const portfolio = new Portfolio(2, 2, 1_000_000);
  const recorder = new RunRecorder();
  const execution = new ExecutionEngine(symbols, ['s0', 's1'] as StrategyId[], portfolio, recorder, null);
  const client = new ImmediateClient();
  client.sink = execution;
  execution.connect(client);
  orders.forEach((o, i) => {
    client.mode = o.rest ? 'rest' : 'fill';
    client.price = o.price;
    execution.submit(o.strategy, o.rest ? { symbol: o.symbol, side: o.side, qty: o.qty, type: 'limit', limitPrice: o.price } : { symbol: o.symbol, side: o.side, qty: o.qty }, 1000 * (i + 1));
    const sample = new Float64Array(7);
    sample[0] = 1000 * (i + 1);
    sample[1] = sample[2] = 1_000_000;
    recorder.onEquity(sample);
  });
  for (const sig of signals) recorder.onSignal(sig);
  return collectRunResult({
    symbols,
    strategyIds: ['s0', 's1'],
    ledgerIds: ['s0', 's1'],
    initialCash: 1_000_000,
    barIntervalUs: 1000,
    execution,
    portfolio,
    recorder,
    keepOrders,
    firstPrice: new Float64Array([Number.NaN, Number.NaN]),
    assumptions: [],
    barCount: orders.length,
    quoteCount: 0,
    tradeCount: 0,
  });
}

const order = fc.record({
  strategy: fc.integer({ min: 0, max: 1 }),
  symbol: fc.constantFrom('AAA' as const, 'BBB' as const),
  side: fc.constantFrom('buy' as const, 'sell' as const),
  qty: fc.integer({ min: 1, max: 700 }),
  rest: fc.boolean(),
  price: fc.double({ min: 1, max: 500, noNaN: true }),
});

describe('collectRunResult', () => {
  it('hands the records as columns that read like its lists, and hashes them like the lists (property)', () => {
    fc.assert(
      fc.property(fc.array(order, { maxLength: 40 }), (orders) => {
        const r = collected(orders);
        const { fills, orders: ords, trades } = r.records!;
        expect(fills.length).toBe(r.fills.length);
        r.fills.forEach((f, i) => {
          for (const k of ['ts', 'qty', 'price', 'commission'] as const) expect(fills.column(k)[i]).toBe(f[k]);
          expect([fills.fillIdAt(i), fills.orderIdAt(i), fills.strategyIdAt(i), fills.symbolAt(i), fills.sideAt(i), fills.liquidityAt(i)]).toEqual([f.fillId, f.orderId, f.strategyId, f.symbol, f.side, f.liquidity]);
        });
        expect(ords.length).toBe(r.orders.length);
        r.orders.forEach((o, i) => {
          for (const k of ['qty', 'filledQty', 'avgFillPrice', 'tsCreated'] as const) expect(ords.column(k)[i]).toBe(o[k]);
          for (const k of ['limitPrice', 'stopPrice'] as const) expect(ords.column(k)[i]).toBe(o[k] ?? Number.NaN);
          expect([ords.idAt(i), ords.symbolAt(i), ords.sideAt(i), ords.typeAt(i), ords.timeInForceAt(i), ords.statusAt(i), ords.strategyIdAt(i), ords.reduceOnlyAt(i), ords.tagAt(i), ords.reasonAt(i), ords.linkOf(i)]).toEqual([
            o.id, o.symbol, o.side, o.type, o.timeInForce, o.status, o.strategyId, o.reduceOnly, o.tag, o.reason, o.link ?? null,
          ]);
        });
        expect(trades.length).toBe(r.trades.length);
        r.trades.forEach((t, i) => {
          for (const k of ['qty', 'entryTs', 'entryPrice', 'exitTs', 'exitPrice', 'pnl', 'returnPct', 'commission'] as const) expect(trades.column(k)[i]).toBe(t[k]);
          expect([trades.symbolAt(i), trades.strategyIdAt(i), trades.sideAt(i)]).toEqual([t.symbol, t.strategyId, t.side]);
        });
        // The runHash read the logs' columns (ids written digit by digit); the lists hash the same.
        expect(r.runHash).toBe(computeRunHash(hashableFills(r.fills), hashableOrders(r.orders), r.equity.ts, r.equity.equity, r.equity.ts.length));
      }),
      { numRuns: 100 },
    );
  });

  it('builds each list on its first read only, and keeps it', () => {
    const r = collected([
      { strategy: 0, symbol: 'AAA', side: 'buy', qty: 10, rest: false, price: 100 },
      { strategy: 0, symbol: 'AAA', side: 'sell', qty: 10, rest: false, price: 101 },
      { strategy: 1, symbol: 'BBB', side: 'buy', qty: 5, rest: true, price: 50 },
    ]);
    for (const k of ['fills', 'orders', 'trades'] as const) expect(Object.getOwnPropertyDescriptor(r, k)?.get).toBeTypeOf('function');
    expect(r.records!.fills.length).toBe(2);
    expect(r.records!.orders.length).toBe(3);
    expect(r.records!.trades.length).toBe(1);
    expect(r.fills).toBe(r.fills);
    expect(r.orders.map((o) => o.status)).toEqual(['filled', 'filled', 'accepted']);
    expect(r.trades).toEqual([expect.objectContaining({ symbol: 'AAA', strategyId: 's0', side: 'long', qty: 10, entryPrice: 100, exitPrice: 101 })]);
    // records is not enumerable: spreads and JSON hold the lists alone.
    expect(Object.keys(r)).not.toContain('records');
    expect({ ...r }.records).toBeUndefined();
  });

  it('makes the signals on their first read only (none made by a caller that reads only counts), as recorded', () => {
    const signals: Signal[] = [
      { ts: 1000, strategyId: 's0' as StrategyId, symbol: 'AAA' as Symbol_, direction: 1, strength: 1, confidence: 0.5 },
      { ts: 2000, strategyId: 's1' as StrategyId, symbol: 'BBB' as Symbol_, direction: -1, strength: 0.25, confidence: 1, reason: 'cross' },
      { ts: 3000, strategyId: 's0' as StrategyId, symbol: 'AAA' as Symbol_, direction: 0, strength: 0, confidence: 0, metadata: { filter: 'pass' } },
    ];
    const list = vi.spyOn(SignalLog.prototype, 'list');
    try {
      const r = collected([{ strategy: 0, symbol: 'AAA', side: 'buy', qty: 10, rest: false, price: 100 }], true, signals);
      expect(list).not.toHaveBeenCalled();
      expect(Object.getOwnPropertyDescriptor(r, 'signals')?.get).toBeTypeOf('function');
      expect(r.signalCount).toBe(3);
      const extended = extendRunResult(r, { runHash: 'other' });
      expect(list).not.toHaveBeenCalled();
      expect(r.signals).toEqual(signals);
      expect(r.signals.map((s) => Object.keys(s))).toEqual(signals.map((s) => Object.keys(s)));
      expect(r.signals).toBe(r.signals);
      expect(extended.signals).toBe(r.signals);
      // Where a plain property sat: the same keys in the same order, and the same JSON.
      expect(Object.keys(r).indexOf('signals')).toBe(Object.keys(r).indexOf('audit') + 1);
      expect(JSON.parse(JSON.stringify(r)).signals).toEqual(signals);
    } finally {
      list.mockRestore();
    }
  });

  it('lists no orders when not keeping them, and counts them still', () => {
    const r = collected([{ strategy: 0, symbol: 'AAA', side: 'buy', qty: 10, rest: false, price: 100 }], false);
    expect(r.orders).toEqual([]);
    expect(r.records!.orders.length).toBe(0);
    expect(r.orderCount).toBe(1);
  });
});

describe('extendRunResult', () => {
  it('sets fields as a spread would, key order included, without building the lists', () => {
    const r = collected([
      { strategy: 0, symbol: 'AAA', side: 'buy', qty: 10, rest: false, price: 100 },
      { strategy: 0, symbol: 'AAA', side: 'sell', qty: 4, rest: false, price: 99 },
    ]);
    const x = extendRunResult(r, { runHash: 'other', prices: { AAA: [1] } });
    for (const k of ['fills', 'orders', 'trades'] as const) expect(Object.getOwnPropertyDescriptor(x, k)?.get).toBeTypeOf('function');
    expect(x.records).toBe(r.records);
    const spread = { ...r, runHash: 'other', prices: { AAA: [1] } };
    expect(Object.keys(x)).toEqual(Object.keys(spread));
    expect(JSON.stringify(x)).toBe(JSON.stringify(spread));
  });
});

describe('a run report from the records as columns', () => {
  it('is the report of the lists, to the byte', () => {
    const data = { source: 'test', kinds: ['bars'], symbols: ['AAA', 'BBB'], start: null, end: null, rows: {}, contentHash: null, barInterval: null };
    fc.assert(
      fc.property(fc.array(order, { minLength: 2, maxLength: 30 }), (orders) => {
        const r = collected(orders);
        const fromColumns = buildRunReport(extendRunResult(r, {}), null, 1, data);
        const fromLists = buildRunReport({ ...r }, null, 1, data);
        expect(JSON.stringify(fromColumns)).toBe(JSON.stringify(fromLists));
      }),
      { numRuns: 50 },
    );
  });
});
