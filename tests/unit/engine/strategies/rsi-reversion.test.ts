import { describe, expect, it } from 'vitest';
import { RsiReversionStrategy, rsiReversionParams, RSI_REVERSION_DEFAULTS } from '../../../../engine/strategies/index.js';
import { barsFromCloses, FakeStrategyContext } from '../../../support/fake-strategy-context.js';

/*
 * RSI(2) with Wilder smoothing by hand (seed = mean of the first 2 moves):
 *  i close move  avgGain avgLoss  RSI
 *  2   8    -1    0       1        0     (first value)
 *  3   9    +1    0.5     0.5      50
 *  4   9.5  +0.5  0.5     0.25     66.7
 *  5  12    +2.5  1.5     0.125    92.3
 *  6  11    -1    0.75    0.5625   57.1
 *  7   9    -2    0.375   1.28125  22.6
 */
const CLOSES = [10, 9, 8, 9, 9.5, 12, 11, 9];

function targets(params: Parameters<typeof rsiReversionParams>[0]): [number, number][] {
  const ctx = new FakeStrategyContext(['X']).run(new RsiReversionStrategy('r', ['X'], params), 'X', barsFromCloses(CLOSES));
  const first = ctx.calls[0]?.ts ?? 0;
  return ctx.targets.map((t) => [2 + (t.ts - first) / 86_400_000_000, t.units]);
}

describe('rsi_reversion', () => {
  it('goes long below oversold and exits above exitLevel (long_only, exitLevel 50)', () => {
    expect(targets({ period: 2 })).toEqual([
      [2, 100],
      [4, 0],
      [7, 100],
    ]);
  });

  it('reverses at the opposite threshold in long_short mode without an exit level', () => {
    expect(targets({ period: 2, mode: 'long_short', exitLevel: null })).toEqual([
      [2, 100],
      [5, -100],
      [7, 100],
    ]);
  });

  it('exits a short below exitLevel in long_short mode', () => {
    // Long at 2, flat at 4 (66.7 > 50), short at 5 (92.3 > 70), 57.1 stays short, 22.6 < 30 goes long.
    expect(targets({ period: 2, mode: 'long_short' })).toEqual([
      [2, 100],
      [4, 0],
      [5, -100],
      [7, 100],
    ]);
  });

  it('does nothing before the RSI is ready (period + 1 bars)', () => {
    const ctx = new FakeStrategyContext(['X']).run(new RsiReversionStrategy('r', ['X'], { period: 2 }), 'X', barsFromCloses([10, 9]));
    expect(ctx.calls).toEqual([]);
  });

  it('reports how far past the threshold the RSI is as the signal strength', () => {
    const ctx = new FakeStrategyContext(['X']).run(
      new RsiReversionStrategy('r', ['X'], { period: 2, mode: 'long_short', exitLevel: null }),
      'X',
      barsFromCloses(CLOSES),
    );
    const s = ctx.signals;
    expect(s.map((x) => x.direction)).toEqual([1, -1, 1]);
    expect(s[0]!.strength).toBe(1); // RSI 0: (30 - 0) / 30
    expect(s[1]!.strength).toBeCloseTo((1200 / 13 - 70) / 30, 12); // RSI 92.31
    expect(s[0]!.reason).toBe('RSI(2) below 30');
  });

  it('has defaults period 14, 30/70, exit at 50, long_only', () => {
    expect(RSI_REVERSION_DEFAULTS).toMatchObject({ period: 14, oversold: 30, overbought: 70, exitLevel: 50, mode: 'long_only' });
  });

  it.each([
    [{ period: 0 }, "invalid 'period': not a positive integer, was 0"],
    [{ oversold: 0 }, "invalid 'oversold': outside (0, 100), was 0"],
    [{ overbought: 20 }, "invalid 'overbought': outside ('oversold' = 30, 100), was 20"],
    [{ exitLevel: 80 }, "invalid 'exitLevel': outside ['oversold' = 30, 'overbought' = 70], was 80"],
    [{ oversold: Number.NaN }, "invalid 'oversold': not a finite number, was NaN"],
  ])('rejects %j naming the parameter and value', (params, message) => {
    expect(() => rsiReversionParams(params)).toThrow(message);
  });
});
