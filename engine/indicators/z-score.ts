import { notFinite, type ScalarIndicator } from './indicator.js';
import { RollingStd, type RollingStdOptions } from './rolling-std.js';

/**
 * Rolling z-score: `(x - mean) / sd` where the mean and standard deviation are those of the last
 * `period` values, the current one included (in R: `(x - runMean(x, n)) / runSD(x, n, sample)`).
 *
 * Warm-up: `period - 1` updates return NaN. When the window is constant (sd 0) the z-score is 0,
 * where R would give NaN: the current value is exactly the mean, so it deviates by nothing.
 */
export class ZScore implements ScalarIndicator {
  /** Returns the window length. */
  readonly period: number;
  readonly warmUp: number;
  private readonly std: RollingStd;
  private current = Number.NaN;

  /** `options.sample` chooses the sample (default, as TTR::runSD) or population deviation. */
  constructor(period: number, options: RollingStdOptions = {}) {
    this.std = new RollingStd(period, options);
    this.period = period;
    this.warmUp = this.std.warmUp;
  }

  get value(): number {
    return this.current;
  }

  /** Returns the window mean, or NaN while warming up. */
  get mean(): number {
    return this.std.mean;
  }

  /** Returns the window standard deviation, or NaN while warming up. */
  get sd(): number {
    return this.std.value;
  }

  get ready(): boolean {
    return this.std.ready;
  }

  get count(): number {
    return this.std.count;
  }

  update(x: number): number {
    if (x - x !== 0) notFinite('x', x);
    const sd = this.std.update(x);
    if (!this.std.ready) return this.current;
    this.current = sd > 0 ? (x - this.std.mean) / sd : 0;
    return this.current;
  }

  reset(): void {
    this.std.reset();
    this.current = Number.NaN;
  }
}
