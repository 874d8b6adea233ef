import { describe, expect, it } from 'vitest';
import { after, barTs, DAY, harness } from './venue-harness.js';

describe('SimulatedVenue on bars: market orders', () => {
  it('fills a market order at the next bar\'s open, stamped with that bar\'s open time', () => {
    const h = harness();
    h.bar(0, 100, 102, 99, 101);
    const id = h.submit({ side: 'buy', qty: 10 }, after(0));
    expect(h.kinds()).toEqual(['OrderAccepted']);
    h.bar(1, 103, 104, 101, 102);
    expect(h.fills()).toEqual([
      { fillId: 'F-1', orderId: id, strategyId: 'S', ts: barTs(1), symbol: 'AAA', side: 'buy', qty: 10, price: 103, commission: 0, liquidity: 'taker' },
    ]);
    expect(h.venue.position(0)).toBe(10);
  });

  it('fills a market order at the current bar\'s close on submit under marketFill close, stamped at the close time', () => {
    const h = harness({ marketFill: 'close' });
    h.bar(0, 100, 102, 99, 101);
    h.submit({ side: 'sell', qty: 5 }, after(0));
    expect(h.kinds()).toEqual(['OrderAccepted', 'OrderFilled']);
    const [f] = h.fills();
    expect([f!.price, f!.ts, f!.side, f!.qty]).toEqual([101, barTs(0) + DAY, 'sell', 5]);
    expect(h.venue.position(0)).toBe(-5);
  });

  it('rejects a market order under marketFill close when no bar of the symbol was seen yet', () => {
    const h = harness({ marketFill: 'close' });
    h.submit({ side: 'buy', qty: 5 }, T0plus());
    const [e] = h.events;
    expect(e!.kind).toBe('OrderRejected');
    expect(e!.kind === 'OrderRejected' && e!.reason).toMatch(/before the venue saw any bar/);
  });

  it('does not fill an order inside a bar that opened before the order was decided (other symbol, same time)', () => {
    const h = harness({}, ['AAA', 'BBB']);
    h.bar(0, 100, 101, 99, 100, 1e6, 0);
    // The strategy reacts to AAA's bar 0 before BBB's bar 0 (same open time) reaches the venue.
    const id = h.submit({ symbol: 'BBB', side: 'buy', qty: 1 }, after(0));
    h.bar(0, 50, 51, 49, 50, 1e6, 1);
    expect(h.fills()).toEqual([]);
    h.bar(1, 52, 53, 51, 52, 1e6, 1);
    expect(h.fills().map((f) => [f.orderId, f.price])).toEqual([[id, 52]]);
  });

  it('does nothing on bars while no order is working', () => {
    const h = harness();
    for (let i = 0; i < 5; i++) h.bar(i, 100, 101, 99, 100);
    expect(h.events).toEqual([]);
  });
});

describe('SimulatedVenue on bars: stops and limits', () => {
  it('fills a buy stop gapped through at the open', () => {
    const h = harness();
    h.bar(0, 100, 101, 99, 100);
    h.submit({ side: 'buy', qty: 1, type: 'stop', stopPrice: 105 }, after(0));
    h.bar(1, 107, 108, 106, 107);
    expect(h.kinds()).toEqual(['OrderAccepted', 'OrderTriggered', 'OrderFilled']);
    expect(h.fills()[0]!.price).toBe(107);
  });

  it('fills a sell stop gapped through at the open', () => {
    const h = harness();
    h.bar(0, 100, 101, 99, 100);
    h.submit({ side: 'sell', qty: 1, type: 'stop', stopPrice: 95 }, after(0));
    h.bar(1, 93, 96, 92, 94);
    expect(h.fills()[0]!.price).toBe(93);
  });

  it('fills a stop that is touched inside the bar at its stop price, as taker', () => {
    const h = harness();
    h.bar(0, 100, 101, 99, 100);
    h.submit({ side: 'buy', qty: 1, type: 'stop', stopPrice: 105 }, after(0));
    h.bar(1, 100, 106, 99, 104);
    expect(h.fills().map((f) => [f.price, f.liquidity])).toEqual([[105, 'taker']]);
  });

  it('leaves a stop working when the bar does not reach it', () => {
    const h = harness();
    h.bar(0, 100, 101, 99, 100);
    h.submit({ side: 'buy', qty: 1, type: 'stop', stopPrice: 105 }, after(0));
    h.bar(1, 100, 104.99, 99, 104);
    expect(h.kinds()).toEqual(['OrderAccepted']);
    expect(h.venue.workingOrders()).toBe(1);
  });

  it('fills a buy limit that is only touched at its limit price as maker (limitFill touch)', () => {
    const h = harness();
    h.bar(0, 100, 101, 99, 100);
    h.submit({ side: 'buy', qty: 1, type: 'limit', limitPrice: 98 }, after(0));
    h.bar(1, 100, 101, 98, 99);
    expect(h.fills().map((f) => [f.price, f.liquidity])).toEqual([[98, 'maker']]);
  });

  it('does not fill a touched limit under limitFill through, and fills it at the limit once traded through', () => {
    const h = harness({ limitFill: 'through' });
    h.bar(0, 100, 101, 99, 100);
    h.submit({ side: 'buy', qty: 1, type: 'limit', limitPrice: 98 }, after(0));
    h.bar(1, 100, 101, 98, 99);
    expect(h.fills()).toEqual([]);
    h.bar(2, 99, 99.5, 97.5, 99);
    expect(h.fills().map((f) => f.price)).toEqual([98]);
  });

  it('fills a buy limit gapped through at the open (a better price), as taker', () => {
    const h = harness();
    h.bar(0, 100, 101, 99, 100);
    h.submit({ side: 'buy', qty: 1, type: 'limit', limitPrice: 98 }, after(0));
    h.bar(1, 96, 97, 95, 96);
    expect(h.fills().map((f) => [f.price, f.liquidity])).toEqual([[96, 'taker']]);
  });

  it('fills a sell limit gapped through at the open', () => {
    const h = harness();
    h.bar(0, 100, 101, 99, 100);
    h.submit({ side: 'sell', qty: 1, type: 'limit', limitPrice: 102 }, after(0));
    h.bar(1, 104, 105, 103, 104);
    expect(h.fills().map((f) => f.price)).toEqual([104]);
  });

  it('triggers a stop-limit inside a bar without filling it when the rest of the bar never reaches the limit', () => {
    const h = harness();
    h.bar(0, 100, 101, 99, 100);
    const id = h.submit({ side: 'buy', qty: 1, type: 'stop_limit', stopPrice: 105, limitPrice: 104 }, after(0));
    // open-high-low-close: 104.8 -> 107 triggers at 105; the limit 104 then needs the price back at
    // 104, but the low after the high is 104.5.
    h.bar(1, 104.8, 107, 104.5, 106);
    expect(h.kinds(id)).toEqual(['OrderAccepted', 'OrderTriggered']);
    expect(h.fills()).toEqual([]);
    // Next bar: a plain limit at 104 now, reached on the way from the high to the low.
    h.bar(2, 105, 105.5, 103.5, 104);
    expect(h.fills().map((f) => [f.price, f.liquidity, f.ts])).toEqual([[104, 'maker', barTs(2)]]);
    expect(h.kinds(id)).toEqual(['OrderAccepted', 'OrderTriggered', 'OrderFilled']);
  });

  it('fills a stop-limit in the bar that triggers it when the path comes back to the limit', () => {
    const h = harness();
    h.bar(0, 100, 101, 99, 100);
    h.submit({ side: 'buy', qty: 1, type: 'stop_limit', stopPrice: 105, limitPrice: 104 }, after(0));
    h.bar(1, 104.5, 107, 103, 106);
    expect(h.fills().map((f) => f.price)).toEqual([104]);
  });

  it('fills a stop-limit at the trigger price when its limit is marketable there', () => {
    const h = harness();
    h.bar(0, 100, 101, 99, 100);
    h.submit({ side: 'buy', qty: 1, type: 'stop_limit', stopPrice: 105, limitPrice: 106 }, after(0));
    h.bar(1, 100, 107, 99, 106);
    expect(h.fills().map((f) => [f.price, f.liquidity])).toEqual([[105, 'taker']]);
  });
});

function T0plus(): number {
  return barTs(0);
}
