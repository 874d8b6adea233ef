import { describe, expect, it } from 'vitest';
import { randomStream } from '../../../../engine/core/index.js';
import { AnomalyStrategy, anomalyParams, ANOMALY_DEFAULTS, strategyWarmup } from '../../../../engine/strategies/index.js';
import { barsFromLogReturns, randomWalkReturns, runOnBars, tStat } from '../../../support/strategy-pnl.js';

/*
 * Log returns (bar i's return from bar i - 1), window 6, threshold 3, holdBars 2. Each z is scored
 * against the six returns before it: z = (r - median) / (1.4826 x MAD).
 *  i  return  median  MAD     z
 *  7  +0.005   0      0.010  +0.34
 *  8  -0.080   0      0.0075 -7.19  anomaly: fade -> long
 *  9  +0.010   0      0.0075 +0.90  hold (1 of 2)
 * 10  -0.005   0      0.010  -0.34  held 2 bars: flat
 * 14  +0.090   0      0.010  +6.07  anomaly: fade -> short (long_short)
 * 16                                 flat
 */
const R = [0, 0.01, -0.01, 0.005, -0.005, 0.01, -0.01, 0.005, -0.08, 0.01, -0.005, 0.005, -0.01, 0.01, 0.09, -0.005, 0.005, -0.01, 0.01, -0.005, 0.005];
const HAND = { window: 6, threshold: 3, holdBars: 2 } as const;
/** Volumes around 1000 (MAD 50) with a spike of 5000 on bar 14 only. */
const VOLUMES = (i: number): number => (i === 14 ? 5000 : [1000, 1100, 900, 1050, 950][i % 5]!);

/** A random walk (sd 1%) with a shock of +-8% every 40 bars, of random sign, half of which reverts over the next 4 bars. */
function shockReturns(seed: number, n: number): number[] {
  const rng = randomStream(seed, 'anomaly', 'returns');
  const out: number[] = [];
  let revert = 0;
  for (let i = 0; i < n; i++) {
    let r = 0.01 * rng.normal();
    if (i % 40 === 39) {
      const shock = rng.bernoulli(0.5) ? 0.08 : -0.08;
      r += shock;
      revert = -shock / 8;
    } else if (revert !== 0 && i % 40 < 4) {
      r += revert;
    }
    out.push(r);
  }
  return out;
}

describe('anomaly', () => {
  it('fades the anomalies on the bars the robust z-score flags and exits holdBars bars later (hand-computed)', () => {
    const bars = barsFromLogReturns(R);
    expect(runOnBars(new AnomalyStrategy('a', ['X'], { ...HAND, mode: 'long_short' }), bars).targetBars).toEqual([
      [8, 100],
      [10, 0],
      [14, -100],
      [16, 0],
    ]);
    // long_only: the jump's short view is flat, and it is flat already.
    expect(runOnBars(new AnomalyStrategy('a', ['X'], HAND), bars).targetBars).toEqual([
      [8, 100],
      [10, 0],
    ]);
    const follow = runOnBars(new AnomalyStrategy('a', ['X'], { ...HAND, mode: 'long_short', style: 'follow' }), bars);
    expect(follow.targetBars).toEqual([
      [8, -100],
      [10, 0],
      [14, 100],
      [16, 0],
    ]);
    expect(follow.ctx.signals[0]!.reason).toBe('follow an anomalous drop (robust z below -3)');
    expect(follow.ctx.signals[0]!.strength).toBeCloseTo((0.08 / (1.4826 * 0.0075) - 3) / 6, 6);
  });

  it('with volumeThreshold counts only the return anomaly on a volume spike', () => {
    const { targetBars } = runOnBars(new AnomalyStrategy('a', ['X'], { ...HAND, mode: 'long_short', volumeThreshold: 3 }), barsFromLogReturns(R, VOLUMES));
    expect(targetBars).toEqual([
      [14, -100],
      [16, 0],
    ]);
  });

  it('is silent before window + 2 bars', () => {
    expect(runOnBars(new AnomalyStrategy('a', ['X'], { ...HAND, threshold: 0.01, mode: 'long_short' }), barsFromLogReturns(R.slice(0, 7))).ctx.calls).toEqual([]);
    expect(runOnBars(new AnomalyStrategy('a', ['X'], { ...HAND, threshold: 0.01, mode: 'long_short' }), barsFromLogReturns(R.slice(0, 8))).ctx.calls.length).toBeGreaterThan(0);
    expect(strategyWarmup('anomaly', HAND)).toEqual({ bars: 8, because: 'window=6' });
  });

  it('fading planted reverting shocks profits on both sides; following them loses', () => {
    for (const seed of [1, 2, 3, 4]) {
      const bars = barsFromLogReturns(shockReturns(seed, 2000));
      const fade = runOnBars(new AnomalyStrategy('a', ['X'], { mode: 'long_short' }), bars);
      expect(fade.longPnl, `seed ${seed}`).toBeGreaterThan(0);
      expect(fade.shortPnl, `seed ${seed}`).toBeGreaterThan(0);
      expect(runOnBars(new AnomalyStrategy('a', ['X'], { mode: 'long_short', style: 'follow' }), bars).pnl, `seed ${seed}`).toBeLessThan(0);
    }
  });

  it('does not profit systematically on a fat-tailed random walk (mean P&L over 16 seeds within 3 standard errors of 0)', () => {
    const pnls = Array.from({ length: 16 }, (_, seed) => {
      // Normal returns with a 2% chance of a tripled one: anomalies, but nothing after them.
      const rng = randomStream(seed, 'anomaly', 'tails');
      const returns = randomWalkReturns(seed, 2000).map((r) => (rng.bernoulli(0.02) ? 4 * r : r));
      return runOnBars(new AnomalyStrategy('a', ['X'], { mode: 'long_short', threshold: 2.5 }), barsFromLogReturns(returns)).pnl;
    });
    expect(pnls.filter((p) => p !== 0).length).toBe(16);
    expect(Math.abs(tStat(pnls))).toBeLessThan(3);
  });

  it('has defaults window 50, threshold 3, fade, hold 5, no volume condition', () => {
    expect(ANOMALY_DEFAULTS).toMatchObject({ window: 50, threshold: 3, volumeThreshold: null, style: 'fade', holdBars: 5, mode: 'long_only' });
  });

  it.each([
    [{ window: 2 }, "invalid 'window': less than 3, was 2"],
    [{ threshold: -1 }, "invalid 'threshold': not a positive finite number, was -1"],
    [{ volumeThreshold: 0 }, "invalid 'volumeThreshold': not a positive finite number, was 0"],
    [{ style: 'chase' }, "invalid 'style': not one of fade, follow, was \"chase\""],
    [{ holdBars: 0 }, "invalid 'holdBars': not a positive integer, was 0"],
  ])('rejects %j naming the parameter and value', (params, message) => {
    expect(() => anomalyParams(params as never)).toThrow(message);
  });
});
