import { checkPeriod } from '../core/index.js';
import { ColumnIndicator, notFinite, type SeriesIndicator } from './indicator.js';

/**
 * Simple moving average over the last `period` values, as TTR::SMA (runMean).
 *
 * Warm-up: `period - 1` updates return NaN. The window sum is compensated: the exact rounding error
 * of each addition (of the entering value, and of the negated leaving value) is recovered by
 * TwoSum and accumulated apart (Neumaier-style), so a million-step run stays within a few ulps of
 * the naive mean of the window, with strictly O(1) work per update and no periodic recompute. The
 * residual error is about eps^2 times the largest value that has passed through the window.
 */
export class Sma extends ColumnIndicator implements SeriesIndicator {
  /** Returns the window length. */
  readonly period: number;
  readonly warmUp: number;
  private readonly window: Float64Array;
  private pos = 0;
  private seen = 0;
  private sum = 0;
  private compensation = 0;

  constructor(period: number) {
    super();
    this.period = checkPeriod(period, 'period');
    this.warmUp = period - 1;
    this.window = new Float64Array(period);
  }

  get ready(): boolean {
    return this.seen >= this.period;
  }

  get count(): number {
    return this.seen;
  }

  /** Consumes `column[row]`: the arithmetic of update and updateFrom (see ColumnIndicator). */
  protected step(column: Float64Array, row: number): void {
    const x = column[row]!;
    if (x - x !== 0) notFinite('x', x);
    const pos = this.pos;
    const leaving = this.window[pos]!;
    this.window[pos] = x;
    this.pos = pos + 1 === this.period ? 0 : pos + 1;
    this.seen++;
    // TwoSum (Knuth): `s - (t - b) + (x - b)` is the exact rounding error of `t = s + x` whatever
    // the magnitudes; the errors are accumulated apart in `c`.
    let s = this.sum;
    let t = s + x;
    let b = t - s;
    let c = this.compensation + (s - (t - b) + (x - b));
    if (this.seen > this.period) {
      s = t;
      t = s - leaving;
      b = t - s;
      c += s - (t - b) + (-leaving - b);
    }
    this.sum = t;
    this.compensation = c;
    this.current = this.seen >= this.period ? (t + c) / this.period : Number.NaN;
  }

  reset(): void {
    this.window.fill(0);
    this.pos = 0;
    this.seen = 0;
    this.sum = 0;
    this.compensation = 0;
    this.current = Number.NaN;
  }
}
