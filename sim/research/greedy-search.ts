import { checkNonNegative, checkPositiveInteger, InvalidArgumentError } from '../../engine/core/index.js';

/**
 * Greedy portfolio search (seed 004's "portfolio greedy search": which symbols to trade and how
 * many positions to hold at once). Forward selection: start from the empty set and, at each step,
 * add the candidate whose addition gives the best metric; stop when no addition improves the metric
 * by more than `minImprovement`. Then, with that subset, try every max-positions value and keep
 * the best. Every evaluation is recorded as a step, so the report shows how the answer was reached
 * (and how many configurations were tried, which matters when judging how overfit it is).
 */

/** Options of {@link greedyPortfolioSearch}. */
export interface GreedySearchOptions<C> {
  /** What may be selected (symbols or strategy names); order breaks ties (earlier wins). */
  readonly candidates: readonly C[];
  /** Max-positions values tried in the second phase, e.g. [1, 2, 3, 4, 5]. */
  readonly maxPositions: readonly number[];
  /**
   * Returns the portfolio metric (larger is better) of trading `subset` with at most `maxPositions`
   * concurrent positions. null, NaN or a rejected promise counts as -Infinity (recorded with its error).
   */
  readonly evaluate: (subset: readonly C[], maxPositions: number) => Promise<number | null>;
  /** Max positions used during forward selection (default the largest of `maxPositions`, so the cap binds least). */
  readonly selectionMaxPositions?: number;
  /** Smallest improvement that justifies adding a candidate (default 0: any strict improvement). */
  readonly minImprovement?: number;
  /** Largest subset considered (default all candidates). */
  readonly maxSubsetSize?: number;
  /** Called after each evaluation (for progress output). */
  readonly onStep?: (step: GreedyStep<C>) => void;
}

/** One evaluation of the search. */
export interface GreedyStep<C> {
  /** 'add': a forward-selection trial; 'max-positions': a second-phase trial. */
  readonly phase: 'add' | 'max-positions';
  /** Forward-selection round (1-based) or 0 in the second phase. */
  readonly round: number;
  /** The candidate being tried (null in the second phase). */
  readonly candidate: C | null;
  readonly subset: readonly C[];
  readonly maxPositions: number;
  /** The metric; -Infinity when the evaluation gave null/NaN or failed. */
  readonly metric: number;
  readonly error: string | null;
  /** True for the trial chosen in its round (the added candidate, or the chosen max-positions value). */
  readonly chosen: boolean;
}

/** The result of {@link greedyPortfolioSearch}. */
export interface GreedySearchResult<C> {
  readonly subset: readonly C[];
  readonly maxPositions: number;
  /** Metric of (subset, maxPositions); -Infinity when nothing evaluated to a number. */
  readonly metric: number;
  /** Every evaluation, in the order made. */
  readonly steps: readonly GreedyStep<C>[];
  readonly evaluations: number;
}

/** Returns the greedy choice of subset and max positions; evaluations run one at a time, in a fixed order. */
export async function greedyPortfolioSearch<C>(options: GreedySearchOptions<C>): Promise<GreedySearchResult<C>> {
  const { candidates, evaluate } = options;
  if (!Array.isArray(candidates) || candidates.length === 0) throw new InvalidArgumentError(`invalid 'candidates': expected a non-empty array, was ${JSON.stringify(candidates)}`);
  if (new Set(candidates).size !== candidates.length) throw new InvalidArgumentError(`invalid 'candidates': contains duplicates, was ${JSON.stringify(candidates)}`);
  if (!Array.isArray(options.maxPositions) || options.maxPositions.length === 0) {
    throw new InvalidArgumentError(`invalid 'maxPositions': expected a non-empty array of positive integers, was ${JSON.stringify(options.maxPositions)}`);
  }
  options.maxPositions.forEach((m, i) => checkPositiveInteger(m, `maxPositions[${i}]`));
  if (typeof evaluate !== 'function') throw new InvalidArgumentError(`invalid 'evaluate': not a function`);
  const selectionMax = checkPositiveInteger(options.selectionMaxPositions ?? Math.max(...options.maxPositions), 'selectionMaxPositions');
  const minImprovement = checkNonNegative(options.minImprovement ?? 0, 'minImprovement');
  const maxSize = checkPositiveInteger(options.maxSubsetSize ?? candidates.length, 'maxSubsetSize');
  const steps: GreedyStep<C>[] = [];

  const score = async (subset: readonly C[], maxPositions: number): Promise<{ metric: number; error: string | null }> => {
    try {
      const m = await evaluate(subset.slice(), maxPositions);
      return { metric: typeof m === 'number' && !Number.isNaN(m) ? m : Number.NEGATIVE_INFINITY, error: null };
    } catch (error) {
      return { metric: Number.NEGATIVE_INFINITY, error: error instanceof Error ? error.message : String(error) };
    }
  };

  let subset: C[] = [];
  let current = Number.NEGATIVE_INFINITY;
  for (let round = 1; subset.length < Math.min(maxSize, candidates.length); round++) {
    const roundSteps: GreedyStep<C>[] = [];
    let bestIndex = -1;
    for (const candidate of candidates) {
      if (subset.includes(candidate)) continue;
      const trial = [...subset, candidate];
      const { metric, error } = await score(trial, selectionMax);
      const step = { phase: 'add' as const, round, candidate, subset: trial, maxPositions: selectionMax, metric, error, chosen: false };
      roundSteps.push(step);
      options.onStep?.(step);
      if (bestIndex < 0 || metric > roundSteps[bestIndex]!.metric) bestIndex = roundSteps.length - 1;
    }
    const best = roundSteps[bestIndex]!;
    const improves = current === Number.NEGATIVE_INFINITY ? best.metric > current : best.metric - current > minImprovement;
    if (improves) roundSteps[bestIndex] = { ...best, chosen: true };
    steps.push(...roundSteps);
    if (!improves) break;
    subset = [...best.subset];
    current = best.metric;
  }

  let maxPositions = selectionMax;
  if (subset.length > 0) {
    const phaseSteps: GreedyStep<C>[] = [];
    let bestIndex = -1;
    for (const m of options.maxPositions) {
      // The selection value was already measured; reuse it rather than spend an evaluation.
      const { metric, error } = m === selectionMax ? { metric: current, error: null } : await score(subset, m);
      const step = { phase: 'max-positions' as const, round: 0, candidate: null, subset: subset.slice(), maxPositions: m, metric, error, chosen: false };
      phaseSteps.push(step);
      if (m !== selectionMax) options.onStep?.(step);
      if (bestIndex < 0 || metric > phaseSteps[bestIndex]!.metric) bestIndex = phaseSteps.length - 1;
    }
    const best = phaseSteps[bestIndex]!;
    if (best.metric > current || !options.maxPositions.includes(selectionMax)) {
      maxPositions = best.maxPositions;
      current = best.metric;
    }
    const chosenIndex = phaseSteps.findIndex((s) => s.maxPositions === maxPositions);
    if (chosenIndex >= 0) phaseSteps[chosenIndex] = { ...phaseSteps[chosenIndex]!, chosen: true };
    steps.push(...phaseSteps);
  }
  const evaluations = steps.filter((s) => !(s.phase === 'max-positions' && s.maxPositions === selectionMax)).length;
  return { subset, maxPositions, metric: current, steps, evaluations };
}
