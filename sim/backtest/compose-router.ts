import { InvalidArgumentError } from '../../engine/core/index.js';
import type { AlgorithmConfig } from '../../engine/execution/index.js';
import type { EnsembleSummary } from '../../engine/ensemble/index.js';
import { composeDecisionPipeline } from '../../engine/kernel/decision-pipeline.js';
import type { DecisionPipeline, PipelineServices } from '../../engine/kernel/decision-pipeline.js';
import type { RouterDeps, StrategyRouter } from '../../engine/kernel/index.js';
import type { PredictiveFiltersConfig } from '../../engine/kernel/predictive-filter-gate.js';

/** A router that replaces direct strategy trading, and the account ids it trades under. */
export interface BacktestRouting {
  readonly accountIds: readonly string[];
  create(deps: RouterDeps): StrategyRouter & { summary(): EnsembleSummary };
  /**
   * The account's execution algorithm: each change of the account's target becomes a parent order
   * worked by child orders (engine/kernel/decision-pipeline.ts); absent: one order at once.
   */
  readonly algorithm?: AlgorithmConfig;
}

/** How the strategies' requests reach the account, as the run composes it (see composeDecisionPipeline). */
export type ComposedRouter = DecisionPipeline<EnsembleSummary>;

/**
 * Composes the decision pipeline between the strategies and the execution engine
 * (engine/kernel/decision-pipeline.ts): strategies -> [ensemble] -> [execution algorithm] -> venue.
 * An ensemble routing (`routing`, with the account's algorithm as `routing.algorithm`), per-strategy
 * execution algorithms (`algorithms`), or neither (direct trading), with the predictive filters
 * (`filters`) in front. The one place a replay builds its router.
 */
export function composeRouter(
  routing: BacktestRouting | undefined,
  algorithms: readonly (AlgorithmConfig | null)[] | undefined,
  deps: PipelineServices,
  filters?: PredictiveFiltersConfig,
): ComposedRouter {
  if (algorithms !== undefined && routing !== undefined) {
    throw new InvalidArgumentError("per-strategy execution algorithms do not apply under a routing (its strategies trade shadow books, not the account): give the account's algorithm as routing.algorithm");
  }
  const accountAlgorithm = routing?.algorithm;
  return composeDecisionPipeline(
    {
      ...(routing !== undefined ? { combine: routing.create } : {}),
      ...(algorithms !== undefined ? { algorithms } : accountAlgorithm !== undefined ? { algorithms: [accountAlgorithm] } : {}),
      ...(filters !== undefined ? { filters } : {}),
    },
    deps,
  );
}
