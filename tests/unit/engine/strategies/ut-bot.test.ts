import { describe, expect, it } from 'vitest';
import { STRATEGIES, UtBotStrategy, utBotParams, UT_BOT_DEFAULTS } from '../../../../engine/strategies/index.js';
import { barsFromCloses, FakeStrategyContext } from '../../../support/fake-strategy-context.js';
import { meanAndError, targetsByBar, trendAndWalk } from '../../../support/planted-bars.js';

/*
 * keyValue 1, ATR(2) by hand. barsFromCloses makes open = previous close and high/low 1 beyond both,
 * so the true range is |close - previous close| + 2; Wilder: ATR = (ATR[1] + TR) / 2, seeded with the
 * mean of the first two true ranges (bars 1 and 2).
 *  i close TR  ATR        stop (loss = ATR)                                 decision
 *  2  10    2  2          start: 10 - 2 = 8                                 -
 *  3  11    3  2.5        both above 8: max(8, 8.5) = 8.5                   -
 *  4  12    3  2.75       max(8.5, 9.25) = 9.25                             -
 *  5  13    3  2.875      max(9.25, 10.125) = 10.125                        -
 *  6  12    3  2.9375     max(10.125, 9.0625) = 10.125                      -
 *  7  10    4  3.46875    10 < 10.125 <= 12: flip to 10 + 3.46875 = 13.46875 sell (12 >= 10.125)
 *  8   9    3  3.234375   both below: min(13.46875, 12.234375) = 12.234375   -
 *  9  11    4  3.6171875  min(12.234375, 14.6171875) = 12.234375            -
 * 10  13    4  3.80859375 13 > 12.234375 >= 11: flip to 9.19140625          buy (11 <= 12.234375)
 * 11  12    3  3.404296875 max(9.19140625, 8.595703125) = 9.19140625       -
 * 12   9    5  4.2021484375 9 < 9.19140625 <= 12: flip to 13.2021484375     sell
 */
const CLOSES = [10, 10, 10, 11, 12, 13, 12, 10, 9, 11, 13, 12, 9];

function targets(params: Parameters<typeof utBotParams>[0], closes = CLOSES): [number, number][] {
  const ctx = new FakeStrategyContext(['X']).run(new UtBotStrategy('u', ['X'], params), 'X', barsFromCloses(closes));
  return targetsByBar(ctx);
}

describe('ut_bot', () => {
  it('goes long on the cross above the trailing stop and exits on the cross below (long_only)', () => {
    expect(targets({ keyValue: 1, atrPeriod: 2 })).toEqual([
      [10, 100],
      [12, 0],
    ]);
  });

  it('reverses on each cross in long_short mode', () => {
    expect(targets({ keyValue: 1, atrPeriod: 2, mode: 'long_short' })).toEqual([
      [7, -100],
      [10, 100],
      [12, -100],
    ]);
  });

  it('a wider key value keeps the stop out of reach of the same moves', () => {
    expect(targets({ keyValue: 3, atrPeriod: 2, mode: 'long_short' })).toEqual([]);
  });

  it('reports how far the source pierced the previous stop, in units of keyValue x ATR', () => {
    const ctx = new FakeStrategyContext(['X']).run(new UtBotStrategy('u', ['X'], { keyValue: 1, atrPeriod: 2, mode: 'long_short' }), 'X', barsFromCloses(CLOSES));
    const s = ctx.signals;
    expect(s.map((x) => x.direction)).toEqual([-1, 1, -1]);
    expect(s[0]!.strength).toBeCloseTo(0.125 / 3.46875, 12);
    expect(s[1]!.strength).toBeCloseTo(0.765625 / 3.80859375, 12);
    expect(s[0]!.confidence).toBe(1);
    expect(s[1]!.reason).toBe('close crossed above the 1 x ATR(2) trailing stop');
  });

  it('with heikinAshi the source is (open + high + low + close) / 4, which changes the decisions', () => {
    // Same bars: the Heikin-Ashi close lags the close (it averages in the previous close as the open).
    const ha = targets({ keyValue: 1, atrPeriod: 2, mode: 'long_short', heikinAshi: true });
    expect(ha).not.toEqual(targets({ keyValue: 1, atrPeriod: 2, mode: 'long_short' }));
    const ctx = new FakeStrategyContext(['X']).run(new UtBotStrategy('u', ['X'], { keyValue: 1, atrPeriod: 2, mode: 'long_short', heikinAshi: true }), 'X', barsFromCloses(CLOSES));
    expect(ctx.signals[0]!.reason).toBe('Heikin-Ashi close crossed below the 1 x ATR(2) trailing stop');
  });

  it('decides nothing before bar atrPeriod + 2 (its declared warm-up)', () => {
    expect(STRATEGIES.ut_bot.warmup!({ atrPeriod: 2 })).toEqual({ bars: 4, because: 'atrPeriod=2' });
    // Bar index 2 (the first with an ATR, 4.5) only starts the stop at 5 - 0.45 = 4.55; bar index 3
    // closes at 4 below it (ATR 3.75, stop flips to 4.375): the sell is on bar atrPeriod + 2.
    expect(targets({ keyValue: 0.1, atrPeriod: 2, mode: 'long_short' }, [10, 10, 5])).toEqual([]);
    expect(targets({ keyValue: 0.1, atrPeriod: 2, mode: 'long_short' }, [10, 10, 5, 4])).toEqual([[3, -100]]);
  });

  it('follows planted trends in their direction and profits; no systematic profit on a random walk', () => {
    const r = trendAndWalk(() => new UtBotStrategy('s', ['X'], { keyValue: 2, atrPeriod: 10, mode: 'long_short' }));
    // In the drift's direction on most bars held, for every seed.
    expect(Math.min(...r.agreement)).toBeGreaterThan(0.6);
    const trend = meanAndError(r.trend);
    const walk = meanAndError(r.walk);
    expect(trend.mean).toBeGreaterThan(3 * trend.error);
    expect(Math.abs(walk.mean)).toBeLessThan(3 * walk.error);
  });

  it('has defaults keyValue 1, atrPeriod 10, close source, long_only', () => {
    expect(UT_BOT_DEFAULTS).toMatchObject({ keyValue: 1, atrPeriod: 10, heikinAshi: false, mode: 'long_only' });
  });

  it.each([
    [{ keyValue: 0 }, "invalid 'keyValue': not positive, was 0"],
    [{ atrPeriod: 1.5 }, "invalid 'atrPeriod': not a safe integer, was 1.5"],
    [{ heikinAshi: 'yes' }, "invalid 'heikinAshi': not true or false, was \"yes\""],
    [{ mode: 'short' }, "invalid 'mode': not one of long_short, long_only, was \"short\""],
    [{ sizing: { kind: 'risk', fraction: 0.01, stopPct: 0.05 } }, "invalid 'sizing.kind': risk sizing assumes a protective stop"],
  ])('rejects %j naming the parameter and value', (params, message) => {
    expect(() => utBotParams(params as never)).toThrow(message);
  });
});
