/**
 * Storage helpers for the run's logs that take a row per order, fill, signal or deferred audit entry
 * (OrderLog, FillLog, and sim/backtest's SignalLog and AuditTrail): their fields live in typed arrays
 * that share one row count and grow together, so appending a row is one capacity check and a store per
 * field. Kept as a column object per field (engine/core/columns.ts), a row was a call per field, each
 * with its own capacity check: ~30 calls per order in a trading run, the largest self time of the
 * order path after the venue's.
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

/** Values a {@link ValueCodes} finds by identity before it lists a new one. */
const RECENT = 4;

/**
 * References that repeat from row to row (a symbol, a strategy id, a tag, a reason) coded as small
 * integers: a value is found by identity (`===`) as the last value coded, else among the last RECENT
 * listed, and listed again when it is not among them (no map: a value that never repeats costs one list
 * entry). A log keeps the codes in an Int32Array; {@link value} gives a code's value back. The same coding
 * as engine/core/columns.ts's CodedColumn, with the row's code returned rather than pushed.
 */
export class ValueCodes<T> {
  private readonly values: T[];
  /** Codes of the last values listed, most recent at `next - 1` (cyclic); -1 none. */
  private readonly recent = new Int32Array(RECENT).fill(-1);
  private next = 0;
  private last: T | undefined = undefined;
  private lastCode = -1;

  constructor() {
    // Created holding an object, so that the array starts with the elements kind it keeps (see RefColumn).
    this.values = [null as T];
    this.values.length = 0;
  }

  /** The code of `x`. */
  code(x: T): number {
    if (x === this.last && this.lastCode >= 0) return this.lastCode;
    return this.codeOther(x);
  }

  private codeOther(x: T): number {
    const recent = this.recent;
    const values = this.values;
    let c = -1;
    for (let k = 0; k < RECENT; k++) {
      const r = recent[k]!;
      if (r >= 0 && values[r] === x) {
        c = r;
        break;
      }
    }
    if (c < 0) {
      c = values.length;
      values.push(x);
      recent[this.next] = c;
      this.next = (this.next + 1) % RECENT;
    }
    this.last = x;
    this.lastCode = c;
    return c;
  }

  /** The value of a code {@link code} returned. */
  value(c: number): T {
    return this.values[c]!;
  }

  clear(): void {
    this.values.length = 0;
    this.recent.fill(-1);
    this.next = 0;
    this.last = undefined;
    this.lastCode = -1;
  }
}
