/**
 * What only the L2 venue does for brackets: a bracket's stop-loss waits off the book and triggers on
 * the opposite touch or a trade print, then walks the book; a market entry fills on arrival, before
 * its exits arrive, so they start working at once.
 * (Everything both venues share is in ../contract.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { orderId, strategyId } from '../../../../../engine/core/index.js';
import { bracketRequests, Order } from '../../../../../engine/model/index.js';
import type { BracketIds, BracketRequest } from '../../../../../engine/model/index.js';
import { l2Harness, T0 } from './l2-harness.js';

const BIDS = [[99.99, 10], [99.98, 20], [99.97, 30]] as const;
const ASKS = [[100.01, 5], [100.02, 10], [100.04, 20]] as const;

let n = 0;
function bracketOrders(req: Omit<BracketRequest, 'symbol'>): { ids: BracketIds; orders: Order[] } {
  const [e, tp, sl] = bracketRequests({ symbol: 'AAA', ...req }, 100);
  const ids: BracketIds = { entry: orderId(`B-${++n}`), takeProfit: orderId(`B-${++n}`), stopLoss: orderId(`B-${++n}`) };
  const s = strategyId('S');
  return {
    ids,
    orders: [
      new Order(ids.entry, e, T0, s, null, { contingency: 'OTO', parentId: null, linkedIds: [ids.takeProfit, ids.stopLoss], group: null }),
      new Order(ids.takeProfit, tp, T0, s, null, { contingency: 'OUO', parentId: ids.entry, linkedIds: [ids.stopLoss], group: null }),
      new Order(ids.stopLoss, sl, T0, s, null, { contingency: 'OUO', parentId: ids.entry, linkedIds: [ids.takeProfit], group: null }),
    ],
  };
}

describe('L2 venue brackets', () => {
  it('a market entry fills on arrival and its exits work at once, sized to the fill; a print through the stop triggers it', () => {
    const h = l2Harness({ tickSize: 0.01 });
    h.snapshot(T0, BIDS, ASKS);
    const { ids, orders } = bracketOrders({ side: 'buy', qty: 12, takeProfit: 101, stopLoss: 99.5 });
    for (const o of orders) h.venue.submit(o, T0 + 1);
    expect(h.fills(ids.entry).map((f) => [f.qty, f.price])).toEqual([[5, 100.01], [7, 100.02]]);
    expect(h.kinds(ids.takeProfit)).toEqual(['OrderAccepted']);
    expect(h.kinds(ids.stopLoss)).toEqual(['OrderAccepted']);
    expect(h.venue.queueAhead(ids.takeProfit)).toBe(0);
    h.trade(T0 + 2, 99.6, 1, -1);
    expect(h.kinds(ids.stopLoss)).toEqual(['OrderAccepted']);
    h.trade(T0 + 3, 99.5, 1, -1);
    expect(h.kinds(ids.stopLoss)).toEqual(['OrderAccepted', 'OrderTriggered', 'OrderFilled', 'OrderFilled']);
    // Triggered, it walks the bids as a market order: 10 at 99.99, 2 at 99.98.
    expect(h.fills(ids.stopLoss).map((f) => [f.qty, f.price, f.liquidity])).toEqual([[10, 99.99, 'taker'], [2, 99.98, 'taker']]);
    expect(h.kinds(ids.takeProfit).at(-1)).toBe('OrderCancelled');
    expect(h.venue.position(0)).toBe(0);
    expect(h.venue.workingOrders()).toBe(0);
  });

  it('a triggered stop-loss the displayed depth cannot fill cancels its rest, and the take-profit keeps covering it', () => {
    const h = l2Harness({ tickSize: 0.01 });
    h.snapshot(T0, BIDS, [[100.01, 100]]);
    const { ids, orders } = bracketOrders({ side: 'buy', qty: 80, takeProfit: 101, stopLoss: 99.5 });
    for (const o of orders) h.venue.submit(o, T0 + 1);
    h.snapshot(T0 + 2, [[99.5, 30]], [[99.6, 10]]);
    expect(h.fills(ids.stopLoss).map((f) => f.qty)).toEqual([30]);
    expect(h.events.find((e) => e.orderId === ids.stopLoss && e.kind === 'OrderCancelled')).toMatchObject({ reason: 'triggered stop: 50 unfilled after the displayed depth was exhausted' });
    expect(h.events.filter((e) => e.orderId === ids.takeProfit && e.kind === 'OrderReplaced').map((e) => (e as { qty: number }).qty)).toEqual([50]);
    expect(h.venue.position(0)).toBe(50);
  });

  it('a plain stop order is still rejected', () => {
    const h = l2Harness({ tickSize: 0.01 });
    const id = h.submit({ side: 'sell', qty: 1, type: 'stop', stopPrice: 99 });
    expect(h.kinds(id)).toEqual(['OrderRejected']);
  });
});
