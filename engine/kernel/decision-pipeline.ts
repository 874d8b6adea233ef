import type { ExecutionEngine } from '../execution/execution-engine.js';
import { InvalidArgumentError } from '../core/index.js';
import { AlgorithmRouter } from '../execution/algorithms/algorithm-router.js';
import type { AlgorithmConfig } from '../execution/algorithms/algorithm-config.js';
import type { Signal } from '../model/events.js';
import type { Portfolio } from '../portfolio/portfolio.js';
import type { Recorder } from '../ports/recorder.js';
import type { TargetOptions } from '../strategies/context.js';
import { PredictiveFilterGate, PredictiveFilterStage } from './predictive-filter-gate.js';
import type { PredictiveFiltersConfig } from './predictive-filter-gate.js';
import { DirectRouter, RouterDecorator } from './strategy-router.js';
import type { RouterDeps, RouterHost, StrategyRouter, TargetSink } from './strategy-router.js';

/*
 * The decision pipeline: what happens between a strategy's request and an order at the venue, as a
 * chain of stages. Each takes the previous stage's output and gives its own:
 *
 *   1. signals             the strategies' requests -> per strategy, its targets on its own (shadow)
 *                          book and its latest signal per symbol                        StrategyIntents
 *   2. predictive filters  a symbol's latest signals -> those that count, confidence and
 *                          size multiple adjusted (signal quality)                      SignalFilter
 *   3. combination         intents x strategy weights -> the account's combined target
 *                          (weighted book targets, or a vote)                           Combination
 *   4. portfolio           combined target -> the account's target: sized by the allocation,
 *      construction        rotation and rebalancing over the symbols, hedged, rounded   PortfolioConstruction
 *   5. risk                account guard (the daily stop flattens the account)          AccountGuard
 *   6. execution           account target -> orders: one at once (DirectTargets), or a
 *      algorithm           parent order worked by child orders over time (AlgorithmTargets) TargetSink
 *   7. venue               orders -> fills, every order checked by the pre-trade risk of the
 *                          ExecutionEngine first (PreTradeRisk, ExecutionClient)
 *
 * Stages 1-5 of an ensemble live in engine/ensemble/stages/*, composed by the EnsembleRouter. Without
 * an ensemble, stages 2-5 are empty: each strategy's targets and orders go to stage 6 for its own
 * ledger (the DirectRouter, or the AlgorithmRouter with per-strategy algorithms). With an ensemble,
 * the changes of the account's target go to stage 6, through the account's execution algorithm when
 * it has one. {@link composeDecisionPipeline} builds the chain from a run's configuration.
 */

/** Stage 1 gives: per strategy, what it asked for. */
export interface StrategyIntents {
  readonly strategyCount: number;
  /** The units strategy `k` targets in symbol `i` on its own (shadow) book. */
  targetOf(k: number, i: number): number;
  /** Equity of strategy `k`'s own book. */
  bookEquity(k: number): number;
  /** The latest signal of each strategy in symbol `i` (null: none yet), by strategy index. */
  latestSignals(i: number): readonly (Signal | null)[];
}

/** A signal that passed the predictive filters. */
export interface FilteredSignal {
  readonly strategyIndex: number;
  readonly direction: -1 | 0 | 1;
  /** Confidence after the filter (scoring only lowers it). */
  readonly confidence: number;
  /** Size multiple the filter gives the position (1 without a filter). */
  readonly sizeMultiplier: number;
}

/** Stage 2, predictive filters: takes a symbol's latest signals, gives those that count. */
export interface SignalFilter {
  filter(i: number, signals: readonly (Signal | null)[], regime: string, trend: -1 | 0 | 1): readonly FilteredSignal[];
}

/** Stage 3, combination: takes the strategies' intents and weights, gives the account's raw target. */
export interface Combination {
  /** The strategies' weights in force (sum 1, or all 0), by strategy index. */
  weights(): Float64Array;
}

/** Stage 5, account risk: a guard that can take the account flat (orders are checked again by the ExecutionEngine's PreTradeRisk). */
export interface AccountGuard {
  /** True while the guard holds the account flat. */
  readonly halted: boolean;
}

export type { TargetSink } from './strategy-router.js';

/** Account index of an ensemble (it trades one ledger). */
const ACCOUNT = 0;

/** Stage 6 without an algorithm: every account target goes to the ExecutionEngine at once (one order for the difference). */
export class DirectTargets implements TargetSink {
  constructor(private readonly execution: ExecutionEngine) {}
  setTarget(i: number, units: number, ts: number): void {
    this.execution.setTarget(ACCOUNT, i, units, ts, ENSEMBLE_TAG);
  }
}
const ENSEMBLE_TAG: TargetOptions = Object.freeze({ tag: 'ensemble' });

/**
 * Stage 6 with an algorithm: each change of the account's target in a symbol becomes a parent order
 * of the account's execution algorithm (the difference to the position and working orders), worked
 * by child orders over time. A target equal to the last one sent is not a change: it leaves the
 * working parent alone (an ensemble re-states its targets on every bar; sending each would cancel
 * and restart the schedule every bar). So a parent that ends short of its target (a child denied
 * by risk) is not retried until the target changes; `fallbackAfter` sends what is left at once.
 */
export class AlgorithmTargets implements TargetSink {
  private readonly last: Float64Array;
  constructor(private readonly algorithms: AlgorithmRouter, symbolCount: number) {
    this.last = new Float64Array(symbolCount).fill(Number.NaN);
  }
  setTarget(i: number, units: number, _ts: number): void {
    if (units === this.last[i]) return;
    this.last[i] = units;
    // The parent starts at the clock's time, not at the stamp the ensemble decided on (a bar's open
    // time, an equity sample's stamp, both before the clock): its slices are timers, never in the past.
    this.algorithms.setTarget(ACCOUNT, i, units, this.algorithms.now(), ENSEMBLE_TAG);
  }
}

/**
 * The strategy-facing router of a chain whose execution stage works over time: strategies talk to
 * `front` (the ensemble, the router it decorates); the bar, trade, timer and attach hooks reach both, the execution stage
 * first on data (its volume profile sees a bar before any target of it), timers only the execution stage.
 */
export class ChainedRouter extends RouterDecorator {
  constructor(
    front: StrategyRouter,
    private readonly back: AlgorithmRouter,
  ) {
    super(front);
  }
  override beforeBar(i: number, ts: number, open: number, high: number, low: number, close: number, volume: number): void {
    this.back.beforeBar(i, ts, open, high, low, close, volume);
    this.inner.beforeBar?.(i, ts, open, high, low, close, volume);
  }
  override onTrade(i: number, ts: number, price: number, size: number): void {
    this.back.onTrade(i, ts, price, size);
    this.inner.onTrade?.(i, ts, price, size);
  }
  override attach(host: RouterHost): void {
    this.back.attach(host);
    this.inner.attach?.(host);
  }
  override onTimer(name: string, ts: number): void {
    this.back.onTimer(name, ts);
  }
}

/** What a run's decision pipeline is built from. */
export interface DecisionPipelineConfig<S> {
  /**
   * Stages 1-5 of an ensemble: builds the router that gives each strategy a shadow book and trades
   * the account (deps.targets is its stage 6). Absent: strategies trade their own ledgers.
   */
  readonly combine?: (deps: RouterDeps) => StrategyRouter & { summary(): S };
  /**
   * Stage 6: execution algorithms. Without `combine`, one per strategy (null: direct orders); with
   * `combine`, one per account (the ensemble's account is index 0).
   */
  readonly algorithms?: readonly (AlgorithmConfig | null)[];
  /**
   * Stage 2: predictive filters per strategy and for an ensemble's account (see PredictiveFilterStage).
   * Absent: no filter stage at all (the run as it was without filters, to the bit).
   */
  readonly filters?: PredictiveFiltersConfig;
}

/** The services every stage is built over. */
export interface PipelineServices {
  readonly symbols: readonly string[];
  readonly strategyIds: readonly string[];
  readonly execution: ExecutionEngine;
  readonly portfolio: Portfolio;
  readonly recorder: Recorder;
}

/** A composed pipeline: the router the TradingEngine calls, and the stages whose summaries the run reports. */
export interface DecisionPipeline<S> {
  /** The TradingEngine's router; undefined: its default DirectRouter (strategies trade their own ledgers, no algorithm). */
  readonly router: StrategyRouter | undefined;
  /** The ensemble stage, when there is one. */
  readonly combined: (StrategyRouter & { summary(): S }) | null;
  /** The execution algorithm stage, when there is one. */
  readonly algorithms: AlgorithmRouter | null;
  /** The predictive filter stage, when the run has filters. */
  readonly filters: PredictiveFilterStage | null;
}

/**
 * Composes a run's decision pipeline: ensemble or not, execution algorithm or not.
 * - neither: no router (the TradingEngine's DirectRouter), as runs always were;
 * - algorithms only: an AlgorithmRouter over a DirectRouter (per-strategy algorithms);
 * - ensemble only: the ensemble router, trading the account at once (DirectTargets);
 * - both: the ensemble router whose account target changes become parent orders of the account's
 *   algorithm (AlgorithmTargets), chained so the algorithm sees bars, trades and its timers.
 */
export function composeDecisionPipeline<S>(config: DecisionPipelineConfig<S>, services: PipelineServices): DecisionPipeline<S> {
  const { symbols, strategyIds, execution, portfolio, recorder } = services;
  const filters = config.filters;
  if (filters === undefined) return composeUnfiltered(config, services);
  if (filters.account.length > 0 && config.combine === undefined) throw new InvalidArgumentError('account filters need an ensemble (combine): without one, filters are per strategy');
  const stage = new PredictiveFilterStage(filters, symbols, strategyIds, recorder, config.combine !== undefined ? String(execution.strategyIds[0]) : 'ensemble');
  const index = new Map(symbols.map((s, i) => [s, i]));
  const symbolIndex = (symbol: string): number => {
    const i = index.get(symbol);
    if (i === undefined) throw new InvalidArgumentError(`unknown symbol '${symbol}': not in this run's data (${symbols.join(', ')})`);
    return i;
  };
  // The account's filters sit between the ensemble and the execution stage: a filtered target sink.
  const routed = filters.account.length > 0 ? composeUnfiltered(config, services, (base) => stage.accountSink(base ?? new DirectTargets(execution))) : composeUnfiltered(config, services);
  const inner = routed.router ?? new DirectRouter(execution, portfolio, recorder);
  return { ...routed, router: new PredictiveFilterGate(inner, stage, symbolIndex), filters: stage };
}

/** The pipeline without the filter stage; `sink` wraps the ensemble's target sink (undefined: DirectTargets). */
function composeUnfiltered<S>(config: DecisionPipelineConfig<S>, services: PipelineServices, sink?: (base: TargetSink | undefined) => TargetSink): DecisionPipeline<S> {
  const { symbols, strategyIds, execution, portfolio, recorder } = services;
  const algorithms = config.algorithms;
  if (config.combine === undefined) {
    if (algorithms === undefined) return { router: undefined, combined: null, algorithms: null, filters: null };
    const algo = new AlgorithmRouter(new DirectRouter(execution, portfolio, recorder), execution, portfolio, algorithms);
    return { router: algo, combined: null, algorithms: algo, filters: null };
  }
  if (algorithms === undefined) {
    const targets = sink?.(undefined);
    const combined = config.combine({ symbols, strategyIds, execution, portfolio, recorder, ...(targets !== undefined ? { targets } : {}) });
    return { router: combined, combined, algorithms: null, filters: null };
  }
  const accounts = execution.strategyIds.length;
  if (algorithms.length !== accounts) {
    throw new InvalidArgumentError(`an ensemble's execution algorithms are per account: ${accounts} expected, ${algorithms.length} given`);
  }
  const algo = new AlgorithmRouter(new DirectRouter(execution, portfolio, recorder), execution, portfolio, algorithms);
  const base = new AlgorithmTargets(algo, symbols.length);
  const combined = config.combine({ symbols, strategyIds, execution, portfolio, recorder, targets: sink !== undefined ? sink(base) : base });
  return { router: new ChainedRouter(combined, algo), combined, algorithms: algo, filters: null };
}
