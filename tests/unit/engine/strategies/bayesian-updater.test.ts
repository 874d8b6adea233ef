import { describe, expect, it } from 'vitest';
import { randomStream } from '../../../../engine/core/index.js';
import { BayesianUpdaterStrategy, bayesianUpdaterParams, BAYESIAN_UPDATER_DEFAULTS, strategyWarmup } from '../../../../engine/strategies/index.js';
import { barsFromCloses } from '../../../support/fake-strategy-context.js';
import { barsFromLogReturns, randomWalkReturns, runOnBars, tStat } from '../../../support/strategy-pnl.js';

/*
 * One source, prev_return (state u = the bar closed up), prior Beta(1, 1), no forgetting, 3
 * observations, threshold 0.62 (so short below 0.38). Each bar first learns from the previous bar's
 * state and its own outcome, then reads P(up | its own state) = a / (a + b); with one source the
 * naive-Bayes combination is that posterior itself.
 *  i close  up  Beta(up | up)  Beta(up | down)  P      side
 *  4  12    1   (2, 2)         (2, 1)           0.500  flat (first decision: 3 observations)
 *  5  13    1   (3, 2)         (2, 1)           0.600  flat (not above 0.62)
 *  6  14    1   (4, 2)         (2, 1)           0.667  long
 *  8  12    0   (4, 3)         (2, 2)           0.500  flat
 * 10  10    0   (4, 3)         (2, 4)           0.333  short
 * 11  11    1   (4, 3)         (3, 4)           0.571  flat
 * 12  12    1   (5, 3)         (3, 4)           0.625  long
 * 14  12    0   (6, 4)         (3, 4)           0.429  flat
 */
const CLOSES = [10, 11, 12, 11, 12, 13, 14, 13, 12, 11, 10, 11, 12, 13, 12];
const HAND = { evidence: ['prev_return'], prior: 1, forgetting: 1, minObservations: 3, threshold: 0.62, mode: 'long_short' } as const;

/** AR(1) log returns r_t = phi r_{t-1} + 1% noise: the previous bar's direction predicts the next. */
function ar1Returns(seed: number, n: number, phi: number): number[] {
  const rng = randomStream(seed, 'bayes', 'returns');
  const out: number[] = [];
  let r = 0;
  for (let i = 0; i < n; i++) out.push((r = phi * r + 0.01 * rng.normal()));
  return out;
}

describe('bayesian_updater', () => {
  it('positions by the Beta posterior of P(up | previous bar up) on the bars it passes the thresholds (hand-computed)', () => {
    const { targetBars, ctx } = runOnBars(new BayesianUpdaterStrategy('b', ['X'], HAND), barsFromCloses(CLOSES));
    expect(targetBars).toEqual([
      [6, 100],
      [8, 0],
      [10, -100],
      [11, 0],
      [12, 100],
      [14, 0],
    ]);
    const first = ctx.signals[0]!;
    expect(first.reason).toBe('posterior P(up) above 0.62');
    expect(first.strength).toBeCloseTo(1 / 3, 12); // |2 x 2/3 - 1|
    // Beta(4, 2): variance 8 / (36 x 7); confidence 1 - sqrt(12 x variance).
    expect(first.confidence).toBeCloseTo(1 - Math.sqrt((12 * 8) / (36 * 7)), 12);
    expect(ctx.signals[2]!.reason).toBe('posterior P(up) below 0.38');
    expect(ctx.signals[3]!.reason).toBe('posterior P(up) within [0.38, 0.62]');
  });

  it('combines sources as naive Bayes in log-odds: logit P = logit p0 + sum of (logit P_s - logit p0)', () => {
    // Two sources, prev_return and above_sma (SMA 3, known from bar 2): the posterior after the last bar recomputed from counts.
    const closes = [10, 11, 12, 11, 12, 13, 14, 13, 12, 11, 10, 11, 12, 13, 12.5, 12.6];
    const s = new BayesianUpdaterStrategy('b', ['X'], { ...HAND, evidence: ['prev_return', 'above_sma'], smaPeriod: 3 });
    runOnBars(s, barsFromCloses(closes));
    const ups = closes.map((c, i) => (i > 0 && c > closes[i - 1]! ? 1 : 0));
    const above = closes.map((c, i) => (i >= 2 && c > (closes[i - 2]! + closes[i - 1]! + c) / 3 ? 1 : 0));
    // Learning pairs: the states on bar i - 1 (both known from bar 2), the outcome on bar i (from bar 3).
    const beta = (states: number[], want: number | null): [number, number] => {
      let a = 1;
      let b = 1;
      for (let i = 3; i < closes.length; i++) if (want === null || states[i - 1] === want) (ups[i] ? a++ : b++);
      return [a, b];
    };
    const last = closes.length - 1;
    const [ua, ub] = beta(ups, ups[last]!);
    const [sa, sb] = beta(above, above[last]!);
    const [baseA, baseB] = beta(ups, null);
    expect([ups[last], above[last]]).toEqual([1, 0]); // the sources disagree on the last bar
    const logit = (p: number): number => Math.log(p / (1 - p));
    const p0 = baseA / (baseA + baseB);
    const expected = 1 / (1 + Math.exp(-(logit(p0) + (logit(ua / (ua + ub)) - logit(p0)) + (logit(sa / (sa + sb)) - logit(p0)))));
    const view = (s as unknown as { views: { get(x: string): { posterior: number } } }).views.get('X');
    expect(view.posterior).toBeCloseTo(expected, 12);
    expect(view.posterior).not.toBeCloseTo(ua / (ua + ub), 3);
  });

  it('is silent before the evidence and minObservations are in', () => {
    expect(strategyWarmup('bayesian_updater', HAND)).toEqual({ bars: 5, because: 'evidence from bar 2, minObservations=3' });
    expect(strategyWarmup('bayesian_updater', {})).toEqual({ bars: 50, because: 'evidence from bar 20, minObservations=30' });
    const { ctx } = runOnBars(new BayesianUpdaterStrategy('b', ['X'], { ...HAND, threshold: 0.51 }), barsFromCloses(CLOSES.slice(0, 4)));
    expect(ctx.calls).toEqual([]);
  });

  it('learns planted momentum (AR(1) returns, phi 0.3) and profits on both sides', () => {
    for (const seed of [1, 2, 3, 4]) {
      const r = runOnBars(new BayesianUpdaterStrategy('b', ['X'], { mode: 'long_short' }), barsFromLogReturns(ar1Returns(seed, 2000, 0.3)));
      expect(r.longPnl, `seed ${seed}`).toBeGreaterThan(0);
      expect(r.shortPnl, `seed ${seed}`).toBeGreaterThan(0);
    }
  });

  it('does not profit systematically on a random walk (mean P&L over 16 seeds within 3 standard errors of 0)', () => {
    const pnls = Array.from({ length: 16 }, (_, seed) => runOnBars(new BayesianUpdaterStrategy('b', ['X'], { mode: 'long_short' }), barsFromLogReturns(randomWalkReturns(seed, 2000))).pnl);
    expect(pnls.filter((p) => p !== 0).length).toBe(16);
    expect(Math.abs(tStat(pnls))).toBeLessThan(3);
  });

  it('has defaults: all three sources, SMA 20, volume 20, Beta(1, 1), forgetting 0.99, 30 observations, threshold 0.55', () => {
    expect(BAYESIAN_UPDATER_DEFAULTS).toMatchObject({ evidence: ['prev_return', 'above_sma', 'volume_above_average'], smaPeriod: 20, volumePeriod: 20, prior: 1, forgetting: 0.99, minObservations: 30, threshold: 0.55 });
  });

  it.each([
    [{ evidence: [] }, "invalid 'evidence': expected a non-empty array of prev_return, above_sma, volume_above_average, was []"],
    [{ evidence: ['prev_return', 'rsi'] }, "invalid 'evidence[1]': not one of prev_return, above_sma, volume_above_average, was \"rsi\""],
    [{ evidence: ['above_sma', 'above_sma'] }, "invalid 'evidence[1]': given twice, was \"above_sma\""],
    [{ forgetting: 0 }, "invalid 'forgetting': outside (0, 1], was 0"],
    [{ threshold: 0.5 }, "invalid 'threshold': outside (0.5, 1), was 0.5"],
    [{ prior: 0 }, "invalid 'prior': not a positive finite number, was 0"],
    [{ minObservations: 0 }, "invalid 'minObservations': not a positive integer, was 0"],
  ])('rejects %j naming the parameter and value', (params, message) => {
    expect(() => bayesianUpdaterParams(params as never)).toThrow(message);
  });
});
