// Not through engine/strategies/index.js: the contract test mocks that module with this strategy added.
import { defineStrategy } from '../../engine/strategies/define-strategy.js';

/**
 * A strategy of the contract test only (not registered): on bars it rests a buy limit below the
 * close when flat, and a protective stop plus a take-profit limit around the close when long, so
 * the venue's priced-order settings (intrabar path, limit fill rule) can change the run; it first
 * acts once its BarSeries holds `history` bars, so `engine.lookback` can too. No built-in bar
 * strategy places priced orders or reads bars back, yet a user's strategy may.
 */
export const PRICE_PROBE = defineStrategy({
  name: 'contract_price_probe',
  description: 'Limit entries, stop and take-profit exits at a fixed distance from the close (contract test).',
  defaults: { distance: 0.015, history: 10, units: 100 },
  create: ({ params }) => ({
    onBar(ctx, bars) {
      if (bars.length < params.history) return;
      const symbol = bars.symbol;
      const close = bars.close();
      const round = (p: number): number => Math.round(p * 100) / 100;
      for (const o of ctx.openOrders(symbol)) ctx.cancelOrder(o.id);
      const pos = ctx.position(symbol);
      if (pos === 0) {
        ctx.submitOrder({ symbol, side: 'buy', qty: params.units, type: 'limit', limitPrice: round(close * (1 - params.distance)), timeInForce: 'GTC' });
      } else if (pos > 0) {
        ctx.submitOrder({ symbol, side: 'sell', qty: pos, type: 'stop', stopPrice: round(close * (1 - params.distance)), timeInForce: 'GTC', reduceOnly: true });
        ctx.submitOrder({ symbol, side: 'sell', qty: pos, type: 'limit', limitPrice: round(close * (1 + params.distance)), timeInForce: 'GTC', reduceOnly: true });
      }
    },
  }),
});

/**
 * A strategy of the contract test only: on an L2 replay it joins the queue at the touch (a buy
 * limit at the best bid when flat, a sell limit at the best ask when long) and leaves the order
 * resting, so when it fills depends on the venue's queue position model (`venue.queue`). No
 * built-in strategy rests orders in the L2 queue (microstructure's limits cross on arrival).
 */
export const QUEUE_PROBE = defineStrategy({
  name: 'contract_queue_probe',
  description: 'Rests a limit order at the touch and waits in the queue (contract test).',
  defaults: { units: 100 },
  create: ({ params }) => ({
    onQuote(ctx, symbol, quote) {
      if (ctx.openOrders(symbol).length > 0 || !(quote.bid > 0) || !(quote.ask > quote.bid)) return;
      const pos = ctx.position(symbol);
      if (pos === 0) ctx.submitOrder({ symbol, side: 'buy', qty: params.units, type: 'limit', limitPrice: quote.bid, timeInForce: 'GTC' });
      else if (pos > 0) ctx.submitOrder({ symbol, side: 'sell', qty: pos, type: 'limit', limitPrice: quote.ask, timeInForce: 'GTC', reduceOnly: true });
    },
  }),
});
