import { randomStream } from '../../engine/core/index.js';

/** Per-symbol character of a synthetic instrument; derived from (seed, symbol) alone. */
export interface SymbolProfile {
  readonly symbol: string;
  /** First open price. */
  readonly startPrice: number;
  /** Baseline annualized volatility. */
  readonly volatility: number;
  /** Annual drift tilt added to the regime drift. */
  readonly drift: number;
  /** Loading on the common market factor (default correlation b_i * b_j). */
  readonly marketLoading: number;
  /** Expected price jumps per year in a calm regime. */
  readonly jumpsPerYear: number;
  /** Typical shares traded per session. */
  readonly dailyVolume: number;
  /** Continuous dividend yield used to price its options. */
  readonly dividendYield: number;
}

/**
 * Returns the profile of `symbol`: a start price between 20 and 400, volatility between 18% and 55%
 * (higher for cheaper names, as small caps tend to be), a market loading, a jump rate and a volume.
 * Drawn from the stream (seed, 'synthetic', 'profile/<symbol>') so that adding a symbol changes no
 * other symbol's profile.
 */
export function symbolProfile(seed: number, symbol: string): SymbolProfile {
  const rng = randomStream(seed, 'synthetic', `profile/${symbol}`);
  const logPrice = rng.uniform(Math.log(20), Math.log(400));
  const cheapness = (Math.log(400) - logPrice) / (Math.log(400) - Math.log(20));
  return {
    symbol,
    startPrice: Math.round(Math.exp(logPrice) * 100) / 100,
    volatility: 0.18 + 0.22 * cheapness + rng.uniform(0, 0.15),
    drift: rng.uniform(-0.04, 0.08),
    marketLoading: rng.uniform(0.35, 0.85),
    jumpsPerYear: rng.uniform(2, 8),
    dailyVolume: Math.round(Math.exp(rng.uniform(Math.log(5e5), Math.log(2e7)))),
    dividendYield: rng.bernoulli(0.6) ? Math.round(rng.uniform(0.005, 0.03) * 1e4) / 1e4 : 0,
  };
}
