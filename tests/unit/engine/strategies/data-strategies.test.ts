import { describe, expect, it } from 'vitest';
import type { Symbol_ } from '../../../../engine/core/index.js';
import type { OptionChainView, OptionQuote } from '../../../../engine/model/index.js';
import type { BarSeries, BookView, StrategyContext, TargetOptions } from '../../../../engine/strategies/index.js';
import {
  LiquidityFlowStrategy,
  MicrostructureStrategy,
  OptionsFlowStrategy,
  depthImbalance,
  percentile,
  readChain,
  tickRule,
} from '../../../../engine/strategies/index.js';

/** A context with a settable book and chain that records targets and fills them at once. */
function ctx(opts: { book?: BookView; chain?: OptionChainView } = {}) {
  const positions = new Map<string, number>();
  const targets: { symbol: string; units: number; options?: TargetOptions }[] = [];
  const c = {
    now: 0,
    position: (s: string) => positions.get(s) ?? 0,
    setTarget: (s: string, units: number, options?: TargetOptions) => {
      targets.push({ symbol: s, units, ...(options ? { options } : {}) });
      positions.set(s, units);
    },
    emitSignal: () => {},
    book: () => opts.book ?? null,
    chain: () => opts.chain ?? null,
  };
  return { c, context: c as unknown as StrategyContext, targets };
}

function book(bids: number[], asks: number[]): BookView {
  const side = (s: number) => (s > 0 ? bids : asks);
  return {
    bestBid: 99.99,
    bestAsk: 100.01,
    bestBidSize: bids[0] ?? 0,
    bestAskSize: asks[0] ?? 0,
    mid: 100,
    levelCount: (s) => side(s).length,
    depth: (s, n, prices, sizes) => {
      const a = side(s);
      const k = Math.min(n, a.length);
      for (let j = 0; j < k; j++) {
        prices[j] = 100 - s * 0.01 * (j + 1);
        sizes[j] = a[j]!;
      }
      return k;
    },
  };
}

const AAA = 'AAA' as Symbol_;
const quote = { ts: 0, bid: 99.99, bidSize: 1, ask: 100.01, askSize: 1 };

describe('liquidity_flow', () => {
  it('computes the depth imbalance over the first N levels', () => {
    expect(depthImbalance([10, 20, 30], [5, 5, 100], 2)).toEqual({ bidDepth: 30, askDepth: 10, imbalance: 0.5 });
    expect(depthImbalance([], [], 5).imbalance).toBe(0);
  });

  it('buys on a bid-heavy book with enough liquidity and sells on an ask-heavy one', () => {
    const bids = [50, 50, 50, 50, 50];
    const asks = [5, 5, 5, 5, 5];
    const t = ctx({ book: book(bids, asks) });
    const s = new LiquidityFlowStrategy('lf', ['AAA'], { levels: 5, imbalanceThreshold: 0.6, evaluateEveryUs: 0 });
    s.onQuote(t.context, AAA, quote);
    // imbalance (250 - 25) / 275 = 0.818; first reading is its own mean: score 1.
    expect(s.lastReading!.imbalance).toBeCloseTo(225 / 275, 12);
    expect(s.lastScore).toBe(1);
    expect(t.targets).toEqual([{ symbol: 'AAA', units: 100 }]);
    bids.fill(5);
    asks.fill(50);
    t.c.now = 1;
    s.onQuote(t.context, AAA, quote);
    expect(t.targets.at(-1)).toEqual({ symbol: 'AAA', units: -100 });
  });

  it('holds when the book is thin against its recent depth (liquidity score below the minimum)', () => {
    const bids = [500, 500];
    const asks = [500, 500];
    const t = ctx({ book: book(bids, asks) });
    const s = new LiquidityFlowStrategy('lf', ['AAA'], { levels: 2, imbalanceThreshold: 0.6, evaluateEveryUs: 0, depthWindow: 10 });
    for (let k = 0; k < 5; k++) s.onQuote(t.context, AAA, quote);
    bids.splice(0, 2, 40, 40);
    asks.splice(0, 2, 5, 5);
    s.onQuote(t.context, AAA, quote);
    // total 90 against a mean of (5 x 2000 + 90) / 6 = 1681.7: score 0.054 <= 0.7
    expect(s.lastScore).toBeCloseTo(90 / ((5 * 2000 + 90) / 6), 12);
    expect(t.targets).toEqual([]);
  });
});

describe('microstructure', () => {
  it('classifies trades by the tick rule', () => {
    expect(tickRule(10.01, 10, 0)).toBe(1);
    expect(tickRule(9.99, 10, 1)).toBe(-1);
    expect(tickRule(10, 10, -1)).toBe(-1);
    expect(tickRule(10, 10, 0)).toBe(0);
  });

  it('interpolates percentiles between order statistics', () => {
    expect(percentile(Float64Array.from([5, 1, 4, 2, 3]), 5, 20)).toBeCloseTo(1.8, 12);
    expect(percentile(Float64Array.from([5, 1, 4, 2, 3]), 5, 50)).toBe(3);
  });

  function feed(s: MicrostructureStrategy, t: ReturnType<typeof ctx>, lastSpread: number, prices: number[]): void {
    // 40 quotes with spreads 0.02..0.06 one second apart, then the last spread.
    for (let k = 0; k < 40; k++) {
      t.c.now = k * 1_000_000;
      const half = 0.01 + (k % 5) * 0.005;
      s.onQuote(t.context, AAA, { ts: t.c.now, bid: 100 - half, bidSize: 1, ask: 100 + half, askSize: 1 });
    }
    t.c.now += 1_000_000;
    s.onQuote(t.context, AAA, { ts: t.c.now, bid: 100 - lastSpread / 2, bidSize: 1, ask: 100 + lastSpread / 2, askSize: 1 });
    for (const p of prices) {
      t.c.now += 1_000_000;
      s.onTrade(t.context, AAA, { ts: t.c.now, price: p, size: 1, side: 0 });
    }
  }

  it('buys on a buying tick imbalance while the spread is compressed', () => {
    const t = ctx();
    const s = new MicrostructureStrategy('ms', ['AAA'], { tickWindow: 10, imbalanceThreshold: 0.6 });
    feed(s, t, 0.005, [100, 100.01, 100.02, 100.02, 100.03, 100.04]);
    expect(s.imbalance).toBe(1);
    expect(s.compressed).toBe(true);
    expect(t.targets).toEqual([{ symbol: 'AAA', units: 100 }]);
  });

  it('holds when the spread is not compressed', () => {
    const t = ctx();
    const s = new MicrostructureStrategy('ms', ['AAA'], { tickWindow: 10 });
    feed(s, t, 0.05, [100, 100.01, 100.02, 100.03]);
    expect(s.compressed).toBe(false);
    expect(t.targets).toEqual([]);
  });

  it('holds under quote stuffing (more than maxQuoteRate quotes in a second)', () => {
    const t = ctx();
    const s = new MicrostructureStrategy('ms', ['AAA'], { tickWindow: 10, maxQuoteRate: 3 });
    feed(s, t, 0.005, []);
    for (let k = 0; k < 5; k++) s.onQuote(t.context, AAA, { ts: t.c.now, bid: 99.9975, bidSize: 1, ask: 100.0025, askSize: 1 });
    for (const p of [100, 100.01, 100.02]) s.onTrade(t.context, AAA, { ts: t.c.now, price: p, size: 1, side: 0 });
    expect(s.quoteRate).toBeGreaterThan(3);
    expect(t.targets).toEqual([]);
  });

  it('joins the near touch with a limit order in passive mode', () => {
    const t = ctx();
    const s = new MicrostructureStrategy('ms', ['AAA'], { tickWindow: 10, orderType: 'limit' });
    feed(s, t, 0.004, [100, 99.99, 99.98, 99.97]);
    expect(t.targets).toEqual([{ symbol: 'AAA', units: -100, options: { type: 'limit', limitPrice: 100.002 } }]);
  });
});

function contract(right: 'call' | 'put', strike: number, volume: number, iv: number, gamma: number, oi: number): OptionQuote {
  return { symbol: `AAA X ${right} ${strike}`, underlying: 'AAA', expiry: 1, strike, right, ts: 0, bid: 1, ask: 1.1, last: 1, volume, openInterest: oi, iv, delta: Number.NaN, gamma, vega: Number.NaN, theta: Number.NaN };
}

describe('options_flow', () => {
  const chain = (ts: number, putVol: number, callVol: number, putIv: number, callIv: number): OptionChainView => ({
    underlying: 'AAA',
    ts,
    contracts: [contract('put', 90, putVol, putIv, 0.01, 1000), contract('put', 100, 0, 0.2, 0.05, 2000), contract('call', 100, 0, 0.2, 0.05, 2000), contract('call', 110, callVol, callIv, 0.01, 1000)],
  });

  it('reads the put/call volumes, the OTM skew and the dealer gamma', () => {
    const r = readChain(chain(0, 300, 600, 0.25, 0.2), 100, 0.05, 100);
    expect(r).toEqual({ putVolume: 300, callVolume: 600, skew: 0.25 - 0.2, dealerGamma: -(0.01 * 1000 + 0.05 * 2000 * 2 + 0.01 * 1000) * 100 });
  });

  it('goes long on a low put/call ratio with call skew, short on a high ratio with put skew, flat when neutral', () => {
    const bars = { symbol: AAA, close: () => 100 } as unknown as BarSeries;
    let view = chain(1, 100, 400, 0.18, 0.22);
    const t = ctx();
    (t.c as { chain: () => OptionChainView }).chain = () => view;
    const s = new OptionsFlowStrategy('of', ['AAA'], { window: 1, gammaLimit: 1e12 });
    s.onBar(t.context, bars);
    expect(t.targets).toEqual([{ symbol: 'AAA', units: 100 }]);
    s.onBar(t.context, bars); // same chain: no new reading
    expect(t.targets).toHaveLength(1);
    view = chain(2, 800, 400, 0.3, 0.2);
    s.onBar(t.context, bars);
    expect(t.targets.at(-1)).toEqual({ symbol: 'AAA', units: -100 });
    view = chain(3, 400, 400, 0.2, 0.2);
    s.onBar(t.context, bars);
    expect(t.targets.at(-1)).toEqual({ symbol: 'AAA', units: 0 });
  });

  it('holds its position under high dealer gamma (pin risk)', () => {
    const bars = { symbol: AAA, close: () => 100 } as unknown as BarSeries;
    let view = chain(1, 100, 400, 0.18, 0.22);
    const t = ctx();
    (t.c as { chain: () => OptionChainView }).chain = () => view;
    const s = new OptionsFlowStrategy('of', ['AAA'], { window: 1, gammaLimit: 100 });
    s.onBar(t.context, bars);
    view = chain(2, 400, 400, 0.2, 0.2);
    s.onBar(t.context, bars);
    expect(t.targets).toEqual([{ symbol: 'AAA', units: 100 }]);
  });
});
