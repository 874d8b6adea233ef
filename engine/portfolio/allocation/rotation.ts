import { InvalidArgumentError, checkFinite } from '../../core/index.js';

/**
 * Returns the indices of the `topN` largest scores (momentum or signal strength), best first; ties
 * go to the lower index so the choice is deterministic. Scores that are NaN are never chosen.
 */
export function selectTopN(scores: readonly number[], topN: number): number[] {
  if (!Number.isInteger(topN) || topN <= 0) throw new InvalidArgumentError(`invalid 'topN': not a positive integer, was ${topN}`);
  const idx: number[] = [];
  for (let i = 0; i < scores.length; i++) if (scores[i] === scores[i]) idx.push(i);
  idx.sort((a, b) => scores[b]! - scores[a]! || a - b);
  return idx.slice(0, topN);
}

/** Returns the simple return over `lookback` periods of a price series (oldest first): p[last] / p[last - lookback] - 1, NaN when too short. */
export function momentumScore(prices: readonly number[], lookback: number): number {
  if (!Number.isInteger(lookback) || lookback <= 0) throw new InvalidArgumentError(`invalid 'lookback': not a positive integer, was ${lookback}`);
  const n = prices.length;
  if (n <= lookback) return Number.NaN;
  const last = checkFinite(prices[n - 1]!, 'price');
  const first = checkFinite(prices[n - 1 - lookback]!, 'price');
  return first > 0 ? last / first - 1 : Number.NaN;
}
