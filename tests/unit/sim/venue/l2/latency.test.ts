import { describe, expect, it } from 'vitest';
import { orderId, randomStream, strategyId } from '../../../../../engine/core/index.js';
import { Order } from '../../../../../engine/model/index.js';
import type { OrderEvent, OrderRequest } from '../../../../../engine/model/index.js';
import { ConstantLatency, createLatencyModel, L2Venue, l2VenueConfig, LatencyLink } from '../../../../../sim/venue/l2/index.js';
import type { LatencyModel } from '../../../../../sim/venue/l2/index.js';
import { T0 } from './l2-harness.js';

/** A venue behind a latency link, driven by hand in time order. */
function linked(entry: LatencyModel, response: LatencyModel) {
  const clock = { t: T0, now: () => clock.t };
  const received: { event: OrderEvent; at: number }[] = [];
  const link = new LatencyLink(entry, response, { onOrderEvent: (event) => received.push({ event, at: clock.t }) }, clock);
  const venue = new L2Venue(l2VenueConfig(), link, ['AAA']);
  link.connect(venue);
  const venueSaw: { kind: string; at: number }[] = [];
  const spy = { submit: venue.submit.bind(venue), cancel: venue.cancel.bind(venue) };
  venue.submit = (o, ts) => {
    venueSaw.push({ kind: 'submit', at: ts });
    spy.submit(o, ts);
  };
  venue.cancel = (id, ts) => {
    venueSaw.push({ kind: 'cancel', at: ts });
    spy.cancel(id, ts);
  };
  /** Delivers in-flight messages due up to `t` in time order, then sets the clock to `t`. */
  const runUntil = (t: number): void => {
    for (;;) {
      const next = Math.min(link.nextArrivalTs(), link.nextResponseTs());
      if (next > t) break;
      clock.t = next;
      if (link.nextArrivalTs() === next) link.deliverArrivals(next);
      else link.deliverResponses(next);
    }
    clock.t = t;
  };
  let n = 0;
  const order = (req: Partial<OrderRequest> & Pick<OrderRequest, 'side' | 'qty'>): Order => new Order(orderId(`O-${++n}`), { symbol: 'AAA', ...req }, clock.t, strategyId('S'));
  const book = (ts: number, side: 1 | -1, price: number, size: number, action: number, flags: number): void => {
    runUntil(ts);
    venue.onBookDelta(0, ts, side, price, size, action, flags);
  };
  return { clock, link, venue, received, venueSaw, runUntil, order, book };
}

describe('LatencyLink', () => {
  it('delivers an order to the venue at t + entry and its acknowledgement at t + entry + response', () => {
    const x = linked(new ConstantLatency(300), new ConstantLatency(200));
    x.book(T0, 1, 99.99, 10, 2, 1);
    x.book(T0, -1, 100.01, 10, 2, 2);
    x.runUntil(T0 + 1000);
    const o = x.order({ side: 'buy', qty: 1, type: 'limit', limitPrice: 99.98 });
    x.link.submit(o, T0 + 1000);
    x.runUntil(T0 + 1299);
    expect(x.venueSaw).toEqual([]);
    x.runUntil(T0 + 1300);
    expect(x.venueSaw).toEqual([{ kind: 'submit', at: T0 + 1300 }]);
    x.runUntil(T0 + 1499);
    expect(x.received).toEqual([]);
    x.runUntil(T0 + 2000);
    expect(x.received.map((r) => [r.event.kind, r.event.ts, r.at])).toEqual([['OrderAccepted', T0 + 1300, T0 + 1500]]);
  });

  it('lets a fill that happens before the cancel arrives stand, and refuses the late cancel', () => {
    const x = linked(new ConstantLatency(500), new ConstantLatency(500));
    x.book(T0, 1, 99.99, 10, 2, 1);
    x.book(T0, -1, 100.01, 10, 2, 2);
    const o = x.order({ side: 'buy', qty: 1, type: 'limit', limitPrice: 99.98 });
    x.link.submit(o, T0); // reaches the venue at T0 + 500, rests
    x.runUntil(T0 + 1000); // acknowledged at T0 + 1000
    x.link.cancel(o.id, T0 + 1000); // would reach the venue at T0 + 1500
    x.book(T0 + 1200, 1, 99.99, 0, 1, 0);
    x.book(T0 + 1200, -1, 99.98, 3, 0, 0); // the ask moves through our bid: filled at T0 + 1200
    x.runUntil(T0 + 3000);
    expect(x.received.map((r) => [r.event.kind, r.event.ts, r.at])).toEqual([
      ['OrderAccepted', T0 + 500, T0 + 1000],
      ['OrderFilled', T0 + 1200, T0 + 1700],
    ]);
    expect(x.venue.requestRejections()).toEqual([expect.objectContaining({ ts: T0 + 1500, orderId: o.id, request: 'cancel' })]);
  });

  it('cancels an order whose cancel arrives before any fill', () => {
    const x = linked(new ConstantLatency(500), new ConstantLatency(500));
    x.book(T0, 1, 99.99, 10, 2, 1);
    x.book(T0, -1, 100.01, 10, 2, 2);
    const o = x.order({ side: 'buy', qty: 1, type: 'limit', limitPrice: 99.98 });
    x.link.submit(o, T0);
    x.link.cancel(o.id, T0 + 100); // arrives at T0 + 600, after the submit (FIFO)
    x.book(T0 + 700, 1, 99.99, 0, 1, 0);
    x.book(T0 + 700, -1, 99.98, 3, 0, 0);
    x.runUntil(T0 + 3000);
    expect(x.received.map((r) => [r.event.kind, r.at])).toEqual([
      ['OrderAccepted', T0 + 1000],
      ['OrderCancelled', T0 + 1100],
    ]);
  });

  it('draws seeded random latencies reproducibly and never lets a message overtake an earlier one', () => {
    const draws = (seed: number) => {
      const m = createLatencyModel({ kind: 'exponential', baseUs: 100, meanJitterUs: 400 }, randomStream(seed, 'run', 'latency.entry'));
      return Array.from({ length: 50 }, () => m.next());
    };
    expect(draws(7)).toEqual(draws(7));
    expect(draws(7)).not.toEqual(draws(8));
    expect(Math.min(...draws(7))).toBeGreaterThanOrEqual(100);
    expect(draws(7).every(Number.isInteger)).toBe(true);
    const x = linked(createLatencyModel({ kind: 'lognormal', medianUs: 300, sigma: 1 }, randomStream(1, 'run', 'latency.entry')), new ConstantLatency(0));
    x.book(T0, 1, 99.99, 10, 2, 1);
    x.book(T0, -1, 100.01, 10, 2, 2);
    for (let k = 0; k < 40; k++) x.link.submit(x.order({ side: 'buy', qty: 1, type: 'limit', limitPrice: 99.9 }), T0 + k * 10);
    x.runUntil(T0 + 1e9);
    const at = x.venueSaw.map((v) => v.at);
    expect(at).toHaveLength(40);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
  });

  it('names an invalid latency configuration', () => {
    expect(() => createLatencyModel({ kind: 'constant', us: -1 }, null)).toThrow(/latency.us/);
    expect(() => createLatencyModel({ kind: 'exponential', baseUs: 1, meanJitterUs: 5 }, null)).toThrow(/needs a random stream/);
  });
});
