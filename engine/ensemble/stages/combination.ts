import type { FilteredSignal, StrategyIntents } from '../../kernel/decision-pipeline.js';
import { vote } from '../voting.js';
import type { VoteResult, VotingMethod, VotingThresholds } from '../voting.js';

/**
 * Stage 3 in allocation mode: the account's raw target in symbol i, the weighted sum of the
 * strategies' book targets scaled from each book's equity to the account's:
 * sum_k w_k x target_k,i x accountEquity / bookEquity_k (books at zero weight or without equity add nothing).
 */
export function combineTargets(intents: StrategyIntents, weights: Float64Array, i: number, accountEquity: number): number {
  let units = 0;
  for (let k = 0; k < intents.strategyCount; k++) {
    const w = weights[k]!;
    if (w === 0) continue;
    const be = intents.bookEquity(k);
    if (!(be > 0)) continue;
    units += w * intents.targetOf(k, i) * (accountEquity / be);
  }
  return units;
}

/**
 * Stage 3 under the strategies x assets allocation: as {@link combineTargets} with a weight per
 * (strategy, symbol): sum_k exposure_k,i x target_k,i x accountEquity / bookEquity_k, where
 * `exposure` (index k x symbols + i) is the sleeve weight times the strategy's sleeve count.
 */
export function combineSleeveTargets(intents: StrategyIntents, exposure: Float64Array, symbolCount: number, i: number, accountEquity: number): number {
  let units = 0;
  for (let k = 0; k < intents.strategyCount; k++) {
    const x = exposure[k * symbolCount + i]!;
    if (x === 0) continue;
    const be = intents.bookEquity(k);
    if (!(be > 0)) continue;
    units += x * intents.targetOf(k, i) * (accountEquity / be);
  }
  return units;
}

/** What a vote decided, with the size multiple of the signals that carried it. */
export interface CombinedVote {
  readonly result: VoteResult;
  /** Mean size multiple of the filtered signals, capped at 2; 1 without any. */
  readonly sizeMultiplier: number;
}

/** Stage 3 in voting mode: the filtered signals of a symbol, each weighted by its strategy's weight, voted. */
export function combineVotes(
  filtered: readonly FilteredSignal[],
  ids: readonly string[],
  weights: Float64Array,
  method: VotingMethod,
  thresholds: VotingThresholds,
): CombinedVote {
  const votes = filtered.map((f) => ({ strategyId: ids[f.strategyIndex]!, direction: f.direction, confidence: f.confidence, weight: weights[f.strategyIndex]! }));
  const result = vote(votes, method, thresholds);
  let sum = 0;
  for (const f of filtered) sum += f.sizeMultiplier;
  return { result, sizeMultiplier: filtered.length > 0 ? Math.min(2, sum / filtered.length) : 1 };
}
