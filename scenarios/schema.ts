import { z } from 'zod';
import { BundlesSectionSchema, EnsembleSectionSchema, InstrumentsSectionSchema, PortfolioSectionSchema } from './ensemble-schema.js';

/**
 * The scenario file format (JSON). Parsing applies every default and rejects unknown keys naming
 * their path; `venue`, `risk` and each strategy's `params` are then qualified by the modules that
 * own them (sim/venue, engine/risk, engine/strategies), so each rule is written once.
 */
const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/, 'expected an ISO-8601 date or datetime');

const duration = z.string().regex(/^\d+(\.\d+)?\s*(us|ms|s|m|h|d|w)$/, 'expected a duration such as 1m, 1h or 1d');

export const DataSchema = z.strictObject({
  /** A dataset directory (from `data generate` or `data import`) or a CSV/Parquet file of bars. */
  bars: z.string().min(1).optional(),
  /** A dataset directory holding quotes, for L1 replay. */
  quotes: z.string().min(1).optional(),
  /** A dataset directory holding trades. */
  trades: z.string().min(1).optional(),
  /**
   * A dataset directory holding L2 book rows: the run replays them through the L2 venue (order book,
   * queue models, latency; `venue` is then qualified by sim/venue/l2/l2-venue-config.ts plus an
   * optional `venue.latency` {feed, entry, response}); `trades` may add prints. Not with bars or quotes.
   */
  book: z.string().min(1).optional(),
  /**
   * A dataset directory holding option chains (kind `options`), replayed with `bars` of the
   * underlyings: each contract becomes a symbol `UNDERLYING YYYY-MM-DD C|P STRIKE` quoted at the
   * chain's bid/ask, valued at mid x `options.multiplier`, settled in cash at expiry.
   */
  options: z.string().min(1).optional(),
  /** Symbols to replay; default: every symbol of the bars (or quotes/trades) data. A single CSV/Parquet file is named by the first entry, else by its file name. */
  symbols: z.array(z.string().min(1)).min(1).optional(),
  start: isoDate.optional(),
  end: isoDate.optional(),
  /**
   * Bar interval. When absent, each symbol's own (the median spacing of its first bars), so a dataset
   * of daily and hourly symbols replays each at its own interval; when given, it must match the
   * spacing of every replayed symbol's bars (a run refuses it otherwise, naming the symbol).
   */
  interval: duration.optional(),
});

export const StrategySchema = z.strictObject({
  /** Unique id; defaults to the type, suffixed with its position when the type repeats. */
  id: z.string().min(1).optional(),
  /** A registered strategy name (see `tapedeck strategies`). */
  type: z.string().min(1),
  /** Symbols it trades; default: every replayed symbol. */
  symbols: z.array(z.string().min(1)).min(1).optional(),
  params: z.record(z.string(), z.unknown()).default({}),
  /**
   * Execution algorithm for this strategy's market targets, e.g. `{"algo": "twap", "duration": "30m",
   * "parts": 6, "fallbackAfter": "45m"}` (see engine/execution/algorithms/algorithm-config.ts); default
   * the scenario's `execution`, else direct orders.
   */
  execution: z.record(z.string(), z.unknown()).optional(),
});

/** Option pricing inputs of a run with `data.options`. */
export const OptionsSectionSchema = z.strictObject({
  /** Continuously compounded risk-free rate. */
  rate: z.number().finite().default(0.04),
  /** Continuous dividend yield of the underlyings. */
  dividendYield: z.number().finite().default(0),
  /** Units of the underlying per contract. */
  multiplier: z.number().positive().finite().default(100),
});

export const ScenarioSchema = z.strictObject({
  $schema: z.string().optional(),
  name: z.string().min(1),
  description: z.string().default(''),
  /** Seed of every random stream of the run. */
  seed: z.number().int().default(1),
  initialCash: z.number().positive().finite().default(100_000),
  data: DataSchema,
  strategies: z.array(StrategySchema).min(1),
  /** Simulated venue: fill rules, fees, slippage (see sim/venue/venue-config.ts). */
  venue: z.record(z.string(), z.unknown()).default({}),
  /** Pre-trade risk limits (see engine/risk/risk-config.ts). */
  risk: z.record(z.string(), z.unknown()).default({}),
  engine: z
    .strictObject({
      /** Bars each strategy can read back through its BarSeries. */
      lookback: z.number().int().positive().default(1024),
      /** Equity sampling for tick-only runs (bars are sampled on every bar). */
      equityEvery: duration.default('1m'),
    })
    .default({ lookback: 1024, equityEvery: '1m' }),
  /** Default execution algorithm of every strategy without its own `execution` (see StrategySchema). */
  execution: z.record(z.string(), z.unknown()).optional(),
  /** Option pricing (rate, dividend yield, contract multiplier) for `data.options`. */
  options: OptionsSectionSchema.optional(),
  /** Strategy ensemble: strategies trade shadow ledgers, the account trades their combination (see scenarios/ensemble-schema.ts). */
  ensemble: EnsembleSectionSchema.optional(),
  /** Portfolio construction (allocation, rotation, rebalancing, hedging) and constraints (symbols, max positions, daily stop). */
  portfolio: PortfolioSectionSchema.optional(),
  /** Per-instrument strategy parameter overrides (instrument > strategy > defaults). */
  instruments: InstrumentsSectionSchema.optional(),
  /** Per-instrument model bundles ({SYMBOL}_best.json), feeding the instrument parameters. */
  bundles: BundlesSectionSchema.optional(),
});

export type ScenarioInput = z.input<typeof ScenarioSchema>;
export type ParsedScenario = z.output<typeof ScenarioSchema>;
