import { describe, expect, it } from 'vitest';
import { MeanReversionStrategy, meanReversionHalfLife, meanReversionParams, MEAN_REVERSION_DEFAULTS, STRATEGIES } from '../../../../engine/strategies/index.js';
import { barsFromCloses, FakeStrategyContext } from '../../../support/fake-strategy-context.js';
import { meanAndError, meanRevertingBars, randomWalkBars, runPnl, targetsByBar } from '../../../support/planted-bars.js';

/*
 * window 3, entryZ 1, population deviation, by hand:
 *  i  window     mean    sd                 z
 *  2  10 10 10   10      0                  0 (constant window)
 *  3  10 10 7    9       sqrt(6/3) = 1.414  -2 / 1.414 = -1.414   < -1: long
 *  4  10 7 8     8.333   sqrt(14/9) = 1.247 -0.333 / 1.247 = -0.267
 *  5  7 8 9      8       sqrt(2/3) = 0.816  1.225                 > 1: exit (long_only) or short
 *  6  8 9 9      8.667   0.471              0.707
 *  7  9 9 8      8.667   0.471              -1.414                < -1: long
 */
const CLOSES = [10, 10, 10, 7, 8, 9, 9, 8];

function run(params: Parameters<typeof meanReversionParams>[0], closes = CLOSES): FakeStrategyContext {
  return new FakeStrategyContext(['X']).run(new MeanReversionStrategy('m', ['X'], params), 'X', barsFromCloses(closes));
}

function targets(params: Parameters<typeof meanReversionParams>[0], closes = CLOSES): [number, number][] {
  return targetsByBar(run(params, closes));
}

/* p[t] = 100 + 16 x 0.5^t: every change is exactly -0.5 x (p[t-1] - 100), so b = -0.5 and the half-life is 1 bar. */
const REVERTING = [116, 108, 104, 102, 101];
/* Falling faster as it falls: the change grows with the distance, b > 0, no reversion. */
const RUNAWAY = [116, 115, 113, 109, 101];

describe('mean_reversion', () => {
  it('enters below -entryZ and exits at the mean (long_only, exitZ 0)', () => {
    expect(targets({ window: 3, entryZ: 1 })).toEqual([
      [3, 100],
      [5, 0],
      [7, 100],
    ]);
  });

  it('reverses above entryZ in long_short mode', () => {
    expect(targets({ window: 3, entryZ: 1, mode: 'long_short' })).toEqual([
      [3, 100],
      [5, -100],
      [7, 100],
    ]);
  });

  it('exits earlier with a wider exit band (exitZ 0.5: z -0.267 >= -0.5 on bar 4)', () => {
    expect(targets({ window: 3, entryZ: 1, exitZ: 0.5 })).toEqual([
      [3, 100],
      [4, 0],
      [7, 100],
    ]);
  });

  it('signals the z-score with strength |z| / (2 entryZ)', () => {
    const s = run({ window: 3, entryZ: 1, mode: 'long_short' }).signals;
    expect(s.map((x) => x.direction)).toEqual([1, -1, 1]);
    expect(s[0]!.strength).toBeCloseTo(Math.SQRT2 / 2, 12);
    expect(s[1]!.strength).toBeCloseTo(Math.sqrt(1.5) / 2, 12);
    expect(s[0]!.reason).toBe('z-score(3) -1.41 below -1');
    expect(run({ window: 3, entryZ: 1 }).signals[1]!.reason).toBe('z-score(3) at or above 0');
  });

  it('estimates the half-life by OLS of the change on the lagged close', () => {
    expect(meanReversionHalfLife(Float64Array.from(REVERTING))).toBeCloseTo(1, 12);
    // The same window stored in a ring whose oldest value sits at index 2.
    expect(meanReversionHalfLife(Float64Array.from([102, 101, 116, 108, 104]), 2)).toBeCloseTo(1, 12);
    // p[t] = 100 + 16 x 0.8^t: b = -0.2, half-life ln 2 / ln 1.25 = 3.106 bars.
    expect(meanReversionHalfLife(Float64Array.from([0, 1, 2, 3, 4], (t) => 100 + 16 * 0.8 ** t))).toBeCloseTo(Math.LN2 / Math.log(1.25), 10);
    expect(meanReversionHalfLife(Float64Array.from(RUNAWAY))).toBe(Number.POSITIVE_INFINITY);
    expect(meanReversionHalfLife(Float64Array.from([5, 5, 5]))).toBe(Number.POSITIVE_INFINITY);
  });

  it('with halfLife, enters only on a finite half-life (at most maxHalfLife) and reports it in the reason', () => {
    // Window 5 over REVERTING: z of 101 = (101 - 106.2) / 5.455 = -0.953 < -0.9.
    expect(run({ window: 5, entryZ: 0.9, halfLife: true }, REVERTING).signals.map((s) => s.reason)).toEqual(['z-score(5) -0.95 below -0.9; half-life 1.00 bars']);
    expect(targets({ window: 5, entryZ: 0.9, halfLife: true, maxHalfLife: 2 }, REVERTING)).toEqual([[4, 100]]);
    expect(targets({ window: 5, entryZ: 0.9, halfLife: true, maxHalfLife: 0.5 }, REVERTING)).toEqual([]);
    // RUNAWAY's last close is further below its mean (z = -9.8 / 5.455 = -1.80), but nothing reverts:
    // an infinite half-life, no entry with halfLife (with or without a bound), an entry without it.
    expect(targets({ window: 5, entryZ: 0.9 }, RUNAWAY)).toEqual([[4, 100]]);
    expect(targets({ window: 5, entryZ: 0.9, halfLife: true }, RUNAWAY)).toEqual([]);
    expect(targets({ window: 5, entryZ: 0.9, halfLife: true, maxHalfLife: 100 }, RUNAWAY)).toEqual([]);
  });

  it('decides nothing before the window is full (its declared warm-up)', () => {
    expect(STRATEGIES.mean_reversion.warmup!({ window: 3 })).toEqual({ bars: 3, because: 'window=3' });
    expect(targets({ window: 3, entryZ: 0.5 }, [10, 7])).toEqual([]);
    expect(targets({ window: 3, entryZ: 0.5 }, [10, 10, 7])).toEqual([[2, 100]]);
  });

  it('profits on planted mean reversion, long while below the mean, and not systematically on a random walk', () => {
    const planted = [];
    const walk = [];
    for (let seed = 1; seed <= 20; seed++) {
      const bars = meanRevertingBars(seed, 1500);
      const r = runPnl(new MeanReversionStrategy('m', ['X'], { mode: 'long_short' }), bars);
      planted.push(r.pnl);
      // Long positions are held below the long-run level (100), shorts above it.
      const wrong = r.positions.filter((p, i) => (p > 0 && bars[i]!.close > 105) || (p < 0 && bars[i]!.close < 95)).length;
      expect(wrong / r.positions.filter((p) => p !== 0).length, `seed ${seed}`).toBeLessThan(0.1);
      walk.push(runPnl(new MeanReversionStrategy('m', ['X'], { mode: 'long_short' }), randomWalkBars(seed, 1500)).pnl);
    }
    const p = meanAndError(planted);
    const w = meanAndError(walk);
    expect(p.mean).toBeGreaterThan(3 * p.error);
    expect(planted.filter((x) => x > 0).length).toBeGreaterThanOrEqual(17);
    expect(Math.abs(w.mean)).toBeLessThan(3 * w.error);
  });

  it('has defaults window 20, entryZ 2, exitZ 0, no half-life, long_only', () => {
    expect(MEAN_REVERSION_DEFAULTS).toMatchObject({ window: 20, entryZ: 2, exitZ: 0, halfLife: false, maxHalfLife: null, mode: 'long_only' });
  });

  it.each([
    [{ window: 2 }, "invalid 'window': less than 3, was 2"],
    [{ entryZ: -1 }, "invalid 'entryZ': not positive, was -1"],
    [{ exitZ: 2 }, "invalid 'exitZ': outside [0, 'entryZ' = 2), was 2"],
    [{ maxHalfLife: 10 }, "invalid 'maxHalfLife': gates entries on the half-life estimate, which needs halfLife true, was 10"],
    [{ halfLife: true, maxHalfLife: 0 }, "invalid 'maxHalfLife': not positive, was 0"],
    [{ windw: 3 }, "invalid parameter 'windw' for mean_reversion: unknown"],
  ])('rejects %j naming the parameter and value', (params, message) => {
    expect(() => meanReversionParams(params as never)).toThrow(message);
  });
});
