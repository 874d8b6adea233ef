import { randomStream, US_PER_DAY } from '../../engine/core/index.js';
import type { Bar } from '../../engine/model/index.js';
import type { Strategy } from '../../engine/strategies/context.js';
import { FakeStrategyContext } from './fake-strategy-context.js';

/**
 * Generated daily bars with a planted effect (or none) for the bar strategies' tests, seeded with
 * engine/core's randomStream, and a close-to-close P&L of a strategy's targets over them.
 */

const START = 1_600_000_000_000_000;

/** Bars from closes: open = previous close, high/low a random fraction (up to `range`) beyond both. */
function barsFrom(closes: readonly number[], seed: number, range = 0.004): Bar[] {
  const rng = randomStream(seed, 'planted-bars', 'range');
  return closes.map((close, i) => {
    const open = i === 0 ? close : closes[i - 1]!;
    const high = Math.max(open, close) * (1 + rng.uniform(0, range));
    const low = Math.min(open, close) * (1 - rng.uniform(0, range));
    return { ts: START + i * US_PER_DAY, open, high, low, close, volume: 1000 };
  });
}

/**
 * A driftless martingale: close[t+1] = close[t] x exp(sigma x e - sigma^2 / 2), e standard normal,
 * so the expected close-to-close P&L of any position decided on information up to t is 0.
 */
export function randomWalkBars(seed: number, n: number, sigma = 0.01): Bar[] {
  const rng = randomStream(seed, 'planted-bars', 'walk');
  const closes = [100];
  for (let i = 1; i < n; i++) closes.push(closes[i - 1]! * Math.exp(sigma * rng.normal() - (sigma * sigma) / 2));
  return barsFrom(closes, seed);
}

/**
 * Trending regimes: the log return has drift `drift x sigma` whose sign flips at regime ends (each
 * regime lasts 60 to 180 bars). `trend[t]` is the sign of the drift of the return from t to t+1.
 */
export function trendingBars(seed: number, n: number, sigma = 0.01, drift = 0.3): { bars: Bar[]; trend: number[] } {
  const rng = randomStream(seed, 'planted-bars', 'trend');
  const closes = [100];
  const trend: number[] = [];
  let sign = rng.bernoulli(0.5) ? 1 : -1;
  let left = rng.int(60, 180);
  for (let i = 1; i <= n; i++) {
    if (left-- === 0) {
      sign = -sign;
      left = rng.int(60, 180);
    }
    trend.push(sign);
    if (i < n) closes.push(closes[i - 1]! * Math.exp(sign * drift * sigma + sigma * rng.normal() - (sigma * sigma) / 2));
  }
  return { bars: barsFrom(closes, seed), trend };
}

/** Mean reversion: log close is an AR(1) around log(100), x[t+1] = x[t] + theta x (log 100 - x[t]) + sigma x e. */
export function meanRevertingBars(seed: number, n: number, theta = 0.1, sigma = 0.01): Bar[] {
  const rng = randomStream(seed, 'planted-bars', 'ou');
  const mu = Math.log(100);
  let x = mu;
  const closes = [100];
  for (let i = 1; i < n; i++) {
    x += theta * (mu - x) + sigma * rng.normal();
    closes.push(Math.exp(x));
  }
  return barsFrom(closes, seed);
}

/** What {@link runPnl} measured. */
export interface PnlRun {
  /** Sum over bars of position after bar t x (close[t+1] - close[t]). */
  readonly pnl: number;
  /** The position held after each bar (the last target set up to it). */
  readonly positions: number[];
  /** Targets set (position changes). */
  readonly changes: number;
}

/**
 * Runs `strategy` over `bars` with a FakeStrategyContext (equity 100000, targets fill at once) and
 * returns the close-to-close P&L of its positions: a target set on bar t's close earns bar t+1's move.
 */
export function runPnl(strategy: Strategy, bars: readonly Bar[]): PnlRun {
  const ctx = new FakeStrategyContext(['X']);
  const positions: number[] = [];
  let pnl = 0;
  for (let i = 0; i < bars.length; i++) {
    ctx.deliver(strategy, 'X', bars[i]!);
    const pos = ctx.position('X');
    positions.push(pos);
    if (i + 1 < bars.length) pnl += pos * (bars[i + 1]!.close - bars[i]!.close);
  }
  return { pnl, positions, changes: ctx.targets.length };
}

/** Mean and standard error of the mean of `xs`. */
export function meanAndError(xs: readonly number[]): { mean: number; error: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const variance = xs.reduce((a, b) => a + (b - mean) * (b - mean), 0) / (xs.length - 1);
  return { mean, error: Math.sqrt(variance / xs.length) };
}
