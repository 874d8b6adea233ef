/**
 * The venue contract: the same order-lifecycle cases run over both simulated venues, the bar/L1
 * venue fed daily bars and the L2 venue fed a replayed book. Both share one order core
 * (sim/venue/order-core.ts), so acceptance, rejection, time in force, reduce-only, cancel,
 * cancel/replace and fill accounting must read the same on both; only where a fill's price comes
 * from (a bar's path or the book's levels) differs. Brackets (OTO entry, OUO exits) and OCO/OUO
 * groups live in the same core and are asserted here over both venues with the same code.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvariantError, orderId, strategyId, US_PER_DAY } from '../../../../engine/core/index.js';
import type { OrderId } from '../../../../engine/core/index.js';
import { bracketRequests, Order } from '../../../../engine/model/index.js';
import type { BracketIds, BracketRequest, Fill, OrderChanges, OrderEvent, OrderRequest } from '../../../../engine/model/index.js';
import { L2Venue, l2VenueConfig } from '../../../../sim/venue/l2/index.js';
import { SimulatedVenue, venueConfig } from '../../../../sim/venue/index.js';
import type { FeeConfig, VenueRequestRejection } from '../../../../sim/venue/index.js';

type Req = Partial<OrderRequest> & Pick<OrderRequest, 'side' | 'qty'>;

/** The market sits around 100: nothing touches 99 or 101 until a case moves it there. */
const MID = 100;

/** 2024-01-02T00:00:00Z in microseconds. */
const T0 = Date.UTC(2024, 0, 2) * 1000;

/** What a contract case needs from a venue, whatever feeds it. */
interface Driver {
  readonly name: string;
  /** Stop and stop-limit orders are accepted (the L2 venue rejects them). */
  readonly supportsStops: boolean;
  readonly events: OrderEvent[];
  /** Submits a new order (symbol AAA unless `req.symbol`) at the current time; returns its id. */
  submit(req: Req): OrderId;
  /** Submits the engine Order itself (to reuse an id). */
  submitOrder(order: Order): void;
  cancel(id: OrderId): void;
  replace(id: OrderId, changes: OrderChanges): void;
  /** The next market event with the market where it is (fills market orders, touches no limit at 99..101). */
  flat(): void;
  /**
   * The next market event trades at `price` (below MID: reaches buy limits there; above: sell
   * limits), with `available` units to fill against (the bar's volume under a volume cap of 1, or the
   * size of the book level at `price`).
   */
  touch(price: number, available?: number): void;
  /** Moves time past the next UTC midnight (with a flat market event on the new day). */
  nextDay(): void;
  position(): number;
  working(): number;
  refusals(): readonly VenueRequestRejection[];
}

let ids = 0;
function newOrder(req: Req, ts: number): Order {
  return new Order(orderId(`C-${++ids}`), { symbol: 'AAA', ...req }, ts, strategyId('S'));
}

/** The bar venue over daily bars of AAA: each market event is the next bar; orders are decided at a bar's close. */
function barDriver(fees: FeeConfig = { kind: 'none' }): Driver {
  const events: OrderEvent[] = [];
  // A volume cap of the whole bar's volume: fills are whole unless a case offers less (touch's `available`).
  const config = venueConfig({ barIntervalUs: US_PER_DAY, fees, slippage: { kind: 'volume_share', share: 1 } });
  const venue = new SimulatedVenue(config, { onOrderEvent: (e) => events.push(e) }, ['AAA']);
  let i = 0;
  const bar = (o: number, h: number, l: number, c: number, volume = 1_000_000): void => {
    i++;
    venue.onBar(0, T0 + i * US_PER_DAY, o, h, l, c, volume);
  };
  venue.onBar(0, T0, MID, MID, MID, MID, 1_000_000);
  const now = (): number => T0 + (i + 1) * US_PER_DAY;
  return {
    name: 'bar venue',
    supportsStops: true,
    events,
    submit(req) {
      const o = newOrder(req, now());
      venue.submit(o, now());
      return o.id;
    },
    submitOrder: (o) => venue.submit(o, now()),
    cancel: (id) => venue.cancel(id, now()),
    replace: (id, changes) => venue.replace(id, changes, now()),
    flat: () => bar(MID, MID, MID, MID),
    touch: (p, available) => bar(MID, Math.max(MID, p), Math.min(MID, p), MID, available),
    nextDay() {
      bar(MID, MID, MID, MID);
      venue.onTimeAdvance(now());
    },
    position: () => venue.position(0),
    working: () => venue.workingOrders(),
    refusals: () => venue.requestRejections(),
  };
}

/** The L2 venue over a book of AAA (bids 99.9/99.8, asks 100.1/100.2, 1000 each): orders match on arrival. */
function l2Driver(fees: FeeConfig = { kind: 'none' }): Driver {
  const events: OrderEvent[] = [];
  const venue = new L2Venue(l2VenueConfig({ tickSize: 0.01, fees }), { onOrderEvent: (e) => events.push(e) }, ['AAA']);
  let ts = T0 + 3_600_000_000;
  let row = 0;
  const snapshot = (bids: readonly number[], asks: readonly number[], size = 1000): void => {
    ts += 1000;
    venue.onTimeAdvance(ts);
    const rows = [...bids.map((p) => [1, p] as const), ...asks.map((p) => [-1, p] as const)];
    rows.forEach(([side, p], k) => venue.onBookDelta(0, ts, side, p, size, 2, (k === 0 ? 1 : 0) | (k === rows.length - 1 ? 2 : 0), row++));
  };
  const flat = (): void => snapshot([99.9, 99.8], [100.1, 100.2]);
  flat();
  return {
    name: 'L2 venue',
    supportsStops: false,
    events,
    submit(req) {
      const o = newOrder(req, ts);
      venue.submit(o, ts);
      return o.id;
    },
    submitOrder: (o) => venue.submit(o, ts),
    cancel: (id) => venue.cancel(id, ts),
    replace: (id, changes) => venue.replace(id, changes, ts),
    flat,
    touch: (p, available) =>
      p < MID ? snapshot([Math.round((p - 0.1) * 100) / 100], [p], available) : snapshot([p], [Math.round((p + 0.1) * 100) / 100], available),
    nextDay() {
      ts = (Math.floor(ts / US_PER_DAY) + 1) * US_PER_DAY + 3_600_000_000 - 1000;
      flat();
    },
    position: () => venue.position(0),
    working: () => venue.workingOrders(),
    refusals: () => venue.requestRejections(),
  };
}

const DRIVERS: readonly [string, (fees?: FeeConfig) => Driver][] = [
  ['bar venue', barDriver],
  ['L2 venue', l2Driver],
];

function kinds(d: Driver, id: OrderId): string[] {
  return d.events.filter((e) => e.orderId === id).map((e) => e.kind);
}
function fills(d: Driver, id: OrderId): Fill[] {
  return d.events.flatMap((e) => (e.kind === 'OrderFilled' && e.orderId === id ? [e.fill] : []));
}
function last(d: Driver, id: OrderId): OrderEvent {
  const mine = d.events.filter((e) => e.orderId === id);
  return mine[mine.length - 1]!;
}
function reason(e: OrderEvent): string {
  return 'reason' in e ? e.reason : '';
}
/** Opens a position of `qty` (signed) with a market order. */
function open(d: Driver, qty: number): void {
  d.submit({ side: qty > 0 ? 'buy' : 'sell', qty: Math.abs(qty) });
  d.flat();
  expect(d.position()).toBe(qty);
}

describe.each(DRIVERS)('venue contract: %s', (_name, make) => {
  describe('submit and fill', () => {
    it('accepts a market order and fills it whole as a taker near the market', () => {
      const d = make();
      const id = d.submit({ side: 'buy', qty: 10 });
      d.flat();
      expect(kinds(d, id)).toEqual(['OrderAccepted', 'OrderFilled']);
      const [f] = fills(d, id);
      expect(f).toMatchObject({ orderId: id, side: 'buy', qty: 10, liquidity: 'taker', symbol: 'AAA' });
      expect(f!.price).toBeGreaterThanOrEqual(MID);
      expect(f!.price).toBeLessThan(101);
      expect(d.position()).toBe(10);
      expect(d.working()).toBe(0);
    });

    it('fills a sell market order and tracks the short position', () => {
      const d = make();
      const id = d.submit({ side: 'sell', qty: 7 });
      d.flat();
      expect(fills(d, id).reduce((s, f) => s + f.qty, 0)).toBe(7);
      expect(d.position()).toBe(-7);
    });

    it('rests a limit away from the market, then fills it at its limit price as a maker when the market reaches it', () => {
      const d = make();
      const id = d.submit({ side: 'buy', qty: 10, type: 'limit', limitPrice: 99 });
      d.flat();
      expect(kinds(d, id)).toEqual(['OrderAccepted']);
      expect(d.working()).toBe(1);
      d.touch(99);
      expect(kinds(d, id)).toEqual(['OrderAccepted', 'OrderFilled']);
      expect(fills(d, id)[0]).toMatchObject({ qty: 10, price: 99, liquidity: 'maker' });
      expect(d.working()).toBe(0);
    });

    it('fills a sell limit above the market when the market rises to it', () => {
      const d = make();
      const id = d.submit({ side: 'sell', qty: 10, type: 'limit', limitPrice: 101 });
      d.flat();
      expect(fills(d, id)).toEqual([]);
      d.touch(101);
      expect(fills(d, id)[0]).toMatchObject({ qty: 10, price: 101, liquidity: 'maker' });
      expect(d.position()).toBe(-10);
    });

    it('fills a marketable limit as a taker at the market, never worse than its limit', () => {
      const d = make();
      const id = d.submit({ side: 'buy', qty: 10, type: 'limit', limitPrice: 101 });
      d.flat();
      const [f] = fills(d, id);
      expect(f).toMatchObject({ qty: 10, liquidity: 'taker' });
      expect(f!.price).toBeLessThanOrEqual(101);
    });

    it('triggers and fills a stop where stops are supported, and rejects it with a reason otherwise', () => {
      const d = make();
      const id = d.submit({ side: 'sell', qty: 10, type: 'stop', stopPrice: 99 });
      if (!d.supportsStops) {
        expect(kinds(d, id)).toEqual(['OrderRejected']);
        expect(reason(last(d, id))).toMatch(/stop/);
        return;
      }
      d.flat();
      expect(kinds(d, id)).toEqual(['OrderAccepted']);
      d.touch(99);
      expect(kinds(d, id)).toEqual(['OrderAccepted', 'OrderTriggered', 'OrderFilled']);
      expect(fills(d, id)[0]).toMatchObject({ qty: 10, price: 99, liquidity: 'taker' });
    });

    it('charges the per-order minimum commission once', () => {
      const d = make({ kind: 'per_unit', perUnit: 0.01, minimum: 1 });
      const id = d.submit({ side: 'buy', qty: 10 });
      d.flat();
      expect(fills(d, id).reduce((s, f) => s + f.commission, 0)).toBeCloseTo(1, 12);
    });
  });

  describe('rejections', () => {
    it('rejects an order for an unknown symbol, naming it', () => {
      const d = make();
      const id = d.submit({ side: 'buy', qty: 1, symbol: 'ZZZ' });
      expect(kinds(d, id)).toEqual(['OrderRejected']);
      expect(reason(last(d, id))).toBe('unknown symbol "ZZZ" (venue symbols: AAA)');
      expect(d.working()).toBe(0);
    });

    it('throws when an id that is already working arrives again', () => {
      const d = make();
      const o = newOrder({ side: 'buy', qty: 1, type: 'limit', limitPrice: 90 }, T0);
      d.submitOrder(o);
      expect(() => d.submitOrder(o)).toThrow(InvariantError);
    });
  });

  describe('time in force', () => {
    it('GTC works across days until it fills', () => {
      const d = make();
      const id = d.submit({ side: 'buy', qty: 10, type: 'limit', limitPrice: 99, timeInForce: 'GTC' });
      d.nextDay();
      d.nextDay();
      expect(kinds(d, id)).toEqual(['OrderAccepted']);
      d.touch(99);
      expect(kinds(d, id)).toEqual(['OrderAccepted', 'OrderFilled']);
    });

    it('DAY expires at the UTC midnight after its day, stamped with that midnight', () => {
      const d = make();
      const id = d.submit({ side: 'buy', qty: 10, type: 'limit', limitPrice: 99, timeInForce: 'DAY' });
      d.nextDay();
      expect(kinds(d, id)).toEqual(['OrderAccepted', 'OrderExpired']);
      const e = last(d, id);
      expect(e.ts % US_PER_DAY).toBe(0);
      expect(reason(e)).toMatch(/^DAY order expired at the end of the UTC day/);
      expect(d.working()).toBe(0);
      d.touch(99);
      expect(fills(d, id)).toEqual([]);
    });

    it('IOC that cannot fill on arrival is cancelled with the unfilled quantity', () => {
      const d = make();
      const id = d.submit({ side: 'buy', qty: 10, type: 'limit', limitPrice: 90, timeInForce: 'IOC' });
      d.flat();
      expect(kinds(d, id)).toEqual(['OrderAccepted', 'OrderCancelled']);
      expect(reason(last(d, id))).toBe('IOC: 10 unfilled on arrival cancelled');
      d.touch(99);
      expect(d.working()).toBe(0);
    });

    it('IOC that can fill on arrival fills', () => {
      const d = make();
      const id = d.submit({ side: 'buy', qty: 10, timeInForce: 'IOC' });
      d.flat();
      expect(kinds(d, id)).toEqual(['OrderAccepted', 'OrderFilled']);
    });

    it('FOK that cannot fill completely on arrival is cancelled without a fill', () => {
      const d = make();
      const id = d.submit({ side: 'buy', qty: 10, type: 'limit', limitPrice: 90, timeInForce: 'FOK' });
      d.flat();
      expect(kinds(d, id)).toEqual(['OrderAccepted', 'OrderCancelled']);
      expect(reason(last(d, id))).toMatch(/^FOK: /);
    });

    it('FOK that can fill completely fills', () => {
      const d = make();
      const id = d.submit({ side: 'sell', qty: 10, type: 'limit', limitPrice: 99, timeInForce: 'FOK' });
      d.flat();
      expect(kinds(d, id)).toEqual(['OrderAccepted', 'OrderFilled']);
      expect(fills(d, id)[0]!.qty).toBe(10);
    });
  });

  describe('reduce-only', () => {
    it('cancels a reduce-only order with nothing to reduce, with a reason', () => {
      const d = make();
      const id = d.submit({ side: 'sell', qty: 10, reduceOnly: true });
      d.flat();
      expect(kinds(d, id)).toEqual(['OrderAccepted', 'OrderCancelled']);
      expect(reason(last(d, id))).toBe('reduce-only: no long position to reduce');
      expect(d.position()).toBe(0);
    });

    it('cancels a reduce-only buy while long (it would add to the position)', () => {
      const d = make();
      open(d, 5);
      const id = d.submit({ side: 'buy', qty: 5, reduceOnly: true });
      d.flat();
      expect(reason(last(d, id))).toBe('reduce-only: no short position to reduce');
      expect(d.position()).toBe(5);
    });

    it('clips a reduce-only fill to the position and cancels the rest', () => {
      const d = make();
      open(d, 5);
      const id = d.submit({ side: 'sell', qty: 10, reduceOnly: true });
      d.flat();
      expect(kinds(d, id)).toEqual(['OrderAccepted', 'OrderFilled', 'OrderCancelled']);
      expect(fills(d, id)[0]!.qty).toBe(5);
      expect(reason(last(d, id))).toBe('reduce-only: the position is closed, the rest is cancelled');
      expect(d.position()).toBe(0);
    });

    it('a reduce-only FOK larger than the position is cancelled whole (no partial fill)', () => {
      const d = make();
      open(d, 5);
      const id = d.submit({ side: 'sell', qty: 10, type: 'limit', limitPrice: 99, reduceOnly: true, timeInForce: 'FOK' });
      d.flat();
      expect(kinds(d, id)).toEqual(['OrderAccepted', 'OrderCancelled']);
      expect(reason(last(d, id))).toMatch(/^FOK: only 5 of 10/);
      expect(d.position()).toBe(5);
    });
  });

  describe('cancel', () => {
    it('cancels a working order on request', () => {
      const d = make();
      const id = d.submit({ side: 'buy', qty: 10, type: 'limit', limitPrice: 99 });
      d.flat();
      d.cancel(id);
      expect(kinds(d, id)).toEqual(['OrderAccepted', 'OrderCancelled']);
      expect(reason(last(d, id))).toBe('cancelled on request');
      expect(d.working()).toBe(0);
      d.touch(99);
      expect(fills(d, id)).toEqual([]);
    });

    it('refuses without an event to cancel a finished or unknown order, keeping the refusal', () => {
      const d = make();
      const id = d.submit({ side: 'buy', qty: 10 });
      d.flat();
      const before = d.events.length;
      d.cancel(id);
      d.cancel(orderId('nope'));
      expect(d.events.length).toBe(before);
      expect(d.refusals().map((r) => [r.orderId, r.request, r.reason])).toEqual([
        [id, 'cancel', 'unknown or no longer working order'],
        ['nope', 'cancel', 'unknown or no longer working order'],
      ]);
    });
  });

  describe('cancel/replace', () => {
    it('replaces quantity and limit price, reports the full new values, and fills at the new price', () => {
      const d = make();
      const id = d.submit({ side: 'buy', qty: 10, type: 'limit', limitPrice: 95 });
      d.flat();
      d.replace(id, { qty: 20, limitPrice: 99 });
      expect(last(d, id)).toMatchObject({ kind: 'OrderReplaced', orderId: id, qty: 20, limitPrice: 99, stopPrice: null });
      d.touch(99);
      expect(fills(d, id)).toMatchObject([{ qty: 20, price: 99, liquidity: 'maker' }]);
      expect(d.position()).toBe(20);
    });

    it('refuses a replace that is invalid or comes too late, without an event', () => {
      const d = make();
      const id = d.submit({ side: 'buy', qty: 10, type: 'limit', limitPrice: 95 });
      d.flat();
      const before = d.events.length;
      d.replace(id, { qty: 0 });
      d.replace(id, { stopPrice: 90 });
      d.replace(id, { limitPrice: -1 });
      d.replace(orderId('nope'), { qty: 5 });
      expect(d.events.length).toBe(before);
      expect(d.refusals().map((r) => r.reason)).toEqual([
        "invalid 'qty': must exceed the filled quantity 0, was 0",
        "invalid 'stopPrice': not allowed on a limit order, was 90",
        "invalid 'limitPrice': not a positive finite number, was -1",
        'unknown or no longer working order',
      ]);
      expect(d.refusals().every((r) => r.request === 'replace')).toBe(true);
      d.cancel(id);
      d.replace(id, { qty: 5 });
      expect(d.refusals()[4]).toMatchObject({ orderId: id, request: 'replace', reason: 'unknown or no longer working order' });
    });
  });
});

describe('venue contract: DAY expiry across symbols', () => {
  const venues: readonly [string, (sink: { onOrderEvent(e: OrderEvent): void }) => SimulatedVenue | L2Venue][] = [
    ['bar venue', (sink) => new SimulatedVenue(venueConfig({ barIntervalUs: US_PER_DAY }), sink, ['AAA', 'BBB'])],
    ['L2 venue', (sink) => new L2Venue(l2VenueConfig({ tickSize: 0.01 }), sink, ['AAA', 'BBB'])],
  ];
  it.each(venues)('%s expires due DAY orders of every symbol in arrival order on a time advance', (_name, make) => {
    const events: OrderEvent[] = [];
    const venue = make({ onOrderEvent: (e) => events.push(e) });
    const ts = T0 + 3_600_000_000;
    const submitted = (['BBB', 'AAA', 'BBB'] as const).map((symbol) => {
      const o = newOrder({ symbol, side: 'buy', qty: 1, type: 'limit', limitPrice: 50, timeInForce: 'DAY' }, ts);
      venue.submit(o, ts);
      return o.id;
    });
    venue.onTimeAdvance(T0 + US_PER_DAY - 1);
    expect(events.filter((e) => e.kind === 'OrderExpired')).toEqual([]);
    venue.onTimeAdvance(T0 + US_PER_DAY);
    expect(events.filter((e) => e.kind === 'OrderExpired').map((e) => [e.orderId, e.ts])).toEqual(submitted.map((id) => [id, T0 + US_PER_DAY]));
    expect(venue.workingOrders()).toBe(0);
  });
});

/** Submits a bracket on AAA as the ExecutionEngine does: the entry (OTO), then its take-profit and stop-loss (OUO). */
function bracket(d: Driver, req: Omit<BracketRequest, 'symbol'>): BracketIds {
  const [entry, tp, sl] = bracketRequests({ symbol: 'AAA', ...req }, MID);
  const b: BracketIds = { entry: orderId(`C-${++ids}`), takeProfit: orderId(`C-${++ids}`), stopLoss: orderId(`C-${++ids}`) };
  const s = strategyId('S');
  d.submitOrder(new Order(b.entry, entry, T0, s, null, { contingency: 'OTO', parentId: null, linkedIds: [b.takeProfit, b.stopLoss], group: null }));
  d.submitOrder(new Order(b.takeProfit, tp, T0, s, null, { contingency: 'OUO', parentId: b.entry, linkedIds: [b.stopLoss], group: null }));
  d.submitOrder(new Order(b.stopLoss, sl, T0, s, null, { contingency: 'OUO', parentId: b.entry, linkedIds: [b.takeProfit], group: null }));
  return b;
}
function filledQty(d: Driver, id: OrderId): number {
  return fills(d, id).reduce((s, f) => s + f.qty, 0);
}
function replacedQtys(d: Driver, id: OrderId): number[] {
  return d.events.flatMap((e) => (e.kind === 'OrderReplaced' && e.orderId === id ? [e.qty] : []));
}

/** A buy bracket of `qty` entering with a limit at 99.5, taking profit at 101 and stopping out at 99. */
const LONG = { side: 'buy', qty: 10, entry: { type: 'limit', limitPrice: 99.5 }, takeProfit: 101, stopLoss: 99 } as const;

describe.each(DRIVERS)('venue contract, brackets and OCO: %s', (_name, make) => {
  it('holds the exits (accepted, not matched) until the entry fills: a take-profit price reached before the entry does nothing', () => {
    const d = make();
    const b = bracket(d, LONG);
    d.flat();
    d.touch(101);
    expect(kinds(d, b.entry)).toEqual(['OrderAccepted']);
    expect(kinds(d, b.takeProfit)).toEqual(['OrderAccepted']);
    expect(kinds(d, b.stopLoss)).toEqual(['OrderAccepted']);
    expect(d.position()).toBe(0);
    expect(d.working()).toBe(3);
  });

  it('entry fills -> the exits work; a take-profit fill cancels the stop-loss', () => {
    const d = make();
    const b = bracket(d, LONG);
    d.touch(99.5);
    expect(fills(d, b.entry)).toMatchObject([{ qty: 10, price: 99.5 }]);
    expect(d.position()).toBe(10);
    d.flat();
    d.touch(101);
    expect(fills(d, b.takeProfit)).toMatchObject([{ side: 'sell', qty: 10, price: 101, liquidity: 'maker' }]);
    expect(kinds(d, b.stopLoss)).toEqual(['OrderAccepted', 'OrderCancelled']);
    expect(reason(last(d, b.stopLoss))).toBe(`OCO: ${b.takeProfit} filled, the bracket is closed`);
    expect(d.position()).toBe(0);
    expect(d.working()).toBe(0);
  });

  it('a stop-loss fill cancels the take-profit', () => {
    const d = make();
    const b = bracket(d, LONG);
    d.touch(99.5);
    d.flat();
    d.touch(98.9);
    expect(kinds(d, b.stopLoss)).toEqual(['OrderAccepted', 'OrderTriggered', 'OrderFilled']);
    const [f] = fills(d, b.stopLoss);
    expect(f).toMatchObject({ side: 'sell', qty: 10, liquidity: 'taker' });
    expect(f!.price).toBeLessThanOrEqual(99);
    expect(reason(last(d, b.takeProfit))).toBe(`OCO: ${b.stopLoss} filled, the bracket is closed`);
    expect(d.position()).toBe(0);
    expect(d.working()).toBe(0);
  });

  it('cancelling the entry before it fills cancels its exits', () => {
    const d = make();
    const b = bracket(d, LONG);
    d.flat();
    d.cancel(b.entry);
    expect(reason(last(d, b.entry))).toBe('cancelled on request');
    for (const id of [b.takeProfit, b.stopLoss]) {
      expect(kinds(d, id)).toEqual(['OrderAccepted', 'OrderCancelled']);
      expect(reason(last(d, id))).toBe(`bracket entry ${b.entry} ended unfilled`);
    }
    expect(d.working()).toBe(0);
    d.touch(99.5);
    expect(d.position()).toBe(0);
  });

  it('a partial entry fill sizes the exits to the fill, and later entry fills grow them', () => {
    const d = make();
    const b = bracket(d, { ...LONG, qty: 1500 });
    d.touch(99.5, 1000);
    expect(filledQty(d, b.entry)).toBe(1000);
    expect(replacedQtys(d, b.takeProfit)).toEqual([1000]);
    expect(replacedQtys(d, b.stopLoss)).toEqual([1000]);
    d.touch(99.5, 1000);
    expect(fills(d, b.entry).map((f) => f.qty)).toEqual([1000, 500]);
    expect(replacedQtys(d, b.takeProfit)).toEqual([1000, 1500]);
    expect(replacedQtys(d, b.stopLoss)).toEqual([1000, 1500]);
    d.touch(101, 5000);
    expect(filledQty(d, b.takeProfit)).toBe(1500);
    expect(d.position()).toBe(0);
    expect(d.working()).toBe(0);
  });

  it('cancelling a partly filled entry leaves its exits sized to what it filled', () => {
    const d = make();
    const b = bracket(d, { ...LONG, qty: 1500 });
    d.touch(99.5, 1000);
    d.cancel(b.entry);
    expect(kinds(d, b.takeProfit)).toEqual(['OrderAccepted', 'OrderReplaced']);
    d.touch(98.9, 5000);
    expect(filledQty(d, b.stopLoss)).toBe(1000);
    expect(d.position()).toBe(0);
  });

  it('a partial exit fill reduces the other exit (OUO); the exit that closes the bracket cancels the other', () => {
    const d = make();
    const b = bracket(d, { ...LONG, qty: 1500 });
    d.touch(99.5, 5000);
    d.flat();
    d.touch(101, 600);
    expect(filledQty(d, b.takeProfit)).toBe(600);
    expect(replacedQtys(d, b.stopLoss)).toEqual([900]);
    expect(d.position()).toBe(900);
    d.touch(98.9, 5000);
    expect(filledQty(d, b.stopLoss)).toBe(900);
    expect(reason(last(d, b.takeProfit))).toBe(`OCO: ${b.stopLoss} filled, the bracket is closed`);
    expect(d.position()).toBe(0);
    expect(d.working()).toBe(0);
  });

  it('an exit fill cancels the rest of a still working entry', () => {
    const d = make();
    const b = bracket(d, { ...LONG, qty: 1500 });
    d.touch(99.5, 1000);
    d.touch(101, 5000);
    expect(filledQty(d, b.takeProfit)).toBe(1000);
    expect(kinds(d, b.entry)).toEqual(['OrderAccepted', 'OrderFilled', 'OrderCancelled']);
    expect(reason(last(d, b.entry))).toBe(`bracket: exit ${b.takeProfit} filled, the rest of the entry is cancelled`);
    expect(d.position()).toBe(0);
    expect(d.working()).toBe(0);
  });

  it('cancel/replace of an exit: prices move, the quantity is the bracket\'s, a cancelled exit leaves the other working', () => {
    const d = make();
    const b = bracket(d, LONG);
    d.touch(99.5);
    d.flat();
    d.replace(b.takeProfit, { limitPrice: 102 });
    expect(last(d, b.takeProfit)).toMatchObject({ kind: 'OrderReplaced', qty: 10, limitPrice: 102, stopPrice: null });
    d.replace(b.takeProfit, { qty: 5 });
    expect(d.refusals().at(-1)).toMatchObject({ orderId: b.takeProfit, request: 'replace', reason: `invalid 'qty': a bracket exit is sized by its entry's fills (entry ${b.entry}), was 5` });
    d.replace(b.stopLoss, { stopPrice: 99.45 });
    expect(last(d, b.stopLoss)).toMatchObject({ kind: 'OrderReplaced', qty: 10, limitPrice: null, stopPrice: 99.45 });
    d.touch(101);
    expect(fills(d, b.takeProfit)).toEqual([]);
    d.cancel(b.takeProfit);
    expect(kinds(d, b.stopLoss)).toEqual(['OrderAccepted', 'OrderReplaced']);
    d.touch(99.4);
    expect(filledQty(d, b.stopLoss)).toBe(10);
    expect(d.position()).toBe(0);
  });

  it('a sell bracket mirrors it: stop-loss above, take-profit below', () => {
    const d = make();
    const b = bracket(d, { side: 'sell', qty: 10, entry: { type: 'limit', limitPrice: 100.5 }, takeProfit: 99, stopLoss: 101 });
    d.touch(100.5);
    expect(d.position()).toBe(-10);
    d.flat();
    d.touch(101.1);
    expect(filledQty(d, b.stopLoss)).toBe(10);
    expect(reason(last(d, b.takeProfit))).toBe(`OCO: ${b.stopLoss} filled, the bracket is closed`);
    expect(d.position()).toBe(0);
  });

  it('an OCO group: the first fill of one member cancels the others; a member cancelled on request cancels its group', () => {
    const d = make();
    const buy = d.submit({ side: 'buy', qty: 10, type: 'limit', limitPrice: 99, ocoGroup: 'g' });
    const sell = d.submit({ side: 'sell', qty: 10, type: 'limit', limitPrice: 101, ocoGroup: 'g' });
    d.flat();
    d.touch(99, 4);
    expect(filledQty(d, buy)).toBe(4);
    expect(kinds(d, sell)).toEqual(['OrderAccepted', 'OrderCancelled']);
    expect(reason(last(d, sell))).toBe(`OCO: ${buy} filled`);
    const a = d.submit({ side: 'buy', qty: 10, type: 'limit', limitPrice: 98, ocoGroup: 'h' });
    const c = d.submit({ side: 'sell', qty: 10, type: 'limit', limitPrice: 102, ocoGroup: 'h' });
    d.cancel(a);
    expect(reason(last(d, c))).toBe(`OCO: ${a} was cancelled`);
  });

  it('an OUO group: a fill of one member reduces the others by the filled quantity', () => {
    const d = make();
    const a = d.submit({ side: 'buy', qty: 10, type: 'limit', limitPrice: 99, ocoGroup: 'g', contingency: 'OUO' });
    const b = d.submit({ side: 'buy', qty: 10, type: 'limit', limitPrice: 98, ocoGroup: 'g', contingency: 'OUO' });
    d.flat();
    d.touch(99, 4);
    expect(filledQty(d, a)).toBe(4);
    expect(last(d, b)).toMatchObject({ kind: 'OrderReplaced', qty: 6 });
    const mixed = d.submit({ side: 'buy', qty: 1, type: 'limit', limitPrice: 97, ocoGroup: 'g' });
    expect(reason(last(d, mixed))).toBe("invalid 'contingency': group 'g' on AAA is OUO, was OCO");
  });

  it('rejects a bracket exit whose entry never worked at the venue', () => {
    const d = make();
    const b = bracket(d, { ...LONG, symbol: 'ZZZ' } as never);
    expect(kinds(d, b.entry)).toEqual(['OrderRejected']);
    expect(reason(last(d, b.takeProfit))).toMatch(/^unknown symbol|^bracket exit: its entry/);
  });

  it('property: through a bracket the position never exceeds the entry quantity and never flips sign', () => {
    const step = fc.oneof(
      fc.record({ kind: fc.constant('touch' as const), price: fc.constantFrom(98.5, 98.9, 99, 99.4, 99.5, 100.5, 101, 101.1, 101.5), available: fc.constantFrom(300, 1000, 5000) }),
      fc.record({ kind: fc.constant('flat' as const) }),
      fc.record({ kind: fc.constantFrom('cancelEntry' as const, 'cancelTp' as const, 'cancelSl' as const) }),
      fc.record({ kind: fc.constant('moveTp' as const), price: fc.constantFrom(100.6, 101, 101.5) }),
    );
    fc.assert(
      fc.property(fc.boolean(), fc.integer({ min: 1, max: 30 }).map((k) => k * 100), fc.array(step, { maxLength: 14 }), (long, qty, steps) => {
        const d = make();
        const b = long
          ? bracket(d, { side: 'buy', qty, entry: { type: 'limit', limitPrice: 99.5 }, takeProfit: 101, stopLoss: 99 })
          : bracket(d, { side: 'sell', qty, entry: { type: 'limit', limitPrice: 100.5 }, takeProfit: 99, stopLoss: 101 });
        const sign = long ? 1 : -1;
        for (const st of steps) {
          if (st.kind === 'touch') d.touch(st.price, st.available);
          else if (st.kind === 'flat') d.flat();
          else if (st.kind === 'cancelEntry') d.cancel(b.entry);
          else if (st.kind === 'cancelTp') d.cancel(b.takeProfit);
          else if (st.kind === 'cancelSl') d.cancel(b.stopLoss);
          else if (st.kind === 'moveTp' && long) d.replace(b.takeProfit, { limitPrice: st.price });
          const held = sign * d.position() + 0; // + 0: no -0
          expect(held).toBeGreaterThanOrEqual(0);
          expect(held).toBeLessThanOrEqual(filledQty(d, b.entry));
          expect(filledQty(d, b.entry)).toBeLessThanOrEqual(qty);
          expect(held).toBe(filledQty(d, b.entry) - filledQty(d, b.takeProfit) - filledQty(d, b.stopLoss) + 0);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('venue contract, brackets: the same bar reaches both exits (bar venue)', () => {
  /** A long bracket filled at 100, then one bar reaching both 103 (take-profit) and 97 (stop-loss). */
  function sameBar(intrabarPath: 'ohlc' | 'olhc' | 'nearest', open: number): { events: OrderEvent[]; b: BracketIds; position: number } {
    const events: OrderEvent[] = [];
    const venue = new SimulatedVenue(venueConfig({ barIntervalUs: US_PER_DAY, intrabarPath }), { onOrderEvent: (e) => events.push(e) }, ['AAA']);
    const d = { submitOrder: (o: Order) => venue.submit(o, T0 + US_PER_DAY) } as unknown as Driver;
    venue.onBar(0, T0, 100, 100, 100, 100, 1e6);
    const b = bracket(d, { side: 'buy', qty: 10, takeProfit: 103, stopLoss: 97 });
    venue.onBar(0, T0 + US_PER_DAY, 100, 100, 100, 100, 1e6);
    venue.onBar(0, T0 + 2 * US_PER_DAY, open, 104, 96, 100, 1e6);
    return { events, b, position: venue.position(0) };
  }
  const exitFill = (r: ReturnType<typeof sameBar>): string =>
    r.events.flatMap((e) => (e.kind === 'OrderFilled' && e.orderId !== r.b.entry ? [e.orderId === r.b.takeProfit ? `tp ${e.fill.price}` : `sl ${e.fill.price}`] : [])).join();

  it.each([
    ['ohlc', 100, 'tp 103'],
    ['olhc', 100, 'sl 97'],
    ['nearest', 101, 'tp 103'],
    ['nearest', 99, 'sl 97'],
  ] as const)('intrabarPath %s, open %d: the path reaches one exit first, it fills (%s) and cancels the other', (path, open, expected) => {
    const r = sameBar(path, open);
    expect(exitFill(r)).toBe(expected);
    const other = expected.startsWith('tp') ? r.b.stopLoss : r.b.takeProfit;
    const cancelled = r.events.filter((e) => e.kind === 'OrderCancelled' && e.orderId === other);
    expect(cancelled.map(reason)).toEqual([`OCO: ${expected.startsWith('tp') ? r.b.takeProfit : r.b.stopLoss} filled, the bracket is closed`]);
    expect(r.position).toBe(0);
  });
});
