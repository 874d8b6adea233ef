import { describe, expect, it } from 'vitest';
import { orderId, strategyId, US_PER_DAY } from '../../../../engine/core/index.js';
import type { StrategyId, Symbol_ } from '../../../../engine/core/index.js';
import { DeferredText, ORDER_STATUSES, Order, statusIndex } from '../../../../engine/model/index.js';
import type { OrderEvent, OrderRequest } from '../../../../engine/model/index.js';
import type { Strategy, StrategyContext } from '../../../../engine/strategies/context.js';
import { replay } from '../../../../sim/backtest/index.js';
import { AuditTrail, RunRecorder } from '../../../../sim/backtest/run-recorder.js';
import type { ReplayConfig } from '../../../../sim/backtest/index.js';
import { SimulatedVenue, venueConfig } from '../../../../sim/venue/index.js';
import { WorkingOrder } from '../../../../sim/venue/working-order.js';
import { barFeed } from '../../../support/bar-feed.js';
import { after, barTs, DAY } from './venue-harness.js';
import { firstWrites } from '../../../support/first-writes.js';

/**
 * The per-order path's reuse (s12-order): a finished venue record renewed for the next order, order events
 * written into reused objects when nothing keeps them, the venue's working orders by id in an array.
 */

const T0 = 1_700_006_400_000_000; // 2023-11-15T00:00:00Z

const order = (id: string, req: Partial<OrderRequest> & Pick<OrderRequest, 'side' | 'qty'>, ts: number): Order =>
  new Order(orderId(id), { symbol: 'AAA', ...req }, ts, strategyId('S'));

describe('WorkingOrder.renew', () => {
  it('makes a finished record the same, field by field and in key order, as a new record of the next order', () => {
    const first = new WorkingOrder(order('O-1', { side: 'sell', qty: 7, type: 'stop_limit', stopPrice: 90, limitPrice: 89.5, timeInForce: 'DAY', reduceOnly: true }, T0), 0, 3, T0, T0 - DAY);
    // What a record goes through while it works.
    Object.assign(first, { filled: 2.5, rawFees: 0.123, chargedFees: 1, triggered: true, active: false, arrived: true, planPos: 2, planTriggers: true, planQty: 4.5, planPrice: 91.25, planLiquidity: 'maker', planIsLimit: true, planTs: T0 + 5, dormant: true });
    const next = order('O-2', { side: 'buy', qty: 100, type: 'limit', limitPrice: 101.5 }, T0 + DAY);
    first.renew(next, 1, 9, T0 + DAY, T0);
    const fresh = new WorkingOrder(next, 1, 9, T0 + DAY, T0);
    expect(Object.entries(first)).toEqual(Object.entries(fresh));
  });
});

describe("a venue record's number fields", () => {
  it('are first written with their numbers by the constructor, not defined as undefined before it (no box a write)', () => {
    const fields = ['seq', 'submitTs', 'expiresAt', 'qty', 'filled', 'limitPrice', 'stopPrice', 'rawFees', 'chargedFees', 'lastBarTsAtSubmit', 'planPos', 'planQty', 'planPrice', 'planTs'];
    const seen = firstWrites(WorkingOrder, fields, (C) => new (C as unknown as typeof WorkingOrder)(order('O-1', { side: 'buy', qty: 7, type: 'limit', limitPrice: 101.5 }, T0), 0, 3, T0, T0 - DAY));
    expect(Object.keys(seen).sort()).toEqual([...fields].sort());
    for (const f of fields) expect(typeof seen[f]).toBe('number');
  });
});

describe('venue records and events', () => {
  /** A venue whose sink records each event object as given and, copied, as it was then. */
  function venue(transientEvents: boolean | undefined) {
    const given: OrderEvent[] = [];
    const copies: string[] = [];
    const sink = { onOrderEvent: (e: OrderEvent) => void (given.push(e), copies.push(JSON.stringify(e))), ...(transientEvents === undefined ? {} : { transientEvents }) };
    const v = new SimulatedVenue(venueConfig({ barIntervalUs: DAY, fees: { kind: 'fraction', rate: 0.001 } }), sink, ['AAA']);
    // Two market orders, one at a time, each filled at the next open.
    v.onBar(0, barTs(0), 100, 101, 99, 100, 1e6);
    v.submit(order('O-1', { side: 'buy', qty: 10 }, after(0)), after(0));
    v.onBar(0, barTs(1), 101, 102, 100, 101, 1e6);
    v.submit(order('O-2', { side: 'sell', qty: 4 }, after(1)), after(1));
    v.onBar(0, barTs(2), 102, 103, 101, 102, 1e6);
    return { given, copies };
  }

  it('passes the same OrderAccepted and OrderFilled objects again to a sink with transientEvents, and new ones otherwise, with the same contents', () => {
    const plain = venue(undefined);
    const no = venue(false);
    const reused = venue(true);
    expect(plain.given.map((e) => e.kind)).toEqual(['OrderAccepted', 'OrderFilled', 'OrderAccepted', 'OrderFilled']);
    expect(reused.copies).toEqual(plain.copies);
    expect(no.copies).toEqual(plain.copies);
    expect(new Set(plain.given).size).toBe(4);
    expect(new Set(no.given).size).toBe(4);
    expect(reused.given[0]).toBe(reused.given[2]);
    expect(reused.given[1]).toBe(reused.given[3]);
    expect(JSON.parse(reused.copies[3]!).fill).toEqual({ fillId: 'F-2', orderId: 'O-2', strategyId: 'S', ts: barTs(2), symbol: 'AAA', side: 'sell', qty: 4, price: 102, commission: 4 * 102 * 0.001, liquidity: 'taker' });
  });

  it('keeps working orders by id past 16 at once: cancels, replaces, fills and DAY expiries in arrival order as before', () => {
    const events: OrderEvent[] = [];
    const v = new SimulatedVenue(venueConfig({ barIntervalUs: DAY }), { onOrderEvent: (e) => events.push(e) }, ['AAA']);
    v.onBar(0, barTs(0), 100, 101, 99, 100, 1e6);
    // 40 resting buy limits (DAY every third), far below the market.
    for (let k = 1; k <= 40; k++) v.submit(order(`O-${k}`, { side: 'buy', qty: 1, type: 'limit', limitPrice: 50 + k / 8, timeInForce: k % 3 === 0 ? 'DAY' : 'GTC' }, after(0)), after(0));
    expect(v.workingOrders()).toBe(40);
    for (const k of [5, 17, 18, 30, 39]) v.cancel(orderId(`O-${k}`), after(0));
    v.cancel(orderId('O-17'), after(0)); // no longer working: refused, no event
    v.replace(orderId('O-40'), { limitPrice: 99.5 }, after(0));
    expect(v.workingOrders()).toBe(35);
    events.length = 0;
    // Bar 1 reaches 99.5 (O-40 fills); the DAY orders expire at the end of day 1 (the next event after it).
    v.onBar(0, barTs(1), 100, 101, 99, 100, 1e6);
    v.onTimeAdvance(barTs(2));
    const expired = [3, 6, 9, 12, 15, 21, 24, 27, 33, 36].map((k) => `O-${k}`);
    expect(events.map((e) => `${e.kind} ${e.orderId}`)).toEqual(['OrderFilled O-40', ...expired.map((id) => `OrderExpired ${id}`)]);
    expect(v.workingOrders()).toBe(24);
    expect(v.requestRejections().map((r) => r.orderId)).toEqual(['O-17']);
    // Down to a few, then one at a time again.
    for (let k = 1; k <= 38; k++) if (!expired.includes(`O-${k}`) && ![5, 17, 18, 30].includes(k)) v.cancel(orderId(`O-${k}`), barTs(2));
    expect(v.workingOrders()).toBe(0);
    v.submit(order('O-41', { side: 'buy', qty: 1 }, barTs(2)), barTs(2));
    expect(() => v.submit(order('O-41', { side: 'buy', qty: 1 }, barTs(2)), barTs(2))).toThrow(/already working/);
    v.onBar(0, barTs(3), 100, 101, 99, 100, 1e6);
    expect(events.at(-1)).toMatchObject({ kind: 'OrderFilled', orderId: 'O-41' });
  });
});

describe('order events in a run', () => {
  /** Buys 10 on even bars and sells 10 on odd ones from bar 1 on; starts listening to its order events at bar `listenFrom`. */
  function trader(listenFrom: number, seen: OrderEvent[]): Strategy {
    const s: Strategy = {
      id: 'flip' as StrategyId,
      symbols: ['AAA' as Symbol_],
      onBar(ctx: StrategyContext, b) {
        const k = b.count - 1;
        if (k === listenFrom) s.onOrderEvent = (_c, ev) => void seen.push(ev);
        if (k >= 1) ctx.setTarget('AAA', k % 2 === 0 ? 10 : 0);
      },
    };
    if (listenFrom === 0) s.onOrderEvent = (_c, ev) => void seen.push(ev);
    return s;
  }

  async function run(listenFrom: number) {
    const seen: OrderEvent[] = [];
    const prices = Array.from({ length: 12 }, (_, i) => 100 + (i % 5));
    const config: ReplayConfig = {
      symbols: ['AAA'],
      initialCash: 10_000,
      barIntervalUs: US_PER_DAY,
      equityEveryUs: US_PER_DAY,
      lookback: 16,
      venue: { kind: 'l1', config: venueConfig({ barIntervalUs: US_PER_DAY, fees: { kind: 'fraction', rate: 0.001 } }) },
      createStrategies: () => [trader(listenFrom, seen)],
      createRisk: null,
    };
    const bars = prices.map((p, i) => ({ symbol: 0, ts: T0 + i * US_PER_DAY, open: p, high: p + 1, low: p - 1, close: p, volume: 1e9 }));
    const r = await replay(config, { bars: barFeed(bars, US_PER_DAY) });
    return { seen, r };
  }

  it('a strategy that starts listening during a run gets events of its own, as one listening from the start gets them', async () => {
    const always = await run(0);
    const late = await run(4);
    // The engine passes reused objects while nobody listens (from bar 4 on somebody does: it is given copies).
    const fills = late.seen.filter((e) => e.kind === 'OrderFilled');
    expect(fills.length).toBeGreaterThan(3);
    expect(new Set(late.seen).size).toBe(late.seen.length);
    expect(new Set(fills.map((e) => e.fill)).size).toBe(fills.length);
    const tail = always.seen.slice(always.seen.length - late.seen.length);
    expect(JSON.stringify(late.seen)).toBe(JSON.stringify(tail));
    expect(late.seen[0]!.ts).toBeGreaterThanOrEqual(T0 + 4 * US_PER_DAY);
    expect(JSON.stringify(late.r.fills)).toBe(JSON.stringify(always.r.fills));
    expect(JSON.stringify(late.r.orders)).toBe(JSON.stringify(always.r.orders));
    expect(late.r.runHash).toBe(always.r.runHash);
  });
});

describe('statusIndex', () => {
  it('is the place of each status in ORDER_STATUSES', () => {
    expect(ORDER_STATUSES.map((s) => statusIndex(s))).toEqual(ORDER_STATUSES.map((_, i) => i));
  });
});

describe('AuditTrail', () => {
  class Text extends DeferredText {
    constructor(private readonly s: string) {
      super();
    }
    protected make(): string {
      return this.s;
    }
  }

  it('keeps a deferred entry as its fields, not the object, and makes it in run order among the others when read', () => {
    const trail = new AuditTrail();
    const deny = (ts: number, orderId: string, strategyId?: string) => ({ ts, kind: 'account.denied', message: '', orderId, symbol: 'AAA', strategyId });
    trail.push({ ts: 1, kind: 'risk.denied', message: 'a', orderId: 'O-1' });
    const e2 = deny(2.5, 'O-2', 's');
    trail.defer(e2, new Text('two'));
    (e2 as { ts: number }).ts = 99; // the caller may write it again: the trail kept its fields
    trail.defer(deny(3, 'X-7'), new Text('three'));
    trail.push({ ts: 4, kind: 'order.rejected', message: 'b' });
    const first = trail.list();
    expect(first).toEqual([
      { ts: 1, kind: 'risk.denied', message: 'a', orderId: 'O-1' },
      { ts: 2.5, kind: 'account.denied', message: 'two', orderId: 'O-2', symbol: 'AAA', strategyId: 's' },
      { ts: 3, kind: 'account.denied', message: 'three', orderId: 'X-7', symbol: 'AAA', strategyId: undefined },
      { ts: 4, kind: 'order.rejected', message: 'b' },
    ]);
    expect(Object.keys(first[2]!)).toEqual(['ts', 'kind', 'message', 'orderId', 'symbol', 'strategyId']);
    trail.defer(deny(5, 'O-12', 's'), new Text('five'));
    const again = trail.list();
    expect(again).toBe(first);
    expect(again.map((e) => [e.ts, e.message, e.orderId])).toEqual([[1, 'a', 'O-1'], [2.5, 'two', 'O-2'], [3, 'three', 'X-7'], [4, 'b', undefined], [5, 'five', 'O-12']]);
    trail.clear();
    expect(trail.list()).toEqual([]);
  });
});

describe('RunRecorder signals', () => {
  it('keeps a signal as its fields, not the object, and lists it with its keys, key order and values', () => {
    const rec = new RunRecorder(3);
    const base = { ts: 1.5, strategyId: 's' as StrategyId, symbol: 'AAA' as Symbol_, direction: 1 as const, strength: 0.25, confidence: 1 };
    const first = { ...base };
    rec.onSignal(first);
    (first as { ts: number }).ts = 99; // the caller's object: the recorder kept its fields
    rec.onSignal({ ...base, direction: -0 as 0, reason: 'crossed' });
    rec.onSignal({ ...base, direction: 0, reason: undefined, metadata: { filter: 'pass', z: 1.25 } });
    rec.onSignal({ ...base, ts: 4 }); // past maxSignals: counted, not kept
    const list = rec.signals;
    expect(list).toEqual([
      { ...base },
      { ...base, direction: -0, reason: 'crossed' },
      { ...base, direction: 0, reason: undefined, metadata: { filter: 'pass', z: 1.25 } },
    ]);
    expect(list.map((x) => Object.keys(x))).toEqual([
      ['ts', 'strategyId', 'symbol', 'direction', 'strength', 'confidence'],
      ['ts', 'strategyId', 'symbol', 'direction', 'strength', 'confidence', 'reason'],
      ['ts', 'strategyId', 'symbol', 'direction', 'strength', 'confidence', 'reason', 'metadata'],
    ]);
    expect(Object.is(list[1]!.direction, -0)).toBe(true);
    expect(rec.signalCount).toBe(4);
    expect(rec.signals).toBe(list);
    rec.reset();
    expect(rec.signals).toEqual([]);
  });
});

describe('spare venue records', () => {
  it('do not pile up when every order is sent while an event is being handled', () => {
    let v: SimulatedVenue;
    let n = 1;
    const next = (ts: number) => v.submit(order(`O-${++n}`, { side: n % 2 === 0 ? 'sell' : 'buy', qty: 1 }, ts), ts);
    // Each fill's handler sends the next order (filled at the next bar): no submit ever arrives outside an event.
    v = new SimulatedVenue(venueConfig({ barIntervalUs: DAY }), { onOrderEvent: (e) => void (e.kind === 'OrderFilled' && next(e.ts)) }, ['AAA']);
    v.onBar(0, barTs(0), 100, 101, 99, 100, 1e6);
    v.submit(order('O-1', { side: 'buy', qty: 1 }, after(0)), after(0));
    for (let i = 1; i <= 300; i++) v.onBar(0, barTs(i), 100, 101, 99, 100, 1e6);
    expect(n).toBe(301);
    const held = v as unknown as { freed: unknown[]; spare: unknown[] };
    expect(held.freed.length + held.spare.length).toBeLessThanOrEqual(128);
    expect(v.workingOrders()).toBe(1);
  });
});
