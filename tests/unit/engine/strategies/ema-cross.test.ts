import { describe, expect, it } from 'vitest';
import { randomStream } from '../../../../engine/core/index.js';
import { EmaCrossStrategy, emaCrossParams } from '../../../../engine/strategies/index.js';
import { barsFromCloses, FakeStrategyContext } from '../../../support/fake-strategy-context.js';

/** EMA seeded with the SMA of the first n values, then x*k + ema*(1-k), k = 2/(n+1); written out independently. */
function emaSeries(xs: readonly number[], n: number): number[] {
  const k = 2 / (n + 1);
  const out: number[] = [];
  let ema = Number.NaN;
  xs.forEach((x, i) => {
    if (i === n - 1) ema = xs.slice(0, n).reduce((a, b) => a + b / n, 0);
    else if (i >= n) ema = x * k + ema * (1 - k);
    out.push(ema);
  });
  return out;
}

describe('ema_cross', () => {
  it('reverses exactly on the bars where the EMAs cross by the strict crossover rule', () => {
    const rng = randomStream(7, 'ema', 'closes');
    const closes: number[] = [];
    let p = 100;
    for (let i = 0; i < 400; i++) closes.push((p *= Math.exp(0.02 * rng.normal())));
    const fast = emaSeries(closes, 5);
    const slow = emaSeries(closes, 12);
    const expected: [number, number][] = [];
    for (let i = 1; i < closes.length; i++) {
      if (fast[i - 1]! < slow[i - 1]! && fast[i]! > slow[i]!) expected.push([i, 100]);
      else if (fast[i - 1]! > slow[i - 1]! && fast[i]! < slow[i]!) expected.push([i, -100]);
    }
    const bars = barsFromCloses(closes);
    const ctx = new FakeStrategyContext(['X']).run(new EmaCrossStrategy('e', ['X'], { fast: 5, slow: 12 }), 'X', bars);
    const byTs = new Map(bars.map((b, i) => [b.ts + 86_400_000_000, i]));
    expect(expected.length).toBeGreaterThan(5);
    expect(ctx.targets.map((t) => [byTs.get(t.ts), t.units])).toEqual(expected);
  });

  it('names EMAs in its signal reasons and validates like sma_cross', () => {
    const ctx = new FakeStrategyContext(['X']).run(
      new EmaCrossStrategy('e', ['X'], { fast: 2, slow: 3 }),
      'X',
      barsFromCloses([5, 4, 3, 2, 3, 5, 8]),
    );
    expect(ctx.signals[0]?.reason).toBe('EMA(2) crossed above EMA(3)');
    expect(() => emaCrossParams({ slow: 1 })).toThrow("invalid 'fast': not smaller than 'slow' (1), was 10");
  });
});
