import { formatIsoUs, formatIsoUsEach } from '../engine/core/index.js';
import type { Calendar } from '../engine/core/index.js';
import type { AuditEntry, Signal } from '../engine/model/index.js';
import type { EnsembleSummary } from '../engine/ensemble/index.js';
import { EquityPreview } from '../engine/kernel/index.js';
import type { EquityPreviewColumns, RunResultBase, RunTrade } from '../engine/kernel/index.js';
import { indicatorsSection } from './indicators.js';
import type { IndicatorsReport } from './indicators.js';
import { bookSection, executionSection, optionsSection } from './market-sections.js';
import type { BookReport, BookSectionInput, ExecutionReport, OptionsReport, OptionsSectionInput } from './market-sections.js';
import { computeMetrics, curveScan, describeAnnualization, drawdownSeries, medianSpacingUs } from './metrics.js';
import type { MetricsInput } from './metrics.js';
import type { PerformanceMetrics } from './metrics.js';
import { TearSheetPass, WorstDrawdownKeeper } from './tearsheet.js';
import type { TearSheet } from './tearsheet.js';

/** Version of the report.json layout; bumped on any incompatible change. */
export const REPORT_SCHEMA_VERSION = 2;

/** The round trips a report lists: a run's trades by name (the ledger and symbol indexes are not needed). */
export type ReportTrade = Omit<RunTrade, 'strategyIndex' | 'symbolIndex'>;

/**
 * What a run report is built from: a run's result (engine/kernel/run-result.ts, the one shape every run
 * returns; sim's RunResult fits), the parts the report reads, plus what the runner adds.
 */
export interface RunReportInput
  extends Pick<
    RunResultBase,
    | 'symbols'
    | 'strategyIds'
    | 'initialCash'
    | 'barIntervalUs'
    | 'fills'
    | 'orders'
    | 'records'
    | 'equity'
    | 'audit'
    | 'signals'
    | 'signalCount'
    | 'assumptions'
    | 'firstPrice'
    | 'lastPrice'
    | 'finalPositions'
    | 'barCount'
    | 'quoteCount'
    | 'tradeCount'
    | 'runHash'
    | 'ensemble'
    | 'execution'
    | 'accounts'
    | 'equityStream'
    | 'indicators'
  > {
  /** When the account was ruined, or null/absent (metrics.ruinedAt). */
  readonly ruin?: RunResultBase['ruin'];
  readonly trades: readonly ReportTrade[];
  /**
   * Optional close prices per symbol for the report's price charts (trade markers are drawn over
   * them); at most about MAX_PRICE_POINTS points per symbol, downsampled by the runner. Absent:
   * report.html draws the markers over the fill prices alone.
   */
  readonly prices?: Readonly<Record<string, PriceSeries>>;
  /** Option chains, Greeks and settlements (runs with option chains). */
  readonly options?: OptionsSectionInput;
  /** L2 replay figures (runs with book data). */
  readonly l2?: BookSectionInput;
}

/** Most points per symbol a report's `prices` section should hold (the runner downsamples to it). */
export const MAX_PRICE_POINTS = 2000;

/** Close prices of one symbol: `ts[i]` (microseconds, increasing) and `close[i]`, of equal length. */
export interface PriceSeries {
  readonly ts: readonly number[];
  readonly close: readonly number[];
  /** Candles (a sampled point merges consecutive bars: first open, highest high, lowest low, summed volume); absent in reports written before them. */
  readonly open?: readonly number[];
  readonly high?: readonly number[];
  readonly low?: readonly number[];
  readonly volume?: readonly number[];
}

/** The data a run replayed, as the report names it. */
export interface DataProvenance {
  readonly source: string;
  readonly kinds: readonly string[];
  readonly symbols: readonly string[];
  readonly start: string | null;
  readonly end: string | null;
  readonly rows: Readonly<Record<string, unknown>>;
  readonly contentHash: string | null;
  readonly barInterval: string | null;
}

/** One table of a run written as Parquet beside report.json: its file (relative to report.json) and its row count. */
export interface RunTableFile {
  readonly file: string;
  readonly rows: number;
}

/**
 * The Parquet tables beside report.json (schemaVersion 2): every equity sample, fill, order, round trip, audit entry and recorded signal,
 * with the columns of the report's lists (times as Parquet timestamps). See README "Outputs".
 */
export interface RunTables {
  readonly equity: RunTableFile;
  readonly fills: RunTableFile;
  readonly orders: RunTableFile;
  readonly trades: RunTableFile;
  readonly audit: RunTableFile;
  /** The recorded signals (`signals.recorded`; `signals.count` stays in report.json). */
  readonly signals: RunTableFile;
}

export interface RunReport {
  readonly schemaVersion: number;
  readonly generator: string;
  readonly scenario: unknown;
  readonly seed: number;
  readonly runHash: string;
  readonly metrics: PerformanceMetrics;
  readonly fills: readonly {
    ts: number;
    time: string;
    symbol: string;
    side: 'buy' | 'sell';
    qty: number;
    price: number;
    commission: number;
    orderId: string;
    strategyId: string | null;
    liquidity: string;
  }[];
  readonly trades: readonly {
    symbol: string;
    strategyId: string;
    side: 'long' | 'short';
    qty: number;
    entryTime: string;
    entryPrice: number;
    exitTime: string;
    exitPrice: number;
    pnl: number;
    returnPct: number;
    commission: number;
  }[];
  /**
   * The equity curve as the report draws it: every sample of a run of up to PREVIEW_BUCKETS (2,500)
   * samples, else a downsample that keeps each bucket's first, last, lowest and highest sample (see
   * EquityPreview); every sample is in `tables.equity`.
   */
  readonly equity: readonly { time: string; ts: number; equity: number; cash: number; drawdown: number; grossExposure: number; marginInUse?: number; buyingPower?: number }[];
  /** The Parquet tables beside report.json, once written (schemaVersion 2 reports). */
  readonly tables?: RunTables;
  readonly orders: RunReportInput['orders'];
  readonly positions: Readonly<Record<string, number>>;
  readonly assumptions: readonly string[];
  readonly audit: readonly (AuditEntry & { time: string })[];
  readonly signals: { readonly count: number; readonly recorded: readonly (Signal & { time: string })[] };
  readonly data: DataProvenance;
  readonly counts: { readonly bars: number; readonly quotes: number; readonly trades: number; readonly orders: number; readonly fills: number };
  /** Close prices per symbol for charts, when the runner supplied them (see RunReportInput.prices). */
  readonly prices?: Readonly<Record<string, PriceSeries>>;
  /** What the strategies plotted (ctx.plot), per strategy and series, downsampled for the charts; absent when nothing was plotted. */
  readonly indicators?: IndicatorsReport;
  /**
   * The ensemble beside each strategy it combines (shadow-ledger return, Sharpe, drawdown, turnover),
   * its weights over time, the voting decisions and its own audit entries; present for ensemble runs.
   */
  readonly ensemble?: EnsembleReport;
  /** Execution algorithms: each parent order (arrival price, average fill, implementation shortfall, fallback) and a per-strategy comparison. */
  readonly execution?: ExecutionReport;
  /** Options: net Greeks per underlying over time and at the end, settlements at expiry. */
  readonly options?: OptionsReport;
  /** Order book: rows replayed, taker executions and their slippage, order messages, repairs. */
  readonly book?: BookReport;
  /** Per-strategy accounts (scenario strategies[i].account), in strategy order; present when the strategies trade their own books. */
  readonly accounts?: readonly AccountReport[];
  /** A live or paper session's feed, gaps, broker and kill switch (`tapedeck live`; see live/session). */
  readonly live?: LiveSessionReport;
  /**
   * Worst drawdowns, return distribution, yearly returns, alpha and beta against equal-weight buy and hold,
   * rolling Sharpe, volatility and beta, round-trip durations (reports/tearsheet.ts); present when the
   * equity curve has at least two samples.
   */
  readonly tearSheet?: TearSheet;
}

/** One strategy's own account in a run with books: its starting cash, its end, its worst fall and its ruin. */
export interface AccountReport {
  /** The strategy's id. */
  readonly id: string;
  readonly initialCash: number;
  readonly finalEquity: number;
  /** (finalEquity - initialCash) / initialCash. */
  readonly totalReturn: number;
  /** Largest peak-to-trough fall of the book's equity, a fraction of the peak. */
  readonly maxDrawdown: number;
  /** When the book's equity reached zero or below (its trading ended then), ISO-8601, or null. */
  readonly ruinedAt: string | null;
  /** The book's equity at its ruin, or null. */
  readonly ruinEquity: number | null;
}

/** The report's ensemble section: the run's EnsembleSummary with readable times. */
export interface EnsembleReport extends Omit<EnsembleSummary, 'weightsOverTime' | 'decisions' | 'audit' | 'attribution' | 'signalQuality'> {
  readonly weightsOverTime: readonly (EnsembleSummary['weightsOverTime'][number] & { readonly time: string })[];
  /** Absent in reports written before 2026-12-05. */
  readonly attribution?: EnsembleSummary['attribution'];
  /** Each bucket with its first and last sample's time; absent in reports written before 2026-12-05. */
  readonly signalQuality?: {
    readonly threshold: number;
    readonly buckets: readonly (NonNullable<EnsembleSummary['signalQuality']>['buckets'][number] & { readonly start: string; readonly end: string })[];
  } | null;
  readonly decisions: readonly (EnsembleSummary['decisions'][number] & { readonly time: string })[];
  readonly audit: readonly (AuditEntry & { readonly time: string })[];
}

/**
 * Builds report.json from a finished run: metrics (see METRICS.md), fills, round trips, the equity
 * curve with drawdown, orders, the assumptions in force, the audit trail and the data provenance.
 */
/** How a run's metrics are annualized (scenario `calendar` and `metrics`): see MetricsInput. */
export interface MetricsOptions {
  readonly calendar?: Calendar;
  readonly periodsPerYear?: number;
  readonly riskFreeRate?: number;
}

/**
 * The computeMetrics settings of `options`, and the assumptions they put in force: the annualization
 * sentence (describeAnnualization) and the risk-free rate when one is given.
 */
export function metricsSettings(options: MetricsOptions): Pick<MetricsInput, 'calendar' | 'periodsPerYear' | 'riskFreeRate'> {
  return {
    ...(options.calendar !== undefined ? { calendar: options.calendar } : {}),
    ...(options.periodsPerYear !== undefined ? { periodsPerYear: options.periodsPerYear } : {}),
    ...(options.riskFreeRate !== undefined ? { riskFreeRate: options.riskFreeRate } : {}),
  };
}

/**
 * The equity curve a report shows (see EquityPreview): every sample of a run of up to PREVIEW_BUCKETS
 * samples, else a min/max-preserving downsample; a streamed run brings its own, built as it went.
 */
export function equityPreviewOf(run: Pick<RunReportInput, 'equity' | 'equityStream'>): EquityPreviewColumns {
  if (run.equityStream !== undefined) return run.equityStream.preview;
  const e = run.equity;
  const dd = drawdownSeries(e.equity);
  const preview = new EquityPreview();
  for (let i = 0; i < e.ts.length; i++) preview.push(e.ts[i]!, e.equity[i]!, e.cash[i]!, dd[i]!, e.grossExposure[i]!, e.marginInUse[i]!, e.buyingPower[i]!);
  return preview.columns();
}

/**
 * Returns the report of a run: its metrics, tear sheet, equity preview and sections, and its record lists
 * (`fills`, `trades`, `audit`, `signals.recorded`: the run's records with ISO-8601 times) as enumerable getters
 * that build each list on its first read and keep it. JSON.stringify and a spread read them (report.json
 * written whole is what it always was); `tapedeck run` writes its tables from the result (run-columns.ts),
 * leaves the lists out of report.json (reportWithoutLists) and draws the page from the run's records
 * (runRecordsOf), so a run of 100,000 round trips never builds them.
 */
export function buildRunReport(run: RunReportInput, scenario: unknown, seed: number, data: DataProvenance, options: MetricsOptions = {}): RunReport {
  const curve = run.equityStream?.curve ?? { ts: run.equity.ts, equity: run.equity.equity };
  // The metrics and the tear sheet read the run's records as columns when it has them: the lists are then not built for them.
  const records = run.records;
  const p = equityPreviewOf(run);
  // The tear sheet gathers what it reads of the curve in the metrics' pass, its worst drawdowns are that pass's
  // episodes, and the metrics' second pass rides on the tear sheet's: the curve is read twice, and nothing of its length is kept.
  const worst = new WorstDrawdownKeeper();
  const sheet = tearSheetPassOf(run, curve, p.ts.subarray(0, p.length), options);
  const metrics = computeMetrics({
    onDrawdownEpisode: (e) => worst.add(e),
    ...(sheet !== null ? { observer: sheet } : {}),
    equity: curve,
    trades: records?.trades ?? run.trades,
    fills: records?.fills ?? run.fills,
    initialCash: run.initialCash,
    ...(run.barIntervalUs !== null ? { barIntervalUs: run.barIntervalUs } : {}),
    ...metricsSettings(options),
    ...(run.equityStream !== undefined ? { exposedSamples: run.equityStream.exposedSamples } : { exposure: run.equity.grossExposure }),
    ruinTs: run.ruin?.ts ?? null,
    buyAndHold: {
      kind: 'prices',
      prices: run.symbols
        .filter((s) => Number.isFinite(run.firstPrice[s]) && Number.isFinite(run.lastPrice[s]))
        .map((s) => ({ symbol: s, firstPrice: run.firstPrice[s]!, lastPrice: run.lastPrice[s]! })),
    },
  });
  const equity = [];
  const times = formatIsoUsEach(p.ts.subarray(0, p.length));
  for (let i = 0; i < p.length; i++) {
    const ts = p.ts[i]!;
    equity.push({ time: times[i]!, ts, equity: p.equity[i]!, cash: p.cash[i]!, drawdown: p.drawdown[i]!, grossExposure: p.grossExposure[i]!, marginInUse: p.marginInUse[i]!, buyingPower: p.buyingPower[i]! });
  }
  const tearSheet = sheet === null ? null : sheet.finish(metrics.periodsPerYear, worst.result());
  // The getters below hold the run's records (its logs, as columns) or its lists, never `run` itself: a report
  // outlives the run it was built from (its equity curve, its sink) while its tables and page are written.
  const runFills = records === undefined ? run.fills : null;
  const runTrades = records === undefined ? run.trades : null;
  const runOrders = records === undefined ? run.orders : null;
  const fillsOf = (): RunReportInput['fills'] => runFills ?? records!.fills.list();
  const tradesOf = (): RunReportInput['trades'] => runTrades ?? records!.trades.list();
  let fills: RunReport['fills'] | undefined;
  let trades: RunReport['trades'] | undefined;
  let orders: RunReport['orders'] | undefined;
  let pageFills: RunReportInput['fills'] | undefined;
  let pageTrades: RunReportInput['trades'] | undefined;
  const runAudit = run.audit;
  const runSignals = run.signals;
  let audit: RunReport['audit'] | undefined;
  let recorded: RunReport['signals']['recorded'] | undefined;
  const report: RunReport = {
    schemaVersion: REPORT_SCHEMA_VERSION,
    generator: 'tapedeck',
    scenario,
    seed,
    runHash: run.runHash,
    metrics,
    // The record lists are built on first read (report.json's writer, a library caller), not here: a run's
    // tables are written from its result (cli/compose/run-columns.ts) and its page reads the result's records (runRecordsOf).
    get fills() {
      return (fills ??= reportFills((pageFills ??= fillsOf())));
    },
    get trades() {
      return (trades ??= reportTrades((pageTrades ??= tradesOf())));
    },
    equity,
    get orders() {
      return (orders ??= runOrders ?? records!.orders.list());
    },
    positions: run.finalPositions,
    assumptions: [
      ...run.assumptions,
      describeAnnualization(metrics.periodsPerYear === null ? null : { kind: metrics.annualization!, periodsPerYear: metrics.periodsPerYear, barIntervalUs: run.barIntervalUs ?? medianSpacingUs(curveScan(curve)) }, options.calendar),
      ...(options.riskFreeRate !== undefined ? [`Risk-free rate ${options.riskFreeRate * 100}% a year (metrics.riskFreeRate), de-annualized per bar in Sharpe and Sortino.`] : []),
    ],
    get audit() {
      return (audit ??= runAudit.map((a) => ({ ...a, time: formatIsoUs(a.ts) })));
    },
    signals: {
      count: run.signalCount,
      get recorded() {
        return (recorded ??= runSignals.map((s) => ({ ...s, time: formatIsoUs(s.ts) })));
      },
    },
    data,
    counts: { bars: run.barCount, quotes: run.quoteCount, trades: run.tradeCount, orders: (records?.orders ?? run.orders).length, fills: (records?.fills ?? run.fills).length },
    ...(run.prices !== undefined ? { prices: run.prices } : {}),
    ...(tearSheet !== null ? { tearSheet } : {}),
    ...(run.indicators !== undefined && run.indicators.length > 0 ? { indicators: indicatorsSection(run.indicators)! } : {}),
    ...(run.ensemble !== undefined
      ? {
          ensemble: {
            ...run.ensemble,
            weightsOverTime: run.ensemble.weightsOverTime.map((w) => ({ ...w, time: formatIsoUs(w.ts) })),
            decisions: run.ensemble.decisions.map((d) => ({ ...d, time: formatIsoUs(d.ts) })),
            signalQuality:
              run.ensemble.signalQuality === null
                ? null
                : { ...run.ensemble.signalQuality, buckets: run.ensemble.signalQuality.buckets.map((b) => ({ ...b, start: formatIsoUs(b.startTs), end: formatIsoUs(b.endTs) })) },
            audit: run.ensemble.audit.map((a) => ({ ...a, time: formatIsoUs(a.ts) })),
          },
        }
      : {}),
    ...(run.execution !== undefined ? { execution: executionSection(run.execution) } : {}),
    ...(run.options !== undefined ? { options: optionsSection(run.options) } : {}),
    ...(run.l2 !== undefined ? { book: bookSection(run.l2) } : {}),
    ...(run.accounts !== undefined
      ? {
          accounts: run.accounts.map((a) => ({
            id: a.id,
            initialCash: a.initialCash,
            finalEquity: a.finalEquity,
            totalReturn: (a.finalEquity - a.initialCash) / a.initialCash,
            maxDrawdown: a.maxDrawdown,
            ruinedAt: a.ruin !== null ? formatIsoUs(a.ruin.ts) : null,
            ruinEquity: a.ruin !== null ? a.ruin.equity : null,
          })),
        }
      : {}),
  };
  RUN_RECORDS.set(report, {
    columns: records ?? null,
    get fills() {
      return (pageFills ??= fillsOf());
    },
    get trades() {
      return (pageTrades ??= tradesOf());
    },
  });
  return report;
}

/** The records a report was built from, by report (see runRecordsOf). */
const RUN_RECORDS = new WeakMap<RunReport, RunRecords>();

/** A run's fills and round trips as its result lists them (times as numbers), and its logs' columns when it kept them. */
export interface RunRecords {
  /** The run's records as its logs' columns (the result's `records`), or null for a run given as lists. */
  readonly columns: NonNullable<RunReportInput['records']> | null;
  readonly fills: RunReportInput['fills'];
  readonly trades: RunReportInput['trades'];
}

/**
 * The fills and round trips `report` was built from (buildRunReport), or null for a report that was not
 * (read from report.json and its tables, or spread into a new object). The page reads these (their columns
 * when the run kept them) rather than `report.fills` and `report.trades`, which are then never built when
 * nothing else asks for them.
 */
export function runRecordsOf(report: RunReport): RunRecords | null {
  return RUN_RECORDS.get(report) ?? null;
}

/**
 * `report` with `extra`'s fields set (as `{ ...report, ...extra }` would, key order included), without
 * reading its record lists: they stay unbuilt until read, and the page still finds the run's records.
 */
export function extendReport<T extends object>(report: RunReport, extra: T): RunReport & T {
  const out = Object.defineProperties({}, Object.getOwnPropertyDescriptors(report)) as RunReport & T;
  for (const [k, v] of Object.entries(extra)) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  const records = RUN_RECORDS.get(report);
  if (records !== undefined) RUN_RECORDS.set(out, records);
  return out;
}

/** The lists report.json leaves to its tables (schemaVersion 2). */
const TABLE_LISTS: ReadonlySet<string> = new Set(['fills', 'orders', 'trades', 'audit', 'signals']);

/**
 * What report.json holds beside its tables: `report` without the lists the tables hold (fills, orders,
 * trades, audit, recorded signals), `signals` reduced to its count, last (as `{ ...rest, signals }`
 * orders it). The lists are not read, so a report whose lists were never built does not build them.
 */
export function reportWithoutLists(report: RunReport): Omit<RunReport, 'fills' | 'orders' | 'trades' | 'audit' | 'signals'> & { readonly signals: { readonly count: number } } {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(report)) if (!TABLE_LISTS.has(k)) out[k] = (report as unknown as Record<string, unknown>)[k];
  out['signals'] = { count: report.signals.count };
  return out as Omit<RunReport, 'fills' | 'orders' | 'trades' | 'audit' | 'signals'> & { readonly signals: { readonly count: number } };
}

/** The report's fills: the run's, each with its time as ISO-8601. */
function reportFills(fills: RunReportInput['fills']): RunReport['fills'] {
  const out: RunReport['fills'][number][] = new Array(fills.length);
  for (let i = 0; i < fills.length; i++) {
    const f = fills[i]!;
    out[i] = {
      ts: f.ts,
      time: formatIsoUs(f.ts),
      symbol: f.symbol,
      side: f.side,
      qty: f.qty,
      price: f.price,
      commission: f.commission,
      orderId: f.orderId,
      strategyId: f.strategyId,
      liquidity: f.liquidity,
    };
  }
  return out;
}

/** The report's round trips: the run's, named, with entry and exit times as ISO-8601. */
function reportTrades(trades: RunReportInput['trades']): RunReport['trades'] {
  const out: RunReport['trades'][number][] = new Array(trades.length);
  for (let i = 0; i < trades.length; i++) out[i] = reportTrade(trades[i]!);
  return out;
}

/** One round trip as the report lists it (entry and exit times as ISO-8601, made by `iso`: formatIsoUs or a memo of it). */
export function reportTrade(t: ReportTrade, iso: (ts: number) => string = formatIsoUs): RunReport['trades'][number] {
  return {
    symbol: t.symbol,
    strategyId: t.strategyId,
    side: t.side,
    qty: t.qty,
    entryTime: iso(t.entryTs),
    entryPrice: t.entryPrice,
    exitTime: iso(t.exitTs),
    exitPrice: t.exitPrice,
    pnl: t.pnl,
    returnPct: t.returnPct,
    commission: t.commission,
  };
}

/**
 * The pass of the report's tear sheet (finished once the metrics are), or null when the curve has fewer than
 * two samples. The benchmark is the equal-weight buy and hold of the run's symbols from the sampled `prices`
 * (absent without them); the benchmark curve is given at the drawn samples `previewTs`.
 */
function tearSheetPassOf(run: RunReportInput, curve: MetricsInput['equity'], previewTs: ArrayLike<number>, options: MetricsOptions): TearSheetPass | null {
  if (curveScan(curve).length < 2) return null;
  return new TearSheetPass({
    curve,
    ...(options.riskFreeRate !== undefined ? { riskFreeRate: options.riskFreeRate } : {}),
    benchmark: run.prices !== undefined ? { prices: run.prices, symbols: run.symbols } : null,
    previewTs: Array.from(previewTs),
    trades: run.records?.trades ?? run.trades,
  });
}

/** The `live` section of a session's report (`tapedeck live`): written as the session returns it, NaN as null. */
export interface LiveSessionReport {
  readonly sessionId: string;
  readonly mode: 'paper' | 'broker';
  readonly feed: string;
  readonly stream: string | null;
  readonly restarts: number;
  readonly journalReplayed: number;
  readonly ended: 'end' | 'stopped' | 'failed';
  readonly feedFailure: string | null;
  readonly feedStats: {
    readonly received: number;
    readonly accepted: number;
    readonly heartbeats: number;
    readonly control: number;
    readonly malformed: number;
    readonly unknownType: number;
    readonly invalid: number;
    readonly unsubscribed: number;
    readonly duplicateSeq: number;
    readonly outOfOrder: number;
    readonly duplicateTs: number;
    readonly refusals: readonly string[];
  };
  readonly gaps: {
    readonly lastSeq: number;
    readonly seqGaps: readonly { readonly after: number; readonly next: number; readonly missing: number }[];
    readonly missedMessages: number;
    readonly reconnects: number;
    readonly heartbeatTimeouts: number;
    readonly outages: readonly { readonly startUs: number; readonly endUs: number | null; readonly reason: string }[];
    readonly downtimeMs: number;
    readonly longestSilenceMs: number;
    readonly watermarkUs: number | null;
    readonly ended: boolean;
  };
  readonly broker: { readonly sent: number; readonly skippedAnswered: number; readonly resent: number; readonly accepted: number; readonly rejected: number; readonly alerts: number } | null;
  readonly halt: { readonly mode: 'cancel' | 'flatten'; readonly reason: string; readonly refusedOrders: number } | null;
  readonly recording: string | null;
}
