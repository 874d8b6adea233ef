import { describe, expect, it } from 'vitest';
import { GradientTrendStrategy, gradientTrendParams, gradientTrendScore, GRADIENT_TREND_DEFAULTS, STRATEGIES } from '../../../../engine/strategies/index.js';
import { barsFromCloses, FakeStrategyContext } from '../../../support/fake-strategy-context.js';
import { meanAndError, targetsByBar, trendAndWalk } from '../../../support/planted-bars.js';

/*
 * window 4 by hand. The closes are exp(Y / 100), so the fitted log closes are Y / 100; the score is
 * the same for Y itself (slope and deviation scale alike), so the table works on Y. Index weights t - 1.5 = -1.5, -0.5,
 * 0.5, 1.5 and sum of squares 5, so slope = (-1.5 y0 - 0.5 y1 + 0.5 y2 + 1.5 y3) / 5; sd is the sample
 * deviation of the 3 changes; score = slope x sqrt(4) / sd.
 *  i  window        slope  changes   sd      score
 *  3  10 11 11 12    0.6   1 0 1     0.577    2.078   > 1: long
 *  4  11 11 12 12    0.4   0 1 0     0.577    1.386
 *  5  11 12 12 11    0     1 0 -1    1        0       < 0.5: exit the long
 *  6  12 12 11 10   -0.7   0 -1 -1   0.577   -2.425   < -1: short (long_short)
 *  7  12 11 10 10   -0.7   -1 -1 0   0.577   -2.425
 *  8  11 10 10 9    -0.6   -1 0 -1   0.577   -2.078
 *  9  10 10 9 10    -0.1   0 -1 1    1       -0.2     > -0.5: exit the short
 */
const Y = [10, 11, 11, 12, 12, 11, 10, 10, 9, 10];
const CLOSES = Y.map((y) => Math.exp(y / 100));
const BASE = { window: 4, entryThreshold: 1, exitThreshold: 0.5 } as const;

function run(params: Parameters<typeof gradientTrendParams>[0], closes = CLOSES): FakeStrategyContext {
  return new FakeStrategyContext(['X']).run(new GradientTrendStrategy('g', ['X'], params), 'X', barsFromCloses(closes));
}

function targets(params: Parameters<typeof gradientTrendParams>[0], closes = CLOSES): [number, number][] {
  return targetsByBar(run(params, closes));
}

describe('gradient_trend', () => {
  it('computes the score by hand', () => {
    expect(gradientTrendScore(Float64Array.from([10, 11, 11, 12]))).toBeCloseTo((0.6 * 2) / Math.sqrt(1 / 3), 12);
    // The same window in a ring whose oldest value is at index 1.
    expect(gradientTrendScore(Float64Array.from([12, 12, 11, 10]), 0)).toBeCloseTo((-0.7 * 2) / Math.sqrt(1 / 3), 12);
    expect(gradientTrendScore(Float64Array.from([10, 12, 12, 11]), 1)).toBeCloseTo((-0.7 * 2) / Math.sqrt(1 / 3), 12);
    expect(gradientTrendScore(Float64Array.from([1, 2, 3]))).toBe(Number.POSITIVE_INFINITY);
    expect(gradientTrendScore(Float64Array.from([5, 5, 5]))).toBe(0);
  });

  it('goes long above entryThreshold and exits below exitThreshold (long_only)', () => {
    expect(targets(BASE)).toEqual([
      [3, 100],
      [5, 0],
    ]);
  });

  it('goes short below -entryThreshold and exits above -exitThreshold (long_short)', () => {
    expect(targets({ ...BASE, mode: 'long_short' })).toEqual([
      [3, 100],
      [5, 0],
      [6, -100],
      [9, 0],
    ]);
    // exitThreshold -0.1: the score 0 on bar 5 is not below it; the long reverses on bar 6, and -0.2 is not above 0.1.
    expect(targets({ ...BASE, exitThreshold: -0.1, mode: 'long_short' })).toEqual([
      [3, 100],
      [6, -100],
    ]);
  });

  it('signals with strength |score| / (2 entryThreshold)', () => {
    const s = run({ ...BASE, mode: 'long_short' }).signals;
    expect(s.map((x) => x.direction)).toEqual([1, 0, -1, 0]);
    expect(s[0]!.strength).toBe(1);
    expect(s[0]!.reason).toBe('trend score(4) above 1');
    expect(s[3]!.reason).toBe('trend score(4) above -0.5');
    // The fit is on log closes: closes 10, 11, 11, 12 score 2.0720 (their logs), not the 2.0785 of the
    // closes themselves (the table above); an entryThreshold of 2.075 lies between the two.
    const d = [Math.log(1.1), 0, Math.log(12 / 11)].map((x) => x - Math.log(1.2) / 3);
    const logScore = (((1.5 * Math.log(1.2)) / 5) * 2) / Math.sqrt(d.reduce((a, x) => a + x * x, 0) / 2);
    expect(logScore).toBeCloseTo(2.072, 3);
    const ctx = new FakeStrategyContext(['X']).run(new GradientTrendStrategy('g', ['X'], { ...BASE, entryThreshold: 2.075 }), 'X', barsFromCloses([10, 11, 11, 12]));
    expect(ctx.targets).toEqual([]);
    expect(targetsByBar(new FakeStrategyContext(['X']).run(new GradientTrendStrategy('g', ['X'], { ...BASE, entryThreshold: 2.07 }), 'X', barsFromCloses([10, 11, 11, 12])))).toEqual([[3, 100]]);
  });

  it('decides nothing before the window is full (its declared warm-up)', () => {
    expect(STRATEGIES.gradient_trend.warmup!({ window: 4 })).toEqual({ bars: 4, because: 'window=4' });
    expect(targets(BASE, CLOSES.slice(0, 3))).toEqual([]);
    expect(targets(BASE, CLOSES.slice(0, 4))).toEqual([[3, 100]]);
  });

  it('follows planted trends in their direction and profits; no systematic profit on a random walk', () => {
    const r = trendAndWalk(() => new GradientTrendStrategy('s', ['X'], { window: 40, mode: 'long_short' }));
    // In the drift's direction on most bars held, for every seed.
    expect(Math.min(...r.agreement)).toBeGreaterThan(0.6);
    const trend = meanAndError(r.trend);
    const walk = meanAndError(r.walk);
    expect(trend.mean).toBeGreaterThan(3 * trend.error);
    expect(Math.abs(walk.mean)).toBeLessThan(3 * walk.error);
  });

  it('has defaults window 20, entry 1, exit 0.25, long_only', () => {
    expect(GRADIENT_TREND_DEFAULTS).toMatchObject({ window: 20, entryThreshold: 1, exitThreshold: 0.25, mode: 'long_only' });
  });

  it.each([
    [{ window: 2 }, "invalid 'window': less than 3, was 2"],
    [{ entryThreshold: 0 }, "invalid 'entryThreshold': not positive, was 0"],
    [{ exitThreshold: 1 }, "invalid 'exitThreshold': outside (-'entryThreshold', 'entryThreshold') = (-1, 1), was 1"],
    [{ logPrice: true }, "invalid parameter 'logPrice' for gradient_trend: unknown"],
  ])('rejects %j naming the parameter and value', (params, message) => {
    expect(() => gradientTrendParams(params as never)).toThrow(message);
  });
});
