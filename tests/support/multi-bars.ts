import { randomStream } from '../../engine/core/index.js';
import type { Bar } from '../../engine/model/index.js';
import type { Strategy } from '../../engine/strategies/context.js';
import { barsFromCloses, FakeStrategyContext } from './fake-strategy-context.js';

/**
 * Multi-symbol bars for the tests of pairs, granger_causality and correlation_matrix: generators
 * with a planted effect (or none), seeded with engine/core's randomStream, and a runner that
 * delivers every symbol's bar of a timestamp (in a chosen order) and measures the close-to-close
 * P&L of the targets.
 */

/** The symbols the multi-symbol built-ins need in suites that run every strategy (others: none). */
export const MULTI_SYMBOL_STRATEGIES: Readonly<Record<string, readonly string[]>> = Object.freeze({
  pairs: ['AAA', 'BBB'],
  granger_causality: ['AAA', 'BBB'],
  correlation_matrix: ['AAA', 'BBB', 'CCC'],
});

/** Closes of a driftless log random walk from 100 (a martingale: no edge), one stream per `name`. */
export function walkCloses(seed: number, name: string, n: number, sigma = 0.01): number[] {
  const rng = randomStream(seed, 'multi-bars', name);
  const out = [100];
  for (let i = 1; i < n; i++) out.push(out[i - 1]! * Math.exp(sigma * rng.normal() - (sigma * sigma) / 2));
  return out;
}

/** `k` independent random walks named S0..S{k-1}. */
export function independentWalks(seed: number, n: number, k: number): Record<string, Bar[]> {
  const out: Record<string, Bar[]> = {};
  for (let s = 0; s < k; s++) out[`S${s}`] = barsFromCloses(walkCloses(seed, `S${s}`, n));
  return out;
}

/**
 * A cointegrated pair: X a random walk, Y = 10 + 1.5 X + u with u an AR(1) (u' = 0.8 u + 0.5 e),
 * so the spread Y - 1.5 X reverts to 10.
 */
export function cointegratedPair(seed: number, n: number): { Y: Bar[]; X: Bar[] } {
  const x = walkCloses(seed, 'X', n);
  const rng = randomStream(seed, 'multi-bars', 'spread');
  let u = 0;
  const y = x.map((xi) => {
    u = 0.8 * u + 0.5 * rng.normal();
    return 10 + 1.5 * xi + u;
  });
  return { Y: barsFromCloses(y), X: barsFromCloses(x) };
}

/** A lead-lag pair: the follower's log return copies the leader's of the bar before, plus noise of sd `noise`. */
export function leadLagPair(seed: number, n: number, noise = 0.003): { L: Bar[]; F: Bar[] } {
  const rng = randomStream(seed, 'multi-bars', 'lead-lag');
  const lr: number[] = [];
  const l = [100];
  const f = [100];
  for (let i = 1; i < n; i++) {
    lr.push(0.01 * rng.normal());
    l.push(l[i - 1]! * Math.exp(lr[i - 1]!));
    f.push(f[i - 1]! * Math.exp((i >= 2 ? lr[i - 2]! : 0) + noise * rng.normal()));
  }
  return { L: barsFromCloses(l), F: barsFromCloses(f) };
}

/**
 * `k` symbols S0.. moving together: log close = common random walk (sd 1%) + own AR(1) deviation
 * (d' = 0.8 d + 0.1% e). Every `every` bars one symbol (in turn) decouples for `burst` bars: its
 * deviation takes extra shocks of sd `shock` (its correlation with the group collapses), then
 * reverts toward the group at the AR(1) rate.
 */
export function decouplingGroup(seed: number, n: number, k = 4, every = 40, burst = 8, shock = 0.02): Record<string, Bar[]> {
  const rng = randomStream(seed, 'multi-bars', 'decoupling');
  const closes: number[][] = Array.from({ length: k }, () => [100]);
  const dev = new Array<number>(k).fill(0);
  let common = 0;
  for (let i = 1; i < n; i++) {
    common += 0.01 * rng.normal();
    const which = Math.floor(i / every) % k;
    const bursting = i % every >= every - burst;
    for (let s = 0; s < k; s++) {
      dev[s] = 0.8 * dev[s]! + 0.001 * rng.normal() + (bursting && s === which ? shock * rng.normal() : 0);
      closes[s]!.push(100 * Math.exp(common + dev[s]!));
    }
  }
  const out: Record<string, Bar[]> = {};
  for (let s = 0; s < k; s++) out[`S${s}`] = barsFromCloses(closes[s]!);
  return out;
}

/** What {@link runMulti} measured. */
export interface MultiRun {
  readonly ctx: FakeStrategyContext;
  /** Sum over symbols and bars of the position after bar t x (close[t+1] - close[t]). */
  readonly pnl: number;
  /** The same per symbol. */
  readonly pnlOf: Record<string, number>;
  /** Each target as [bar index, symbol, units]. */
  readonly targets: [number, string, number][];
}

/**
 * Runs `strategy` over aligned bars of several symbols in a FakeStrategyContext (lookback 1, so it
 * can read nothing but each symbol's latest bar; targets fill at once): at each index every symbol's
 * bar is delivered, in `order` (default the keys' order, or reversed when `reverse`).
 */
export function runMulti(strategy: Strategy, bars: Record<string, readonly Bar[]>, order: readonly string[] = Object.keys(bars)): MultiRun {
  const symbols = Object.keys(bars);
  const ctx = new FakeStrategyContext(symbols, { lookback: 1 });
  const n = bars[symbols[0]!]!.length;
  const pnlOf: Record<string, number> = Object.fromEntries(symbols.map((s) => [s, 0]));
  const targets: [number, string, number][] = [];
  for (let i = 0; i < n; i++) {
    if (i > 0) for (const s of symbols) pnlOf[s]! += ctx.position(s) * (bars[s]![i]!.close - bars[s]![i - 1]!.close);
    const before = ctx.targets.length;
    for (const s of order) ctx.deliver(strategy, s, bars[s]![i]!);
    for (const t of ctx.targets.slice(before)) targets.push([i, t.symbol, t.units]);
  }
  return { ctx, pnl: Object.values(pnlOf).reduce((a, b) => a + b, 0), pnlOf, targets };
}
