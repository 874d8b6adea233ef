import { describe, expect, it } from 'vitest';
import type { Bar } from '../../../../engine/model/index.js';
import { DonchianBreakoutStrategy, donchianBreakoutParams, DONCHIAN_BREAKOUT_DEFAULTS, STRATEGIES } from '../../../../engine/strategies/index.js';
import { FakeStrategyContext } from '../../../support/fake-strategy-context.js';
import { meanAndError, targetsByBar, trendAndWalk } from '../../../support/planted-bars.js';

/*
 * entryPeriod 3, exitPeriod 2, by hand; the channels cover the bars before the decision.
 *  i  high  low  close   3-bar high/low before   2-bar high/low before   decision
 *  3  13    11   12.5    12 / 9                  12 / 9                  12.5 > 12: long
 *  4  14    12   13.5    13 / 9                  13 / 9                  -
 *  5  13.5  11.5 12      14 / 9                  14 / 11                 -
 *  6  12    10   11.2    14 / 11                 14 / 11.5               11.2 < 11.5: exit the long (not below 11)
 *  7  11    9    9.5     14 / 10                 13.5 / 10               9.5 < 10: short (long_short)
 *  8  12.5  10.5 12      13.5 / 9                12 / 9                  not above 12: hold
 *  9  13    11   12.8    12.5 / 9                12.5 / 9                12.8 > 12.5: long (reverses the short)
 */
const HLC: readonly [number, number, number][] = [
  [11, 9, 10],
  [12, 10, 11],
  [11, 9, 10],
  [13, 11, 12.5],
  [14, 12, 13.5],
  [13.5, 11.5, 12],
  [12, 10, 11.2],
  [11, 9, 9.5],
  [12.5, 10.5, 12],
  [13, 11, 12.8],
];
const START = 1_704_067_200_000_000;
const DAY = 86_400_000_000;
const BARS: Bar[] = HLC.map(([high, low, close], i) => ({ ts: START + i * DAY, open: close, high, low, close, volume: 1000 }));
const BASE = { entryPeriod: 3, exitPeriod: 2 } as const;

function run(params: Parameters<typeof donchianBreakoutParams>[0], bars = BARS): FakeStrategyContext {
  return new FakeStrategyContext(['X']).run(new DonchianBreakoutStrategy('d', ['X'], params), 'X', bars);
}

function targets(params: Parameters<typeof donchianBreakoutParams>[0], bars = BARS): [number, number][] {
  return targetsByBar(run(params, bars), START);
}

describe('donchian_breakout', () => {
  it('enters above the previous N-bar high and exits below the previous M-bar low (long_only)', () => {
    expect(targets(BASE)).toEqual([
      [3, 100],
      [6, 0],
      [9, 100],
    ]);
  });

  it('shorts below the previous N-bar low in long_short, and a breakout reverses it', () => {
    expect(targets({ ...BASE, mode: 'long_short' })).toEqual([
      [3, 100],
      [6, 0],
      [7, -100],
      [9, 100],
    ]);
  });

  it('a longer exit channel holds the long through the dip', () => {
    // exitPeriod 3: bar 6's 11.2 is not below the 3-bar low 11, and bar 7 (9.5 < 10) is the exit.
    expect(targets({ entryPeriod: 3, exitPeriod: 3 })).toEqual([
      [3, 100],
      [7, 0],
      [9, 100],
    ]);
  });

  it('signals how far past the band the close is, in half-widths of the entry channel', () => {
    const s = run({ ...BASE, mode: 'long_short' }).signals;
    expect(s.map((x) => x.direction)).toEqual([1, 0, -1, 1]);
    // Bar 3: channel 12 / 9, middle 10.5: (12.5 - 10.5) / 1.5 / 2.
    expect(s[0]!.strength).toBeCloseTo(2 / 3, 12);
    // Bar 7: channel 14 / 10, middle 12: (12 - 9.5) / 2 / 2.
    expect(s[2]!.strength).toBeCloseTo(0.625, 12);
    expect(s[0]!.reason).toBe('close above the 3-bar high');
    expect(s[1]!.reason).toBe('close below the 2-bar low');
  });

  it('decides nothing before max(entryPeriod, exitPeriod) + 1 bars (its declared warm-up)', () => {
    expect(STRATEGIES.donchian_breakout.warmup!(BASE)).toEqual({ bars: 4, because: 'entryPeriod=3' });
    expect(STRATEGIES.donchian_breakout.warmup!({ entryPeriod: 2, exitPeriod: 5 })).toEqual({ bars: 6, because: 'exitPeriod=5' });
    expect(targets(BASE, BARS.slice(0, 3))).toEqual([]);
    // With exitPeriod 4 the exit channel is not ready on bar 3: no entry until bar 4 (13.5 > 13).
    expect(targets({ entryPeriod: 3, exitPeriod: 4 }, BARS.slice(0, 5))).toEqual([[4, 100]]);
  });

  it('follows planted trends and profits; no systematic profit on a random walk', () => {
    const r = trendAndWalk(() => new DonchianBreakoutStrategy('s', ['X'], { mode: 'long_short' }));
    // In the drift's direction on most bars held, for every seed.
    expect(Math.min(...r.agreement)).toBeGreaterThan(0.6);
    const trend = meanAndError(r.trend);
    const walk = meanAndError(r.walk);
    expect(trend.mean).toBeGreaterThan(3 * trend.error);
    expect(Math.abs(walk.mean)).toBeLessThan(3 * walk.error);
  });

  it('has defaults entryPeriod 20, exitPeriod 10, long_only', () => {
    expect(DONCHIAN_BREAKOUT_DEFAULTS).toMatchObject({ entryPeriod: 20, exitPeriod: 10, mode: 'long_only' });
  });

  it.each([
    [{ entryPeriod: 0 }, "invalid 'entryPeriod': not a positive integer, was 0"],
    [{ exitPeriod: 2.5 }, "invalid 'exitPeriod': not a safe integer, was 2.5"],
    [{ sizing: { kind: 'units', units: 1.5 } }, "invalid 'sizing.units': not a whole number of units (fractional is false), was 1.5"],
  ])('rejects %j naming the parameter and value', (params, message) => {
    expect(() => donchianBreakoutParams(params as never)).toThrow(message);
  });
});
