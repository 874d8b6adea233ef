import { checkPositiveInteger } from '../core/index.js';
import { requireFinite, type ScalarIndicator } from './indicator.js';

/**
 * Simple moving average over the last `period` values, as TTR::SMA (runMean).
 *
 * Warm-up: `period - 1` updates return NaN. The window sum is kept with Neumaier's compensated
 * summation (one compensated add for the entering value, one for the leaving value) so a
 * million-step run stays within a few ulps of the naive mean of the window, with strictly O(1)
 * work per update and no periodic recompute.
 */
export class Sma implements ScalarIndicator {
  /** Returns the window length. */
  readonly period: number;
  readonly warmUp: number;
  private readonly window: Float64Array;
  private pos: number;
  private seen: number;
  private sum: number;
  private compensation: number;
  private current: number;

  constructor(period: number) {
    this.period = checkPositiveInteger(period, 'period');
    this.warmUp = period - 1;
    this.window = new Float64Array(period);
    this.pos = 0;
    this.seen = 0;
    this.sum = 0;
    this.compensation = 0;
    this.current = Number.NaN;
  }

  get value(): number {
    return this.current;
  }

  get ready(): boolean {
    return this.seen >= this.period;
  }

  get count(): number {
    return this.seen;
  }

  update(x: number): number {
    requireFinite(x, 'x');
    const leaving = this.window[this.pos]!;
    this.window[this.pos] = x;
    this.pos = this.pos + 1 === this.period ? 0 : this.pos + 1;
    this.seen++;
    // Neumaier: the rounding error of each addition is recovered exactly and accumulated apart.
    let s = this.sum;
    let t = s + x;
    let c = this.compensation + (Math.abs(s) >= Math.abs(x) ? s - t + x : x - t + s);
    if (this.seen > this.period) {
      s = t;
      t = s - leaving;
      c += Math.abs(s) >= Math.abs(leaving) ? s - t - leaving : -leaving - t + s;
    }
    this.sum = t;
    this.compensation = c;
    this.current = this.seen >= this.period ? (t + c) / this.period : Number.NaN;
    return this.current;
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
