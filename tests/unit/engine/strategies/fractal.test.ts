import { describe, expect, it } from 'vitest';
import { randomStream, US_PER_DAY } from '../../../../engine/core/index.js';
import type { Bar } from '../../../../engine/model/index.js';
import { hurstExponent } from '../../../../engine/models/index.js';
import { FRACTAL_DEFAULTS, fractalParams, FractalStrategy, strategyWarmup } from '../../../../engine/strategies/index.js';
import { barsFromCloses, FakeStrategyContext } from '../../../support/fake-strategy-context.js';
import { meanAndError, randomWalkBars, runPnl } from '../../../support/planted-bars.js';

/** Closes whose log returns are exactly `returns` (up to rounding), starting at 100. */
function closesFrom(returns: readonly number[]): number[] {
  const closes = [100];
  for (const r of returns) closes.push(closes[closes.length - 1]! * Math.exp(r));
  return closes;
}

function run(params: Parameters<typeof fractalParams>[0], closes: readonly number[]): FakeStrategyContext {
  return new FakeStrategyContext(['X']).run(new FractalStrategy('f', ['X'], params), 'X', barsFromCloses(closes));
}

const barOf = (ctx: FakeStrategyContext, ts: number): number => (ts - ctx.calls[0]!.ts) / US_PER_DAY;

/** Bars whose log returns are an AR(1) with coefficient phi: persistent for phi > 0, anti-persistent for phi < 0. */
function arBars(seed: number, n: number, phi: number, sigma = 0.01): Bar[] {
  const rng = randomStream(seed, 'fractal-test', 'ar');
  const closes = [100];
  let r = 0;
  for (let i = 1; i < n; i++) {
    r = phi * r + sigma * rng.normal();
    closes.push(closes[i - 1]! * Math.exp(r));
  }
  return barsFromCloses(closes);
}

describe('fractal', () => {
  // Window 8, blocks 2 and 4. Any block of 2 distinct values has R/S = 1/sqrt 2. A block of 4 values
  // in arithmetic progression has deviations (-1.5, -0.5, 0.5, 1.5) d, cumsums (-1.5, -2, -1.5, 0) d:
  // range 2d over sd sqrt(5/3) d, so H = log2((2 / sqrt(5/3)) / (1/sqrt 2)) = 1.1318 (persistent).
  // Alternating returns (a, b, a, b): range |a - b| / 2 over sd |a - b| / sqrt 3 = sqrt(3)/2, so
  // H = log2((sqrt(3)/2) / (1/sqrt 2)) = 0.2925 (anti-persistent).
  const P = { window: 8, minWindow: 2, margin: 0.05, lookback: 2, correction: 'none' as const };
  const hPersistent = Math.log2(2 / Math.sqrt(5 / 3) / Math.SQRT1_2);
  const hAnti = Math.log2(Math.sqrt(3) / 2 / Math.SQRT1_2);

  it('follows an accelerating rise from the first bar with a full window (bar 8), strength 1', () => {
    const rising = [0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08];
    expect(hurstExponent(rising, { minWindow: 2 })).toBeCloseTo(hPersistent, 12);
    const ctx = run(P, closesFrom(rising));
    expect(ctx.targets.map((t) => [barOf(ctx, t.ts) + 8, t.units])).toEqual([[8, 100]]);
    expect(ctx.signals[0]).toMatchObject({ direction: 1, strength: 1, confidence: 1 });
    expect(ctx.signals[0]!.reason).toBe('Hurst(8) above 0.55: following the 2-bar rise');
  });

  it('does nothing on the first 8 bars (warm-up window + 1 = 9 bars)', () => {
    expect(run(P, closesFrom([0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07])).calls).toEqual([]);
    expect(strategyWarmup('fractal', P)).toEqual({ bars: 9, because: 'window=8, lookback=2' });
  });

  it('fades a zigzag rise: short in long_short, nothing in long_only, then exits when H enters the band', () => {
    const zigzag = [0.02, -0.01, 0.02, -0.01, 0.02, -0.01, 0.02, -0.01];
    expect(hurstExponent(zigzag, { minWindow: 2 })).toBeCloseTo(hAnti, 12);
    // Bar 8: 2-bar move = exp(0.02 - 0.01) - 1 > 0, H 0.29 < 0.45: fade the rise, short.
    const ls = run({ ...P, mode: 'long_short' }, closesFrom(zigzag));
    expect(ls.targets.map((t) => t.units)).toEqual([-100]);
    expect(ls.signals[0]!.strength).toBeCloseTo((0.5 - hAnti - 0.05) / 0.45, 12);
    expect(run(P, closesFrom(zigzag)).calls).toEqual([]);
  });

  it('follows the rule bar by bar on a longer path (oracle: hurstExponent on each trailing window)', () => {
    const returns = [0.02, -0.01, 0.02, -0.01, 0.02, -0.01, 0.02, -0.01, 0.013, 0.004, -0.006, 0.011, 0.002, -0.009, 0.015, 0.001, 0.01, 0.02, 0.03, 0.045, 0.05, -0.01, -0.03, -0.02];
    const closes = closesFrom(returns);
    const expected: [number, number][] = [];
    let direction = 0;
    for (let bar = 8; bar < closes.length; bar++) {
      const h = hurstExponent(returns.slice(bar - 8, bar), { minWindow: 2 });
      const move = closes[bar]! - closes[bar - 2]!;
      const d = h > 0.55 && move !== 0 ? Math.sign(move) : h < 0.45 && move !== 0 ? -Math.sign(move) : 0;
      if (d !== direction) expected.push([bar, d * 100]);
      direction = d;
    }
    expect(expected.length).toBeGreaterThanOrEqual(3); // entries, a reversal or an exit: the path exercises the rule
    expect(expected.some(([, u]) => u === 0)).toBe(true);
    const ctx = run({ ...P, mode: 'long_short' }, closes);
    const first = ctx.calls[0]!.ts;
    expect(ctx.targets.map((t) => [8 + (t.ts - first) / US_PER_DAY, t.units])).toEqual(expected);
  });

  it('profits on persistent (AR +0.4) and anti-persistent (AR -0.4) returns, trading the right way', () => {
    const params = { window: 64, minWindow: 4, margin: 0.05, lookback: 1, mode: 'long_short' as const };
    for (const phi of [0.4, -0.4]) {
      const pnls: number[] = [];
      for (let seed = 1; seed <= 6; seed++) pnls.push(runPnl(new FractalStrategy('f', ['X'], params), arBars(seed, 1500, phi)).pnl);
      const { mean, error } = meanAndError(pnls);
      expect(mean, `phi ${phi}: ${pnls.map((p) => p.toFixed(0)).join(', ')}`).toBeGreaterThan(3 * error);
    }
  });

  it('does not profit systematically on a random walk (mean P&L over 12 seeds within 3 standard errors of 0)', () => {
    const params = { window: 64, minWindow: 4, margin: 0.05, lookback: 1, mode: 'long_short' as const };
    const pnls: number[] = [];
    for (let seed = 1; seed <= 12; seed++) pnls.push(runPnl(new FractalStrategy('f', ['X'], params), randomWalkBars(seed, 1500)).pnl);
    const { mean, error } = meanAndError(pnls);
    expect(Math.abs(mean)).toBeLessThan(3 * error);
  });

  it('has documented defaults and refuses bad parameters naming them', () => {
    expect(FRACTAL_DEFAULTS).toMatchObject({ window: 128, minWindow: 8, margin: 0.05, lookback: 20, mode: 'long_only' });
    expect(() => fractalParams({ window: 17 })).toThrow("invalid 'window': has fewer than 2 divisors");
    expect(() => fractalParams({ margin: 0.5 })).toThrow("invalid 'margin': outside [0, 0.5), was 0.5");
    expect(() => fractalParams({ lookback: 0 })).toThrow("invalid 'lookback'");
    expect(() => fractalParams({ minWindow: 1 })).toThrow("invalid 'minWindow': below 2, was 1");
  });
});
