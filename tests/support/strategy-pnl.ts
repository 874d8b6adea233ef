import { randomStream, US_PER_DAY } from '../../engine/core/index.js';
import type { Bar } from '../../engine/model/index.js';
import type { Strategy } from '../../engine/strategies/context.js';
import { FakeStrategyContext } from './fake-strategy-context.js';

/**
 * Runs `strategy` on `bars` (one symbol, X) in a FakeStrategyContext whose targets fill at once at
 * the deciding bar's close, and returns the context, the bar index of each target and the P&L of
 * holding those targets from close to close: sum over bars of position x (next close - close).
 */
export function runOnBars(strategy: Strategy, bars: readonly Bar[]): { ctx: FakeStrategyContext; targetBars: [number, number][]; pnl: number; longPnl: number; shortPnl: number } {
  const ctx = new FakeStrategyContext(['X'], { lookback: 1 });
  const targetBars: [number, number][] = [];
  let pnl = 0;
  let longPnl = 0;
  let shortPnl = 0;
  let position = 0;
  for (let i = 0; i < bars.length; i++) {
    if (i > 0) {
      const d = position * (bars[i]!.close - bars[i - 1]!.close);
      pnl += d;
      if (position > 0) longPnl += d;
      else if (position < 0) shortPnl += d;
    }
    const before = ctx.targets.length;
    ctx.deliver(strategy, 'X', bars[i]!);
    for (const t of ctx.targets.slice(before)) {
      targetBars.push([i, t.units]);
      position = t.units;
    }
  }
  return { ctx, targetBars, pnl, longPnl, shortPnl };
}

/**
 * Returns daily bars from a list of log returns (close starts at 100; open = previous close; high
 * and low 0.5% beyond them; volume from `volume(i)`, default 1000).
 */
export function barsFromLogReturns(returns: readonly number[], volume: (i: number) => number = () => 1000, start = 100): Bar[] {
  const out: Bar[] = [];
  let close = start;
  for (let i = 0; i < returns.length; i++) {
    const open = close;
    close = open * Math.exp(returns[i]!);
    out.push({ ts: 1_704_067_200_000_000 + i * US_PER_DAY, open, high: Math.max(open, close) * 1.005, low: Math.min(open, close) * 0.995, close, volume: volume(i) });
  }
  return out;
}

/** Returns `n` independent normal log returns with deviation `sd` (a random walk: no edge), seeded. */
export function randomWalkReturns(seed: number, n: number, sd = 0.01): number[] {
  const rng = randomStream(seed, 'no-edge', 'returns');
  return Array.from({ length: n }, () => sd * rng.normal());
}

/** Returns the t statistic of the mean of `xs` (mean / (sample deviation / sqrt(n))). */
export function tStat(xs: readonly number[]): number {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  return mean / (sd / Math.sqrt(n));
}
