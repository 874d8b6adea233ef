import type { ExecutionEngine } from '../../engine/execution/index.js';
import type { PlotSeriesResult, RunRecordColumns, RunResultBase, RunTrade } from '../../engine/kernel/run-result.js';
import { OrderLog } from '../../engine/execution/order-log.js';
import type { Fill, OrderRecord } from '../../engine/model/index.js';
import type { Portfolio } from '../../engine/portfolio/index.js';
import type { L2RunSummary } from './l2-side.js';
import type { OptionsRunSummary } from './option-replay.js';
import { computeRunHash, computeRunHashOfCurve } from './run-hash.js';
import type { RunRecorder } from './run-recorder.js';

export type { AccountResult, EquityCurve, RunTrade } from '../../engine/kernel/run-result.js';

/** Everything a run produced, as plain data: the one result of every replay (bars, L1, L2). */
export interface RunResult extends RunResultBase {
  /** Option chains, Greeks and settlements, on runs with options. */
  readonly options?: OptionsRunSummary;
  /** Book figures (rows, quotes, repairs, taker executions, messages), on L2 runs. */
  readonly l2?: L2RunSummary;
}

/** The result of a run; the name the replay's callers know it by. */
export type BacktestResult = RunResult;

/** An order as the report lists it. */
export type { OrderRecord } from '../../engine/model/index.js';

/** What a finished replay loop hands over to become a RunResult. */
export interface RunParts {
  readonly symbols: readonly string[];
  /** Ids of the strategies that ran. */
  readonly strategyIds: readonly string[];
  /** Ids of the portfolio ledgers (the strategies, or the account an ensemble trades under). */
  readonly ledgerIds: readonly string[];
  readonly initialCash: number;
  readonly barIntervalUs: number | null;
  readonly execution: ExecutionEngine;
  readonly portfolio: Portfolio;
  readonly recorder: RunRecorder;
  /** Whether the result lists the orders (the runHash covers them either way). */
  readonly keepOrders: boolean;
  /** First price seen per symbol (NaN when none), for buy and hold. */
  readonly firstPrice: Float64Array;
  readonly assumptions: readonly string[];
  readonly barCount: number;
  readonly quoteCount: number;
  readonly tradeCount: number;
  /** Identity lines of the user strategies (strategySourceLines), folded into the runHash; empty or absent for built-ins only. */
  readonly strategySources?: readonly string[];
  /** When the account was ruined (null: never). */
  readonly ruin?: { readonly ts: number; readonly equity: number } | null;
  /** What the strategies plotted (TradingEngine.plotSeries); the result lists them when any. Not in the runHash. */
  readonly indicators?: readonly PlotSeriesResult[];
}

/**
 * Turns the state of a finished run into its RunResult: the equity curve trimmed to its samples, final
 * positions and prices, the runHash, and the records (fills, orders, round trips) as the logs' columns
 * (`records`) with their lists as enumerable getters that build each list on its first read and keep it:
 * a run whose caller reads only columns, counts and metrics builds no object per record. The replay loop
 * ends here for every venue, so results and hashes are built one way. Add fields to the result with
 * {@link extendRunResult}, not a spread, which reads (and so builds) every list.
 */
export function collectRunResult(p: RunParts): RunResult {
  const { symbols, portfolio, recorder } = p;
  const orderLog = p.execution.orderLog;
  const fillLog = p.execution.fillLog;
  const stream = recorder.finishStream();
  const n = recorder.equityCount;
  const empty = new Float64Array(0);
  // Views of the recorder's columns, not copies (the recorder is done): a long run's curve is not held twice.
  const equity = stream !== null ? { ts: empty, equity: empty, cash: empty, grossExposure: empty, marginInUse: empty, buyingPower: empty } : recorder.curveColumns();
  const first: Record<string, number> = {};
  const last: Record<string, number> = {};
  const positions: Record<string, number> = {};
  for (let i = 0; i < symbols.length; i++) {
    const s = symbols[i]!;
    first[s] = p.firstPrice[i]!;
    last[s] = portfolio.mark[i]!;
    positions[s] = portfolio.netPosition[i]!;
  }
  // The lists' getters close over `records` alone (no other closure in this scope, which would share its
  // context): a result holds the run's logs, not its engine, recorder or equity sink.
  const records: RunRecordColumns = {
    fills: fillLog,
    orders: p.keepOrders ? orderLog : new OrderLog(),
    trades: portfolio.closedTradeColumns(symbols, p.ledgerIds),
  };
  const runHash = stream !== null ? computeRunHashOfCurve(fillLog, orderLog, stream.curve, p.strategySources ?? []) : computeRunHash(fillLog, orderLog, equity.ts, equity.equity, n, p.strategySources ?? []);
  // The audit trail's deferred messages are made on the first read of `audit` (see AuditTrail), the signals on
  // the first read of `signals` (see SignalLog): a run's caller that reads neither builds no object per entry.
  const trail = recorder.trail;
  const signalLog = recorder.signalLog;
  let fills: Fill[] | undefined;
  let orders: OrderRecord[] | undefined;
  let trades: RunTrade[] | undefined;
  const result: RunResult = {
    symbols,
    strategyIds: p.strategyIds,
    initialCash: p.initialCash,
    barIntervalUs: p.barIntervalUs,
    get fills() {
      return (fills ??= records.fills.list());
    },
    get orders() {
      return (orders ??= records.orders.list());
    },
    orderCount: orderLog.length,
    get trades() {
      return (trades ??= records.trades.list());
    },
    equity,
    ...(stream !== null ? { equityStream: { rows: stream.rows, curve: stream.curve, exposedSamples: stream.exposedSamples, preview: stream.preview.columns() } } : {}),
    get audit() {
      return trail.list();
    },
    get signals() {
      return signalLog.list();
    },
    signalCount: recorder.signalCount,
    assumptions: p.assumptions,
    finalEquity: portfolio.equity(),
    finalCash: portfolio.cash,
    finalPositions: positions,
    firstPrice: first,
    lastPrice: last,
    barCount: p.barCount,
    quoteCount: p.quoteCount,
    tradeCount: p.tradeCount,
    tradedNotional: portfolio.tradedNotional,
    totalCommission: portfolio.commissions,
    ruin: p.ruin ?? null,
    ...(p.indicators !== undefined && p.indicators.length > 0 ? { indicators: p.indicators } : {}),
    runHash,
  };
  Object.defineProperty(result, 'records', { value: records, enumerable: false, writable: false, configurable: true });
  return result;
}

/**
 * `result` with `extra`'s fields set, as `{ ...result, ...extra }` would (key order included), without
 * reading its record lists: they stay unbuilt until read, and `records` (the columns) is kept.
 */
export function extendRunResult<R extends RunResultBase, T extends object>(result: R, extra: T): Omit<R, keyof T> & T {
  const out = Object.defineProperties({}, Object.getOwnPropertyDescriptors(result)) as Record<string, unknown>;
  for (const [k, v] of Object.entries(extra)) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out as Omit<R, keyof T> & T;
}
