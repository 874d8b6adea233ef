import type { AllocationMethod, HedgingTriggers } from '../portfolio/allocation/index.js';
import type { AdaptiveWeightsConfig } from './adaptive/adaptive-weights.js';
import type { MonitorThresholds } from './adaptive/monitor.js';
import type { RegimeClassifierConfig } from './adaptive/regime-classifier.js';
import type { RetirementConfig } from './adaptive/retirement.js';
import type { SignalQualityConfig } from './adaptive/signal-quality.js';
import type { CovarianceEstimator, MeanEstimator } from './moment-estimation.js';
import type { RegimeName } from './regime-table.js';
import type { RlWeightingConfig } from './rl-meta-agent.js';
import type { VotingMethod } from './voting.js';

/**
 * How the ensemble weighs its strategies:
 * - `optimizer`: the seed-000 mean-variance optimizer over the strategies' shadow returns (the
 *   last `window` per-bar returns), lambda/eta/wMax given or from the regime table (`regime`,
 *   'auto' = the classified regime), optionally resampled (seeded by the scenario seed);
 * - `static`: the base weights;
 * - `performance`: base weight x max(0, metric) of each shadow ledger (Sharpe, win rate or profit
 *   factor; seed 001's dynamic weights), the base weights while no strategy scores above 0;
 * - `rl`: seed 000's RL meta agent (rl-meta-agent.ts): tabular Q-learning over regime x leading
 *   strategy choosing the base weights or a tilt toward one strategy, online until `trainUntil`;
 * - `strategy_asset`: seed 003's strategies x assets allocation: one weight per (strategy, symbol)
 *   sleeve, maximising W'mu - (lambda/2) W'Sigma W - diversification sum W^2 - cost ||W - W_prev||^2
 *   over the sleeves' shadow returns, sum W = 1, 0 <= W <= wMax, on the same solver as `optimizer`.
 *
 * `gammaReg` (seed 000's gamma_reg) adds gamma to the estimated covariance's diagonal before either optimizer solves.
 */
export type WeightingConfig =
  | {
      readonly kind: 'optimizer';
      readonly mean: MeanEstimator;
      readonly covariance: CovarianceEstimator;
      readonly lambda?: number;
      readonly eta?: number;
      readonly wMax?: number;
      readonly regime?: RegimeName | 'auto';
      readonly resampling?: { readonly samples: number; readonly fraction: number };
      readonly gammaReg?: number;
    }
  | StrategyAssetWeighting
  | { readonly kind: 'static' }
  | { readonly kind: 'performance'; readonly metric: 'sharpe' | 'win_rate' | 'profit_factor' }
  | RlWeightingConfig;

/** Seed 003's strategies x assets allocation (see {@link WeightingConfig}). */
export interface StrategyAssetWeighting {
  readonly kind: 'strategy_asset';
  readonly mean: MeanEstimator;
  readonly covariance: CovarianceEstimator;
  /** Risk aversion, > 0. */
  readonly lambda: number;
  /** beta of the diversification bonus -beta sum W^2, >= 0. */
  readonly diversification: number;
  /** Quadratic transaction cost kappa of kappa ||W - W_prev||^2 on the change from the weights held, >= 0. */
  readonly cost: number;
  /** Largest weight of one sleeve, in (0, 1]. */
  readonly wMax: number;
  /** Added to the covariance's diagonal (seed 000's gamma_reg), >= 0. */
  readonly gammaReg: number;
}

/**
 * Seed 000's live rebalance rules, applied to every re-weighing of an optimizing weighting
 * (`optimizer`, `strategy_asset`) in allocation mode: the optimizer's new weights are accepted only
 * when their turnover sum|w - w_prev| is below `maxTurnover` or its confidence is above
 * `minConfidence` (else the weights held stay); of accepted weights, a weight moves only when it
 * changes by more than `minWeightChange` (seed 000's 1% trade threshold), so the weights in force
 * may sum to slightly more or less than 1 (the skipped changes are simply not traded).
 */
export interface RebalanceRules {
  readonly maxTurnover: number;
  readonly minConfidence: number;
  readonly minWeightChange: number;
}

/** The ensemble's HMM regime source (`ensemble.regimes.hmm`): see engine/models HmmRegimeDetector. */
export interface EnsembleHmmRegimes {
  readonly states: number;
  readonly window: number;
  readonly refitEvery: number;
  readonly restarts: number;
  readonly maxIter: number;
  readonly orderBy: 'mean' | 'volatility';
  /** The table regime of each state in `orderBy` order; absent: the default of 2 or 3 states. */
  readonly labels?: readonly RegimeName[];
}

/**
 * The ensemble section of a scenario, qualified (every default applied).
 *
 * Sizing in `allocation` mode: each strategy trades a shadow ledger that starts with the run's
 * initial cash, so it sizes itself (ctx.equity()) as if it had the whole account. The account's
 * target in symbol i is
 *
 *     T_i = (1 - h) x sum_k w_k x t_k,i x E / E_k
 *
 * where t_k,i is strategy k's target units, E_k its shadow equity, E the account equity and h the
 * hedged cash fraction: the account holds w_k of strategy k's book, rescaled from the strategy's
 * capital to the account's. In `voting` mode the account's direction per symbol comes from the vote
 * and its size from the `portfolio` section.
 */
export interface EnsembleConfig {
  readonly mode: 'allocation' | 'voting';
  /** The ledger (and order owner) the account trades under. */
  readonly accountId: string;
  /** Cost charged to shadow ledgers, bps of traded notional. */
  readonly shadowCostBps: number;
  /** Rounds account targets toward zero to whole units. */
  readonly wholeUnits: boolean;
  /** Re-weighs every this many bar timestamps. */
  readonly rebalanceEveryBars: number;
  /** Bar timestamps of shadow returns before the first re-weighing. */
  readonly warmupBars: number;
  /** Most recent shadow returns the weights are estimated from. */
  readonly window: number;
  readonly periodsPerYear: number;
  readonly weighting: WeightingConfig;
  /** Seed 000's live rebalance rules (null: every re-weighing's weights are put in force). */
  readonly rebalanceRules?: RebalanceRules | null;
  /** Base weight per strategy id (equal when absent); normalized. */
  readonly baseWeights: Readonly<Record<string, number>> | null;
  readonly voting: { readonly method: VotingMethod; readonly voteRatio: number; readonly minConfidence: number };
  readonly adaptive: AdaptiveWeightsConfig | null;
  readonly quality: SignalQualityConfig | null;
  readonly retirement: RetirementConfig | null;
  readonly monitor: MonitorThresholds;
  readonly regimes: RegimeClassifierConfig & { readonly hmm: EnsembleHmmRegimes | null };
  /** 'bars': every `rebalanceEveryBars`; 'regime': the regime table's cadence of the classified regime ('hold' in volatile). */
  readonly rebalanceBy: 'bars' | 'regime';
  /** Forced statuses at the start, e.g. { "rsi-14": "SUSPENDED" }. */
  readonly forcedStatus: Readonly<Record<string, 'ACTIVE' | 'DEGRADED' | 'SUSPENDED' | 'RETIRED'>>;
}

/** The portfolio construction and constraints section of a scenario, qualified. */
export interface PortfolioConstructionConfig {
  readonly allocation: { readonly method: AllocationMethod; readonly lookback: number; readonly investedFraction: number };
  readonly rotation: { readonly by: 'momentum' | 'signal_strength'; readonly topN: number; readonly lookback: number } | null;
  readonly rebalancing: {
    readonly mode: 'periodic' | 'threshold';
    readonly everyBars: number;
    readonly threshold: number;
    readonly costRate: number;
    readonly riskAversion: number;
  };
  readonly hedging: HedgingTriggers | null;
  readonly constraints: {
    readonly symbols?: readonly string[];
    readonly maxPositions?: number;
    /** Loss from the UTC day's starting equity, currency, at which the account flattens until the next day. */
    readonly dailyStopLoss?: number;
  };
}
