import { describe, expect, it } from 'vitest';
import { l2Harness, T0 } from './l2-harness.js';

const BOOK = { bids: [[99.99, 10], [99.98, 20], [99.97, 30]], asks: [[100.01, 5], [100.02, 10], [100.04, 20]] } as const;

function withBook(config: Parameters<typeof l2Harness>[0] = {}) {
  const h = l2Harness(config);
  h.snapshot(T0, BOOK.bids, BOOK.asks);
  return h;
}

describe('L2Venue market orders walk the book', () => {
  it('fills across levels at each level price and reports the average price and slippage against the mid', () => {
    const h = withBook();
    const id = h.submit({ side: 'buy', qty: 12 }, T0 + 1);
    expect(h.kinds(id)).toEqual(['OrderAccepted', 'OrderFilled', 'OrderFilled']);
    expect(h.fills(id).map((f) => [f.qty, f.price, f.liquidity])).toEqual([[5, 100.01, 'taker'], [7, 100.02, 'taker']]);
    const [x] = h.venue.takerExecutions();
    // avg = (5 * 100.01 + 7 * 100.02) / 12 = 100.015833..; mid = 100.00
    expect(x!.avgPrice).toBeCloseTo(100.01583333333333, 10);
    expect(x!.arrivalMid).toBeCloseTo(100.0, 12);
    expect(x!.slippageBps).toBeCloseTo(1.583333333333, 6);
    expect(x!.levels).toBe(2);
  });

  it('fills a sell from the bid side and cancels what the displayed depth cannot fill', () => {
    const h = withBook();
    const id = h.submit({ side: 'sell', qty: 70 }, T0 + 1);
    expect(h.fills(id).map((f) => [f.qty, f.price])).toEqual([[10, 99.99], [20, 99.98], [30, 99.97]]);
    expect(h.kinds(id).at(-1)).toBe('OrderCancelled');
    expect(h.venue.takerExecutions()[0]!.slippageBps).toBeCloseTo(((100 - (10 * 99.99 + 20 * 99.98 + 30 * 99.97) / 60) / 100) * 1e4, 8);
  });

  it('never lets two own orders take the same displayed size in one book state', () => {
    const h = withBook();
    h.submit({ side: 'buy', qty: 3 }, T0 + 1);
    const second = h.submit({ side: 'buy', qty: 4 }, T0 + 2);
    // 2 left at 100.01, then 100.02.
    expect(h.fills(second).map((f) => [f.qty, f.price])).toEqual([[2, 100.01], [2, 100.02]]);
    // The feed refreshes 100.01: its size is the truth again.
    h.update(T0 + 3, -1, 100.01, 6);
    const third = h.submit({ side: 'buy', qty: 6 }, T0 + 4);
    expect(h.fills(third).map((f) => [f.qty, f.price])).toEqual([[6, 100.01]]);
  });

  it('lets taken depth recover over a half-life under the decaying impact model', () => {
    const h = withBook({ impact: { kind: 'decaying', halfLifeUs: 1000 } });
    h.submit({ side: 'buy', qty: 5 }, T0 + 1);
    h.update(T0 + 1, -1, 100.01, 5); // the feed still shows 5: all 5 taken still weigh
    const a = h.submit({ side: 'buy', qty: 1 }, T0 + 1);
    expect(h.fills(a)[0]!.price).toBe(100.02);
    // After one half-life, 2.5 of the 5 taken still weighs on 100.01: 2.5 offered.
    const b = h.submit({ side: 'buy', qty: 3 }, T0 + 1001);
    expect(h.fills(b).map((f) => [f.qty, f.price])).toEqual([[2.5, 100.01], [0.5, 100.02]]);
  });
});

describe('L2Venue limit orders', () => {
  it('takes what crosses as a taker and rests the rest at its limit with the displayed size ahead', () => {
    const h = withBook();
    const id = h.submit({ side: 'buy', qty: 8, type: 'limit', limitPrice: 100.01 }, T0 + 1);
    expect(h.fills(id).map((f) => [f.qty, f.price, f.liquidity])).toEqual([[5, 100.01, 'taker']]);
    expect(h.venue.workingOrders()).toBe(1);
    expect(h.venue.queueAhead(id)).toBe(0); // 100.01 bid level is empty in the replayed book
    const passive = h.submit({ side: 'buy', qty: 1, type: 'limit', limitPrice: 99.98 }, T0 + 2);
    expect(h.venue.queueAhead(passive)).toBe(20);
  });

  it('cancels the unfilled rest of an IOC order', () => {
    const h = withBook();
    const id = h.submit({ side: 'buy', qty: 8, type: 'limit', limitPrice: 100.01, timeInForce: 'IOC' }, T0 + 1);
    expect(h.kinds(id)).toEqual(['OrderAccepted', 'OrderFilled', 'OrderCancelled']);
    expect(h.venue.workingOrders()).toBe(0);
  });

  it('fills a FOK order completely when the depth within its limit suffices, else cancels it untouched', () => {
    const h = withBook();
    const ok = h.submit({ side: 'buy', qty: 15, type: 'limit', limitPrice: 100.02, timeInForce: 'FOK' }, T0 + 1);
    expect(h.fills(ok).map((f) => f.qty)).toEqual([5, 10]);
    const h2 = withBook();
    const no = h2.submit({ side: 'buy', qty: 16, type: 'limit', limitPrice: 100.02, timeInForce: 'FOK' }, T0 + 1);
    expect(h2.kinds(no)).toEqual(['OrderAccepted', 'OrderCancelled']);
    const market = h2.submit({ side: 'sell', qty: 61, timeInForce: 'FOK' }, T0 + 2);
    expect(h2.kinds(market)).toEqual(['OrderAccepted', 'OrderCancelled']);
  });

  it('rejects a post-only order that would cross and rests one that would not', () => {
    const h = withBook();
    const cross = h.submit({ side: 'sell', qty: 1, type: 'limit', limitPrice: 99.99, postOnly: true }, T0 + 1);
    expect(h.kinds(cross)).toEqual(['OrderRejected']);
    expect((h.events[0] as { reason: string }).reason).toMatch(/post-only: limit 99.99 would take liquidity \(best bid 99.99\)/);
    const rest = h.submit({ side: 'sell', qty: 1, type: 'limit', limitPrice: 100.0, postOnly: true }, T0 + 2);
    expect(h.kinds(rest)).toEqual(['OrderAccepted']);
    expect(h.venue.queueAhead(rest)).toBe(0);
  });

  it('rejects stop orders and limit prices off the tick grid', () => {
    const h = withBook();
    const stop = h.submit({ side: 'buy', qty: 1, type: 'stop', stopPrice: 101 }, T0 + 1);
    const offGrid = h.submit({ side: 'buy', qty: 1, type: 'limit', limitPrice: 99.995 }, T0 + 1);
    expect(h.kinds(stop)).toEqual(['OrderRejected']);
    expect(h.kinds(offGrid)).toEqual(['OrderRejected']);
  });

  it('fills a resting order as a maker when the replayed book moves through its price, up to the displayed size', () => {
    const h = withBook();
    const id = h.submit({ side: 'buy', qty: 10, type: 'limit', limitPrice: 100.0 }, T0 + 1);
    h.update(T0 + 2, -1, 100.0, 4); // an ask appears at our price
    expect(h.fills(id).map((f) => [f.qty, f.price, f.liquidity])).toEqual([[4, 100.0, 'maker']]);
    h.update(T0 + 3, -1, 99.99 + 0.01, 4); // same size again: a new state of the level offers 4 more
    expect(h.fills(id).map((f) => f.qty)).toEqual([4, 4]);
  });

  it('keeps the queue position on a quantity decrease and loses it on a price change', () => {
    const h = withBook();
    const id = h.submit({ side: 'buy', qty: 5, type: 'limit', limitPrice: 99.99 }, T0 + 1);
    h.trade(T0 + 2, 99.99, 4, -1);
    expect(h.venue.queueAhead(id)).toBe(6);
    h.venue.replace(id, { qty: 3 }, T0 + 3);
    expect(h.venue.queueAhead(id)).toBe(6);
    h.venue.replace(id, { limitPrice: 99.98 }, T0 + 4);
    expect(h.venue.queueAhead(id)).toBe(20);
    expect(h.kinds(id).filter((k) => k === 'OrderReplaced')).toHaveLength(2);
  });
});
