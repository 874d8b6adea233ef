import { describe, expect, it } from 'vitest';
import { MomentumStrategy, momentumParams, MOMENTUM_DEFAULTS, STRATEGIES } from '../../../../engine/strategies/index.js';
import { barsFromCloses, FakeStrategyContext } from '../../../support/fake-strategy-context.js';
import { meanAndError, targetsByBar, trendAndWalk } from '../../../support/planted-bars.js';

/*
 * lookback 2 by hand, volatility scaling off (targetVol null), volLookback 2:
 *  i close  skip 0: close[i] vs close[i-2]   skip 1: close[i-1] vs close[i-3]
 *  2  12    12 / 10: up   long               -
 *  3  11    11 / 11: 0    flat               12 / 10: up   long
 *  4  10    10 / 12: down short              11 / 11: 0    flat
 *  5   9     9 / 11: down                    10 / 12: down short
 *  6  10    10 / 10: 0    flat                9 / 11: down
 *  7  12    12 /  9: up   long               10 / 10: 0    flat
 *  8  13    13 / 10: up                      12 /  9: up   long
 */
const CLOSES = [10, 11, 12, 11, 10, 9, 10, 12, 13];
const BASE = { lookback: 2, volLookback: 2, targetVol: null, mode: 'long_short' } as const;

function run(params: Parameters<typeof momentumParams>[0], closes = CLOSES): FakeStrategyContext {
  return new FakeStrategyContext(['X']).run(new MomentumStrategy('m', ['X'], params), 'X', barsFromCloses(closes));
}

function targets(params: Parameters<typeof momentumParams>[0], closes = CLOSES): [number, number][] {
  return targetsByBar(run(params, closes));
}

describe('momentum', () => {
  it('follows the sign of the rate of change over lookback bars (long_short)', () => {
    expect(targets(BASE)).toEqual([
      [2, 100],
      [3, 0],
      [4, -100],
      [6, 0],
      [7, 100],
    ]);
  });

  it('skip leaves out the most recent bars: the same decisions one bar later', () => {
    expect(targets({ ...BASE, skip: 1 })).toEqual([
      [3, 100],
      [4, 0],
      [5, -100],
      [7, 0],
      [8, 100],
    ]);
  });

  it('is long or flat in long_only mode, and a dead band keeps small moves flat', () => {
    expect(targets({ ...BASE, mode: 'long_only' })).toEqual([
      [2, 100],
      [3, 0],
      [7, 100],
    ]);
    // The rates of change are 0.2, 0, -0.167, -0.182, 0, 0.333, 0.3: with threshold 0.25 only bars 7 and 8 pass.
    expect(targets({ ...BASE, threshold: 0.25 })).toEqual([[7, 100]]);
    expect(targets({ ...BASE, threshold: 0.31 })).toEqual([
      [7, 100],
      [8, 0],
    ]);
  });

  it('scales the position by targetVol / realized volatility, capped at maxScale', () => {
    // Bar 2: log returns ln(11/10), ln(12/11); sample sd x sqrt(1) is the annualized vol with periodsPerYear 1.
    const r1 = Math.log(11 / 10);
    const r2 = Math.log(12 / 11);
    const vol = Math.abs(r1 - r2) / Math.SQRT2;
    const half = run({ ...BASE, targetVol: vol / 2, periodsPerYear: 1, fractional: true }).targets[0]!;
    expect(half.units).toBeCloseTo(50, 9);
    expect(run({ ...BASE, targetVol: vol * 3, periodsPerYear: 1, maxScale: 2 }).targets[0]!.units).toBe(200);
    expect(run({ ...BASE, targetVol: vol / 3, periodsPerYear: 1 }).targets[0]!.units).toBe(33);
  });

  it('signals the move in units of its expected deviation', () => {
    const s = run(BASE).signals;
    expect(s.map((x) => x.direction)).toEqual([1, 0, -1, 0, 1]);
    const r1 = Math.log(11 / 10);
    const r2 = Math.log(12 / 11);
    const sd = Math.abs(r1 - r2) / Math.SQRT2;
    expect(s[0]!.strength).toBeCloseTo(Math.min(1, Math.log(1.2) / (sd * Math.SQRT2) / 2), 12);
    expect(s[0]!.reason).toBe('ROC(2) above 0');
    expect(s[1]!.reason).toBe('ROC(2) within +/-0');
  });

  it('decides nothing before max(lookback + skip, volLookback) + 1 bars (its declared warm-up)', () => {
    expect(STRATEGIES.momentum.warmup!({ lookback: 2, skip: 1, volLookback: 2 })).toEqual({ bars: 4, because: 'lookback=2, skip=1' });
    expect(STRATEGIES.momentum.warmup!({ lookback: 2, volLookback: 5 })).toEqual({ bars: 6, because: 'volLookback=5' });
    expect(targets({ ...BASE, skip: 1 }, CLOSES.slice(0, 3))).toEqual([]);
    expect(targets({ ...BASE, volLookback: 5 }, CLOSES.slice(0, 5))).toEqual([]);
    expect(targets({ ...BASE, volLookback: 5 }, CLOSES.slice(0, 6))).toEqual([[5, -100]]);
  });

  it('profits on planted trends in their direction, and not systematically on a random walk', () => {
    const r = trendAndWalk(() => new MomentumStrategy('s', ['X'], { lookback: 20, mode: 'long_short', targetVol: null }));
    // In the drift's direction on most bars held, for every seed.
    expect(Math.min(...r.agreement)).toBeGreaterThan(0.6);
    const trend = meanAndError(r.trend);
    const walk = meanAndError(r.walk);
    expect(trend.mean).toBeGreaterThan(3 * trend.error);
    expect(Math.abs(walk.mean)).toBeLessThan(3 * walk.error);
  });

  it('has defaults lookback 60, skip 0, threshold 0, targetVol 0.15 over 20 returns capped at 2x, long_only', () => {
    expect(MOMENTUM_DEFAULTS).toMatchObject({ lookback: 60, skip: 0, threshold: 0, targetVol: 0.15, volLookback: 20, maxScale: 2, periodsPerYear: 252, mode: 'long_only' });
  });

  it.each([
    [{ lookback: 0 }, "invalid 'lookback': not a positive integer, was 0"],
    [{ skip: -1 }, "invalid 'skip': not a whole number of bars >= 0, was -1"],
    [{ threshold: -0.1 }, "invalid 'threshold': negative, was -0.1"],
    [{ volLookback: 1 }, "invalid 'volLookback': less than 2, was 1"],
    [{ maxScale: 0 }, "invalid 'maxScale': not positive, was 0"],
    [{ targetVol: 0 }, "invalid 'targetVol': not positive, was 0"],
    [{ sizing: { kind: 'volatility_target', targetAnnualVol: 0.1 } }, "invalid 'targetVol': scales by volatility on top of volatility_target sizing"],
  ])('rejects %j naming the parameter and value', (params, message) => {
    expect(() => momentumParams(params as never)).toThrow(message);
  });

  it('accepts volatility_target sizing when its own scaling is off', () => {
    expect(momentumParams({ targetVol: null, sizing: { kind: 'volatility_target', targetAnnualVol: 0.1 } as never }).sizing.kind).toBe('volatility_target');
  });
});
