import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { OrderId, StrategyId, Symbol_ } from '../../../../engine/core/index.js';
import { ExecutionEngine } from '../../../../engine/execution/index.js';
import { Order } from '../../../../engine/model/index.js';
import type { Fill, OrderRecord } from '../../../../engine/model/index.js';
import type { Recorder } from '../../../../engine/ports/recorder.js';
import { Portfolio } from '../../../../engine/portfolio/index.js';
import { computeRunHash, hashableFills, hashableOrders } from '../../../../sim/backtest/run-hash.js';
import { ImmediateClient, nullRecorder } from './algorithms/harness.js';

function engine() {
  const symbols = ['AAA', 'BBB'] as Symbol_[];
  const portfolio = new Portfolio(2, 2, 1_000_000);
  const fills: Fill[] = [];
  const recorder = { ...nullRecorder, onFill: (f: Fill) => fills.push(f) } as Recorder;
  const execution = new ExecutionEngine(symbols, ['s0', 's1'] as StrategyId[], portfolio, recorder, { check: (o) => (o.qty > 500 ? { reason: `qty ${o.qty} over 500` } : null) });
  const client = new ImmediateClient();
  client.sink = execution;
  execution.connect(client);
  return { execution, client, portfolio, fills };
}

describe('OrderLog and FillLog (through ExecutionEngine)', () => {
  it('keeps working orders live and finished ones as records with their final state', () => {
    const { execution, client } = engine();
    client.mode = 'rest';
    const resting = execution.submit(0, { symbol: 'AAA', side: 'buy', qty: 10, type: 'limit', limitPrice: 99.5, tag: 'entry' }, 1000);
    client.mode = 'fill';
    client.price = 101.25;
    const filled = execution.submit(1, { symbol: 'BBB', side: 'sell', qty: 7 }, 2000);
    const denied = execution.submit(0, { symbol: 'AAA', side: 'buy', qty: 600 }, 3000);

    expect(execution.orderLog.length).toBe(3);
    // The working order is the live object (openOrders hands out a frozen copy of it); a finished one is a record of its final state.
    const live = execution.order(resting);
    expect(live).toBeInstanceOf(Order);
    expect(execution.openOrders(0, 0)[0]).not.toBe(live);
    expect(execution.openOrders(0, 0)[0]).toMatchObject({ id: resting, status: 'accepted', qty: 10, leavesQty: 10, limitPrice: 99.5, tag: 'entry' });
    expect(execution.order(filled)).toEqual({
      id: filled, symbol: 'BBB', side: 'sell', type: 'market', qty: 7, limitPrice: null, stopPrice: null, timeInForce: 'GTC', status: 'filled',
      filledQty: 7, avgFillPrice: 101.25, tsCreated: 2000, strategyId: 's1', reduceOnly: false, tag: null, reason: null, leavesQty: 0,
    });
    expect(execution.order(denied)).toMatchObject({ status: 'denied', reason: 'qty 600 over 500', filledQty: 0, leavesQty: 600 });
    // Ids are O-<row + 1>: anything else, or a row not reached yet, is unknown.
    for (const bad of ['O-99', 'O-4', 'O-0', 'O-01', 'O-', 'O1', 'X-1', 'O-1a', 'o-1', '', 'O-1 ', 'O-99999999999']) expect(execution.order(bad as OrderId)).toBeUndefined();
    expect(execution.order('O-3' as OrderId)?.id).toBe(denied);

    // Cancelling finishes the resting order: its record keeps the limit price, tag and reason.
    execution.cancel(resting, 4000);
    expect(execution.openOrders(0, 0)).toEqual([]);
    expect(execution.order(resting)).toMatchObject({ status: 'cancelled', limitPrice: 99.5, tag: 'entry', reason: 'cancelled', leavesQty: 10 });
    // A finished order can be neither cancelled (a no-op) nor replaced (an error), as before.
    execution.cancel(resting, 5000);
    expect(() => execution.replace(resting, { qty: 5 }, 5000)).toThrow(/not working/);
    // And an event for it is an invariant violation naming it.
    expect(() => execution.onOrderEvent({ kind: 'OrderCancelled', ts: 6000, orderId: resting, reason: 'late' })).toThrow(/finished order 'O-1'/);

    const records = execution.orderLog.records();
    expect(records.map((r) => [r.id, r.status])).toEqual([
      [resting, 'cancelled'],
      [filled, 'filled'],
      [denied, 'denied'],
    ]);
    execution.reset();
    expect(execution.orderLog.length).toBe(0);
    expect(execution.order(filled)).toBeUndefined();
  });

  it('hashes exactly like the list of its records, live and finished orders mixed (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ strategy: fc.integer({ min: 0, max: 1 }), symbol: fc.constantFrom('AAA', 'BBB'), side: fc.constantFrom('buy' as const, 'sell' as const), qty: fc.integer({ min: 1, max: 700 }), rest: fc.boolean(), cancel: fc.boolean(), price: fc.double({ min: 1, max: 500, noNaN: true }) }), { maxLength: 40 }),
        (orders) => {
          const { execution, client, fills } = engine();
          const ids: OrderId[] = [];
          orders.forEach((o, i) => {
            client.mode = o.rest ? 'rest' : 'fill';
            client.price = o.price;
            ids.push(execution.submit(o.strategy, o.rest ? { symbol: o.symbol, side: o.side, qty: o.qty, type: 'limit', limitPrice: o.price } : { symbol: o.symbol, side: o.side, qty: o.qty }, 1000 * (i + 1)));
          });
          orders.forEach((o, i) => {
            if (o.rest && o.cancel) execution.cancel(ids[i]!, 1e6);
          });
          const records: OrderRecord[] = execution.orderLog.records();
          expect(records.map((r) => r.id)).toEqual(ids);
          for (const [i, id] of ids.entries()) {
            const view = execution.order(id)!;
            const record = records[i]!;
            // The live Order carries more fields than the record; the record's fields agree.
            expect(Object.fromEntries(Object.keys(record).map((k) => [k, view[k as keyof OrderRecord]]))).toEqual(record);
            expect(view.leavesQty).toBe(record.qty - record.filledQty);
          }
          const ts = new Float64Array([1, 2]);
          const eq = new Float64Array([1e6, 1e6]);
          expect(computeRunHash(hashableFills([]), execution.orderLog, ts, eq, 2)).toBe(computeRunHash(hashableFills([]), hashableOrders(records), ts, eq, 2));
          // The fill log gives back the fills the venue reported, and hashes like them.
          expect(execution.fillLog.list()).toEqual(fills);
          expect(computeRunHash(execution.fillLog, execution.orderLog, ts, eq, 2)).toBe(computeRunHash(hashableFills(fills), hashableOrders(records), ts, eq, 2));
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('OrderLog and FillLog rows past their first growth', () => {
  it('keeps every field of 1300 orders and their fills through their arrays\' growth (256, 512, 1024 rows) and after a reset', () => {
    const { execution, client, fills } = engine();
    const orders = new Map<string, Order>();
    execution.onStrategyOrderEvent((_k, _e, o) => void orders.set(o.id, o as Order));
    const pass = (n: number, salt: number) => {
      const ids: OrderId[] = [];
      for (let i = 0; i < n; i++) {
        const k = i + salt;
        const rest = k % 5 === 0;
        client.mode = rest ? 'rest' : 'fill';
        client.price = 100 + (k % 13) * 0.25;
        const tag = k % 3 === 0 ? undefined : `t${k % 3}`;
        const symbol = k % 7 < 4 ? 'AAA' : 'BBB';
        const side = k % 2 === 0 ? ('buy' as const) : ('sell' as const);
        const qty = (k * 37) % 560 + 0.5; // above 500: denied by the risk gate
        ids.push(execution.submit(k % 2, rest ? { symbol, side, qty, type: 'limit', limitPrice: 99 - (k % 11), tag } : { symbol, side, qty, tag, reduceOnly: k % 4 === 1 }, 1000 * (k + 1)));
      }
      ids.forEach((id, i) => {
        if ((i + salt) % 10 === 0) execution.cancel(id, 5e6);
      });
      const records = execution.orderLog.records();
      expect(records.map((r) => r.id)).toEqual(ids);
      expect(new Set(records.map((r) => r.status))).toEqual(new Set(['filled', 'denied', 'accepted', 'cancelled']));
      // Each record as the Order object the listener was given says (its fields at the end of the pass).
      for (const r of records) {
        const o = orders.get(r.id)!;
        expect(r).toEqual(Object.fromEntries(Object.keys(r).map((k) => [k, o[k as keyof Order]])));
      }
      expect(execution.fillLog.list()).toEqual(fills);
      const ts = new Float64Array([1, 2]);
      const eq = new Float64Array([1e6, 1e6]);
      expect(computeRunHash(execution.fillLog, execution.orderLog, ts, eq, 2)).toBe(computeRunHash(hashableFills(fills), hashableOrders(records), ts, eq, 2));
      expect(Array.from(execution.orderLog.column('limitPrice'))).toEqual(records.map((r) => r.limitPrice ?? Number.NaN));
      expect(Array.from(execution.fillLog.column('price'))).toEqual(fills.map((f) => f.price));
    };
    pass(1300, 0);
    execution.reset();
    orders.clear();
    fills.length = 0;
    // Fewer rows than before, other values: nothing of the first pass shows.
    pass(300, 3);
  });
});

describe('OrderLog working orders (many at once)', () => {
  it('finds, finishes and lists any of 60 resting orders, cancelled in any order, past the short search (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(59), { maxLength: 80 }), fc.integer({ min: 17, max: 60 }), (cancels, n) => {
        const { execution, client } = engine();
        client.mode = 'rest';
        const ids: OrderId[] = [];
        for (let i = 0; i < n; i++) ids.push(execution.submit(i % 2, { symbol: i % 3 === 0 ? 'BBB' : 'AAA', side: i % 2 === 0 ? 'buy' : 'sell', qty: i + 1, type: 'limit', limitPrice: 100 + i }, 1000 + i));
        const cancelled = new Set<number>();
        for (const c of cancels) {
          if (c >= n) continue;
          execution.cancel(ids[c]!, 5000);
          cancelled.add(c);
          // A market order filled at once between cancels: a row above every working one, finished at once.
          if (c % 7 === 0) {
            client.mode = 'fill';
            ids.push(execution.submit(0, { symbol: 'AAA', side: 'buy', qty: 1 }, 6000));
            client.mode = 'rest';
          }
        }
        const log = execution.orderLog;
        expect(log.length).toBe(ids.length);
        const records = log.records();
        for (let row = 0; row < ids.length; row++) {
          const want = row >= n ? 'filled' : cancelled.has(row) ? 'cancelled' : 'accepted';
          expect(log.statusAt(row)).toBe(want);
          expect(records[row]!.status).toBe(want);
          expect(log.liveAt(row) === undefined).toBe(want !== 'accepted');
          if (want === 'accepted') expect(log.liveAt(row)!.id).toBe(ids[row]);
          expect(execution.order(ids[row]!)?.status).toBe(want);
        }
        // The numeric columns read a working order from its object, a finished one from the columns.
        expect(Array.from(log.column('qty'))).toEqual(records.map((r) => r.qty));
        expect(Array.from(log.column('limitPrice'))).toEqual(records.map((r) => r.limitPrice ?? Number.NaN));
        expect(execution.openOrders(0).length + execution.openOrders(1).length).toBe(n - cancelled.size);
      }),
      { numRuns: 60 },
    );
  });
});

describe('Portfolio trade log', () => {
  it('lists round trips as objects on demand, the same array until another one closes', () => {
    const p = new Portfolio(1, 1, 100_000);
    p.applyFill(0, 0, 1, 100, 50, 1, 10);
    p.applyFill(0, 0, -1, 40, 55, 0.4, 20);
    const first = p.closedTrades;
    expect(first).toHaveLength(1);
    expect(p.closedTrades).toBe(first);
    expect(p.closedTradeCount).toBe(1);
    p.applyFill(0, 0, -1, 100, 45, 1, 30); // closes the other 60 long, opens 40 short
    const second = p.closedTrades;
    expect(second).not.toBe(first);
    expect(first).toHaveLength(1); // a list handed out earlier does not change
    expect(second.map((t) => [t.side, t.qty, t.entryPrice, t.exitPrice, t.entryTs, t.exitTs])).toEqual([
      ['long', 40, 50, 55, 10, 20],
      ['long', 60, 50, 45, 10, 30],
    ]);
    p.applyFill(0, 0, 1, 40, 40, 0, 40);
    expect(p.closedTrades[2]).toMatchObject({ side: 'short', qty: 40, entryPrice: 45, exitPrice: 40, pnl: 40 * 5 - 0.4 });
    p.reset();
    expect(p.closedTrades).toEqual([]);
    expect(p.closedTradeCount).toBe(0);
  });
});
