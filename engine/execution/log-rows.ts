/**
 * Storage helpers for the run's logs that take a row per order, fill, signal or deferred audit entry
 * (OrderLog, FillLog, and sim/backtest's SignalLog and AuditTrail): their fields live in typed arrays
 * that share one row count and grow together, so appending a row is one capacity check and a store per
 * field. Kept as a column object per field (engine/core/columns.ts), a row was a call per field, each
 * with its own capacity check: ~30 calls per order in a trading run, the largest self time of the
 * order path after the venue's. References that repeat (symbols, strategy ids, tags, reasons) are kept
 * as codes of engine/core/columns.ts's ValueCodes.
 */

/** Rows a log's arrays start with; they double when full (as engine/core/columns.ts's columns). */
export const LOG_INITIAL_ROWS = 256;

/** A copy of the first `rows` values of `a` in a new array of `capacity` values. */
export function grownF64(a: Float64Array, rows: number, capacity: number): Float64Array {
  const b = new Float64Array(capacity);
  b.set(a.subarray(0, rows));
  return b;
}

/** A copy of the first `rows` values of `a` in a new array of `capacity` values. */
export function grownI32(a: Int32Array, rows: number, capacity: number): Int32Array {
  const b = new Int32Array(capacity);
  b.set(a.subarray(0, rows));
  return b;
}
