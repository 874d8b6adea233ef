import { z } from 'zod';
import { deferredSchema } from '../engine/core/deferred-schema.js';
import { ExecutionSchema } from '../engine/execution/algorithms/algorithm-schema.js';
import { RiskSchema } from '../engine/risk/risk-schema.js';
import { AccountSchema, StrategyAccountSchema } from '../engine/portfolio/account-schema.js';
import { PredictiveFiltersSchema } from '../engine/models/predictive-filter-schema.js';
import { VenueSchema } from '../sim/venue/venue-schema.js';
import { CalendarSchema, MetricsSectionSchema } from './calendar-schema.js';
import { BundlesSectionSchema, EnsembleSectionSchema, isoDate, InstrumentsSectionSchema, PortfolioSectionSchema, RegimesSectionSchema } from './ensemble-schema.js';

/**
 * The scenario file format (JSON). Parsing applies every default and rejects unknown keys naming
 * their path. The `venue`, `risk` and `execution` sections are the schemas of the modules that own
 * them (sim/venue/venue-schema.ts, engine/risk/risk-schema.ts,
 * engine/execution/algorithms/algorithm-schema.ts): types and ranges are decided here by zod, the
 * owners' qualifiers add only the rules across fields. Each strategy's `params` is an object
 * validated by the strategy's own zod schema. Every field carries a `.describe()` text, published
 * as `scenarios/scenario.schema.json` (`npm run schema`).
 */
const duration = z.string().regex(/^\d+(\.\d+)?\s*(us|ms|s|m|h|d|w)$/, 'expected a duration such as 1m, 1h or 1d');

export const DataSchema = z
  .strictObject({
    bars: z.string().min(1).optional().describe('A dataset directory (from `data generate` or `data import`) or a CSV/Parquet file of bars, relative to the scenario file.'),
    quotes: z.string().min(1).optional().describe('A dataset directory holding quotes, for L1 replay.'),
    trades: z.string().min(1).optional().describe('A dataset directory holding trades (prints).'),
    book: z
      .string()
      .min(1)
      .optional()
      .describe('A dataset directory holding L2 book rows: the run replays them through the L2 venue (order book, queue model, latency); `trades` may add prints. Not with bars or quotes.'),
    options: z
      .string()
      .min(1)
      .optional()
      .describe("A dataset directory holding option chains, replayed with `bars` of the underlyings: each contract becomes a symbol `UNDERLYING YYYY-MM-DD C|P STRIKE` quoted at the chain's bid/ask, settled in cash at expiry."),
    sentiment: z
      .string()
      .min(1)
      .optional()
      .describe(
        "A dataset directory or a CSV/Parquet file of sentiment scores (kind `sentiment`: ts, score in [-1, 1], optional mentions), replayed with the bars, quotes or trades to the strategies' onSentiment in time order (at equal times after the market data). A file is one symbol's (named by data.symbols' first entry, else by the file name). Not on an L2 run (data.book).",
      ),
    symbols: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe('Symbols to replay; default: every symbol of the data. A single CSV/Parquet file is named by the first entry, else by its file name.'),
    start: isoDate.optional().describe('First time replayed (ISO-8601 date or datetime, UTC unless an offset is given); default: the start of the data.'),
    end: isoDate.optional().describe('End of the replay (ISO-8601 date or datetime); default: the end of the data.'),
    interval: duration
      .optional()
      .describe(
        "Bar interval (e.g. 1m, 1h, 1d). Default: each symbol's own (the median spacing of its first bars). When given it must not contradict any replayed symbol's bars: within 1% of its spacing for a regular series, or of the range of its normal spacings (those within half and 1.5 times the median; month-end bars: 28d to 31d); else the run is refused naming both. A bar closes at its open + the interval, or when the next bar of its symbol opens if that is sooner (months, weeks after a holiday).",
      ),
    barTimestamp: z
      .enum(['open', 'close'])
      .optional()
      .describe(
        "What a bar's timestamp marks. 'open' (default): the bar opened then and closes at the sooner of its open + the interval and the next bar of its symbol's open (the feed reads ahead that next timestamp, no price). 'close': the bar closed then and opened at the later of its timestamp - the interval and the previous bar's timestamp. Decisions are taken at a bar's close and fill on the next bar. data.start/data.end select bars by their timestamps as stored; data.timeframes buckets them by their opens.",
      ),
    timeframes: z
      .array(duration)
      .min(1)
      .optional()
      .describe(
        "Coarser bar intervals (e.g. [\"4h\", \"1d\"]) resampled from the bars (UTC epoch buckets: first open, highest high, lowest low, last close, summed volume), each a whole multiple of every symbol's bar interval. Strategies read them with ctx.bars(symbol, '1d'); a coarse bar is readable from the first event at or after its bucket ends, and only buckets wholly inside data.start..data.end are built. Part of the run's identity (runHash) even when no strategy reads them. Needs data.bars.",
      ),
  })
  .describe('The market data of the run: bars, quotes, trades, an L2 book, option chains or sentiment scores, and the symbols and time range to replay.');

export const StrategySchema = z
  .strictObject({
    id: z.string().min(1).optional().describe('Unique id; default: the type, suffixed with its position when the type repeats.'),
    type: z
      .string()
      .min(1)
      .describe('A built-in strategy name (see `tapedeck strategies`) or the path of a strategy module (.ts, .mts, .js, .mjs, relative to the scenario file) that default-exports defineStrategy(...).'),
    symbols: z.array(z.string().min(1)).min(1).optional().describe('Symbols it trades; default: every replayed symbol.'),
    params: z
      .record(z.string(), z.unknown())
      .default({})
      .describe("The strategy's parameters, validated by the strategy's own schema; missing ones take the strategy's defaults (see `tapedeck strategies`)."),
    execution: ExecutionSchema.optional().describe("Execution algorithm of this strategy's market targets, e.g. {\"algo\": \"twap\", \"duration\": \"30m\", \"parts\": 6}; default: the scenario's `execution`, else direct orders. Refused under an ensemble (its strategies trade shadow books)."),
    account: StrategyAccountSchema.optional(),
    filters: PredictiveFiltersSchema.optional().describe(
      "Predictive filters of this strategy's entries, e.g. [{\"kind\": \"garch_volatility\", \"maxVolatility\": 0.4, \"annualization\": 252}, {\"kind\": \"volume_surge\", \"minZScore\": 1}, {\"kind\": \"direction\", \"model\": \"logit\", \"features\": [\"ret1\", \"ibs\"]}]: every one must pass for an entry (a target, order or bracket that opens, adds to or flips a position) to go; reductions and exits always pass, and a blocked signal goes on neutral (direction 0). Each block is an audit entry `filter.blocked`; the predictions travel in the strategy's signals' metadata. Needs data.bars.",
    ),
  })
  .describe('One strategy of the run: its type, id, symbols, parameters, execution algorithm and, optionally, its own account.');

/** Option pricing inputs of a run with `data.options`. Built on first use (see deferredSchema): most runs have no options. */
export const OptionsSectionSchema = deferredSchema(() =>
  z
    .strictObject({
      rate: z.number().finite().default(0.04).describe('Continuously compounded risk-free rate.'),
      dividendYield: z.number().finite().default(0).describe('Continuous dividend yield of the underlyings.'),
      multiplier: z.number().positive().finite().default(100).describe('Units of the underlying per contract.'),
    })
    .describe('Option pricing (rate, dividend yield, contract multiplier) for `data.options`.'),
);

export const EngineSectionSchema = z
  .strictObject({
    lookback: z.number().int().positive().default(1024).describe('Bars each strategy can read back through its BarSeries.'),
    equityEvery: duration.default('1m').describe('Equity sampling step of tick-only runs (bar runs sample on every bar).'),
    tradeFrom: isoDate
      .optional()
      .describe(
        'Start of trading (ISO-8601). Before it strategies see bars and timers (indicators warm up) but every order and target they make is dropped and counted, not traded; default: trade from the first bar. Walk-forward sets it per fold to the start of the test window.',
      ),
  })
  .describe('Replay engine settings: strategy lookback, equity sampling and the start of trading.');

export const ScenarioSchema = z
  .strictObject({
    name: z.string().min(1).describe('Name of the scenario, shown in reports.'),
    description: z.string().default('').describe('What the scenario is about, shown in reports.'),
    // After name and description: the parsed scenario keeps this key order, and report.json's reader
    // (reports/report-schema.ts) puts name and description first, so the rebuilt page matches.
    $schema: z.string().optional().describe('The JSON Schema of this file, for editors: "./scenario.schema.json".'),
    seed: z.number().int().default(1).describe('Seed of every random stream of the run.'),
    initialCash: z.number().positive().finite().default(100_000).describe('Cash in the account at the start, account currency.'),
    account: AccountSchema.prefault({}),
    data: DataSchema,
    strategies: z.array(StrategySchema).min(1).describe('The strategies of the run (at least one).'),
    venue: VenueSchema.default({}),
    risk: RiskSchema.default({}),
    engine: EngineSectionSchema.default({ lookback: 1024, equityEvery: '1m' }),
    calendar: CalendarSchema.optional(),
    metrics: MetricsSectionSchema.optional(),
    execution: ExecutionSchema.optional().describe("Default execution algorithm of every strategy without its own `execution`; under an ensemble, the account's algorithm: each change of the ensemble's target becomes a parent order. Default: direct orders."),
    options: OptionsSectionSchema.optional(),
    ensemble: EnsembleSectionSchema.optional().describe(
      'Strategy ensemble: strategies trade shadow ledgers, the account trades their combination (allocation weights or votes).',
    ),
    regimes: RegimesSectionSchema.optional(),
    portfolio: PortfolioSectionSchema.optional().describe('Portfolio construction (allocation, rotation, rebalancing, hedging) and constraints (symbols, max positions, daily stop).'),
    instruments: InstrumentsSectionSchema.optional().describe(
      'Per symbol: strategy parameter overrides (instrument > strategy > defaults) and the instrument (asset class, point value, tick and lot size, currency, margins per contract). Each symbol must be replayed.',
    ),
    instrumentsFile: z
      .string()
      .min(1)
      .optional()
      .describe(
        'A JSON file of instruments shared by scenarios, relative to the scenario file: {"instruments": {"ES": {"assetClass": "future", "multiplier": 50, ...}}} (optional "$comment", "description"). Symbols not replayed are ignored; `instruments.SYM` fields replace its fields.',
      ),
    bundles: BundlesSectionSchema.optional().describe('Per-instrument model bundles ({SYMBOL}_best.json), feeding the instrument parameters.'),
  })
  .describe('A Tapedeck scenario: the data, strategies, venue, risk and settings of one run.');

export type ScenarioInput = z.input<typeof ScenarioSchema>;
export type ParsedScenario = z.output<typeof ScenarioSchema>;
