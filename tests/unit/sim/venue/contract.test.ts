/**
 * The venue contract: the same order-lifecycle cases run over both simulated venues, the bar/L1
 * venue fed daily bars and the L2 venue fed a replayed book. Both share one order core
 * (sim/venue/order-core.ts), so acceptance, rejection, time in force, reduce-only, cancel,
 * cancel/replace and fill accounting must read the same on both; only where a fill's price comes
 * from (a bar's path or the book's levels) differs.
 */
import { describe, expect, it } from 'vitest';
import { InvariantError, orderId, strategyId, US_PER_DAY } from '../../../../engine/core/index.js';
import type { OrderId } from '../../../../engine/core/index.js';
import { Order } from '../../../../engine/model/index.js';
import type { Fill, OrderChanges, OrderEvent, OrderRequest } from '../../../../engine/model/index.js';
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
  /** The next market event trades at `price` (below MID: reaches buy limits there; above: sell limits). */
  touch(price: number): void;
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
  const venue = new SimulatedVenue(venueConfig({ barIntervalUs: US_PER_DAY, fees }), { onOrderEvent: (e) => events.push(e) }, ['AAA']);
  let i = 0;
  const bar = (o: number, h: number, l: number, c: number): void => {
    i++;
    venue.onBar(0, T0 + i * US_PER_DAY, o, h, l, c, 1_000_000);
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
    touch: (p) => bar(MID, Math.max(MID, p), Math.min(MID, p), MID),
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
  const snapshot = (bids: readonly number[], asks: readonly number[]): void => {
    ts += 1000;
    venue.onTimeAdvance(ts);
    const rows = [...bids.map((p) => [1, p] as const), ...asks.map((p) => [-1, p] as const)];
    rows.forEach(([side, p], k) => venue.onBookDelta(0, ts, side, p, 1000, 2, (k === 0 ? 1 : 0) | (k === rows.length - 1 ? 2 : 0), row++));
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
    touch: (p) => (p < MID ? snapshot([Math.round((p - 0.1) * 100) / 100], [p]) : snapshot([p], [Math.round((p + 0.1) * 100) / 100])),
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
