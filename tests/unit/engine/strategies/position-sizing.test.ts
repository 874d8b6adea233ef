import { CASH_ACCOUNT } from '../../../../engine/portfolio/account.js';
import { describe, expect, it } from 'vitest';
import { US_PER_DAY } from '../../../../engine/core/index.js';
import {
  EmaCrossStrategy,
  checkSizing,
  ibsParams,
  positionSize,
  realizedVolatility,
  rsiReversionParams,
  smaCrossParams,
  SmaCrossStrategy,
  STRATEGIES,
  stopDistance,
} from '../../../../engine/strategies/index.js';
import type { BarSeries, RiskSizing } from '../../../../engine/strategies/index.js';
import { runBacktest } from '../../../../sim/backtest/index.js';
import { barFeed } from '../../../support/bar-feed.js';
import type { SimpleBar } from '../../../support/bar-feed.js';
import { dailyConfig } from '../../../support/daily-backtest.js';
import { barsFromCloses, FakeStrategyContext } from '../../../support/fake-strategy-context.js';

/** A BarSeries over closes (oldest first); only `close` and `length` matter to the sizing. */
function series(closes: readonly number[]): BarSeries {
  const n = closes.length;
  const at = (ago = 0): number => closes[n - 1 - ago]!;
  return { symbol: 'AAA' as BarSeries['symbol'], length: n, count: n, ts: at, open: at, high: at, low: at, close: at, volume: at };
}

describe('positionSize: each kind by hand', () => {
  it('units: the fixed units, whatever equity and price', () => {
    expect(positionSize(checkSizing({ kind: 'units', units: 100 }, false), false, 5, 40_000)).toBe(100);
  });

  it('equity_fraction: floor(fraction x equity / (price x multiplier))', () => {
    const s = checkSizing({ kind: 'equity_fraction', fraction: 0.5 }, false);
    expect(positionSize(s, false, 10_000, 21)).toBe(238); // 5000 / 21 = 238.09
    expect(positionSize(s, true, 10_000, 21)).toBe(5000 / 21);
    expect(positionSize(s, false, 100_000, 4000, null, Number.NaN, 50)).toBe(0); // 50000 / 200000 = 0.25 contracts
    expect(positionSize(s, false, -1, 21)).toBe(0);
  });

  it('risk with stopPct: floor(fraction x equity / (stopPct x price x multiplier))', () => {
    const s = checkSizing({ kind: 'risk', fraction: 0.01, stopPct: 0.02 }, false, 'sizing', { placesStops: true }) as RiskSizing;
    expect(s).toEqual({ kind: 'risk', fraction: 0.01, stopPct: 0.02, stopAtr: null, atrPeriod: null });
    // Idempotent: a qualified sizing (nulls for what was not given) checks to itself.
    expect(checkSizing(s, false, 'sizing', { placesStops: true })).toEqual(s);
    const d = stopDistance(s, 50, Number.NaN);
    expect(d).toBe(1); // 2% of 50
    expect(positionSize(s, false, 100_000, 50, null, d)).toBe(1000); // 1000 risked / 1 per unit
    expect(positionSize(s, false, 100_000, 50, null, d, 50)).toBe(20); // a future with point value 50: 1000 / 50
    expect(positionSize(s, false, 100_000, 21, null, stopDistance(s, 21, Number.NaN))).toBe(2380); // 1000 / 0.42 = 2380.95
  });

  it('risk with stopAtr: floor(fraction x equity / (stopAtr x ATR)); nothing while the ATR warms up', () => {
    const s = checkSizing({ kind: 'risk', fraction: 0.01, stopAtr: 2, atrPeriod: 3 }, false, 'sizing', { placesStops: true }) as RiskSizing;
    expect(s).toEqual({ kind: 'risk', fraction: 0.01, stopPct: null, stopAtr: 2, atrPeriod: 3 });
    expect(checkSizing(s, false, 'sizing', { placesStops: true })).toEqual(s);
    expect(stopDistance(s, 50, 1.5)).toBe(3);
    expect(positionSize(s, false, 100_000, 50, null, 3)).toBe(333); // 1000 / 3
    expect(positionSize(s, false, 100_000, 50, null, stopDistance(s, 50, Number.NaN))).toBe(0);
  });

  it('volatility_target: floor(target x equity / (price x vol)), vol = sample std of log returns x sqrt(periodsPerYear), capped at maxLeverage', () => {
    // Closes 100, 110, 100, 110, 100: four log returns +-ln(1.1) = +-0.0953102, mean 0,
    // sample std = 0.0953102 x sqrt(4/3) = 0.1100547, x sqrt(252) = 1.7470645.
    const bars = series([100, 110, 100, 110, 100]);
    expect(realizedVolatility(bars, 4, 252)).toBeCloseTo(1.7470645, 6);
    const s = checkSizing({ kind: 'volatility_target', targetAnnualVol: 0.2, lookback: 4 }, false);
    expect(s).toEqual({ kind: 'volatility_target', targetAnnualVol: 0.2, lookback: 4, maxLeverage: 1, periodsPerYear: 252 });
    expect(checkSizing(s, false)).toEqual(s);
    expect(positionSize(s, false, 100_000, 100, bars)).toBe(114); // 20000 / 174.706 = 114.48
    // Target 5 asks for 2861.9 units; the cap is maxLeverage x equity / price = 1000 (or 2000 at 2x).
    expect(positionSize(checkSizing({ kind: 'volatility_target', targetAnnualVol: 5, lookback: 4 }, false), false, 100_000, 100, bars)).toBe(1000);
    expect(positionSize(checkSizing({ kind: 'volatility_target', targetAnnualVol: 5, lookback: 4, maxLeverage: 2 }, false), false, 100_000, 100, bars)).toBe(2000);
    // Fewer than lookback + 1 closes in view: no position yet.
    expect(positionSize(s, false, 100_000, 100, series([110, 100, 110, 100]))).toBe(0);
    // A flat tape (vol 0) is sized at the cap.
    expect(positionSize(s, false, 100_000, 100, series([100, 100, 100, 100, 100]))).toBe(1000);
  });
});

describe('checkSizing: refusals name the parameter path and the value', () => {
  const cases: [unknown, string][] = [
    [{ kind: 'risk', fraction: 0.01 }, "invalid 'sizing.stopPct': give exactly one of stopPct (a fraction of the price) and stopAtr (a multiple of the ATR), was undefined"],
    [{ kind: 'risk', fraction: 0.01, stopPct: 0.02, stopAtr: 2 }, "invalid 'sizing.stopPct': give exactly one of stopPct (a fraction of the price) and stopAtr (a multiple of the ATR), was 0.02"],
    [{ kind: 'risk', fraction: 0, stopPct: 0.02 }, "invalid 'sizing.fraction': not positive, was 0"],
    [{ kind: 'risk', fraction: 0.01, stopPct: 1 }, "invalid 'sizing.stopPct': outside (0, 1), was 1"],
    [{ kind: 'risk', fraction: 0.01, stopPct: 0.02, atrPeriod: 5 }, "invalid 'sizing.atrPeriod': only with stopAtr, was 5"],
    [{ kind: 'risk', fraction: 0.01, stopAtr: 2, atrPeriod: 0 }, "invalid 'sizing.atrPeriod': not a whole number >= 1, was 0"],
    [{ kind: 'risk', fraction: 0.01, stopAtr: 2, stop: 1 }, "invalid 'sizing.stop': unknown field of risk sizing (known: fraction, stopPct, stopAtr, atrPeriod), was 1"],
    [{ kind: 'volatility_target', targetAnnualVol: -0.1 }, "invalid 'sizing.targetAnnualVol': not positive, was -0.1"],
    [{ kind: 'volatility_target', targetAnnualVol: 0.1, lookback: 1 }, "invalid 'sizing.lookback': not a whole number >= 2, was 1"],
    [{ kind: 'volatility_target', targetAnnualVol: 0.1, maxLeverage: 0 }, "invalid 'sizing.maxLeverage': not positive, was 0"],
    [{ kind: 'volatility_target', targetAnnualVol: 0.1, periodsPerYear: 0 }, "invalid 'sizing.periodsPerYear': not positive, was 0"],
  ];
  it.each(cases)('refuses %j', (sizing, message) => {
    expect(() => smaCrossParams({ sizing: sizing as never })).toThrow(message);
  });

  it('refuses risk sizing for the built-ins that place no protective stop (rsi_reversion, ibs, q_learning_selector) and for checkSizing callers that do not say they place one', () => {
    const risk = { kind: 'risk', fraction: 0.01, stopPct: 0.02 } as never;
    const why = (s: string) => `invalid 'sizing.kind': risk sizing assumes a protective stop at the stop distance, which ${s} does not place (use units, equity_fraction or volatility_target), was "risk"`;
    expect(() => rsiReversionParams({ sizing: risk })).toThrow(why('rsi_reversion'));
    expect(() => ibsParams({ sizing: risk })).toThrow(why('ibs'));
    expect(() => STRATEGIES.q_learning_selector.qualifyParams({ sizing: risk })).toThrow(why('q_learning_selector'));
    expect(() => checkSizing(risk, false)).toThrow(why('this strategy'));
    expect(() => STRATEGIES.ema_cross.qualifyParams({ sizing: risk })).not.toThrow();
    // An sma_cross action of the selector would place no stop either (actions only set targets).
    expect(() => STRATEGIES.q_learning_selector.qualifyParams({ actions: [{ strategy: 'sma_cross', params: { sizing: risk } }, 'flat'] })).toThrow(
      "invalid 'actions[0].params.sizing.kind': risk sizing places a protective stop order, and an action of the selector only sets targets (use units, equity_fraction or volatility_target), was \"risk\"",
    );
  });
});

describe('sizing in the built-ins', () => {
  const START = 1_704_067_200_000_000;
  // sma-cross.test.ts: SMA(3)/SMA(5) cross above at bar 8 (close 21) and below at bar 11 (close 15).
  const CLOSES = [20, 19, 18, 17, 16, 15, 16, 18, 21, 20, 18, 15, 13];
  const run = (params: Parameters<typeof smaCrossParams>[0], equity = 100_000) =>
    new FakeStrategyContext(['AAA'], { equity }).run(new SmaCrossStrategy('s1', ['AAA'], params), 'AAA', barsFromCloses(CLOSES, START));

  it('sma_cross with risk/stopPct: 1000 risked / (2% x 21) = 2380, / (2% x 15) = 3333', () => {
    expect(run({ fast: 3, slow: 5, sizing: { kind: 'risk', fraction: 0.01, stopPct: 0.02 } as never }).targets.map((t) => t.units)).toEqual([2380, -3333]);
  });

  it('sma_cross with risk/stopAtr: Wilder ATR(3) of true ranges |close - previous close| + 2 is 35/9 at bar 8 and 1009/243 at bar 11', () => {
    // TR (barsFromCloses: open = previous close, high/low one above/below): 3,3,3 seed ATR 3 at bar 3;
    // bars 4-6 TR 3; bar 7 TR 4 -> 10/3; bar 8 TR 5 -> 35/9; bar 9 TR 3 -> 97/27; bar 10 TR 4 -> 302/81; bar 11 TR 5 -> 1009/243.
    // 1000 / (2 x 35/9) = 128.57; 1000 / (2 x 1009/243) = 120.42.
    expect(run({ fast: 3, slow: 5, sizing: { kind: 'risk', fraction: 0.01, stopAtr: 2, atrPeriod: 3 } as never }).targets.map((t) => t.units)).toEqual([128, -120]);
  });

  it('sma_cross with volatility_target uses the bars in view; its warm-up covers lookback + 1 bars', () => {
    const sizing = { kind: 'volatility_target', targetAnnualVol: 0.1, lookback: 4 } as never as { kind: 'volatility_target'; targetAnnualVol: number; lookback: number; maxLeverage: number; periodsPerYear: number };
    const closes = CLOSES.slice(0, 9);
    const lr = (i: number) => Math.log(closes[i]! / closes[i - 1]!);
    const r = [lr(5), lr(6), lr(7), lr(8)];
    const mean = r.reduce((a, b) => a + b) / 4;
    const vol = Math.sqrt((r.reduce((a, b) => a + (b - mean) ** 2, 0) / 3) * 252);
    expect(run({ fast: 3, slow: 5, sizing }).targets[0]!.units).toBe(Math.min(Math.floor((0.1 * 100_000) / (21 * vol)), Math.floor(100_000 / 21)));
    expect(STRATEGIES.sma_cross.warmup!({ fast: 3, slow: 5, sizing })).toEqual({ bars: 6, because: 'slow=5' });
    expect(STRATEGIES.sma_cross.warmup!({ fast: 3, slow: 5, sizing: { ...sizing, lookback: 30 } })).toEqual({ bars: 31, because: 'sizing.kind=volatility_target' });
  });

  it('ema_cross takes the same sizing (it shares the crossover)', () => {
    const ctx = new FakeStrategyContext(['AAA'], { equity: 100_000 }).run(
      new EmaCrossStrategy('e', ['AAA'], { fast: 3, slow: 5, sizing: { kind: 'risk', fraction: 0.01, stopPct: 0.02 } as never }),
      'AAA',
      barsFromCloses(CLOSES, START),
    );
    for (const t of ctx.targets) expect(Math.abs(t.units)).toBe(Math.floor(1000 / (0.02 * barsFromCloses(CLOSES, START).find((b) => b.ts + US_PER_DAY === t.ts)!.close)));
  });
});

describe('risk sizing places its protective stop (sma_cross through the backtest loop)', () => {
  const DAY = US_PER_DAY;
  const T0 = 1_700_006_400_000_000;
  // The SMA(3)/SMA(5) cross above on bar 8 (close 21); bar 9 holds above the stop, bar 10 falls through it.
  const closes = [20, 19, 18, 17, 16, 15, 16, 18, 21, 21.5, 19.5, 19];
  const lows: Record<number, number> = { 9: 20.9 };
  const bars = closes.map((close, i) => {
    const open = i === 0 ? close : closes[i - 1]!;
    return { symbol: 0, ts: T0 + i * DAY, open, high: Math.max(open, close) + 0.5, low: lows[i] ?? Math.min(open, close) - 1, close, volume: 1000 };
  });

  /**
   * Runs SMA(3)/SMA(5) with risk sizing (1% of equity, stop `stopPct` of the price) over `tape` on AAA
   * with 100000 cash, in a margin account at leverage 1 (the reversal goes short: a cash account would
   * deny it).
   */
  const runRisk = (stopPct: number, tape: readonly SimpleBar[]) =>
    runBacktest(
      dailyConfig(() => new SmaCrossStrategy('s', ['AAA'], { fast: 3, slow: 5, sizing: { kind: 'risk', fraction: 0.01, stopPct } as never }), {
        symbols: ['AAA'],
        initialCash: 100_000,
        equityEveryUs: DAY,
        lookback: 16,
        account: { ...CASH_ACCOUNT, type: 'margin', initialMargin: 1, maintenanceMargin: 1 },
      }),
      { bars: barFeed(tape, DAY) },
    );

  it('enters 2380 units at the next open (21), places a reduce-only stop at 21 - 2% x 21 = 20.58 for the position, and loses 1% of equity when it fills', async () => {
    const result = await runRisk(0.02, bars);
    expect(result.orders.map((o) => [o.id, o.side, o.type, o.qty, o.stopPrice, o.reduceOnly, o.tag, o.status])).toEqual([
      ['O-1', 'buy', 'market', 2380, null, false, 'target', 'filled'],
      ['O-2', 'sell', 'stop', 2380, 21 - 0.42, true, 'stop', 'filled'],
    ]);
    expect(result.fills.map((f) => [f.orderId, f.price, f.ts])).toEqual([
      ['O-1', 21, T0 + 9 * DAY],
      ['O-2', 21 - 0.42, T0 + 10 * DAY],
    ]);
    // 2380 x (20.58 - 21) = -999.6: the 1% of equity the sizing risked.
    expect(result.equity.equity.at(-1)! - 100_000).toBeCloseTo(2380 * (20.58 - 21), 6);
  });

  it('a cross below cancels the long position\'s stop before reversing, and the short gets its own stop above its fill', async () => {
    // sma-cross.test.ts's CLOSES: cross above on bar 8 (21), below on bar 11 (15); no bar reaches a stop.
    const cl = [20, 19, 18, 17, 16, 15, 16, 18, 21, 20.8, 20.6, 15, 14.9, 14.8];
    const tape = cl.map((close, i) => {
      const open = i === 0 ? close : cl[i - 1]!;
      return { symbol: 0, ts: T0 + i * DAY, open, high: Math.max(open, close) + 0.05, low: Math.min(open, close) - 0.05, close, volume: 1000 };
    });
    const result = await runRisk(0.3, tape);
    // Stop distance 30%: long floor(1000 / 6.3) = 158 at 21 with its stop at 14.7 (bar 11's low 14.95 stays above).
    // At the cross below (close 15, equity 100000 + 158 x (15 - 21) = 99052) the stop is cancelled, then the
    // reversal sells 158 + floor(990.52 / 4.5) = 158 + 220; the short's stop is at its fill (15) + 4.5.
    expect(result.orders.map((o) => [o.side, o.type, o.qty, o.stopPrice, o.status])).toEqual([
      ['buy', 'market', 158, null, 'filled'],
      ['sell', 'stop', 158, 21 - 6.3, 'cancelled'],
      ['sell', 'market', 378, null, 'filled'],
      ['buy', 'stop', 220, 15 + 4.5, 'accepted'],
    ]);
  });
});
