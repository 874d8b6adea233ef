import { describe, expect, it } from 'vitest';
import { orderId, strategyId } from '../../../../engine/core/index.js';
import { Order } from '../../../../engine/model/index.js';
import type { OrderEvent } from '../../../../engine/model/index.js';
import { SimulatedVenue, venueConfig } from '../../../../sim/venue/index.js';
import type { VenueBars } from '../../../../sim/venue/index.js';
import { after, barTs, DAY, harness } from './venue-harness.js';

/** Five daily bars of AAA as the replay's columns (open time `barTs`, close time `ts`). */
function tape(): VenueBars {
  const n = 5;
  const col = (f: (i: number) => number): Float64Array => Float64Array.from({ length: n }, (_, i) => f(i));
  return {
    barTs: col(barTs),
    ts: col((i) => barTs(i) + DAY),
    open: col((i) => 100 + i),
    high: col((i) => 103 + i),
    low: col((i) => 98 + i),
    close: col((i) => 101 + i),
    volume: col(() => 1_000_000),
  };
}

describe('SimulatedVenue.onBarRow', () => {
  it('has the effect of onBar with the row\'s numbers: the same events, fills and closes', () => {
    const bars = tape();
    const run = (byRow: boolean): OrderEvent[] => {
      const events: OrderEvent[] = [];
      const venue = new SimulatedVenue(venueConfig({ barIntervalUs: DAY, marketFill: 'next_open' }), { onOrderEvent: (e) => events.push(e) }, ['AAA']);
      let n = 0;
      const submit = (side: 'buy' | 'sell', type: 'market' | 'limit' | 'stop', price: number | undefined, ts: number): void => {
        const req = type === 'limit' ? { limitPrice: price } : type === 'stop' ? { stopPrice: price } : {};
        venue.submit(new Order(orderId(`O-${++n}`), { symbol: 'AAA', side, qty: 10, type, ...req }, ts, strategyId('S')), ts);
      };
      for (let r = 0; r < 5; r++) {
        if (byRow) venue.onBarRow(0, bars, r);
        else venue.onBar(0, bars.barTs[r]!, bars.open[r]!, bars.high[r]!, bars.low[r]!, bars.close[r]!, bars.volume[r]!, bars.ts[r]!);
        if (r === 0) submit('buy', 'market', undefined, after(0));
        if (r === 1) submit('sell', 'limit', 104.5, after(1));
        if (r === 2) submit('sell', 'stop', 102, after(2));
      }
      return events;
    };
    const byRow = run(true);
    expect(byRow.filter((e) => e.kind === 'OrderFilled').map((e) => e.kind === 'OrderFilled' && [e.orderId, e.fill.price, e.fill.ts])).toEqual([
      ['O-1', 101, barTs(1)],
      ['O-2', 104.5, barTs(2)],
      ['O-3', 102, barTs(3)],
    ]);
    expect(byRow).toEqual(run(false));
  });

  it('refuses a row out of time order and an inconsistent row as onBar does', () => {
    const bars = tape();
    const venue = new SimulatedVenue(venueConfig({ barIntervalUs: DAY }), { onOrderEvent: () => {} }, ['AAA']);
    venue.onBarRow(0, bars, 1);
    expect(() => venue.onBarRow(0, bars, 0)).toThrow(`venue: bar of "AAA" at ${barTs(0)} is not after the previous bar at ${barTs(1)}`);
    const bad = { ...bars, low: Float64Array.from(bars.low, (x) => x + 10) };
    expect(() => venue.onBarRow(0, bad, 2)).toThrow(`venue: inconsistent bar of "AAA" at ${barTs(2)}: open 102, high 105, low 110, close 103, volume 1000000`);
  });
});

describe('SimulatedVenue working-order index', () => {
  it('counts, finds and forgets orders across many fill cycles that empty it', () => {
    const h = harness();
    for (let i = 0; i < 40; i++) {
      h.bar(i, 100, 101, 99, 100);
      expect(h.venue.workingOrders()).toBe(0);
      h.submit({ side: i % 2 === 0 ? 'buy' : 'sell', qty: 1 }, after(i));
      expect(h.venue.workingOrders()).toBe(1);
    }
    h.bar(40, 100, 101, 99, 100);
    expect(h.venue.workingOrders()).toBe(0);
    expect(h.fills()).toHaveLength(40);
    // A finished order is unknown to the index: cancelling it is refused, not an error.
    h.venue.cancel(orderId('O-40'), after(40));
    expect(h.venue.requestRejections().map((r) => [r.orderId, r.reason])).toEqual([['O-40', 'unknown or no longer working order']]);
  });

  it('still refuses an id already working, and expires DAY orders in arrival order', () => {
    const h = harness();
    h.bar(0, 100, 101, 99, 100);
    const a = h.submit({ side: 'buy', qty: 1, type: 'limit', limitPrice: 50, timeInForce: 'DAY' }, after(0));
    const b = h.submit({ side: 'sell', qty: 1, type: 'limit', limitPrice: 150, timeInForce: 'DAY' }, after(0));
    expect(() => h.venue.submit(h.orders.get(a)!, after(0))).toThrow(`venue: order ${a} is already working`);
    h.take();
    h.venue.onTimeAdvance(after(1));
    expect(h.events.map((e) => [e.kind, e.orderId])).toEqual([
      ['OrderExpired', a],
      ['OrderExpired', b],
    ]);
    expect(h.venue.workingOrders()).toBe(0);
  });
});
