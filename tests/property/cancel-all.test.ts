import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { US_PER_DAY, strategyId, symbolId } from '../../engine/core/index.js';
import type { OrderEvent, OrderRequest } from '../../engine/model/index.js';
import type { Strategy } from '../../engine/strategies/index.js';
import { runBacktest } from '../../sim/backtest/index.js';
import { venueConfig } from '../../sim/venue/index.js';
import { barFeed, walkBars } from '../support/bar-feed.js';

const DAY = US_PER_DAY;
const SYMBOLS = ['S0', 'S1', 'S2'];

/**
 * Cancel-all while iterating ctx.openOrders(): for any set of working orders (limits and stops at
 * random prices, sides and symbols, none of which can fill: the symbols open at 50, 60 and 70 and
 * move 1% a bar), a strategy that cancels every order openOrders lists (all symbols at once, or
 * symbol by symbol) leaves none working, and each order gets exactly one OrderCancelled.
 */
const orderArb = fc.record({
  symbol: fc.integer({ min: 0, max: 2 }),
  side: fc.constantFrom<'buy' | 'sell'>('buy', 'sell'),
  type: fc.constantFrom<'limit' | 'stop'>('limit', 'stop'),
  // A buy limit or a sell stop below 30, a sell limit or a buy stop above 120.
  far: fc.double({ min: 1, max: 29, noNaN: true }),
  qty: fc.integer({ min: 1, max: 50 }),
});

function request(o: { symbol: number; side: 'buy' | 'sell'; type: 'limit' | 'stop'; far: number; qty: number }): OrderRequest {
  const below = (o.side === 'buy') === (o.type === 'limit');
  const price = below ? o.far : 120 + o.far * 10;
  return { symbol: SYMBOLS[o.symbol]!, side: o.side, qty: o.qty, type: o.type, ...(o.type === 'limit' ? { limitPrice: price } : { stopPrice: price }) };
}

describe('property: cancel-all while iterating openOrders()', () => {
  it('leaves zero working orders and emits one OrderCancelled per order', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(orderArb, { minLength: 1, maxLength: 25 }), fc.boolean(), async (orders, perSymbol) => {
        const cancelled = new Map<string, number>();
        const after: number[] = [];
        const strat: Strategy = {
          id: strategyId('cancel-all'),
          symbols: SYMBOLS.map(symbolId),
          onBar(ctx, bars) {
            if (bars.symbol !== 'S2') return;
            if (bars.count === 1) for (const o of orders) ctx.submitOrder(request(o));
            if (bars.count === 2) {
              if (perSymbol) for (const s of SYMBOLS) for (const o of ctx.openOrders(s)) ctx.cancelOrder(o.id);
              else for (const o of ctx.openOrders()) ctx.cancelOrder(o.id);
            }
            if (bars.count === 3) after.push(ctx.openOrders().length, ...SYMBOLS.map((s) => ctx.openOrders(s).length));
          },
          onOrderEvent(_ctx, ev: OrderEvent) {
            if (ev.kind === 'OrderCancelled') cancelled.set(ev.orderId, (cancelled.get(ev.orderId) ?? 0) + 1);
          },
        };
        const result = await runBacktest(
          {
            symbols: SYMBOLS,
            initialCash: 1e9,
            barIntervalUs: DAY,
            equityEveryUs: DAY,
            lookback: 4,
            venue: venueConfig({ barIntervalUs: DAY }),
            createStrategies: () => [strat],
            createRisk: null,
          },
          { bars: barFeed(walkBars(3, [0.01, -0.01, 0.01, 0.01], DAY), DAY) },
        );
        expect(after).toEqual([0, 0, 0, 0]);
        expect(result.orders).toHaveLength(orders.length);
        expect(result.orders.every((o) => o.status === 'cancelled')).toBe(true);
        expect(cancelled.size).toBe(orders.length);
        expect([...cancelled.values()].every((n) => n === 1)).toBe(true);
        expect(result.fills).toEqual([]);
      }),
      { numRuns: 60, seed: 13 },
    );
  });
});
