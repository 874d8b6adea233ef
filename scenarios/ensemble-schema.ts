import { z } from 'zod';
import { CalendarSchema } from './calendar-schema.js';
import { PredictiveFiltersSchema } from '../engine/models/predictive-filter-schema.js';
import { deferredSchema } from '../engine/core/deferred-schema.js';

/**
 * Scenario sections of the ensemble and portfolio construction (issue 5): `ensemble`, `portfolio`,
 * `instruments` and `bundles`. Parsing applies every default, so the output matches
 * engine/ensemble's EnsembleConfig and PortfolioConstructionConfig field for field.
 */
const fraction = z.number().min(0).max(1);
const positiveInt = z.number().int().positive();
/** An ISO-8601 date or datetime (UTC unless an offset is given). */
export const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/, 'expected an ISO-8601 date or datetime');

/**
 * A Gaussian HMM regime detector (engine/models HmmRegimeDetector): fitted by Baum-Welch on the
 * trailing `window` returns every `refitEvery` observations, the current state by its forward filter.
 * Shared by `ensemble.regimes.hmm` and the scenario's `regimes.detector`; `labels` is each section's own.
 */
export const hmmDetectorFields = {
  states: z.number().int().min(2).max(6).default(2).describe('Hidden states of the HMM (2 to 6).'),
  window: z.number().int().min(20).default(250).describe('Trailing returns each fit reads (at least 20); no regime before the first fit.'),
  refitEvery: positiveInt.default(20).describe('Returns between refits; between them the fitted forward filter labels each new return.'),
  restarts: positiveInt.default(3).describe('Seeded Baum-Welch restarts per fit (the best likelihood wins).'),
  maxIter: positiveInt.default(200).describe('Baum-Welch iterations per restart.'),
  orderBy: z
    .enum(['mean', 'volatility'])
    .default('mean')
    .describe('The order in which `labels` name the fitted states: ascending mean return, or ascending volatility (more stable when the regimes differ mostly in volatility).'),
};

/** The asset classes an instrument may be (engine/model/instruments.ts AssetClass). */
export const ASSET_CLASSES = ['equity', 'fx', 'crypto', 'future', 'option'] as const;

/**
 * The fields of one instrument (engine/model/instruments.ts InstrumentSpec), as the scenario's
 * `instruments.SYM` and an `instrumentsFile` give them. Rules across fields (a future needs its point
 * value and margins, maintenance at most initial, the account currency) are checked when the
 * scenario is qualified (cli/compose/instruments.ts).
 */
export const InstrumentFields = {
  assetClass: z
    .enum(ASSET_CLASSES)
    .optional()
    .describe('equity, fx, crypto, future or option; required with any other instrument field. A future settles by variation margin: cash moves by realized P&L and fees, never by notional.'),
  multiplier: z
    .number()
    .positive()
    .finite()
    .optional()
    .describe('Point value: currency per 1.0 of price per contract (ES 50, NQ 20, CL 1000). Required for a future or option; 1 (the default) for equity, fx and crypto, which refuse any other value.'),
  tickSize: z.number().finite().nonnegative().optional().describe('Smallest price increment; limit and stop prices off this grid are rejected. 0 (the default): any price. Replaces venue.tickSize for this symbol.'),
  lotSize: z
    .number()
    .finite()
    .nonnegative()
    .optional()
    .describe('Smallest quantity increment (0.001 for BTC); targets are rounded toward zero to it, orders off it are rejected. Default 1 for a future or option, 0 (any fractional quantity) otherwise. Replaces venue.lotSize for this symbol.'),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'expected a three-letter currency code such as USD')
    .optional()
    .describe('Currency of its prices; must be the account currency (USD): Tapedeck has no FX conversion.'),
  initialMargin: z.number().finite().nonnegative().optional().describe('Initial margin per contract (per unit for non-futures), account currency. Required for a future.'),
  maintenanceMargin: z.number().finite().nonnegative().optional().describe('Maintenance margin per contract (per unit), account currency; at most initialMargin. Required for a future.'),
  session: CalendarSchema.optional().describe(
    "Trading session of the symbol, in the form of `calendar` ('24/7', 'fx-24/5', 'XNYS' or { timeZone, open, close, weekdays?, holidays? }; a session opens and closes on the same local day, so CME's overnight Globex session is not expressible: give the regular hours). The bar/L1 venue fills the symbol's orders only inside it (an intraday bar when it opens inside the session, a daily bar when a session overlaps it, a quote or trade when inside): an order whose fill opportunity falls outside keeps working and fills at the first one inside, by the usual price rules of that bar or quote. The symbol's DAY orders expire at its first session close after submission. Default: none (the run's calendar, or UTC days, for DAY orders; fills at any time). Refused on an L2 run.",
  ),
};

/**
 * Builds the section schemas below. Built on first use (see deferredSchema), not when the module loads: every
 * run parses its scenario with them, and most scenarios have none of these sections.
 */
function buildSections() {
  const MeanSchema = z
    .discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('sample').describe('The mean of the window.') }),
      z.strictObject({ kind: z.literal('ewma').describe('Exponentially weighted mean.'), alpha: z.number().gt(0).max(1).describe('Weight of the newest return, in (0, 1].') }),
      z.strictObject({ kind: z.literal('rolling').describe('The mean of the last `window` returns.'), window: positiveInt.describe('Returns averaged.') }),
      z.strictObject({ kind: z.literal('shrunk').describe('The sample mean shrunk toward the grand mean (James-Stein).') }),
    ])
    .describe('How expected returns are estimated from the shadow returns: sample, ewma, rolling or shrunk.');

  const CovarianceSchema = z
    .discriminatedUnion('kind', [
      z.strictObject({
        kind: z.literal('sample').describe('The sample covariance.'),
        normalization: z.enum(['unbiased', 'mle']).optional().describe('Divide by n - 1 (unbiased, the default) or n (mle).'),
      }),
      z.strictObject({ kind: z.literal('ledoit-wolf').describe('The sample covariance shrunk by Ledoit-Wolf.') }),
      z.strictObject({
        kind: z.literal('ewma').describe('Exponentially weighted covariance.'),
        decay: z
          .union([
            z.strictObject({ lambda: z.number().gt(0).lt(1).describe('Decay factor per period, in (0, 1).') }),
            z.strictObject({ halflife: z.number().positive().describe('Half-life in periods.') }),
          ])
          .describe('The decay, as a factor {"lambda"} or a half-life {"halflife"}.'),
      }),
    ])
    .describe('How the covariance is estimated from the shadow returns: sample, ledoit-wolf or ewma.');

  const WeightingSchema = z
    .discriminatedUnion('kind', [
      z.strictObject({
        kind: z.literal('optimizer').describe("Mean-variance optimizer over the strategies' last `window` shadow returns."),
        mean: MeanSchema.default({ kind: 'sample' }),
        covariance: CovarianceSchema.default({ kind: 'ledoit-wolf' }),
        lambda: z.number().positive().optional().describe('Risk aversion; default: from the regime table.'),
        eta: z.number().min(0).optional().describe('Turnover penalty; default: from the regime table.'),
        wMax: z.number().positive().max(1).optional().describe('Largest weight of one strategy, in (0, 1]; default: from the regime table.'),
        regime: z
          .enum(['trending', 'ranging', 'volatile', 'mixed', 'auto'])
          .default('mixed')
          .describe("Regime whose lambda/eta/wMax apply when not given; auto: the classified regime (see `regimes`). Default 'mixed', so {\"kind\": \"optimizer\"} optimizes with the mixed-regime parameters."),
        resampling: z
          .strictObject({
            samples: positiveInt.describe('Resampled optimizations averaged.'),
            fraction: z.number().gt(0).max(1).describe('Share of the window drawn per sample, in (0, 1].'),
          })
          .optional()
          .describe('Resampled optimization (seeded by the scenario seed): the weights are the mean over `samples` draws.'),
        gammaReg: z
          .number()
          .min(0)
          .optional()
          .describe("Seed 000's gamma_reg (covariance regularization): added to the estimated covariance's diagonal (Sigma + gammaReg I) before optimizing; default 0 (none). The seed's value is 1e-5."),
      }),
      z.strictObject({
        kind: z
          .literal('strategy_asset')
          .describe(
            "Seed 003's strategies x assets allocation: one weight per (strategy, symbol) sleeve (strategy k's shadow book in symbol i, with 1/m_k of its capital for its m_k symbols), maximising W'mu - (lambda/2) W'Sigma W - diversification sum W^2 - cost ||W - W_prev||^2 over the sleeves' last `window` shadow returns, with sum W = 1 and 0 <= W <= wMax, solved by the optimizer's QP solver. The account holds W_k,i x m_k of strategy k's target in symbol i. Allocation mode only.",
          ),
        mean: MeanSchema.default({ kind: 'sample' }),
        covariance: CovarianceSchema.default({ kind: 'ledoit-wolf' }),
        lambda: z.number().positive().default(100).describe('Risk aversion lambda, > 0.'),
        diversification: z.number().min(0).default(0.01).describe("Weight beta of seed 003's diversification bonus -beta sum W^2 (0: none); larger spreads the weights toward equal."),
        cost: z
          .number()
          .min(0)
          .default(0.05)
          .describe('Transaction cost kappa of the change from the weights held, kappa ||W - W_prev||^2 (quadratic, like an impact cost; 0: none); larger lowers the turnover of each re-weighing.'),
        wMax: z.number().positive().max(1).default(1).describe('Largest weight of one sleeve, in (0, 1]; at least 1 / the number of sleeves.'),
        gammaReg: z.number().min(0).default(0).describe("Seed 000's gamma_reg: added to the sleeves' estimated covariance diagonal (Sigma + gammaReg I); 0: none."),
      }),
      z.strictObject({ kind: z.literal('static').describe('The base weights.') }),
      z.strictObject({
        kind: z.literal('performance').describe('Base weight x max(0, metric) of each shadow ledger; the base weights while no strategy scores above 0.'),
        metric: z.enum(['sharpe', 'win_rate', 'profit_factor']).default('sharpe').describe('The performance metric.'),
      }),
      z.strictObject({
        kind: z
          .literal('rl')
          .describe(
            "RL meta agent: seeded tabular Q-learning over (regime x the strategy with the best shadow return over `window`); at each re-weighing it keeps the base weights or overweights one strategy, rewarded by the next period's return of the weights it chose; learns online until `trainUntil`, then greedy and frozen. Every decision is a 'rl.decision' audit entry.",
          ),
        alpha: z.number().gt(0).max(1).default(0.2).describe('Learning rate, in (0, 1].'),
        gamma: z.number().min(0).lt(1).default(0.5).describe('Discount of the next state value, in [0, 1).'),
        epsilon: fraction.default(0.1).describe('Probability of a random action while learning (stream ensemble.rl of the scenario seed).'),
        tilt: z.number().gt(0).lt(1).default(0.5).describe('Weight an "overweight k" action gives strategy k, on top of (1 - tilt) x the base weights, in (0, 1).'),
        trainUntil: isoDate
          .nullable()
          .default(null)
          .describe('ISO-8601 time after which the Q table freezes and every action is greedy; null: learns throughout. `walkforward --warm-start` sets it to each fold\'s train end.'),
      }),
    ])
    .describe('How the ensemble weighs its strategies (allocation mode): optimizer, strategy_asset, static, performance or rl.');

  const AdaptiveSchema = z
    .strictObject({
      maxChange: fraction.default(0.15).describe("Most a strategy's weight multiple moves per update, a fraction of its current value."),
      minMultiple: z.number().positive().max(1).default(0.1).describe('Smallest multiple of the base weight.'),
      maxMultiple: z.number().min(1).default(2.0).describe('Largest multiple of the base weight.'),
      drawdownLimit: z.number().positive().default(0.25).describe('Drawdown at which the drawdown score reaches 0.'),
      scoreWeights: z
        .strictObject({
          expectancy: z.number().min(0).default(0.25).describe('Weight of the expectancy score.'),
          profitFactor: z.number().min(0).default(0.25).describe('Weight of the profit factor score.'),
          drawdown: z.number().min(0).default(0.25).describe('Weight of the drawdown score.'),
          sharpe: z.number().min(0).default(0.25).describe('Weight of the Sharpe score.'),
        })
        .default({ expectancy: 0.25, profitFactor: 0.25, drawdown: 0.25, sharpe: 0.25 })
        .describe("Weights of the composite score's components."),
    })
    .describe("Adaptive weights: each strategy's base weight times a multiple per regime, moved toward twice its composite score, rate-limited and bounded.");

  const QualitySchema = z
    .strictObject({
      weights: z
        .strictObject({
          confluence: z.number().min(0).default(0.4).describe('Weight of confluence (strategies agreeing on the direction).'),
          regime: z.number().min(0).default(0.3).describe('Weight of regime alignment.'),
          history: z.number().min(0).default(0.3).describe('Weight of the hit rate of similar setups.'),
        })
        .default({ confluence: 0.4, regime: 0.3, history: 0.3 })
        .describe("Weights of the quality's components."),
      confluenceTarget: z.number().positive().default(3).describe('Agreeing strategies for full confluence.'),
      threshold: fraction.default(0.4).describe('Smallest quality a signal needs to pass.'),
      neutralQuality: z.number().positive().default(0.5).describe('Quality whose size multiplier is 1.'),
      maxMultiplier: z.number().min(0).max(2).default(2.0).describe('Largest position-size multiplier.'),
    })
    .describe('Signal quality scoring: confidence x quality, signals below `threshold` dropped, sizes scaled by quality / neutralQuality.');

  const RetirementSchema = z
    .strictObject({
      minTrades: positiveInt.default(10).describe('Closed trades before a strategy is judged.'),
      minExpectancy: z.number().default(0).describe('Expectancy below this is a violation.'),
      minProfitFactor: z.number().min(0).default(1.0).describe('Profit factor below this is a violation.'),
      minWinRate: fraction.default(0.35).describe('Win rate below this is a violation.'),
      maxDrawdown: fraction.default(0.25).describe('Drawdown above this is a violation.'),
      degradeAt: positiveInt.default(2).describe('Violations that degrade an active strategy.'),
      suspendAt: positiveInt.default(3).describe('Violations that count toward suspension and retirement.'),
      suspendAfter: positiveInt.default(2).describe('Consecutive assessments at `suspendAt` that suspend a degraded strategy.'),
      retireAfter: positiveInt.default(3).describe('Consecutive suspended assessments at `suspendAt` that retire a strategy.'),
      degradedWeight: fraction.default(0.5).describe('Weight multiplier of a degraded strategy (suspended and retired ones weigh 0).'),
    })
    .describe('Strategy retirement: ACTIVE -> DEGRADED -> SUSPENDED -> RETIRED by counted health violations, with recovery.');

  const status = z.enum(['ACTIVE', 'DEGRADED', 'SUSPENDED', 'RETIRED']).describe('A strategy status.');

  const EnsembleSectionSchema = z.strictObject({
    mode: z
      .enum(['allocation', 'voting'])
      .default('allocation')
      .describe("allocation: weights (optimizer, static or performance) over the strategies' books; voting: a vote per symbol sized by `portfolio`."),
    accountId: z.string().min(1).default('ensemble').describe('The ledger (and order owner) the account trades under.'),
    shadowCostBps: z.number().min(0).default(0).describe('Cost charged to the shadow ledgers, bps of traded notional.'),
    wholeUnits: z.boolean().default(true).describe('Rounds account targets toward zero to whole units.'),
    rebalanceEveryBars: positiveInt.default(20).describe('Re-weighs every this many bar timestamps (with rebalanceBy bars).'),
    rebalanceBy: z
      .enum(['bars', 'regime'])
      .default('bars')
      .describe(
        "bars: re-weigh every `rebalanceEveryBars`; regime: on seed 000's regime-table cadence of the classified regime (see `regimes`): trending weekly, ranging daily, mixed every 3 days (calendar time since the last re-weighing), volatile 'hold' (no re-weighing while it lasts; each spell of holding an audit entry 'rebalance.held').",
      ),
    warmupBars: positiveInt.default(60).describe('Bar timestamps of shadow returns before the first re-weighing.'),
    window: z.number().int().min(2).default(60).describe('Most recent shadow returns the weights are estimated from.'),
    periodsPerYear: z.number().positive().default(252).describe('Periods per year, to annualize the shadow statistics.'),
    weighting: WeightingSchema.default({ kind: 'optimizer', mean: { kind: 'sample' }, covariance: { kind: 'ledoit-wolf' }, regime: 'mixed' }),
    rebalanceRules: z
      .strictObject({
        maxTurnover: z.number().positive().default(0.1).describe('New weights are accepted when their turnover sum|w - w_prev| is below this (or the confidence passes).'),
        minConfidence: fraction.default(0.8).describe("New weights are accepted when the optimizer's confidence is above this (or the turnover passes)."),
        minWeightChange: fraction.default(0.01).describe('Of accepted weights, a weight changes only when it moves by more than this (seed 000 trades only changes above 1%).'),
      })
      .nullable()
      .default(null)
      .describe(
        "Seed 000's live rebalance rules for an optimizing weighting (optimizer or strategy_asset) in allocation mode: a re-weighing's weights are put in force only when turnover < maxTurnover or confidence > minConfidence (a rejection is a 'weights.rejected' audit entry), and weight changes at or below minWeightChange are not made (the weights in force may then sum to slightly more or less than 1). null: every re-weighing is put in force.",
      ),
    baseWeights: z
      .record(z.string(), z.number().min(0).describe('Base weight of the strategy.'))
      .nullable()
      .default(null)
      .describe('Base weight per strategy id (equal when absent); normalized.'),
    voting: z
      .strictObject({
        method: z.enum(['majority_vote', 'weighted_vote', 'confidence_average']).default('weighted_vote').describe('How the votes combine.'),
        voteRatio: fraction.default(0.5).describe('Share of the vote a direction needs.'),
        minConfidence: fraction.default(0).describe('Smallest combined confidence that trades.'),
      })
      .default({ method: 'weighted_vote', voteRatio: 0.5, minConfidence: 0 })
      .describe('Voting mode: how the strategies vote per symbol.'),
    adaptive: AdaptiveSchema.nullable().default(null),
    quality: QualitySchema.nullable().default(null),
    filters: PredictiveFiltersSchema.optional().describe(
      "Predictive filters of the ensemble account's entries (after the combination, before the execution stage): every one must pass for a change of the account's target that opens, adds to or flips a position to go; reductions always pass. `garch_volatility`, `volume_surge` and `direction` only: the account emits no signal to be confident about (a strategy's `filters` may hold `confidence`). Each block is an audit entry `filter.blocked`. Needs data.bars.",
    ),
    retirement: RetirementSchema.nullable().default(null),
    monitor: z
      .strictObject({
        minSharpe: z.number().default(0.02).describe("Alert when the optimum's ex-ante Sharpe (per period) is below this."),
        maxConditionNumber: z.number().positive().default(1e6).describe("Alert when the covariance's condition number is above this."),
        maxTurnover: z.number().min(0).default(0.3).describe('Alert when the turnover sum|w - w_prev| is above this.'),
        maxDivergence: z.number().min(0).default(0.01).describe('Alert when expected and realized per-period returns differ by more than this.'),
      })
      .default({ minSharpe: 0.02, maxConditionNumber: 1e6, maxTurnover: 0.3, maxDivergence: 0.01 })
      .describe('Thresholds of the alerts raised after each optimization.'),
    regimes: z
      .strictObject({
        adxPeriod: positiveInt.default(14).describe('ADX period.'),
        window: z.number().int().min(2).default(20).describe('Bars of the close-to-close volatility.'),
        trendAdx: z.number().positive().default(25).describe('Mean ADX at or above which the market is trending.'),
        rangeAdx: z.number().positive().default(20).describe('Mean ADX below which the market is ranging.'),
        volatileRatio: z.number().positive().default(1.5).describe('Volatility above this multiple of its running mean is volatile.'),
        hmm: z
          .strictObject({
            ...hmmDetectorFields,
            labels: z
              .array(z.enum(['trending', 'ranging', 'volatile', 'mixed']))
              .optional()
              .describe("The regime-table regime of each state, states in ascending order of `orderBy`; default by mean ['volatile', 'trending'] for 2 states, ['volatile', 'ranging', 'trending'] for 3 (seed 003's bear, sideways, bull), by volatility ['trending', 'volatile'] and ['ranging', 'trending', 'volatile']; required for more."),
          })
          .nullable()
          .default(null)
          .describe(
            "Classify with a Gaussian HMM on the equal-weighted mean log return of the symbols per bar timestamp instead of ADX and volatility (which are then refused): fitted on trailing returns only, every change of regime an audit entry 'regime.changed'. 'mixed' until the first fit.",
          ),
      })
      .default({ adxPeriod: 14, window: 20, trendAdx: 25, rangeAdx: 20, volatileRatio: 1.5, hmm: null })
      .describe('Regime classifier: trending, ranging, volatile or mixed from the mean ADX and volatility of every symbol, or from a Gaussian HMM (`hmm`).'),
    forcedStatus: z.record(z.string(), status).default({}).describe('Forced statuses at the start, e.g. {"rsi-14": "SUSPENDED"}.'),
  });

  /** Seed 003's regime-adaptive parameters (the scenario's `regimes` section): an HMM detector and multipliers per regime. */
  const RegimesSectionSchema = z
    .strictObject({
      detector: z
        .strictObject({
          ...hmmDetectorFields,
          labels: z
            .array(z.string().min(1))
            .optional()
            .describe("A name per state, states in ascending order of `orderBy`; default by mean ['bear', 'bull'] for 2 states, ['bear', 'sideways', 'bull'] for 3 (seed 003), by volatility ['bull', 'bear'] and ['sideways', 'bull', 'bear']; required for more."),
          symbols: z
            .array(z.string().min(1))
            .min(1)
            .optional()
            .describe('Symbols whose equal-weighted mean log return (between equity samples, from the last prices) the HMM reads; default: every replayed symbol.'),
        })
        .prefault({})
        .describe('The Gaussian HMM regime detector: fitted on trailing returns only (never after the decision time), seeded by the scenario seed.'),
      adapt: z
        .record(
          z.string(),
          z
            .strictObject({
              size: z.number().positive().default(1).describe("Multiplier of every strategy's target position while the regime holds (whole targets stay whole, truncated toward zero)."),
              stop: z
                .number()
                .positive()
                .default(1)
                .describe("Multiplier of the distance, from the symbol's last price, of every protective stop a strategy submits while the regime holds (reduce-only stop and stop-limit orders, bracket stop-losses)."),
            })
            .describe('Multipliers of one regime (seed 003: bull larger size and wider stops, bear smaller size and tighter stops).'),
        )
        .describe('Multipliers per regime label; a label not listed, and the time before the first fit, multiply by 1. Each change of regime is an audit entry regime.changed.'),
    })
    .describe("Seed 003's regime-adaptive strategy parameters: an HMM regime detector and per-regime multipliers of the strategies' position sizes and stop distances.");

  const PortfolioSectionSchema = z.strictObject({
    allocation: z
      .strictObject({
        method: z
          .enum(['equal_weight', 'inverse_volatility', 'equal_risk_contribution', 'momentum', 'minimum_variance'])
          .default('equal_weight')
          .describe('How capital is split over the symbols.'),
        lookback: z.number().int().min(2).default(60).describe('Bars of history the allocation is estimated from.'),
        investedFraction: fraction.default(0.95).describe('Share of equity invested.'),
      })
      .default({ method: 'equal_weight', lookback: 60, investedFraction: 0.95 })
      .describe('Capital allocation over the symbols.'),
    rotation: z
      .strictObject({
        by: z.enum(['momentum', 'signal_strength']).default('momentum').describe('How symbols are ranked.'),
        topN: positiveInt.describe('Symbols held.'),
        lookback: positiveInt.default(30).describe('Bars of the momentum ranking.'),
      })
      .nullable()
      .default(null)
      .describe('Rotation: hold only the top N symbols; null: no rotation.'),
    rebalancing: z
      .strictObject({
        mode: z.enum(['periodic', 'threshold']).default('periodic').describe('periodic: every `everyBars`; threshold: when a weight drifts by more than `threshold`.'),
        everyBars: positiveInt.default(20).describe('Bars between periodic rebalances.'),
        threshold: fraction.default(0.05).describe('Weight drift that triggers a threshold rebalance.'),
        costRate: z.number().min(0).default(0).describe('Transaction cost rate weighed against the rebalance.'),
        riskAversion: z.number().min(0).default(1).describe('Risk aversion of the cost-aware rebalance.'),
      })
      .default({ mode: 'periodic', everyBars: 20, threshold: 0.05, costRate: 0, riskAversion: 1 })
      .describe('When the portfolio is rebalanced.'),
    hedging: z
      .strictObject({
        adxBelow: z.number().positive().optional().describe('Hedge while the mean ADX is below this.'),
        volatilityAbove: z.number().positive().optional().describe('Hedge while the mean per-period volatility is above this.'),
        drawdownAbove: fraction.optional().describe('Hedge while the drawdown is above this.'),
        cashFraction: fraction.default(0.3).describe('Fraction of the allocation moved to cash while a trigger holds.'),
      })
      .nullable()
      .default(null)
      .describe('Hedging: move part of the allocation to cash while a trigger holds; null: no hedging.'),
    constraints: z
      .strictObject({
        symbols: z.array(z.string().min(1)).min(1).optional().describe('Symbols the account may trade.'),
        maxPositions: positiveInt.optional().describe('Most symbols held at once.'),
        dailyStopLoss: z.number().positive().optional().describe("Loss from the UTC day's starting equity, currency, at which the account flattens until the next day."),
      })
      .default({})
      .describe('Constraints of the account.'),
  });

  /**
   * Per-instrument settings: `{ "AAA": { "params": { ... }, "assetClass": "future", "multiplier": 50, ... } }`.
   * `params` override the strategies' parameters for the symbol (precedence instrument > strategy > defaults);
   * the other fields describe the instrument (see {@link InstrumentFields}).
   */
  const InstrumentsSectionSchema = z.record(
    z.string().min(1),
    z
      .strictObject({
        params: z.record(z.string(), z.unknown()).optional().describe("Strategy parameters for this symbol, over the strategies' own."),
        ...InstrumentFields,
      })
      .describe('Strategy parameter overrides and the instrument fields of one symbol (each field here replaces the same field of instrumentsFile).'),
  );

  /** An instruments file (`instrumentsFile`): a universe of instrument fields by symbol, shared by scenarios. */
  const InstrumentsFileSchema = z.strictObject({
    $comment: z.string().optional().describe('Free text: where the figures come from.'),
    description: z.string().optional().describe('What the universe is.'),
    instruments: z.record(z.string().min(1), z.strictObject(InstrumentFields).describe('The instrument fields of one symbol.')).describe('Instrument fields by symbol.'),
  });

  /** Per-instrument model bundles: a directory of `{SYMBOL}_best.json`, feeding `params` of the named strategies. */
  const BundlesSectionSchema = z.strictObject({
    dir: z.string().min(1).describe('Directory of the bundles (relative to the scenario file).'),
    symbols: z.array(z.string().min(1)).min(1).optional().describe('Symbols whose bundle must exist; default: every replayed symbol.'),
    strategies: z.array(z.string().min(1)).min(1).optional().describe('Strategy ids the bundle params apply to; default: every strategy.'),
  });
  return { ensemble: EnsembleSectionSchema, regimes: RegimesSectionSchema, portfolio: PortfolioSectionSchema, instruments: InstrumentsSectionSchema, instrumentsFile: InstrumentsFileSchema, bundles: BundlesSectionSchema };
}

let built: ReturnType<typeof buildSections> | undefined;
/** The section schemas, built on the first call. */
function sections(): ReturnType<typeof buildSections> {
  built ??= buildSections();
  return built;
}

export const EnsembleSectionSchema = deferredSchema(() => sections().ensemble);
export const RegimesSectionSchema = deferredSchema(() => sections().regimes);
export const PortfolioSectionSchema = deferredSchema(() => sections().portfolio);
export const InstrumentsSectionSchema = deferredSchema(() => sections().instruments);
export const InstrumentsFileSchema = deferredSchema(() => sections().instrumentsFile);
export const BundlesSectionSchema = deferredSchema(() => sections().bundles);

export type EnsembleSection = z.output<typeof EnsembleSectionSchema>;
export type PortfolioSection = z.output<typeof PortfolioSectionSchema>;
