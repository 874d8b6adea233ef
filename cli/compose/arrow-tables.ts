import type { Table } from 'apache-arrow';
import type { RunReport } from '../../reports/index.js';
import type { BacktestResult } from '../../sim/backtest/index.js';
import { recordColumns } from './run-columns.js';
import type { TableColumns } from './run-columns.js';

/**
 * A run's tables as Apache Arrow tables, for notebooks and tools that take Arrow (DuckDB, polars,
 * pyarrow through IPC): the same columns as the Parquet tables `tapedeck run` writes (README "Outputs",
 * one definition: run-columns.ts), times as epoch microseconds (Float64). The equity columns are the run's own typed arrays, not copies.
 */
export interface RunArrowTables {
  readonly equity: Table;
  readonly fills: Table;
  readonly orders: Table;
  readonly trades: Table;
}

/**
 * Returns `run`'s equity curve, fills, orders and round trips as Arrow tables (`backtest()`'s output, or
 * any result with its report), from the result's records (the report's lists are not read, nor built).
 * apache-arrow is loaded on the first call. A result whose curve was streamed
 * to a file (`tapedeck run`) holds only times and equity: read equity.parquet instead.
 */
export async function toArrow(run: { readonly result: BacktestResult; readonly report: RunReport }): Promise<RunArrowTables> {
  const { tableFromArrays } = await import('apache-arrow');
  const { result } = run;
  if (result.equityStream !== undefined) throw new Error('toArrow: this run streamed its equity curve to equity.parquet; read that file');
  const e = result.equity;
  const records = recordColumns(result);
  // A nullable string column is built from its non-null values' type; Arrow takes null entries as missing.
  const table = (columns: TableColumns): Table => tableFromArrays(columns as Record<string, Float64Array | string[]>);
  return {
    equity: tableFromArrays({ ts: e.ts, equity: e.equity, cash: e.cash, grossExposure: e.grossExposure, marginInUse: e.marginInUse, buyingPower: e.buyingPower }),
    fills: table(records.fills),
    orders: table(records.orders),
    trades: table(records.trades),
  };
}
