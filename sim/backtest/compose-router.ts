import { InvalidArgumentError } from '../../engine/core/index.js';
import { AlgorithmRouter } from '../../engine/execution/index.js';
import type { AlgorithmConfig } from '../../engine/execution/index.js';
import type { EnsembleSummary } from '../../engine/ensemble/index.js';
import { DirectRouter } from '../../engine/kernel/index.js';
import type { RouterDeps, StrategyRouter } from '../../engine/kernel/index.js';

/** A router that replaces direct strategy trading, and the account ids it trades under. */
export interface BacktestRouting {
  readonly accountIds: readonly string[];
  create(deps: RouterDeps): StrategyRouter & { summary(): EnsembleSummary };
}

/** How the strategies' requests reach the account, as the run composes it. */
export interface ComposedRouter {
  /** The router the engine runs the strategies through; undefined: each strategy trades its own ledger. */
  readonly router: StrategyRouter | undefined;
  /** The ensemble (routing) router, when the run has one: its summary is the result's `ensemble`. */
  readonly combined: (StrategyRouter & { summary(): EnsembleSummary }) | null;
  /** The execution algorithms' router, when the run has one: its summary is the result's `execution`. */
  readonly algorithms: AlgorithmRouter | null;
}

/**
 * Composes the decision path between the strategies and the execution engine: an ensemble routing
 * (`routing`), per-strategy execution algorithms (`algorithms`), or neither (direct trading). The
 * one place a replay builds its router.
 */
export function composeRouter(routing: BacktestRouting | undefined, algorithms: readonly (AlgorithmConfig | null)[] | undefined, deps: RouterDeps): ComposedRouter {
  const router = routing ? routing.create(deps) : undefined;
  if (algorithms !== undefined && router !== undefined) throw new InvalidArgumentError('execution algorithms are not supported together with an ensemble routing');
  const algoRouter = algorithms !== undefined ? new AlgorithmRouter(new DirectRouter(deps.execution, deps.portfolio, deps.recorder), deps.execution, deps.portfolio, algorithms) : null;
  return { router: router ?? algoRouter ?? undefined, combined: router ?? null, algorithms: algoRouter };
}
