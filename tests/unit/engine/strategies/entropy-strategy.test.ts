import { describe, expect, it } from 'vitest';
import { US_PER_DAY } from '../../../../engine/core/index.js';
import { ENTROPY_DEFAULTS, entropyParams, EntropyStrategy, strategyWarmup } from '../../../../engine/strategies/index.js';
import { barsFromCloses, FakeStrategyContext } from '../../../support/fake-strategy-context.js';
import { meanAndError, randomWalkBars, runPnl, trendingBars } from '../../../support/planted-bars.js';

function closesFrom(returns: readonly number[]): number[] {
  const closes = [100];
  for (const r of returns) closes.push(closes[closes.length - 1]! * Math.exp(r));
  return closes;
}

function targets(params: Parameters<typeof entropyParams>[0], returns: readonly number[]): [number, number][] {
  const ctx = new FakeStrategyContext(['X']).run(new EntropyStrategy('e', ['X'], params), 'X', barsFromCloses(closesFrom(returns)));
  const first = barsFromCloses([1])[0]!.ts;
  // Bar index i is delivered at first + (i + 1) days.
  return ctx.targets.map((t) => [(t.ts - first) / US_PER_DAY - 1, t.units]);
}

describe('entropy', () => {
  // Two bins split at 0 (the range is symmetric about 0), so the entropy is that of the signs:
  // window 4 of (+, +, +, +): H = 0 -> long; (+, +, +, -): H = H(3/4) / ln 2 = 0.811 -> hold (between
  // 0.5 and 0.9); (+, +, -, -): H = 1 > 0.9 -> flat; (-, -, -, -) -> H = 0, falling -> short.
  const P = { window: 4, bins: 2, binRange: 2, entryEntropy: 0.5, exitEntropy: 0.9 };
  const R = [0.01, 0.02, 0.01, 0.02, -0.01, -0.02, -0.01, -0.02, -0.01];

  it('enters with the window on low entropy, holds between the thresholds, flattens on high entropy (long_short)', () => {
    // Bar i has returns 1..i; the first full window is at bar 4: (+,+,+,+) long. Bar 5 (+,+,+,-) holds,
    // bar 6 (+,+,-,-) flat, bar 7 (+,-,-,-) holds flat, bar 8 (-,-,-,-) short.
    expect(targets({ ...P, mode: 'long_short' }, R)).toEqual([
      [4, 100],
      [6, 0],
      [8, -100],
    ]);
  });

  it('in long_only a falling low-entropy window stays flat', () => {
    expect(targets(P, R)).toEqual([
      [4, 100],
      [6, 0],
    ]);
  });

  it('signals strength (entryEntropy - H) / entryEntropy and waits window + 1 bars', () => {
    const ctx = new FakeStrategyContext(['X']).run(new EntropyStrategy('e', ['X'], P), 'X', barsFromCloses(closesFrom(R)));
    expect(ctx.signals[0]).toMatchObject({ direction: 1, strength: 1, confidence: 1 });
    expect(targets(P, R.slice(0, 3))).toEqual([]);
    expect(strategyWarmup('entropy', P)).toEqual({ bars: 5, because: 'window=4' });
  });

  it('profits on trending regimes, trading with the trend', () => {
    const params = { window: 30, bins: 2, entryEntropy: 0.85, exitEntropy: 0.95, mode: 'long_short' as const };
    const pnls: number[] = [];
    let agree = 0;
    let held = 0;
    for (let seed = 1; seed <= 6; seed++) {
      const { bars, trend } = trendingBars(seed, 1500, 0.01, 0.5);
      const r = runPnl(new EntropyStrategy('e', ['X'], params), bars);
      pnls.push(r.pnl);
      r.positions.forEach((pos, i) => {
        if (pos !== 0) {
          held++;
          if (Math.sign(pos) === trend[i]) agree++;
        }
      });
    }
    const { mean, error } = meanAndError(pnls);
    expect(mean, pnls.map((p) => p.toFixed(0)).join(', ')).toBeGreaterThan(3 * error);
    expect(agree / held).toBeGreaterThan(0.6);
  });

  it('does not profit systematically on a random walk (mean P&L over 12 seeds within 3 standard errors of 0)', () => {
    const params = { window: 30, bins: 2, entryEntropy: 0.85, exitEntropy: 0.95, mode: 'long_short' as const };
    const pnls: number[] = [];
    for (let seed = 1; seed <= 12; seed++) pnls.push(runPnl(new EntropyStrategy('e', ['X'], params), randomWalkBars(seed, 1500)).pnl);
    const { mean, error } = meanAndError(pnls);
    expect(Math.abs(mean)).toBeLessThan(3 * error);
  });

  it('has documented defaults and refuses bad parameters naming them', () => {
    expect(ENTROPY_DEFAULTS).toMatchObject({ window: 50, bins: 5, binRange: 2, entryEntropy: 0.85, exitEntropy: 0.92, mode: 'long_only' });
    expect(() => entropyParams({ bins: 1 })).toThrow("invalid 'bins': below 2, was 1");
    expect(() => entropyParams({ exitEntropy: 0.5 })).toThrow("invalid 'exitEntropy': outside ['entryEntropy' = 0.85, 1], was 0.5");
    expect(() => entropyParams({ binRange: 0 })).toThrow("invalid 'binRange': not positive, was 0");
    expect(() => entropyParams({ window: 2 })).toThrow("invalid 'window': below 3, was 2");
  });
});
