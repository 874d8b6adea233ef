import { InvalidArgumentError } from '../core/index.js';

/**
 * The state every streaming indicator shares.
 *
 * An indicator consumes one observation per `update` in O(1) time (amortized O(1) for the rolling
 * extremes) and allocates nothing after construction. While it is warming up its value is NaN; the
 * number of NaN updates, `warmUp`, equals the number of leading NAs of the matching TTR function on
 * a series without NAs.
 *
 * Implementation note for every class here: mutable numeric fields are initialised at their
 * declaration (`private sum = 0`), not only in the constructor. With ES2022 class fields a declared
 * field is first defined as `undefined`; a number stored over that makes V8 keep the field as a
 * tagged pointer and box every double written into it (one heap allocation per update, 3-5x slower).
 */
export interface Indicator {
  /** Returns the current value, or NaN while the indicator is warming up. */
  readonly value: number;
  /** Returns true once `value` is defined (after `warmUp` updates). */
  readonly ready: boolean;
  /** Returns the number of updates whose result is NaN before the first value. */
  readonly warmUp: number;
  /** Returns the number of updates consumed since construction or the last reset. */
  readonly count: number;
  /** Returns the indicator to its freshly constructed state, keeping its parameters and buffers. */
  reset(): void;
}

/** An indicator fed one number (usually a close) per update. */
export interface ScalarIndicator extends Indicator {
  /** Consumes `x` and returns the new value, or NaN while warming up. */
  update(x: number): number;
}

/**
 * A bar series as the built-in indicators read it in place (`updateFrom`): `close(0)`, or, when the
 * series has them (the engine's bar ring and coarse views do), its close column and the row of its
 * last bar. Read this way no number crosses a call: a call V8 does not inline passes and returns
 * doubles boxed in fresh heap numbers, and an indicator updated on every bar would allocate on every bar.
 */
export interface CloseSeries {
  close(ago?: number): number;
  /** The column holding the closes (read at `lastRow`); absent on a series without one. */
  readonly closes?: Float64Array;
  /** The row of the last bar in the columns; -1 while empty. */
  readonly lastRow?: number;
}

/** A {@link CloseSeries} with highs and lows, as {@link CloseSeries} (for the bar indicators' `updateFrom`). */
export interface BarRowSeries extends CloseSeries {
  high(ago?: number): number;
  low(ago?: number): number;
  readonly highs?: Float64Array;
  readonly lows?: Float64Array;
}

/**
 * A {@link ScalarIndicator} that also takes its input from a series in place: `updateFrom(series)` is
 * `update(series.close(0))` with the new value left in `value` rather than returned, so that a caller
 * V8 compiles apart from it boxes no number (the strategies' bar path uses it; `update` is the same).
 */
export interface SeriesIndicator extends ScalarIndicator {
  /** Consumes the series' last close; the new value (NaN while warming up) is `value`. */
  updateFrom(series: CloseSeries): void;
}

/**
 * The `update` and `updateFrom` of a {@link SeriesIndicator} whose arithmetic is one `step` over a
 * column and a row (Sma, Ema): updateFrom passes the series' close column and row, update its input
 * through a one-slot scratch column, so the arithmetic is written once and no double crosses `step`.
 */
export abstract class ColumnIndicator {
  /** The value, NaN while warming up (set by `step`). */
  protected current = Number.NaN;
  private readonly input = new Float64Array(1);

  get value(): number {
    return this.current;
  }

  update(x: number): number {
    this.input[0] = x;
    this.step(this.input, 0);
    return this.current;
  }

  /**
   * `update(series.close(0))`, the value left in `value`: the close read from the series' column when
   * it has one (see CloseSeries).
   */
  updateFrom(series: CloseSeries): void {
    const row = series.lastRow ?? -1;
    if (row >= 0) this.step(series.closes!, row);
    else this.update(series.close(0));
  }

  /** `update(column[row])`, the value left in `value`: for an indicator fed by another's arithmetic (Rsi's averages), no double passed. @internal */
  updateAt(column: Float64Array, row: number): void {
    this.step(column, row);
  }

  /** Consumes `column[row]` (a typed array and a row: no double passed). */
  protected abstract step(column: Float64Array, row: number): void;
}

/** An indicator fed one bar's high, low and close per update. */
export interface BarIndicator extends Indicator {
  /** Consumes one bar and returns the new value, or NaN while warming up. */
  update(high: number, low: number, close: number): number;
}

/**
 * Throws the error for a NaN or infinite input. Callers test `x - x !== 0` inline (0 exactly when `x`
 * is finite) and call this only on failure: a call that passes a double on the hot path would box it
 * into a heap number whenever V8 does not inline the call.
 */
export function notFinite(name: string, value: number): never {
  throw new InvalidArgumentError(`invalid '${name}': not a finite number, was ${String(value)}`);
}
