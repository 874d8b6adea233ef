import { describe, expect, it } from 'vitest';
import { after, barTs, harness, T0 } from './venue-harness.js';

const t = (s: number): number => T0 + s * 1_000_000;

describe('SimulatedVenue on quotes and trades (L1)', () => {
  it('crosses the spread: a market buy fills at the ask and a market sell at the bid, at once', () => {
    const h = harness();
    h.venue.onQuote(0, t(1), 99.9, 500, 100.1, 400);
    h.submit({ side: 'buy', qty: 10 }, t(2));
    h.submit({ side: 'sell', qty: 10 }, t(2));
    expect(h.fills().map((f) => [f.side, f.price, f.ts, f.liquidity])).toEqual([
      ['buy', 100.1, t(2), 'taker'],
      ['sell', 99.9, t(2), 'taker'],
    ]);
  });

  it('caps a market order by the displayed size under the volume-share model and fills the rest on later quotes', () => {
    const h = harness({ slippage: { kind: 'volume_share', share: 1 } });
    h.venue.onQuote(0, t(1), 99.9, 500, 100.1, 4);
    h.submit({ side: 'buy', qty: 10 }, t(2));
    h.venue.onQuote(0, t(3), 99.9, 500, 100.2, 100);
    expect(h.fills().map((f) => [f.qty, f.price])).toEqual([
      [4, 100.1],
      [6, 100.2],
    ]);
  });

  it('waits for the first quote when none was seen yet', () => {
    const h = harness();
    h.submit({ side: 'buy', qty: 1 }, t(0));
    expect(h.fills()).toEqual([]);
    h.venue.onQuote(0, t(1), 99.9, 5, 100.1, 5);
    expect(h.fills().map((f) => f.price)).toEqual([100.1]);
  });

  it('fills a marketable limit on arrival at the touch as taker', () => {
    const h = harness();
    h.venue.onQuote(0, t(1), 99.9, 500, 100.1, 400);
    h.submit({ side: 'buy', qty: 1, type: 'limit', limitPrice: 100.5 }, t(2));
    expect(h.fills().map((f) => [f.price, f.liquidity])).toEqual([[100.1, 'taker']]);
  });

  it('fills a resting limit buy at its limit price as maker when the ask reaches it', () => {
    const h = harness();
    h.venue.onQuote(0, t(1), 99.9, 500, 100.1, 400);
    h.submit({ side: 'buy', qty: 1, type: 'limit', limitPrice: 99.5 }, t(2));
    h.venue.onQuote(0, t(3), 99.6, 500, 99.8, 400);
    expect(h.fills()).toEqual([]);
    h.venue.onQuote(0, t(4), 99.0, 500, 99.2, 400);
    expect(h.fills().map((f) => [f.price, f.liquidity, f.ts])).toEqual([[99.5, 'maker', t(4)]]);
  });

  it('fills a resting limit when a trade prints at or below it', () => {
    const h = harness();
    h.venue.onQuote(0, t(1), 99.9, 500, 100.1, 400);
    h.submit({ side: 'buy', qty: 1, type: 'limit', limitPrice: 99.5 }, t(2));
    h.venue.onTrade(0, t(3), 99.6, 10, -1);
    expect(h.fills()).toEqual([]);
    h.venue.onTrade(0, t(4), 99.5, 10, -1);
    expect(h.fills().map((f) => [f.price, f.liquidity])).toEqual([[99.5, 'maker']]);
  });

  it('triggers a buy stop on the ask and fills it at the ask', () => {
    const h = harness();
    h.venue.onQuote(0, t(1), 99.9, 500, 100.1, 400);
    const id = h.submit({ side: 'buy', qty: 1, type: 'stop', stopPrice: 100.5 }, t(2));
    h.venue.onQuote(0, t(3), 100.3, 500, 100.4, 400);
    expect(h.kinds(id)).toEqual(['OrderAccepted']);
    h.venue.onQuote(0, t(4), 100.5, 500, 100.6, 400);
    expect(h.kinds(id)).toEqual(['OrderAccepted', 'OrderTriggered', 'OrderFilled']);
    expect(h.fills()[0]!.price).toBe(100.6);
  });

  it('triggers a sell stop on the bid', () => {
    const h = harness();
    h.venue.onQuote(0, t(1), 99.9, 500, 100.1, 400);
    h.submit({ side: 'sell', qty: 1, type: 'stop', stopPrice: 99.5 }, t(2));
    h.venue.onQuote(0, t(3), 99.5, 500, 99.7, 400);
    expect(h.fills().map((f) => f.price)).toEqual([99.5]);
  });

  it('fills market orders at the next print on a symbol with trades but no quotes', () => {
    const h = harness();
    h.venue.onTrade(0, t(1), 100, 10, 1);
    h.submit({ side: 'buy', qty: 1 }, t(2));
    expect(h.fills()).toEqual([]);
    h.venue.onTrade(0, t(3), 100.2, 10, 1);
    expect(h.fills().map((f) => f.price)).toEqual([100.2]);
  });

  it('takes fills from quotes, not bars, once the symbol has quotes', () => {
    const h = harness();
    h.venue.onQuote(0, barTs(0), 99.9, 500, 100.1, 400);
    h.submit({ side: 'buy', qty: 1, type: 'limit', limitPrice: 99 }, after(0));
    h.bar(1, 98, 99, 97, 98);
    expect(h.fills()).toEqual([]);
    h.venue.onQuote(0, after(1), 98.5, 500, 98.7, 400);
    expect(h.fills().map((f) => f.price)).toEqual([99]);
  });

  it('cancels the rest of an IOC order after the current quote', () => {
    const h = harness({ slippage: { kind: 'volume_share', share: 1 } });
    h.venue.onQuote(0, t(1), 99.9, 500, 100.1, 4);
    const id = h.submit({ side: 'buy', qty: 10, timeInForce: 'IOC' }, t(2));
    expect(h.kinds(id)).toEqual(['OrderAccepted', 'OrderFilled', 'OrderCancelled']);
  });
});
