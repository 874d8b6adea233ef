import { describe, expect, it } from 'vitest';
import { randomStream } from '../../../../engine/core/index.js';
import { RegimeChangeStrategy, regimeChangeParams, REGIME_CHANGE_DEFAULTS, strategyWarmup } from '../../../../engine/strategies/index.js';
import { barsFromLogReturns, randomWalkReturns, runOnBars, tStat } from '../../../support/strategy-pnl.js';

/*
 * Log returns, window 4, drift k 0.5, threshold h 2. z = (r - mean) / sample sd of the four returns
 * before it; S+ = max(0, S+ + z - k), S- = max(0, S- - z - k).
 *  i  return  mean     sd      z       S+     S-
 *  5  +0.01   0       0.0115  +0.866  0.366  0
 *  6  -0.01   0       0.0115  -0.866  0      0.366
 *  7  +0.02   0       0.0115  +1.732  1.232  0
 *  8  +0.02   0.0025  0.0150  +1.167  1.899  0
 *  9  +0.02   0.0100  0.0141  +0.707  2.106  0      S+ > 2: upward break, long; both reset
 * 10  -0.01   0.0125  0.0150  -1.500  0      1.000
 * 11  +0.01   0.0125  0.0150  -0.167  0      0.667
 * 12  -0.01   0.0100  0.0141  -1.414  0      1.581
 * 13  -0.03   0.0025  0.0150  -2.167  0      3.248  S- > 2: downward break, short (flat in long_only)
 * 14  -0.03  -0.0100  0.0163  -1.225  0      0.725
 */
const R = [0, 0.01, -0.01, 0.01, -0.01, 0.01, -0.01, 0.02, 0.02, 0.02, -0.01, 0.01, -0.01, -0.03, -0.03, 0.01, -0.01, 0.01];
const HAND = { window: 4, drift: 0.5, threshold: 2 } as const;

/** Regimes of 200 bars drifting +0.4% and -0.4% a bar in turn, sd 1%. */
function regimeReturns(seed: number, n: number): number[] {
  const rng = randomStream(seed, 'cusum', 'returns');
  return Array.from({ length: n }, (_, i) => (Math.floor(i / 200) % 2 === 0 ? 0.004 : -0.004) + 0.01 * rng.normal());
}

describe('regime_change', () => {
  it('goes long on the upward CUSUM break and short on the downward one (hand-computed)', () => {
    const bars = barsFromLogReturns(R);
    const ls = runOnBars(new RegimeChangeStrategy('c', ['X'], { ...HAND, mode: 'long_short' }), bars);
    expect(ls.targetBars).toEqual([
      [9, 100],
      [13, -100],
    ]);
    expect(ls.ctx.signals.map((s) => s.reason)).toEqual(['CUSUM upward break (S+ above 2, drift 0.5)', 'CUSUM downward break (S- above 2, drift 0.5)']);
    expect(ls.ctx.signals[0]!.strength).toBeCloseTo(2.106 / 4, 3);
    expect(runOnBars(new RegimeChangeStrategy('c', ['X'], HAND), bars).targetBars).toEqual([
      [9, 100],
      [13, 0],
    ]);
  });

  it('needs window + 2 bars and a higher threshold delays the break', () => {
    expect(strategyWarmup('regime_change', HAND)).toEqual({ bars: 6, because: 'window=4' });
    // With h = 2.2 the upward sum (2.106 at bar 9) does not break, and bar 10's fall empties it.
    expect(runOnBars(new RegimeChangeStrategy('c', ['X'], { ...HAND, threshold: 2.2, mode: 'long_short' }), barsFromLogReturns(R)).targetBars).toEqual([[13, -100]]);
  });

  it('follows planted drift regimes: profits long in the up regimes and short in the down ones', () => {
    for (const seed of [1, 2, 3, 4]) {
      const r = runOnBars(new RegimeChangeStrategy('c', ['X'], { mode: 'long_short' }), barsFromLogReturns(regimeReturns(seed, 1500)));
      expect(r.longPnl, `seed ${seed}`).toBeGreaterThan(0);
      expect(r.shortPnl, `seed ${seed}`).toBeGreaterThan(0);
    }
  });

  it('does not profit systematically on a random walk (mean P&L over 16 seeds within 3 standard errors of 0)', () => {
    const pnls = Array.from({ length: 16 }, (_, seed) => runOnBars(new RegimeChangeStrategy('c', ['X'], { mode: 'long_short' }), barsFromLogReturns(randomWalkReturns(seed, 2000))).pnl);
    expect(pnls.filter((p) => p !== 0).length).toBe(16);
    expect(Math.abs(tStat(pnls))).toBeLessThan(3);
  });

  it('has defaults window 50, h 4, k 0.5', () => {
    expect(REGIME_CHANGE_DEFAULTS).toMatchObject({ window: 50, threshold: 4, drift: 0.5, mode: 'long_only' });
  });

  it.each([
    [{ window: 2 }, "invalid 'window': less than 3, was 2"],
    [{ threshold: 0 }, "invalid 'threshold': not a positive finite number, was 0"],
    [{ drift: -0.1 }, "invalid 'drift': negative, was -0.1"],
  ])('rejects %j naming the parameter and value', (params, message) => {
    expect(() => regimeChangeParams(params as never)).toThrow(message);
  });
});
