import { InvalidArgumentError, checkPositiveInteger } from '../../engine/core/index.js';

/** Bars in the rolling-Sharpe window: about one quarter of daily bars. */
export const ROLLING_SHARPE_WINDOW = 63;

/**
 * Returns the rolling annualized Sharpe ratio of an equity curve, one value per bar: at bar i >= window,
 * over the `window` simple returns r_j = E_j / E_{j-1} - 1 for j = i - window + 1 .. i,
 *
 *   sharpe_i = mean(r_j - rf_p) / std(r_j) * sqrt(P),   rf_p = (1 + rf)^(1/P) - 1,
 *
 * with the sample standard deviation (ddof = 1): the formula of the whole-run `sharpe` in
 * reports/METRICS.md, applied to a trailing window. The value is null for the first `window` bars (too
 * few returns), when the window's standard deviation is 0 (a flat stretch) and when an equity value in
 * the window is not positive (returns undefined). Each window is summed afresh, in order, so the result
 * does not depend on accumulated rounding: O(n * window).
 */
export function rollingSharpe(equity: ArrayLike<number>, periodsPerYear: number, window: number = ROLLING_SHARPE_WINDOW, riskFreeRate = 0): (number | null)[] {
  checkPositiveInteger(window, 'window');
  if (window < 2) throw new InvalidArgumentError(`invalid 'window': below 2, was ${window}`);
  if (!(periodsPerYear > 0) || !Number.isFinite(periodsPerYear)) throw new InvalidArgumentError(`invalid 'periodsPerYear': not a positive finite number, was ${periodsPerYear}`);
  const n = equity.length;
  const returns = new Float64Array(Math.max(n - 1, 0));
  const valid = new Uint8Array(Math.max(n - 1, 0));
  for (let i = 1; i < n; i++) {
    const prev = equity[i - 1]!;
    valid[i - 1] = prev > 0 && equity[i]! > 0 ? 1 : 0;
    returns[i - 1] = valid[i - 1] ? equity[i]! / prev - 1 : 0;
  }
  const rfp = Math.pow(1 + riskFreeRate, 1 / periodsPerYear) - 1;
  const scale = Math.sqrt(periodsPerYear);
  const out: (number | null)[] = new Array<number | null>(n).fill(null);
  for (let i = window; i < n; i++) {
    // Returns r_{i-window+1} .. r_i live at indices i-window .. i-1 of `returns`.
    let ok = true;
    let sum = 0;
    for (let j = i - window; j < i; j++) {
      if (!valid[j]) {
        ok = false;
        break;
      }
      sum += returns[j]!;
    }
    if (!ok) continue;
    const mean = sum / window;
    let ss = 0;
    for (let j = i - window; j < i; j++) {
      const d = returns[j]! - mean;
      ss += d * d;
    }
    const std = Math.sqrt(ss / (window - 1));
    if (std === 0) continue;
    out[i] = ((mean - rfp) / std) * scale;
  }
  return out;
}
