import type { EnsembleSummary } from '../ensemble/index.js';
import type { ExecutionSummary } from '../execution/index.js';
import type { AuditEntry, Fill, Liquidity, OrderLink, OrderRecord, OrderSide, OrderStatus, OrderType, Signal, TimeInForce } from '../model/index.js';
import type { ClosedTrade } from '../portfolio/index.js';
import type { EquityPreviewColumns } from './equity-preview.js';
import type { WarmupCounts } from './trade-gate.js';

/**
 * The result of a run as plain data, defined once: the replay (sim/backtest, which adds the venue's
 * figures as its RunResult), the reports (reports/, which read it), the CLI and the library's
 * `backtest()` all use this shape.
 */

/** A round trip as the result lists it: the portfolio's closed trade, named. */
export type RunTrade = ClosedTrade & { readonly symbol: string; readonly strategyId: string };

/**
 * A run's fills as columns, row i being the result's `fills[i]`: read where the run kept them (its fill log),
 * without an object per fill. Valid as long as the run's engine is not reset (a replay never resets it).
 */
export interface FillColumns {
  readonly length: number;
  /** A numeric field of every fill, as a view of the log's column (read it, never write it). */
  column(field: 'ts' | 'qty' | 'price' | 'commission'): Float64Array;
  fillIdAt(i: number): string;
  orderIdAt(i: number): string;
  /** The number n of fill i's order id when it is `O-<n>` (a replay's: see OrderColumns.idNumberAt), else -1; read without making the id. Optional. */
  orderNumberAt?(i: number): number;
  strategyIdAt(i: number): string | null;
  symbolAt(i: number): string;
  sideAt(i: number): OrderSide;
  liquidityAt(i: number): Liquidity;
  /** Every fill as the result lists it (a new list of new objects). */
  list(): Fill[];
}

/** A run's orders as columns, row i being the result's `orders[i]` (none when the result lists no orders); see {@link FillColumns}. */
export interface OrderColumns {
  readonly length: number;
  /** A numeric field of every order (a new array; a limit or stop price of null as NaN). */
  column(field: 'qty' | 'limitPrice' | 'stopPrice' | 'filledQty' | 'avgFillPrice' | 'tsCreated'): Float64Array;
  idAt(i: number): string;
  /** The number n of order i's id when it is `O-<n>` (every order of a replay's log: `O-<i + 1>`), else -1; read without making the id. Optional. */
  idNumberAt?(i: number): number;
  symbolAt(i: number): string;
  sideAt(i: number): OrderSide;
  typeAt(i: number): OrderType;
  timeInForceAt(i: number): TimeInForce;
  statusAt(i: number): OrderStatus;
  strategyIdAt(i: number): string | null;
  reduceOnlyAt(i: number): boolean;
  tagAt(i: number): string | null;
  reasonAt(i: number): string | null;
  /** The order's link (bracket, OCO/OUO group), or null for a plain order. */
  linkOf(i: number): OrderLink | null;
  /** Every order as the result lists it (a new list of new objects). */
  list(): OrderRecord[];
}

/** A run's round trips as columns, row i being the result's `trades[i]`; see {@link FillColumns}. */
export interface TradeColumns {
  readonly length: number;
  /** A numeric field of every round trip, as a view of the log's column (read it, never write it). */
  column(field: 'qty' | 'entryTs' | 'entryPrice' | 'exitTs' | 'exitPrice' | 'pnl' | 'returnPct' | 'commission'): Float64Array;
  symbolAt(i: number): string;
  strategyIdAt(i: number): string;
  sideAt(i: number): 'long' | 'short';
  /** Every round trip as the result lists it (a new list of new objects). */
  list(): RunTrade[];
}

/**
 * The records of a run as columns: what the run's tables, its metrics and its runHash read, so that a run
 * that never reads `fills`, `orders` or `trades` never builds an object per record.
 */
export interface RunRecordColumns {
  readonly fills: FillColumns;
  readonly orders: OrderColumns;
  readonly trades: TradeColumns;
}

/** The equity curve: one sample per timestamp, as typed arrays. */
export interface EquityCurve {
  readonly ts: Float64Array;
  readonly equity: Float64Array;
  readonly cash: Float64Array;
  readonly grossExposure: Float64Array;
  /** The account's initial margin in use at each sample (0 without margined positions). */
  readonly marginInUse: Float64Array;
  /** The account's buying power at each sample (cash account: cash available; margin: (equity - initial margin in use) / initial margin rate). */
  readonly buyingPower: Float64Array;
}

/**
 * A run whose equity curve was streamed to a sink (the CLI's equity.parquet): its `equity` keeps `ts` and
 * `equity` of every sample (the metrics and the runHash read them) and leaves the other columns empty;
 * this says how many samples went out, how many were exposed, and the preview a report draws.
 */
/**
 * An equity curve read back in consecutive chunks, in time order (a streamed run's `ts` and `equity`,
 * spilled as the run went rather than held in memory). `scan` may be called any number of times; the
 * arrays it hands are valid during the call only.
 */
export interface EquityCurveScan {
  /** Number of samples. */
  readonly length: number;
  scan(visit: (ts: ArrayLike<number>, equity: ArrayLike<number>, n: number) => void): void;
}

export interface StreamedEquityCurve {
  readonly rows: number;
  /** Every sample's `ts` and `equity`, read back in order (the metrics and the runHash read it). */
  readonly curve: EquityCurveScan;
  /** Samples with a nonzero gross exposure. */
  readonly exposedSamples: number;
  readonly preview: EquityPreviewColumns;
}

/**
 * One series a strategy plotted (`ctx.plot`), in time order: `ts[i]` (microseconds, increasing) and
 * `values[i]` (NaN: a gap). Not part of the run's identity (the runHash does not read it).
 */
export interface PlotSeriesResult {
  readonly strategyId: string;
  /** The series' name, as the strategy gave it. */
  readonly name: string;
  /** The symbol whose price pane it belongs to. */
  readonly symbol: string;
  /** Drawn over the symbol's price (true) or in a pane of its own (false). */
  readonly overlay: boolean;
  readonly color?: string;
  /** Points plotted (one per timestamp). `ts` and `values` hold every one up to 262,144 (PLOT_FULL_POINTS), past that a min/max preview of at most 10,000. */
  readonly points: number;
  readonly ts: Float64Array;
  readonly values: Float64Array;
}

/** One account of a run whose strategies trade their own accounts (books): the book's own figures. */
export interface AccountResult {
  /** The strategy's id (the account is its own). */
  readonly id: string;
  readonly initialCash: number;
  readonly finalEquity: number;
  /** Largest peak-to-trough fall of the book's equity, a fraction of the peak. */
  readonly maxDrawdown: number;
  /** When the book's equity first reached zero or below (its trading ended then; the other books trade on), or null. */
  readonly ruin: { readonly ts: number; readonly equity: number } | null;
}

/** Everything a run produced that does not depend on the venue; sim/backtest's RunResult adds options and L2 figures. */
export interface RunResultBase {
  readonly symbols: readonly string[];
  readonly strategyIds: readonly string[];
  readonly initialCash: number;
  readonly barIntervalUs: number | null;
  /** Every fill, in run order. A replay's result builds the list on its first read (see `records`). */
  readonly fills: readonly Fill[];
  /** Every order, in submission order (empty when run with `recording: 'metrics'`); built on first read in a replay's result. */
  readonly orders: readonly OrderRecord[];
  /** Number of orders submitted (denied ones included). */
  readonly orderCount: number;
  /** Every round trip, in the order they closed; built on first read in a replay's result. */
  readonly trades: readonly RunTrade[];
  /**
   * The same fills, orders and round trips as columns, when the run kept them so (a replay's result): a
   * non-enumerable property, so a copy made by spreading the result or by JSON has the lists alone (see
   * sim/backtest extendRunResult for a copy that keeps both, and keeps the lists unbuilt).
   */
  readonly records?: RunRecordColumns;
  /** Every equity sample; empty in a streamed run (see `equityStream`: its `curve` reads `ts` and `equity` back). */
  readonly equity: EquityCurve;
  /** Present when the equity curve was streamed to a sink rather than kept whole. */
  readonly equityStream?: StreamedEquityCurve;
  readonly audit: readonly AuditEntry[];
  readonly signals: readonly Signal[];
  readonly signalCount: number;
  readonly assumptions: readonly string[];
  readonly finalEquity: number;
  readonly finalCash: number;
  /** Net position per symbol at the end. */
  readonly finalPositions: Readonly<Record<string, number>>;
  /** First and last close (or mid) per symbol, for buy and hold. */
  readonly firstPrice: Readonly<Record<string, number>>;
  readonly lastPrice: Readonly<Record<string, number>>;
  readonly barCount: number;
  readonly quoteCount: number;
  readonly tradeCount: number;
  readonly tradedNotional: number;
  readonly totalCommission: number;
  readonly runHash: string;
  /** When equity first reached zero or below at an equity sample (trading ended then), or null. */
  readonly ruin: { readonly ts: number; readonly equity: number } | null;
  /** Parent orders of the execution algorithms, when strategies used them. */
  readonly execution?: ExecutionSummary;
  /** What the router recorded (weights over time, decisions, per-strategy shadow results), when one ran. */
  readonly ensemble?: EnsembleSummary;
  /** What the strategies did before `tradeFromUs` (dropped, not traded), when the run had one. */
  readonly warmup?: WarmupCounts;
  /** Per-strategy accounts (scenario strategies[i].account), in strategy order, when the strategies trade their own books. */
  readonly accounts?: readonly AccountResult[];
  /** What the strategies plotted (ctx.plot), in strategy order, when the run kept plots (recording 'report') and a strategy plotted. */
  readonly indicators?: readonly PlotSeriesResult[];
}
