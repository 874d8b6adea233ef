import { describe, expect, it } from 'vitest';
import { strategyId, symbolId } from '../../../../engine/core/index.js';
import type { StrategyId, Symbol_ } from '../../../../engine/core/index.js';
import { ExecutionEngine } from '../../../../engine/execution/index.js';
import { SimulatedClock, TimerQueue } from '../../../../engine/kernel/index.js';
import { TradingEngine } from '../../../../engine/kernel/trading-engine.js';
import { OptionChainCache } from '../../../../engine/model/index.js';
import type { OptionQuote, QuoteTick, TradeTick } from '../../../../engine/model/index.js';
import { Portfolio } from '../../../../engine/portfolio/index.js';
import type { BookView, Strategy, StrategyContext } from '../../../../engine/strategies/index.js';
import { nullRecorder } from '../execution/algorithms/harness.js';

/**
 * The accessor audit of the StrategyContext (besides openOrders, see open-orders-snapshot.test.ts):
 * nothing a strategy reads is an engine structure it can write to.
 */
function engineWith(strategy: Strategy, books?: { book(symbol: string): BookView }): { engine: TradingEngine; ctx: () => StrategyContext } {
  const symbols = ['S0'] as Symbol_[];
  const portfolio = new Portfolio(1, 1, 10_000);
  const execution = new ExecutionEngine(symbols, [strategy.id] as StrategyId[], portfolio, nullRecorder, null);
  const clock = new SimulatedClock();
  let seen: StrategyContext | null = null;
  const spy: Strategy = { ...strategy, onStart: (c) => void (seen = c) };
  const engine = new TradingEngine({ symbols, strategies: [spy], portfolio, execution, clock, timers: new TimerQueue({ clock }), recorder: nullRecorder, ...(books !== undefined ? { books } : {}) });
  engine.start();
  return { engine, ctx: () => seen! };
}

const attempt = (f: () => void): string => {
  try {
    f();
    return 'written';
  } catch (e) {
    return (e as Error).constructor.name;
  }
};

describe('StrategyContext accessors hand out nothing writable', () => {
  it('lastTrade/lastQuote (and the onTrade/onQuote arguments) are frozen: a strategy cannot change the quote execution algorithms price against', () => {
    const writes: string[] = [];
    const strat: Strategy = {
      id: strategyId('w'),
      symbols: [symbolId('S0')],
      onTrade(_ctx, _s, t: TradeTick) {
        writes.push(attempt(() => ((t as { price: number }).price = 0)));
      },
      onQuote(_ctx, _s, q: QuoteTick) {
        writes.push(attempt(() => ((q as { bid: number }).bid = 0)));
      },
    };
    const { engine, ctx } = engineWith(strat);
    engine.onTrade(0, 10, 101.5, 3, 1);
    engine.onQuote(0, 20, 101, 5, 102, 7);
    expect(writes).toEqual(['TypeError', 'TypeError']);
    expect(ctx().lastTrade('S0')).toEqual({ ts: 10, price: 101.5, size: 3, side: 1 });
    expect(ctx().lastQuote('S0')).toEqual({ ts: 20, bid: 101, bidSize: 5, ask: 102, askSize: 7 });
    expect(Object.isFrozen(ctx().lastQuote('S0'))).toBe(true);
  });

  it('book() is a frozen read-only view of the live book: it follows the book, but none of the book\'s writers is reachable', () => {
    const live = {
      bestBid: 99,
      bestAsk: 101,
      bestBidSize: 4,
      bestAskSize: 6,
      mid: 100,
      cleared: 0,
      levelCount: (side: number) => (side > 0 ? 2 : 3),
      depth: (_side: number, n: number, prices: Float64Array, sizes: Float64Array) => {
        prices[0] = 99;
        sizes[0] = 4;
        return Math.min(n, 1);
      },
      /** A writer of the real OrderBook (what the run's book replica has besides the readers). */
      clear() {
        this.cleared++;
      },
    };
    const { ctx } = engineWith({ id: strategyId('b'), symbols: [symbolId('S0')] }, { book: () => live });
    const view = ctx().book!('S0')!;
    expect(view).not.toBe(live);
    expect(view).toBe(ctx().book!('S0'));
    expect((view as unknown as Record<string, unknown>)['clear']).toBeUndefined();
    expect(attempt(() => ((view as { bestBid: number }).bestBid = 1))).toBe('TypeError');
    expect(attempt(() => ((view as unknown as Record<string, unknown>)['clear'] = () => 0))).toBe('TypeError');
    live.bestBid = 99.5;
    expect([view.bestBid, view.bestAsk, view.bestBidSize, view.bestAskSize, view.mid, view.levelCount(1), view.levelCount(-1)]).toEqual([99.5, 101, 4, 6, 100, 2, 3]);
    const p = new Float64Array(2);
    const s = new Float64Array(2);
    expect(view.depth(1, 2, p, s)).toBe(1);
    expect([p[0], s[0]]).toEqual([99, 4]);
  });

  it('book() is null without L2 data', () => {
    const { ctx } = engineWith({ id: strategyId('n'), symbols: [symbolId('S0')] });
    expect(ctx().book!('S0')).toBeNull();
  });
});

describe('OptionChainCache.chain(): a snapshot', () => {
  const row = (symbol: string, ts: number, bid: number): OptionQuote => ({
    symbol, underlying: 'SPY', expiry: 1e15, strike: 100, right: 'call', ts, bid, ask: bid + 0.1, last: bid, volume: 1, openInterest: 1,
    iv: 0.2, delta: 0.5, gamma: 0.01, vega: 0.1, theta: -0.01,
  });

  it('rows that join the chain later do not change a view handed out; the view, its array and its rows are frozen; unchanged chains give the same view', () => {
    const cache = new OptionChainCache();
    const first = row('C1', 100, 1);
    cache.add(first);
    const v1 = cache.chain('SPY')!;
    expect(cache.chain('SPY')).toBe(v1);
    cache.add(row('C2', 100, 2));
    const v2 = cache.chain('SPY')!;
    expect(v1.contracts.map((c) => c.symbol)).toEqual(['C1']);
    expect(v2.contracts.map((c) => c.symbol)).toEqual(['C1', 'C2']);
    expect(attempt(() => (v2.contracts as OptionQuote[]).push(row('X', 100, 3)))).toBe('TypeError');
    expect(attempt(() => ((v2.contracts[0] as { bid: number }).bid = 0))).toBe('TypeError');
    expect(attempt(() => ((v2 as { ts: number }).ts = 0))).toBe('TypeError');
    // The caller's row object is copied, not frozen in place.
    expect(Object.isFrozen(first)).toBe(false);
    cache.add(row('C3', 200, 3));
    expect(cache.chain('SPY')!.contracts.map((c) => c.symbol)).toEqual(['C3']);
    expect(v2.contracts.map((c) => c.symbol)).toEqual(['C1', 'C2']);
  });
});
