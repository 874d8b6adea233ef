/** Moments of a per-period return series, as the deflated Sharpe ratio needs them. */
export interface ReturnMoments {
  readonly observations: number;
  readonly mean: number;
  /** Mean / sample standard deviation; null with fewer than 2 returns or no dispersion. */
  readonly sharpe: number | null;
  /** Sample skewness (population moments: m3 / m2^1.5); null with no dispersion. */
  readonly skewness: number | null;
  /** Raw kurtosis m4 / m2^2 (normal = 3); null with no dispersion. */
  readonly kurtosis: number | null;
}

/**
 * Returns the per-period Sharpe ratio, skewness and raw kurtosis of `returns`, summing in index order
 * (two passes: the mean, then the central moments) so the result is the same in every process.
 */
export function returnMoments(returns: ArrayLike<number>): ReturnMoments {
  const n = returns.length;
  if (n === 0) return { observations: 0, mean: 0, sharpe: null, skewness: null, kurtosis: null };
  let sum = 0;
  for (let i = 0; i < n; i++) sum += returns[i]!;
  const mean = sum / n;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = returns[i]! - mean;
    const d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  if (n < 2 || !(m2 > 0)) return { observations: n, mean, sharpe: null, skewness: null, kurtosis: null };
  const variance = m2 / n;
  return {
    observations: n,
    mean,
    sharpe: mean / Math.sqrt(m2 / (n - 1)),
    skewness: m3 / n / variance ** 1.5,
    kurtosis: m4 / n / (variance * variance),
  };
}

/** Returns the simple returns e[i] / e[i - 1] - 1 of an equity curve (length n - 1). */
export function equityReturns(equity: ArrayLike<number>): Float64Array {
  const n = equity.length;
  const out = new Float64Array(Math.max(0, n - 1));
  for (let i = 1; i < n; i++) out[i - 1] = equity[i]! / equity[i - 1]! - 1;
  return out;
}
