import type { Table } from 'apache-arrow';
import type { RunReport } from '../../reports/index.js';
import type { BacktestResult } from '../../sim/backtest/index.js';

/**
 * A run's tables as Apache Arrow tables, for notebooks and tools that take Arrow (DuckDB, polars,
 * pyarrow through IPC): the same columns as the Parquet tables `tapedeck run` writes (README "Outputs"),
 * times as epoch microseconds (Float64). The equity columns are the run's own typed arrays, not copies.
 */
export interface RunArrowTables {
  readonly equity: Table;
  readonly fills: Table;
  readonly orders: Table;
  readonly trades: Table;
}

/**
 * Returns `run`'s equity curve, fills, orders and round trips as Arrow tables (`backtest()`'s output, or
 * any result with its report). apache-arrow is loaded on the first call. A result whose curve was streamed
 * to a file (`tapedeck run`) holds only times and equity: read equity.parquet instead.
 */
export async function toArrow(run: { readonly result: BacktestResult; readonly report: RunReport }): Promise<RunArrowTables> {
  const { tableFromArrays } = await import('apache-arrow');
  const { result, report } = run;
  if (result.equityStream !== undefined) throw new Error('toArrow: this run streamed its equity curve to equity.parquet; read that file');
  const e = result.equity;
  const f = report.fills;
  const o = report.orders;
  const t = result.trades;
  return {
    equity: tableFromArrays({ ts: e.ts, equity: e.equity, cash: e.cash, grossExposure: e.grossExposure, marginInUse: e.marginInUse, buyingPower: e.buyingPower }),
    fills: tableFromArrays({
      ts: Float64Array.from(f, (x) => x.ts),
      symbol: f.map((x) => x.symbol),
      side: f.map((x) => x.side),
      qty: Float64Array.from(f, (x) => x.qty),
      price: Float64Array.from(f, (x) => x.price),
      commission: Float64Array.from(f, (x) => x.commission),
      orderId: f.map((x) => x.orderId),
      strategyId: f.map((x) => x.strategyId),
      liquidity: f.map((x) => x.liquidity),
    }),
    orders: tableFromArrays({
      id: o.map((x) => x.id as string),
      symbol: o.map((x) => x.symbol as string),
      side: o.map((x) => x.side as string),
      type: o.map((x) => x.type as string),
      qty: Float64Array.from(o, (x) => x.qty),
      limitPrice: Float64Array.from(o, (x) => x.limitPrice ?? Number.NaN),
      stopPrice: Float64Array.from(o, (x) => x.stopPrice ?? Number.NaN),
      timeInForce: o.map((x) => x.timeInForce as string),
      status: o.map((x) => x.status as string),
      filledQty: Float64Array.from(o, (x) => x.filledQty),
      avgFillPrice: Float64Array.from(o, (x) => x.avgFillPrice),
      tsCreated: Float64Array.from(o, (x) => x.tsCreated),
      strategyId: o.map((x) => x.strategyId),
    }),
    trades: tableFromArrays({
      symbol: t.map((x) => x.symbol),
      strategyId: t.map((x) => x.strategyId),
      side: t.map((x) => x.side),
      qty: Float64Array.from(t, (x) => x.qty),
      entryTs: Float64Array.from(t, (x) => x.entryTs),
      entryPrice: Float64Array.from(t, (x) => x.entryPrice),
      exitTs: Float64Array.from(t, (x) => x.exitTs),
      exitPrice: Float64Array.from(t, (x) => x.exitPrice),
      pnl: Float64Array.from(t, (x) => x.pnl),
      returnPct: Float64Array.from(t, (x) => x.returnPct),
      commission: Float64Array.from(t, (x) => x.commission),
    }),
  };
}
