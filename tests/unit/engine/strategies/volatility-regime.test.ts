import { describe, expect, it } from 'vitest';
import { randomStream } from '../../../../engine/core/index.js';
import { VolatilityRegimeStrategy, volatilityRegimeParams, VOLATILITY_REGIME_DEFAULTS, strategyWarmup } from '../../../../engine/strategies/index.js';
import { barsFromCloses } from '../../../support/fake-strategy-context.js';
import { barsFromLogReturns, randomWalkReturns, runOnBars, tStat } from '../../../support/strategy-pnl.js';

/*
 * volLookback 2, regimeWindow 3, maPeriod 3, low/normal trend, high flat, long_short, cut-offs 34/66
 * (with a window of 3 the rank is 0, 50 or 100). vol = sample sd of the last two log returns; rank =
 * 100 x (window vols below it) / 2; z = (close - mean of last 3) / sample sd of last 3.
 *  i close  vol      rank regime  z      side
 *  4  104   0.00007    0  low    +1.000  long   (vols at 2, 3, 4 fall: 4 is the lowest)
 *  5  103   0.01366  100  high   -0.577  flat
 *  6  102   0.00007   50  normal -1.000  short
 *  7  104   0.02063  100  high   +1.000  flat
 *  8  106   0.00026   50  normal +1.000  long
 *  9  108   0.00025    0  low    +1.000  (long)
 * 10  110   0.00024    0  low    +1.000  (long)
 * 11  111   0.00658  100  high   +0.873  flat
 * 12  112   0.00006    0  low    +1.000  long
 * 14  112   0.01257  100  high   -0.577  flat
 * 15  114   0.01880  100  high   +1.000  (flat)
 * 16  116   0.00022    0  low    +1.000  long
 * 17  115   0.01842   50  normal  0      (long: z = 0 holds)
 * 18  113   0.00628   50  normal -1.091  short
 */
const CLOSES = [100, 101, 102, 103, 104, 103, 102, 104, 106, 108, 110, 111, 112, 113, 112, 114, 116, 115, 113, 111];
const HAND = { volLookback: 2, regimeWindow: 3, maPeriod: 3, lowPercentile: 34, highPercentile: 66, lowRegime: 'trend', normalRegime: 'trend', highRegime: 'flat', mode: 'long_short' } as const;

/** Calm trending stretches (sd 0.4%, drift +0.25% and -0.25% a bar in turn) between wild driftless ones (sd 3%). */
function regimeReturns(seed: number, segments: number): number[] {
  const rng = randomStream(seed, 'vol-regime', 'returns');
  const out: number[] = [];
  for (let s = 0; s < segments; s++) {
    const calm = s % 2 === 0;
    const drift = calm ? (s % 4 === 0 ? 0.0025 : -0.0025) : 0;
    for (let i = 0; i < 120; i++) out.push(drift + (calm ? 0.004 : 0.03) * rng.normal());
  }
  return out;
}

describe('volatility_regime', () => {
  it('enters and leaves on the bars the regime and trend rule imply (hand-computed)', () => {
    const { targetBars, ctx } = runOnBars(new VolatilityRegimeStrategy('v', ['X'], HAND), barsFromCloses(CLOSES));
    expect(targetBars).toEqual([
      [4, 100],
      [5, 0],
      [6, -100],
      [7, 0],
      [8, 100],
      [11, 0],
      [12, 100],
      [14, 0],
      [16, 100],
      [18, -100],
    ]);
    expect(ctx.signals.map((s) => s.reason)).toEqual([
      'low volatility regime (trend): close above SMA(3)',
      'high volatility regime (flat): flat',
      'normal volatility regime (trend): close below SMA(3)',
      'high volatility regime (flat): flat',
      'normal volatility regime (trend): close above SMA(3)',
      'high volatility regime (flat): flat',
      'low volatility regime (trend): close above SMA(3)',
      'high volatility regime (flat): flat',
      'low volatility regime (trend): close above SMA(3)',
      'normal volatility regime (trend): close below SMA(3)',
    ]);
  });

  it('is flat where long_only would short, and silent before the regime window is full', () => {
    const { targetBars } = runOnBars(new VolatilityRegimeStrategy('v', ['X'], { ...HAND, mode: 'long_only' }), barsFromCloses(CLOSES));
    expect(targetBars).toEqual([
      [4, 100],
      [5, 0],
      [8, 100],
      [11, 0],
      [12, 100],
      [14, 0],
      [16, 100],
      [18, 0],
    ]);
    expect(runOnBars(new VolatilityRegimeStrategy('v', ['X'], HAND), barsFromCloses(CLOSES.slice(0, 4))).ctx.calls).toEqual([]);
    expect(strategyWarmup('volatility_regime', HAND)).toEqual({ bars: 5, because: 'volLookback=2, regimeWindow=3' });
  });

  it('mean_reversion enters beyond entryZ against the move and leaves at the mean', () => {
    // z over 3 closes: 10,10,10 -> 0; then 7 -> z = (7 - 9) / sd(10,10,7) = -1.155 < -1: long; 8 -> z(10,7,8) = -0.218 holds; 8.9 -> z(7,8,8.9) = 0.98 > 0: flat.
    const closes = [10, 10.1, 10, 10, 10, 7, 8, 8.9];
    const { targetBars } = runOnBars(
      new VolatilityRegimeStrategy('v', ['X'], { ...HAND, lowRegime: 'mean_reversion', normalRegime: 'mean_reversion', highRegime: 'mean_reversion', entryZ: 1 }),
      barsFromCloses(closes),
    );
    expect(targetBars).toEqual([
      [5, 100],
      [7, 0],
    ]);
  });

  it('profits from planted calm trends it follows while flattening the wild stretches, and trades both sides', () => {
    const params = { lowRegime: 'trend', normalRegime: 'flat', highRegime: 'flat', mode: 'long_short', maPeriod: 20 } as const;
    for (const seed of [1, 2, 3, 4]) {
      const { pnl, longPnl, shortPnl } = runOnBars(new VolatilityRegimeStrategy('v', ['X'], params), barsFromLogReturns(regimeReturns(seed, 20)));
      expect(pnl, `seed ${seed}`).toBeGreaterThan(0);
      expect(longPnl, `seed ${seed}`).toBeGreaterThan(0);
      expect(shortPnl, `seed ${seed}`).toBeGreaterThan(0);
    }
  });

  it('does not profit systematically on a random walk (mean P&L over 16 seeds within 3 standard errors of 0)', () => {
    const pnls = Array.from({ length: 16 }, (_, seed) => runOnBars(new VolatilityRegimeStrategy('v', ['X'], { mode: 'long_short' }), barsFromLogReturns(randomWalkReturns(seed, 2000))).pnl);
    expect(pnls.filter((p) => p !== 0).length).toBe(16);
    expect(Math.abs(tStat(pnls))).toBeLessThan(3);
  });

  it('has defaults 20/100, 25/75, trend / mean_reversion / flat', () => {
    expect(VOLATILITY_REGIME_DEFAULTS).toMatchObject({ volLookback: 20, regimeWindow: 100, lowPercentile: 25, highPercentile: 75, lowRegime: 'trend', normalRegime: 'mean_reversion', highRegime: 'flat' });
  });

  it.each([
    [{ volLookback: 1 }, "invalid 'volLookback': less than 2, was 1"],
    [{ highPercentile: 10 }, "invalid 'highPercentile': outside [25, 100], was 10"],
    [{ lowRegime: 'sideways' }, "invalid 'lowRegime': not one of trend, mean_reversion, flat, was \"sideways\""],
    [{ entryZ: 0 }, "invalid 'entryZ': not a positive finite number, was 0"],
  ])('rejects %j naming the parameter and value', (params, message) => {
    expect(() => volatilityRegimeParams(params as never)).toThrow(message);
  });
});
