import { assertNever, checkFinite, checkInRange, checkNonNegative } from '../core/index.js';

/**
 * Voting over strategies' latest signals for one symbol (seed 001).
 *
 * - `majority_vote`: each voter counts 1. The side with the most votes (buy, sell or flat) wins
 *   when its share of all votes is at least `voteRatio`.
 * - `weighted_vote`: each voter counts its weight; the side with the largest weight wins when its
 *   share of the total weight is at least `voteRatio`.
 * - `confidence_average`: score = sum(w x direction x confidence) / sum(w); the decision is the
 *   sign of the score when |score| >= `minConfidence` (0 = flat), and its confidence is |score|.
 *
 * For the two vote modes the decision's confidence is the (weighted, for weighted_vote) mean
 * confidence of the winning side's voters, and a winner whose confidence is below `minConfidence`
 * gives 'hold'. 'hold' means no qualified decision: the current target is kept. 'flat' is a decision
 * to hold no position (the flat voters won). Ties between sides give 'hold'.
 */
export type VotingMethod = 'majority_vote' | 'weighted_vote' | 'confidence_average';

export const VOTING_METHODS = ['majority_vote', 'weighted_vote', 'confidence_average'] as const satisfies readonly VotingMethod[];

/** The outcome of a vote. */
export type VoteDecision = 'buy' | 'sell' | 'flat' | 'hold';

/** One strategy's vote: its latest signal's direction and confidence, and its weight. */
export interface Vote {
  readonly strategyId: string;
  readonly direction: -1 | 0 | 1;
  readonly confidence: number;
  readonly weight: number;
}

export interface VotingThresholds {
  /** Share of votes (or of weight) the winning side needs, in [0, 1]. */
  readonly voteRatio: number;
  /** Confidence the decision needs, in [0, 1]. */
  readonly minConfidence: number;
}

/** The decision-log entry of one vote (the seed's fields). */
export interface VoteResult {
  readonly decision: VoteDecision;
  /** Voters on the winning side ([] for hold). */
  readonly contributing: readonly string[];
  readonly voteCounts: { readonly buy: number; readonly sell: number; readonly flat: number };
  /** Sum of the voters' weights. */
  readonly totalWeight: number;
  readonly confidence: number;
  readonly mode: VotingMethod;
  readonly weights: Readonly<Record<string, number>>;
  /** Share of votes (majority), of weight (weighted) or |score| (confidence average) behind the decision. */
  readonly ratio: number;
}

function sideOf(direction: -1 | 0 | 1): 'buy' | 'sell' | 'flat' {
  return direction > 0 ? 'buy' : direction < 0 ? 'sell' : 'flat';
}

/**
 * Returns the decision of `votes` under `method` and `thresholds`. An empty vote or a zero total
 * weight gives 'hold'. Throws InvalidArgumentError for a negative weight or a confidence outside [0, 1].
 */
export function vote(votes: readonly Vote[], method: VotingMethod, thresholds: VotingThresholds): VoteResult {
  checkInRange(thresholds.voteRatio, 0, 1, 'voteRatio');
  checkInRange(thresholds.minConfidence, 0, 1, 'minConfidence');
  const counts = { buy: 0, sell: 0, flat: 0 };
  const weightOf = { buy: 0, sell: 0, flat: 0 };
  const confSum = { buy: 0, sell: 0, flat: 0 };
  const weightedConf = { buy: 0, sell: 0, flat: 0 };
  const weights: Record<string, number> = {};
  let totalWeight = 0;
  let score = 0;
  for (const v of votes) {
    checkNonNegative(v.weight, `weight of ${v.strategyId}`);
    checkInRange(checkFinite(v.confidence, `confidence of ${v.strategyId}`), 0, 1, `confidence of ${v.strategyId}`);
    const side = sideOf(v.direction);
    counts[side]++;
    weightOf[side] += v.weight;
    confSum[side] += v.confidence;
    weightedConf[side] += v.weight * v.confidence;
    weights[v.strategyId] = v.weight;
    totalWeight += v.weight;
    score += v.weight * v.direction * v.confidence;
  }
  const base = { voteCounts: counts, totalWeight, mode: method, weights };
  const hold = (ratio: number, confidence: number): VoteResult => ({ decision: 'hold', contributing: [], confidence, ratio, ...base });
  if (votes.length === 0) return hold(0, 0);
  const contributors = (side: 'buy' | 'sell' | 'flat'): string[] => votes.filter((v) => sideOf(v.direction) === side).map((v) => v.strategyId);
  switch (method) {
    case 'majority_vote':
    case 'weighted_vote': {
      const tally = method === 'majority_vote' ? counts : weightOf;
      const total = method === 'majority_vote' ? votes.length : totalWeight;
      if (!(total > 0)) return hold(0, 0);
      const order = (['buy', 'sell', 'flat'] as const).slice().sort((a, b) => tally[b] - tally[a]);
      const win = order[0]!;
      if (tally[win] === tally[order[1]!]) return hold(tally[win] / total, 0);
      const ratio = tally[win] / total;
      const confidence = method === 'majority_vote' ? confSum[win] / counts[win] : weightOf[win] > 0 ? weightedConf[win] / weightOf[win] : 0;
      if (ratio < thresholds.voteRatio || confidence < thresholds.minConfidence) return hold(ratio, confidence);
      return { decision: win, contributing: contributors(win), confidence, ratio, ...base };
    }
    case 'confidence_average': {
      if (!(totalWeight > 0)) return hold(0, 0);
      const s = score / totalWeight;
      const confidence = Math.abs(s);
      if (confidence < thresholds.minConfidence) return hold(confidence, confidence);
      const win = s > 0 ? 'buy' : s < 0 ? 'sell' : 'flat';
      return { decision: win, contributing: contributors(win), confidence, ratio: confidence, ...base };
    }
    default:
      return assertNever(method, 'voting method');
  }
}
