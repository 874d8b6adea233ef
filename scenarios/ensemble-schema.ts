import { z } from 'zod';

/**
 * Scenario sections of the ensemble and portfolio construction (issue 5): `ensemble`, `portfolio`,
 * `instruments` and `bundles`. Parsing applies every default, so the output matches
 * engine/ensemble's EnsembleConfig and PortfolioConstructionConfig field for field.
 */
const fraction = z.number().min(0).max(1);
const positiveInt = z.number().int().positive();

const MeanSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('sample') }),
  z.strictObject({ kind: z.literal('ewma'), alpha: z.number().gt(0).max(1) }),
  z.strictObject({ kind: z.literal('rolling'), window: positiveInt }),
  z.strictObject({ kind: z.literal('shrunk') }),
]);

const CovarianceSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('sample'), normalization: z.enum(['unbiased', 'mle']).optional() }),
  z.strictObject({ kind: z.literal('ledoit-wolf') }),
  z.strictObject({ kind: z.literal('ewma'), decay: z.union([z.strictObject({ lambda: z.number().gt(0).lt(1) }), z.strictObject({ halflife: z.number().positive() })]) }),
]);

const WeightingSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('optimizer'),
    mean: MeanSchema.default({ kind: 'sample' }),
    covariance: CovarianceSchema.default({ kind: 'ledoit-wolf' }),
    lambda: z.number().positive().optional(),
    eta: z.number().min(0).optional(),
    wMax: z.number().positive().max(1).optional(),
    /**
     * Where lambda, eta and wMax not given come from: a regime of the seed-000 table, or 'auto' (the
     * classified regime). Default 'mixed', so `{"kind": "optimizer"}` optimizes with the table's
     * mixed-regime parameters (it used to validate and then never optimize).
     */
    regime: z.enum(['trending', 'ranging', 'volatile', 'mixed', 'auto']).default('mixed'),
    resampling: z.strictObject({ samples: positiveInt, fraction: z.number().gt(0).max(1) }).optional(),
  }),
  z.strictObject({ kind: z.literal('static') }),
  z.strictObject({ kind: z.literal('performance'), metric: z.enum(['sharpe', 'win_rate', 'profit_factor']).default('sharpe') }),
]);

const AdaptiveSchema = z.strictObject({
  maxChange: fraction.default(0.15),
  minMultiple: z.number().positive().max(1).default(0.1),
  maxMultiple: z.number().min(1).default(2.0),
  drawdownLimit: z.number().positive().default(0.25),
  scoreWeights: z
    .strictObject({ expectancy: z.number().min(0).default(0.25), profitFactor: z.number().min(0).default(0.25), drawdown: z.number().min(0).default(0.25), sharpe: z.number().min(0).default(0.25) })
    .default({ expectancy: 0.25, profitFactor: 0.25, drawdown: 0.25, sharpe: 0.25 }),
});

const QualitySchema = z.strictObject({
  weights: z
    .strictObject({ confluence: z.number().min(0).default(0.4), regime: z.number().min(0).default(0.3), history: z.number().min(0).default(0.3) })
    .default({ confluence: 0.4, regime: 0.3, history: 0.3 }),
  confluenceTarget: z.number().positive().default(3),
  threshold: fraction.default(0.4),
  neutralQuality: z.number().positive().default(0.5),
  maxMultiplier: z.number().min(0).max(2).default(2.0),
});

const RetirementSchema = z.strictObject({
  minTrades: positiveInt.default(10),
  minExpectancy: z.number().default(0),
  minProfitFactor: z.number().min(0).default(1.0),
  minWinRate: fraction.default(0.35),
  maxDrawdown: fraction.default(0.25),
  degradeAt: positiveInt.default(2),
  suspendAt: positiveInt.default(3),
  suspendAfter: positiveInt.default(2),
  retireAfter: positiveInt.default(3),
  degradedWeight: fraction.default(0.5),
});

const status = z.enum(['ACTIVE', 'DEGRADED', 'SUSPENDED', 'RETIRED']);

export const EnsembleSectionSchema = z.strictObject({
  /** `allocation`: optimizer (or static/performance) weights over the strategies' books; `voting`: vote per symbol. */
  mode: z.enum(['allocation', 'voting']).default('allocation'),
  accountId: z.string().min(1).default('ensemble'),
  shadowCostBps: z.number().min(0).default(0),
  wholeUnits: z.boolean().default(true),
  rebalanceEveryBars: positiveInt.default(20),
  warmupBars: positiveInt.default(60),
  window: z.number().int().min(2).default(60),
  periodsPerYear: z.number().positive().default(252),
  weighting: WeightingSchema.default({ kind: 'optimizer', mean: { kind: 'sample' }, covariance: { kind: 'ledoit-wolf' }, regime: 'mixed' }),
  baseWeights: z.record(z.string(), z.number().min(0)).nullable().default(null),
  voting: z
    .strictObject({ method: z.enum(['majority_vote', 'weighted_vote', 'confidence_average']).default('weighted_vote'), voteRatio: fraction.default(0.5), minConfidence: fraction.default(0) })
    .default({ method: 'weighted_vote', voteRatio: 0.5, minConfidence: 0 }),
  adaptive: AdaptiveSchema.nullable().default(null),
  quality: QualitySchema.nullable().default(null),
  retirement: RetirementSchema.nullable().default(null),
  monitor: z
    .strictObject({ minSharpe: z.number().default(0.02), maxConditionNumber: z.number().positive().default(1e6), maxTurnover: z.number().min(0).default(0.3), maxDivergence: z.number().min(0).default(0.01) })
    .default({ minSharpe: 0.02, maxConditionNumber: 1e6, maxTurnover: 0.3, maxDivergence: 0.01 }),
  regimes: z
    .strictObject({ adxPeriod: positiveInt.default(14), window: z.number().int().min(2).default(20), trendAdx: z.number().positive().default(25), rangeAdx: z.number().positive().default(20), volatileRatio: z.number().positive().default(1.5) })
    .default({ adxPeriod: 14, window: 20, trendAdx: 25, rangeAdx: 20, volatileRatio: 1.5 }),
  forcedStatus: z.record(z.string(), status).default({}),
});

export const PortfolioSectionSchema = z.strictObject({
  allocation: z
    .strictObject({
      method: z.enum(['equal_weight', 'inverse_volatility', 'equal_risk_contribution', 'momentum', 'minimum_variance']).default('equal_weight'),
      lookback: z.number().int().min(2).default(60),
      investedFraction: fraction.default(0.95),
    })
    .default({ method: 'equal_weight', lookback: 60, investedFraction: 0.95 }),
  rotation: z
    .strictObject({ by: z.enum(['momentum', 'signal_strength']).default('momentum'), topN: positiveInt, lookback: positiveInt.default(30) })
    .nullable()
    .default(null),
  rebalancing: z
    .strictObject({
      mode: z.enum(['periodic', 'threshold']).default('periodic'),
      everyBars: positiveInt.default(20),
      threshold: fraction.default(0.05),
      costRate: z.number().min(0).default(0),
      riskAversion: z.number().min(0).default(1),
    })
    .default({ mode: 'periodic', everyBars: 20, threshold: 0.05, costRate: 0, riskAversion: 1 }),
  hedging: z
    .strictObject({ adxBelow: z.number().positive().optional(), volatilityAbove: z.number().positive().optional(), drawdownAbove: fraction.optional(), cashFraction: fraction.default(0.3) })
    .nullable()
    .default(null),
  constraints: z
    .strictObject({ symbols: z.array(z.string().min(1)).min(1).optional(), maxPositions: positiveInt.optional(), dailyStopLoss: z.number().positive().optional() })
    .default({}),
});

/** Per-instrument parameter overrides: `{ "AAA": { "params": { ... } } }` (precedence instrument > strategy > defaults). */
export const InstrumentsSectionSchema = z.record(z.string().min(1), z.strictObject({ params: z.record(z.string(), z.unknown()).default({}) }));

/** Per-instrument model bundles: a directory of `{SYMBOL}_best.json`, feeding `params` of the named strategies. */
export const BundlesSectionSchema = z.strictObject({
  /** Directory of the bundles (relative to the scenario file). */
  dir: z.string().min(1),
  /** Symbols whose bundle must exist; default every replayed symbol. */
  symbols: z.array(z.string().min(1)).min(1).optional(),
  /** Strategy ids the bundle params apply to; default every strategy. */
  strategies: z.array(z.string().min(1)).min(1).optional(),
});

export type EnsembleSection = z.output<typeof EnsembleSectionSchema>;
export type PortfolioSection = z.output<typeof PortfolioSectionSchema>;
