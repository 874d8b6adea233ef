import { describe, expect, it } from 'vitest';
import { US_PER_DAY } from '../../../../engine/core/index.js';
import type { InstrumentSpec } from '../../../../engine/model/index.js';
import { RiskEngine } from '../../../../engine/risk/index.js';
import type { Strategy, StrategyContext, BarSeries } from '../../../../engine/strategies/context.js';
import type { StrategyId, Symbol_ } from '../../../../engine/core/index.js';
import { replay } from '../../../../sim/backtest/index.js';
import type { ReplayConfig } from '../../../../sim/backtest/index.js';
import { venueConfig } from '../../../../sim/venue/index.js';
import { barFeed } from '../../../support/bar-feed.js';
import type { SimpleBar } from '../../../support/bar-feed.js';

const DAY = US_PER_DAY;
const HOUR = 3_600_000_000;
const T0 = 1_700_006_400_000_000; // a UTC midnight

const ES: InstrumentSpec = { symbol: 'ES', assetClass: 'future', multiplier: 50, tickSize: 0.25, lotSize: 1, currency: 'USD', initialMargin: 15_000, maintenanceMargin: 13_500 };
const BTC: InstrumentSpec = { symbol: 'BTC', assetClass: 'crypto', multiplier: 1, tickSize: 0.01, lotSize: 0.001, currency: 'USD', initialMargin: null, maintenanceMargin: null };

/** A strategy that runs `script(ctx, barCount)` on each bar of its one symbol. */
function scripted(symbol: string, script: (ctx: StrategyContext, n: number, bars: BarSeries) => void): Strategy {
  return { id: 's' as StrategyId, symbols: [symbol as Symbol_], onBar: (ctx, bars) => script(ctx, bars.count, bars) };
}

const bar = (ts: number, open: number, close: number): SimpleBar => ({ symbol: 0, ts, open, high: Math.max(open, close) + 0.25, low: Math.min(open, close) - 0.25, close, volume: 1000 });

function config(symbol: string, spec: InstrumentSpec, strategy: Strategy, interval: number, more: Partial<ReplayConfig> = {}): ReplayConfig {
  return {
    symbols: [symbol],
    initialCash: 100_000,
    barIntervalUs: interval,
    equityEveryUs: 60_000_000,
    lookback: 16,
    venue: { kind: 'l1', config: venueConfig({ barIntervalUs: interval, fees: { kind: 'per_unit', perUnit: 2.25 } }) },
    createStrategies: () => [strategy],
    createRisk: null,
    instruments: [spec],
    ...more,
  };
}

describe('replay with instruments: futures P&L by point value (hand-computed)', () => {
  it('2 ES long from 5000.00 to 5010.25: 2 x 10.25 x 50 = 1025, less 4 x 2.25 fees = 1016; cash moves by P&L and fees only', async () => {
    const bars = [bar(T0, 4990, 4995), bar(T0 + DAY, 5000, 5004), bar(T0 + 2 * DAY, 5004, 5008), bar(T0 + 3 * DAY, 5010.25, 5012)];
    const s = scripted('ES', (ctx, n) => {
      if (n === 1) ctx.setTarget('ES', 2);
      if (n === 3) ctx.setTarget('ES', 0);
    });
    const r = await replay(config('ES', ES, s, DAY), { bars: barFeed(bars, DAY) });
    expect(r.fills.map((f) => [f.side, f.qty, f.price, f.commission])).toEqual([
      ['buy', 2, 5000, 4.5],
      ['sell', 2, 5010.25, 4.5],
    ]);
    expect(r.trades).toHaveLength(1);
    expect(r.trades[0]!.pnl).toBe(1016);
    expect(r.finalCash).toBe(101_016);
    expect(r.finalEquity).toBe(101_016);
    // Samples stamped at each bar's open: bar 1 (long 2 from 5000, close 5004): cash 100000 - 4.5,
    // equity + 2 x 4 x 50 = 400; bar 2 (close 5008): + 800.
    expect(Array.from(r.equity.cash.slice(0, 4))).toEqual([100_000, 99_995.5, 99_995.5, 101_016]);
    expect(Array.from(r.equity.equity.slice(0, 4))).toEqual([100_000, 100_395.5, 100_795.5, 101_016]);
    // Gross exposure stays notional: 2 x 5004 x 50.
    expect(r.equity.grossExposure[1]).toBe(500_400);
  });

  it('a bps commission on a future is of the notional with the point value: 1 bps of 2 x 5000 x 50 = 50', async () => {
    const bars = [bar(T0, 4990, 4995), bar(T0 + DAY, 5000, 5004), bar(T0 + 2 * DAY, 5004, 5008)];
    const s = scripted('ES', (ctx, n) => {
      if (n === 1) ctx.setTarget('ES', 2);
    });
    const c = config('ES', ES, s, DAY);
    const r = await replay({ ...c, venue: { kind: 'l1', config: venueConfig({ barIntervalUs: DAY, fees: { kind: 'bps', bps: 1 } }) } }, { bars: barFeed(bars, DAY) });
    expect(r.fills[0]!.commission).toBeCloseTo(50, 9);
  });

  it('refuses a multipliers entry that contradicts the instrument (one source of truth)', async () => {
    const s = scripted('ES', () => {});
    await expect(replay({ ...config('ES', ES, s, DAY), multipliers: [20] }, { bars: barFeed([bar(T0, 1, 1)], DAY) })).rejects.toThrow("invalid 'multipliers[0]': ES has the instrument multiplier 50, was 20");
  });
});

describe('replay with instruments: tick and lot size per instrument', () => {
  it("rejects a limit order off the instrument's tick, naming the instrument; one on the tick works", async () => {
    const bars = [bar(T0, 5000, 5000), bar(T0 + DAY, 5000, 5001), bar(T0 + 2 * DAY, 4999, 4998)];
    const s = scripted('ES', (ctx, n) => {
      if (n === 1) {
        ctx.submitOrder({ symbol: 'ES', side: 'buy', qty: 1, type: 'limit', limitPrice: 4999.1 });
        ctx.submitOrder({ symbol: 'ES', side: 'buy', qty: 1, type: 'limit', limitPrice: 4999.25 });
      }
    });
    const r = await replay(config('ES', ES, s, DAY), { bars: barFeed(bars, DAY) });
    expect(r.orders.map((o) => [o.limitPrice, o.status, o.reason])).toEqual([
      [4999.1, 'rejected', "invalid 'limitPrice': not a multiple of the tick size 0.25 of ES's instrument, was 4999.1"],
      [4999.25, 'filled', null],
    ]);
    expect(r.assumptions).toContain('ES: quantities in multiples of 1; limit and stop prices on the 0.25 tick grid');
  });

  it('a fractional crypto target is rounded toward zero to the 0.001 BTC lot and fills', async () => {
    const bars = [bar(T0, 40_000, 40_000), bar(T0 + DAY, 40_100, 40_200), bar(T0 + 2 * DAY, 40_200, 40_300), bar(T0 + 3 * DAY, 40_300, 40_300)];
    const s = scripted('BTC', (ctx, n) => {
      if (n === 1) ctx.setTarget('BTC', 0.0123456);
      if (n === 2) ctx.setTarget('BTC', 0.0129); // within one lot of the position: nothing sent
      if (n === 3) ctx.submitOrder({ symbol: 'BTC', side: 'sell', qty: 0.0005 }); // off the lot: rejected
    });
    const r = await replay(config('BTC', BTC, s, DAY, { venue: { kind: 'l1', config: venueConfig({ barIntervalUs: DAY }) } }), { bars: barFeed(bars, DAY) });
    expect(r.fills.map((f) => [f.qty, f.price])).toEqual([[0.012, 40_100]]);
    expect(r.orderCount).toBe(2);
    expect(r.orders[1]!.reason).toBe("invalid 'qty': not a multiple of the lot size 0.001 of BTC's instrument, was 0.0005");
    expect(r.finalPositions['BTC']).toBe(0.012);
    // Spot: the notional left the cash.
    expect(r.finalCash).toBeCloseTo(100_000 - 0.012 * 40_100, 9);
  });
});

describe('replay with instruments: the daily dollar stop on futures (hand-computed)', () => {
  /**
   * Hourly ES bars; the strategy wants 2 contracts long on every bar. 2 contracts x 50 = 100 per
   * point, so the 2,500 stop is 25 points. Day 1: long from 5000 (h1 open); closes 4995 (h1),
   * 4985 (h2), 4975 (h3): loss 500, 1500, 2500 -> the stop hits on the sample of h3, exactly; the
   * flatten sells at h4's open 4970 (realized 2 x -30 x 50 = -3000); h5 and day 2's h0 re-entries are
   * refused (risk halted); day 2's first sample lifts the stop, the h1 target buys at h2's open.
   */
  it('flattens at the bar the dollar loss reaches the stop and resets the next UTC day', async () => {
    const prices: [number, number, number][] = [
      [0, 5000, 5000],
      [1, 5000, 4995],
      [2, 4995, 4985],
      [3, 4985, 4975],
      [4, 4970, 4980],
      [5, 4980, 4990],
      [24, 4990, 4992],
      [25, 4992, 4994],
      [26, 4996, 4998],
      [27, 4998, 5000],
    ];
    const bars = prices.map(([h, o, c]) => bar(T0 + h * HOUR, o, c));
    const s = scripted('ES', (ctx) => ctx.setTarget('ES', 2));
    const c = config('ES', ES, s, HOUR, {
      venue: { kind: 'l1', config: venueConfig({ barIntervalUs: HOUR }) },
      createRisk: () => new RiskEngine({ dailyLossLimit: 2500 }),
      dailyStopLoss: 2500,
    });
    const r = await replay(c, { bars: barFeed(bars, HOUR) });
    const at = (ts: number) => (ts - T0) / HOUR;
    expect(r.fills.map((f) => [at(f.ts), f.side, f.qty, f.price])).toEqual([
      [1, 'buy', 2, 5000],
      [4, 'sell', 2, 4970],
      [26, 'buy', 2, 4996],
    ]);
    expect(Array.from(r.equity.equity.slice(0, 6))).toEqual([100_000, 99_500, 98_500, 97_500, 97_000, 97_000]);
    const stops = r.audit.filter((e) => e.kind.startsWith('portfolio.daily_stop'));
    expect(stops.map((e) => [e.kind, at(e.ts)])).toEqual([
      ['portfolio.daily_stop', 3],
      ['portfolio.daily_stop_lifted', 24],
    ]);
    expect(stops[0]!.message).toBe('daily stop loss 2500 hit: equity 97500 is 2500 below the day-start equity 100000; flattening until 2023-11-16T00:00:00.000Z');
    // h4 and h5 of day 1 and h0 of day 2 want 2 contracts again at their closes: refused by the halted risk gate.
    const denied = r.orders.filter((o) => o.status === 'denied');
    expect(denied.map((o) => at(o.tsCreated) - 1)).toEqual([4, 5, 24]);
    expect(denied[0]!.reason).toMatch(/^dailyLossLimit 2500 hit: new risk halted until 2023-11-16/);
    expect(r.finalPositions['ES']).toBe(2);
    // Final: -3000 realized, then long 2 from 4996 marked at 5000: +400.
    expect(r.finalEquity).toBe(97_400);
  });
});

describe('replay with instruments: the daily stop counts dollars across point values (hand-computed)', () => {
  const NQ: InstrumentSpec = { ...ES, symbol: 'NQ', multiplier: 20, initialMargin: 18_700, maintenanceMargin: 17_000 };
  /**
   * 1 ES (50 per point) and 1 NQ (20 per point) long from 5000 and 18000 (h1 opens). At h2's close
   * ES is 20 points down (-1000) and NQ 75 points down (-1500): 95 points in all, 2,500 dollars, so
   * the 2,500 stop hits there (a stop in points would need 2,500 points). The flatten fills at h3's
   * opens 4985 and 17930: -750 and -1400, equity 97,850. With maxPositions 2 a third symbol would
   * be refused; here both fit.
   */
  it('sums each future at its point value and flattens both at the next bar', async () => {
    const rows: [number, number, number, number][] = [
      // hour, symbol, open, close
      [0, 0, 5000, 5000],
      [0, 1, 18_000, 18_000],
      [1, 0, 5000, 4990],
      [1, 1, 18_000, 17_950],
      [2, 0, 4990, 4980],
      [2, 1, 17_950, 17_925],
      [3, 0, 4985, 4990],
      [3, 1, 17_930, 17_940],
      [4, 0, 4990, 4995],
      [4, 1, 17_940, 17_950],
    ];
    const bars = rows.map(([h, s, o, c]) => ({ ...bar(T0 + h * HOUR, o, c), symbol: s }));
    const s: Strategy = { id: 's' as StrategyId, symbols: ['ES', 'NQ'] as Symbol_[], onBar: (ctx, b) => ctx.setTarget(b.symbol, 1) };
    const r = await replay(
      {
        ...config('ES', ES, s, HOUR, {
          venue: { kind: 'l1', config: venueConfig({ barIntervalUs: HOUR }) },
          createRisk: () => new RiskEngine({ dailyLossLimit: 2500, maxOpenPositions: 2 }),
          dailyStopLoss: 2500,
        }),
        symbols: ['ES', 'NQ'],
        instruments: [ES, NQ],
      },
      { bars: barFeed(bars, HOUR) },
    );
    const at = (ts: number) => (ts - T0) / HOUR;
    expect(r.fills.map((f) => [at(f.ts), f.symbol, f.side, f.price])).toEqual([
      [1, 'ES', 'buy', 5000],
      [1, 'NQ', 'buy', 18_000],
      [3, 'ES', 'sell', 4985],
      [3, 'NQ', 'sell', 17_930],
    ]);
    expect(Array.from(r.equity.equity.slice(0, 4))).toEqual([100_000, 98_500, 97_500, 97_850]);
    expect(r.audit.filter((e) => e.kind === 'portfolio.daily_stop').map((e) => at(e.ts))).toEqual([2]);
    expect(r.trades.map((t) => [t.symbol, t.pnl])).toEqual([
      ['ES', -750],
      ['NQ', -1400],
    ]);
  });

  it('maxPositions on futures: with 1 allowed, the NQ entry beside the ES position is refused naming the limit', async () => {
    const bars = [
      { ...bar(T0, 5000, 5000), symbol: 0 },
      { ...bar(T0, 18_000, 18_000), symbol: 1 },
      { ...bar(T0 + HOUR, 5000, 5001), symbol: 0 },
      { ...bar(T0 + HOUR, 18_000, 18_001), symbol: 1 },
    ];
    const s: Strategy = { id: 's' as StrategyId, symbols: ['ES', 'NQ'] as Symbol_[], onBar: (ctx, b) => ctx.setTarget(b.symbol, 1) };
    const r = await replay(
      { ...config('ES', ES, s, HOUR, { venue: { kind: 'l1', config: venueConfig({ barIntervalUs: HOUR }) }, createRisk: () => new RiskEngine({ maxOpenPositions: 1 }) }), symbols: ['ES', 'NQ'], instruments: [ES, NQ] },
      { bars: barFeed(bars, HOUR) },
    );
    expect(r.fills.map((f) => f.symbol)).toEqual(['ES']);
    expect(r.orders.filter((o) => o.status === 'denied').map((o) => [o.symbol, o.reason])).toEqual([
      ['NQ', 'maxOpenPositions 1 reached: 1 symbols open, buy 1 NQ would open another'],
      ['NQ', 'maxOpenPositions 1 reached: 1 symbols open, buy 1 NQ would open another'],
    ]);
  });
});

describe('strategies read the instrument (ctx.instrument) and size by its point value', () => {
  it('ctx.instrument returns the frozen spec; equity_fraction sizing of sma_cross on ES divides by price x 50', async () => {
    const { createStrategy } = await import('../../../../engine/strategies/registry.js');
    // Falling then rising closes: SMA(2) crosses above SMA(3) on bar 5 (close 5010).
    const closes = [5000, 4990, 4980, 4985, 5010, 5020, 5030];
    const bars = closes.map((c, i) => bar(T0 + i * DAY, c, c));
    let seen: unknown = undefined;
    const sma = createStrategy('sma_cross', 'sma', ['ES'], { fast: 2, slow: 3, mode: 'long_only', sizing: { kind: 'equity_fraction', fraction: 0.5 } });
    const probe: Strategy = {
      ...sma,
      onBar: (ctx, series) => {
        seen ??= ctx.instrument?.('ES');
        sma.onBar!(ctx, series);
      },
    };
    const r = await replay(config('ES', ES, probe, DAY), { bars: barFeed(bars, DAY) });
    expect(seen).toEqual(ES);
    expect(Object.isFrozen(seen)).toBe(true);
    // floor(0.5 x 100000 / (5010 x 50)) = floor(0.1996) = 0: one contract is 250,500 of exposure.
    expect(r.fills).toHaveLength(0);
    const r2 = await replay({ ...config('ES', ES, probe, DAY), initialCash: 1_000_000 }, { bars: barFeed(bars, DAY) });
    // floor(0.5 x 1,000,000 / (5010 x 50)) = floor(1.996) = 1 contract (not 99 units).
    expect(r2.fills.map((f) => f.qty)).toEqual([1]);
  });
});
