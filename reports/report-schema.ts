import { z } from 'zod';
import type { OrderId, StrategyId, Symbol_ } from '../engine/core/index.js';
import { ORDER_SIDES, ORDER_STATUSES, ORDER_TYPES, TIMES_IN_FORCE } from '../engine/model/index.js';
import { IndicatorsSectionSchema } from './indicators.js';
import { REPORT_SCHEMA_VERSION } from './run-report.js';
import type { RunReport } from './run-report.js';

/**
 * The zod schema of report.json, matching buildRunReport's output field for field (a compile-time check
 * below keeps the two in step), and the JSON Schema generated from it (reports/report.schema.json, kept
 * equal to the generated text by a test). Objects are strict: an unknown key is an error, so a field
 * added to the report without being added here fails the test that validates real reports.
 */

const int = () => z.number().int();
const nullableNumber = () => z.number().nullable();
/** A branded id from the engine: a string at run time, the brand only in the type. */
const strategyId = z.string() as unknown as z.ZodType<StrategyId>;
const symbol = z.string() as unknown as z.ZodType<Symbol_>;
const orderId = z.string() as unknown as z.ZodType<OrderId>;

export const PerformanceMetricsSchema = z
  .strictObject({
    bars: int(),
    startTs: int(),
    endTs: int(),
    periodsPerYear: nullableNumber(),
    annualization: z.enum(['trading-days', 'calendar-days', 'interval', 'calendar', 'explicit']).nullable(),
    finalEquity: z.number(),
    totalReturn: z.number(),
    cagr: nullableNumber(),
    annualizedVolatility: nullableNumber(),
    sharpe: nullableNumber(),
    sortino: nullableNumber(),
    calmar: nullableNumber(),
    maxDrawdown: z.number(),
    maxDrawdownDurationUs: z.number(),
    maxDrawdownDurationBars: int(),
    averageDrawdown: z.number(),
    averageDrawdownDurationUs: z.number(),
    drawdownEpisodes: int(),
    exposureTime: z.number(),
    tradeCount: int(),
    winRate: nullableNumber(),
    bestTrade: nullableNumber(),
    worstTrade: nullableNumber(),
    averageTrade: nullableNumber(),
    averageWinningTrade: nullableNumber(),
    averageLosingTrade: nullableNumber(),
    profitFactor: nullableNumber(),
    expectancy: nullableNumber(),
    sqn: nullableNumber(),
    kelly: nullableNumber(),
    tradedNotional: z.number(),
    turnover: nullableNumber(),
    annualTurnover: nullableNumber(),
    totalCommissions: z.number(),
    buyAndHoldReturn: nullableNumber(),
    riskFreeRate: z.number(),
    ruinedAt: z.string().nullable(),
  })
  .describe('Performance metrics; every formula is in reports/METRICS.md. Fractions are plain fractions, null means undefined for the data.');

const FillSchema = z.strictObject({
  ts: int(),
  time: z.string(),
  symbol: z.string(),
  side: z.enum(['buy', 'sell']),
  qty: z.number(),
  price: z.number(),
  commission: z.number(),
  orderId: z.string(),
  strategyId: z.string().nullable(),
  liquidity: z.string(),
});

const TradeSchema = z.strictObject({
  symbol: z.string(),
  strategyId: z.string(),
  side: z.enum(['long', 'short']),
  qty: z.number(),
  entryTime: z.string(),
  entryPrice: z.number(),
  exitTime: z.string(),
  exitPrice: z.number(),
  pnl: z.number(),
  returnPct: z.number(),
  commission: z.number(),
});

const EquityPointSchema = z.strictObject({
  time: z.string(),
  ts: int(),
  equity: z.number(),
  cash: z.number(),
  drawdown: z.number(),
  grossExposure: z.number(),
  marginInUse: z.number().optional(),
  buyingPower: z.number().optional(),
});

const OrderSchema = z.strictObject({
  id: z.string(),
  symbol: z.string(),
  side: z.enum(ORDER_SIDES),
  type: z.enum(ORDER_TYPES),
  qty: z.number(),
  limitPrice: nullableNumber(),
  stopPrice: nullableNumber(),
  timeInForce: z.enum(TIMES_IN_FORCE),
  status: z.enum(ORDER_STATUSES),
  filledQty: z.number(),
  avgFillPrice: z.number(),
  tsCreated: int(),
  strategyId: z.string().nullable(),
  reduceOnly: z.boolean(),
  tag: z.string().nullable(),
  reason: z.string().nullable(),
  link: z
    .strictObject({
      contingency: z.enum(['OTO', 'OCO', 'OUO']),
      parentId: orderId.nullable(),
      linkedIds: z.array(orderId),
      group: z.string().nullable(),
    })
    .optional()
    .describe('Only on contingent orders: a bracket entry (OTO, linkedIds = its exits), a bracket exit (OUO, parentId = the entry) or an OCO/OUO group member (group = its label)'),
});

const AuditEntrySchema = z.strictObject({
  ts: int(),
  time: z.string(),
  kind: z.string().describe("e.g. 'risk.denied', 'risk.halted', 'order.rejected', 'weights.changed', 'strategy.retired'"),
  message: z.string(),
  strategyId: z.string().optional(),
  symbol: z.string().optional(),
  orderId: z.string().optional(),
  details: z.record(z.string(), z.unknown()).optional(),
});

const ALGOS = ['direct', 'smart', 'twap', 'vwap', 'dca'] as const;
const ExecutionSectionSchema = z
  .strictObject({
    algorithms: z.array(z.string()),
    strategies: z.array(
      z.strictObject({ strategyId: z.string(), algo: z.enum(ALGOS), parents: int(), filledQty: z.number(), shortfallBps: nullableNumber(), fallbacks: int() }),
    ),
    parents: z.array(
      z.strictObject({
        id: z.string(),
        strategyId: z.string(),
        symbol: z.string(),
        side: z.enum(['buy', 'sell']),
        algo: z.enum(ALGOS),
        qty: z.number(),
        parts: int(),
        childOrders: int(),
        filledQty: z.number(),
        averageFill: nullableNumber(),
        arrivalPrice: z.number(),
        arrivalSource: z.enum(['mid', 'last']),
        shortfallBps: nullableNumber().describe('(average fill - arrival) / arrival x 10^4, positive = cost'),
        fallbackUsed: z.boolean(),
        status: z.enum(['working', 'completed', 'cancelled']),
        reason: z.string().nullable(),
        tsCreated: int(),
        time: z.string(),
      }),
    ),
  })
  .describe('Execution algorithms: parent orders with implementation shortfall against the arrival mid, per-strategy comparison');
const GreeksSchema = z.strictObject({ delta: z.number(), gamma: z.number(), vega: z.number(), theta: z.number() });
const OptionsSectionSchema = z
  .strictObject({
    contracts: int(),
    chainRows: int(),
    quotedRows: int(),
    rate: z.number(),
    dividendYield: z.number(),
    finalGreeks: z.record(z.string(), GreeksSchema),
    greeks: z.array(z.strictObject({ ts: int(), time: z.string(), underlying: z.string(), delta: z.number(), gamma: z.number(), vega: z.number(), theta: z.number() })),
    settlements: z.array(z.lazy(() => AuditEntrySchema)),
  })
  .describe('Options: net Greeks per underlying (BSM x multiplier x contracts + underlying) over time and at the end; cash settlements at expiry');
const BookSectionSchema = z
  .strictObject({
    bookRows: int(),
    quotes: int(),
    messagesSent: int(),
    messagesReturned: int(),
    requestRejections: int(),
    takerExecutions: int(),
    takerQty: z.number(),
    takerSlippageBps: nullableNumber(),
    maxLevelsWalked: int(),
    repairs: z.record(z.string(), z.record(z.string(), z.number())),
  })
  .describe('L2 replay: book rows, quotes, taker executions and their slippage against the arrival mid, order messages, book repairs');

const SignalSchema = z.strictObject({
  ts: int(),
  time: z.string(),
  strategyId,
  symbol,
  direction: z.union([z.literal(-1), z.literal(0), z.literal(1)]),
  strength: z.number(),
  confidence: z.number(),
  reason: z.string().optional(),
  metadata: z
    .record(z.string(), z.union([z.number(), z.string(), z.null()]))
    .optional()
    .describe("The predictive filters' predictions when the signal was emitted (garchVolatility, volumeZScore, ...) and their verdict `filter` (pass or blocked:<kind>); present only for strategies with filters."),
});

const DataProvenanceSchema = z.strictObject({
  source: z.string(),
  kinds: z.array(z.string()),
  symbols: z.array(z.string()),
  start: z.string().nullable(),
  end: z.string().nullable(),
  rows: z.record(z.string(), z.unknown()),
  contentHash: z.string().nullable(),
  barInterval: z.string().nullable(),
});

const PriceSeriesSchema = z.strictObject({
  ts: z.array(int()),
  close: z.array(z.number()),
  open: z.array(z.number()).optional(),
  high: z.array(z.number()).optional(),
  low: z.array(z.number()).optional(),
  volume: z.array(z.number()).optional(),
});

const GroupStatsSchema = z.strictObject({
  trades: int(),
  pnl: z.number(),
  winRate: z.number(),
  profitFactor: nullableNumber(),
  expectancy: z.number(),
});

const ReturnAttributionSchema = z.strictObject({
  periods: int(),
  meanReturn: z.number(),
  alpha: z.number(),
  beta: z.number(),
  alphaT: nullableNumber(),
  selection: nullableNumber(),
  market: nullableNumber(),
  timing: nullableNumber(),
  timingCoefficient: nullableNumber(),
  selectionT: nullableNumber(),
  timingT: nullableNumber(),
  rSquared: z.number(),
});

const EnsembleSchema = z
  .strictObject({
    mode: z.enum(['allocation', 'voting']),
    accountId: z.string(),
    weightsOverTime: z.array(z.strictObject({ ts: int(), time: z.string(), regime: z.string(), weights: z.record(z.string(), z.number()), source: z.string() })),
    decisions: z.array(
      z.strictObject({
        ts: int(),
        time: z.string(),
        symbol: z.string(),
        decision: z.enum(['buy', 'sell', 'flat', 'hold']),
        contributingStrategies: z.array(z.string()),
        voteCounts: z.strictObject({ buy: int(), sell: int(), flat: int() }),
        totalWeight: z.number(),
        confidence: z.number(),
        mode: z.string(),
        weights: z.record(z.string(), z.number()),
        targetUnits: nullableNumber(),
      }),
    ),
    strategies: z.array(
      z.strictObject({
        id: z.string(),
        return: z.number(),
        sharpe: nullableNumber(),
        maxDrawdown: z.number(),
        turnover: z.number(),
        trades: int(),
        winRate: nullableNumber(),
        profitFactor: nullableNumber(),
        status: z.enum(['ACTIVE', 'DEGRADED', 'SUSPENDED', 'RETIRED']),
        finalWeight: z.number(),
      }),
    ),
    account: z.strictObject({ return: z.number(), sharpe: nullableNumber(), maxDrawdown: z.number(), turnover: z.number() }),
    decomposition: z.strictObject({
      byStrategy: z.record(z.string(), GroupStatsSchema),
      bySymbol: z.record(z.string(), z.record(z.string(), GroupStatsSchema)),
      byRegime: z.record(z.string(), z.record(z.string(), GroupStatsSchema)),
    }),
    attribution: z
      .strictObject({
        benchmark: z.string(),
        byStrategy: z.record(z.string(), ReturnAttributionSchema.nullable()),
        account: ReturnAttributionSchema.nullable(),
      })
      .optional()
      .describe('Shadow-ledger returns per equity sample regressed on the benchmark: CAPM alpha/beta and the Treynor-Mazuy split of the annualized mean return into selection + market + timing (absent before 2026-12-05)'),
    signalQuality: z
      .strictObject({
        threshold: z.number(),
        buckets: z.array(
          z.strictObject({
            startTs: int(),
            endTs: int(),
            start: z.string(),
            end: z.string(),
            byStrategy: z.record(z.string(), z.strictObject({ signals: int(), passed: int(), meanQuality: z.number() })),
          }),
        ),
      })
      .nullable()
      .optional()
      .describe('What the signal quality filter scored per strategy in at most 256 equal-sample time buckets (null without ensemble.quality; absent before 2026-12-05)'),
    audit: z.array(AuditEntrySchema),
  })
  .describe('Ensemble runs: each strategy measured on its shadow ledger beside the account, weights over time, voting decisions, audit entries');

/**
 * The scenario as run. The report builder takes it as an opaque value; every run writes the qualified
 * scenario, an object with at least a name, and the HTML report reads its name, description and strategies.
 */
const ScenarioSchema = z.looseObject({
  name: z.string(),
  description: z.string().optional(),
});

const TableFileSchema = z.strictObject({ file: z.string(), rows: int() });
const RunTablesSchema = z
  .strictObject({ equity: TableFileSchema, fills: TableFileSchema, orders: TableFileSchema, trades: TableFileSchema, audit: TableFileSchema, signals: TableFileSchema })
  .describe('The Parquet tables beside report.json: every equity sample, fill, order, round trip, audit entry and recorded signal (times as Parquet timestamps); file names are relative to report.json.');

const FeedStatsSchema = z.strictObject({
  received: int(),
  accepted: int(),
  heartbeats: int(),
  control: int(),
  malformed: int(),
  unknownType: int(),
  invalid: int(),
  unsubscribed: int(),
  duplicateSeq: int(),
  outOfOrder: int(),
  duplicateTs: int(),
  refusals: z.array(z.string()),
});
const GapReportSchema = z.strictObject({
  lastSeq: int(),
  seqGaps: z.array(z.strictObject({ after: int(), next: int(), missing: int() })),
  missedMessages: int(),
  reconnects: int(),
  heartbeatTimeouts: int(),
  outages: z.array(z.strictObject({ startUs: z.number(), endUs: z.number().nullable(), reason: z.string() })),
  downtimeMs: z.number(),
  longestSilenceMs: z.number(),
  watermarkUs: z.number().nullable(),
  ended: z.boolean(),
});
const LiveSessionSchema = z
  .strictObject({
    sessionId: z.string(),
    mode: z.enum(['paper', 'broker']),
    feed: z.string().describe('The feed, without credentials.'),
    stream: z.string().nullable(),
    restarts: int().describe('Earlier runs of the session that were interrupted and resumed from its journal.'),
    journalReplayed: int(),
    ended: z.enum(['end', 'stopped', 'failed']),
    feedFailure: z.string().nullable(),
    feedStats: FeedStatsSchema.describe('Every message received, and what was refused (counted per reason; the first refusals in words).'),
    gaps: GapReportSchema.describe('Sequence gaps, reconnects, heartbeat timeouts and outages of the feed.'),
    broker: z
      .strictObject({ sent: int(), skippedAnswered: int(), resent: int(), accepted: int(), rejected: int(), alerts: int() })
      .nullable()
      .describe('Orders mirrored to the webhook broker; null in a paper session.'),
    halt: z.strictObject({ mode: z.enum(['cancel', 'flatten']), reason: z.string(), refusedOrders: int() }).nullable(),
    recording: z.string().nullable().describe('The recording dataset, relative to the state directory.'),
  })
  .describe('A live or paper session (tapedeck live): its feed, gaps, broker and kill switch.');

const nullableNumbers = () => z.array(z.number().nullable());
const DurationStatsSchema = z.strictObject({ count: int(), meanDays: nullableNumber(), medianDays: nullableNumber(), maxDays: nullableNumber() });

const TearSheetSchema = z
  .strictObject({
    periodsPerYear: nullableNumber().describe("metrics.periodsPerYear: the annualization of the tear sheet's figures."),
    worstDrawdowns: z
      .array(
        z.strictObject({
          start: z.string().describe('The last sample at the peak before the fall, ISO-8601.'),
          trough: z.string().describe('The deepest sample of the episode, ISO-8601.'),
          end: z.string().nullable().describe('The first sample back at the peak; null when not recovered.'),
          depth: z.number().describe('1 - trough / peak, a positive fraction.'),
          lengthDays: z.number().describe('Days from start to end (or to the last sample).'),
          recoveryDays: nullableNumber().describe('Days from trough to end; null when not recovered.'),
        }),
      )
      .describe('The 5 deepest drawdown episodes (the episodes of metrics.drawdownEpisodes), deepest first.'),
    distribution: z
      .strictObject({
        periods: int(),
        mean: z.number(),
        std: nullableNumber().describe('Sample standard deviation (ddof 1).'),
        skew: nullableNumber().describe('Bias-corrected skewness (scipy.stats.skew bias=False, pandas skew()).'),
        kurtosis: nullableNumber().describe('Bias-corrected excess kurtosis (scipy.stats.kurtosis bias=False, pandas kurt()).'),
        min: z.number(),
        max: z.number(),
        var95: z.number().describe('Historical 5% quantile of the period returns (linear interpolation); negative for a loss.'),
        cvar95: z.number().describe('Mean of the period returns below var95.'),
        histogram: z.array(z.strictObject({ from: z.number(), to: z.number(), count: int() })).describe('30 equal-width bins over [min, max], as numpy.histogram.'),
        normal: z.strictObject({ mean: z.number(), std: nullableNumber() }).describe('The normal overlay.'),
      })
      .nullable()
      .describe('The period returns (E_i / E_{i-1} - 1); null without a return.'),
    yearly: z
      .array(z.strictObject({ year: int(), strategy: nullableNumber(), benchmark: nullableNumber() }))
      .describe('Compounded return per calendar year (UTC) of the strategy and of buy and hold.'),
    benchmarkCurve: z
      .strictObject({ symbols: z.array(z.string()), ts: z.array(int()), value: z.array(z.number()) })
      .nullable()
      .describe("Equal-weight buy and hold of the run's symbols (growth of 1) at the samples of `equity`; null without sampled prices."),
    benchmark: z
      .strictObject({
        periods: int(),
        alpha: nullableNumber().describe('OLS intercept per period x periodsPerYear.'),
        beta: nullableNumber(),
        correlation: nullableNumber(),
        rSquared: nullableNumber(),
        trackingError: nullableNumber().describe('std of active returns x sqrt(periodsPerYear).'),
        informationRatio: nullableNumber().describe('mean / std of active returns x sqrt(periodsPerYear).'),
      })
      .nullable()
      .describe("The strategy's period returns regressed on buy and hold's (OLS with intercept); null without a benchmark."),
    rolling: z
      .strictObject({
        window: int().describe('Period returns in the trailing window.'),
        ts: z.array(int()).describe('The equity samples the values are given at (evenly spaced, at most 2000).'),
        sharpe: nullableNumbers(),
        volatility: nullableNumbers(),
        beta: nullableNumbers().nullable(),
      })
      .nullable()
      .describe('Rolling Sharpe, annualized volatility and beta against buy and hold; null without periodsPerYear.'),
    tradeStats: z
      .strictObject({
        all: DurationStatsSchema,
        winners: DurationStatsSchema,
        losers: DurationStatsSchema,
        mae: z.null().describe('Maximum adverse excursion: not recorded by the round trips.'),
        mfe: z.null().describe('Maximum favourable excursion: not recorded by the round trips.'),
      })
      .describe('Round-trip durations in days (entry to exit): all, winners (pnl > 0), losers (pnl < 0).'),
  })
  .describe('The tear sheet (reports/tearsheet.ts); present when the equity curve has at least two samples.');

/** The run report as a run returns it in memory (and as report.json held it whole in schemaVersion 1). */
export const RunReportSchema = z
  .strictObject({
    // Versions 1 (everything inline) and 2 (the large lists in Parquet tables) read the same once loaded.
    schemaVersion: z.union([z.literal(1), z.literal(REPORT_SCHEMA_VERSION)]) as unknown as z.ZodType<number>,
    generator: z.string(),
    scenario: ScenarioSchema,
    seed: int(),
    runHash: z.string(),
    metrics: PerformanceMetricsSchema,
    fills: z.array(FillSchema),
    trades: z.array(TradeSchema),
    equity: z.array(EquityPointSchema),
    orders: z.array(OrderSchema),
    positions: z.record(z.string(), z.number()),
    assumptions: z.array(z.string()),
    audit: z.array(AuditEntrySchema),
    signals: z.strictObject({ count: int(), recorded: z.array(SignalSchema) }),
    data: DataProvenanceSchema,
    counts: z.strictObject({ bars: int(), quotes: int(), trades: int(), orders: int(), fills: int() }),
    prices: z.record(z.string(), PriceSeriesSchema).optional(),
    tearSheet: TearSheetSchema.optional(),
    indicators: IndicatorsSectionSchema.optional(),
    ensemble: EnsembleSchema.optional(),
    execution: ExecutionSectionSchema.optional(),
    options: OptionsSectionSchema.optional(),
    book: BookSectionSchema.optional(),
    accounts: z
      .array(
        z.strictObject({
          id: z.string().describe("The strategy's id (the account is its own)."),
          initialCash: z.number(),
          finalEquity: z.number(),
          totalReturn: z.number().describe('(finalEquity - initialCash) / initialCash.'),
          maxDrawdown: z.number().describe("Largest peak-to-trough fall of the book's equity, a fraction of the peak."),
          ruinedAt: z.string().nullable().describe("When the book's equity reached zero or below (its trading ended; the other books traded on), ISO-8601, or null."),
          ruinEquity: z.number().nullable(),
        }),
      )
      .optional()
      .describe('Per-strategy accounts (scenario strategies[i].account), in strategy order: present when the strategies trade their own books. The top-level equity, cash and metrics are the books summed.'),
    tables: RunTablesSchema.optional(),
    live: LiveSessionSchema.optional(),
  })
  .describe(`Tapedeck run report, schemaVersion ${REPORT_SCHEMA_VERSION}`);

/**
 * report.json as `tapedeck run` writes it (schemaVersion 2): the report without its fills, orders, round
 * trips, audit trail and recorded signals, which are in the Parquet tables named by `tables` (with every equity sample; `equity` here
 * is the curve the report draws).
 */
export const RunReportFileSchema = RunReportSchema.omit({ fills: true, orders: true, trades: true, audit: true, signals: true })
  .extend({
    schemaVersion: z.literal(REPORT_SCHEMA_VERSION) as unknown as z.ZodType<number>,
    signals: z.strictObject({ count: int() }).describe('Signals emitted; the recorded ones are tables.signals.'),
    tables: RunTablesSchema,
  })
  .describe(`Tapedeck run report (report.json), schemaVersion ${REPORT_SCHEMA_VERSION}: the large lists are the Parquet tables beside it`);

/** report.json as written: the report without fills, orders and trades, with `tables`. */
export type RunReportFile = Omit<RunReport, 'fills' | 'orders' | 'trades' | 'audit' | 'signals' | 'tables'> & { readonly signals: { readonly count: number }; readonly tables: NonNullable<RunReport['tables']> };

/** The report as the schema reads it (the scenario typed as far as the schema checks it). */
export type ParsedRunReport = z.output<typeof RunReportSchema>;

// Compile-time check that the schema and the RunReport type describe the same fields, both ways,
// readonly aside (both sides are deeply frozen first); `scenario` is opaque (unknown) in RunReport.
type Frozen<T> = T extends readonly (infer E)[] ? readonly Frozen<E>[] : T extends object ? { readonly [K in keyof T]: Frozen<T[K]> } : T;
type WithoutScenario<T> = { [K in keyof T as K extends 'scenario' ? never : K]: Frozen<T[K]> };
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const schemaMatchesRunReport: Same<WithoutScenario<ParsedRunReport>, WithoutScenario<RunReport>> = true;
void schemaMatchesRunReport;

/** Returns the JSON Schema (draft 2020-12) of report.json, generated from {@link RunReportFileSchema}. */
export function reportJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(RunReportFileSchema, { target: 'draft-2020-12' });
  return { $schema: generated.$schema, title: 'Tapedeck run report (report.json)', ...generated };
}

/** Returns the JSON Schema as committed in reports/report.schema.json (two-space indent, trailing newline). */
export function reportJsonSchemaText(): string {
  return `${JSON.stringify(reportJsonSchema(), null, 2)}\n`;
}

/** Where a report failed validation: the dotted path of the first bad field and zod's reason. */
export interface ReportIssue {
  readonly path: string;
  readonly message: string;
}

/**
 * Validates a run report held whole (a run's in-memory report, or a schemaVersion 1 report.json). Returns
 * the report, or the first issue (its path as `equity[3].drawdown`, or `(root)`) so a caller can name the
 * file and the field.
 */
export function validateRunReport(value: unknown): { ok: true; report: RunReport } | { ok: false; issue: ReportIssue; issues: number } {
  return checked(RunReportSchema.safeParse(value), (report) => report);
}

/** Validates report.json as `tapedeck run` writes it now (schemaVersion 2, see RunReportFileSchema). */
export function validateRunReportFile(value: unknown): { ok: true; report: RunReportFile } | { ok: false; issue: ReportIssue; issues: number } {
  return checked(RunReportFileSchema.safeParse(value), (report) => report as RunReportFile);
}

function checked<T, R>(r: { success: true; data: T } | { success: false; error: z.ZodError }, ok: (data: T) => R): { ok: true; report: R } | { ok: false; issue: ReportIssue; issues: number } {
  if (r.success) return { ok: true, report: ok(r.data) };
  const first = r.error.issues[0]!;
  return { ok: false, issue: { path: formatIssuePath(first.path), message: first.message }, issues: r.error.issues.length };
}

function formatIssuePath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out;
}
