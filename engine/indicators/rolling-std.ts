import { checkCondition, checkPeriod } from '../core/index.js';
import { notFinite, type ScalarIndicator } from './indicator.js';

/** Options of {@link RollingStd}. */
export interface RollingStdOptions {
  /**
   * Divides the sum of squared deviations by `period - 1` (sample) when true, by `period`
   * (population) when false. Default true, as TTR::runSD.
   */
  readonly sample?: boolean;
}

/** The fraction of its peak below which the running sum of squares is recomputed exactly. */
const COLLAPSE = 1 / 1024;

/**
 * Rolling standard deviation over the last `period` values, as TTR::runSD(x, n, sample).
 *
 * Warm-up: `period - 1` updates return NaN. The window mean uses the same compensated sum as
 * {@link Sma} (so `mean` equals `Sma.value` bit for bit); the sum of squared deviations follows
 * Welford's sliding-window update and is recomputed exactly, two-pass, each time the ring buffer
 * wraps (every `period` updates: amortized O(1)) and when it collapses by more than 1024x since the
 * last exact pass (rare: an outlier leaving the window), which bounds its drift on long series.
 */
export class RollingStd implements ScalarIndicator {
  /** Returns the window length. */
  readonly period: number;
  /** Returns whether the variance divides by `period - 1`. */
  readonly sample: boolean;
  readonly warmUp: number;
  private readonly window: Float64Array;
  private readonly divisor: number;
  private pos = 0;
  private seen = 0;
  private sum = 0;
  private compensation = 0;
  private avg = Number.NaN;
  private m2 = 0;
  private m2Peak = 0;
  private current = Number.NaN;

  constructor(period: number, options: RollingStdOptions = {}) {
    checkPeriod(period, 'period');
    checkCondition(period >= 2, `invalid 'period': less than 2, was ${period}`);
    this.period = period;
    this.sample = options.sample ?? true;
    this.divisor = this.sample ? period - 1 : period;
    this.warmUp = period - 1;
    this.window = new Float64Array(period);
  }

  /** Returns the standard deviation of the window, or NaN while warming up. */
  get value(): number {
    return this.current;
  }

  /** Returns the mean of the window, or NaN while warming up. */
  get mean(): number {
    return this.seen >= this.period ? this.avg : Number.NaN;
  }

  /** Returns the variance of the window, or NaN while warming up. */
  get variance(): number {
    if (this.seen < this.period) return Number.NaN;
    return this.m2 > 0 ? this.m2 / this.divisor : 0;
  }

  get ready(): boolean {
    return this.seen >= this.period;
  }

  get count(): number {
    return this.seen;
  }

  update(x: number): number {
    if (x - x !== 0) notFinite('x', x);
    const n = this.period;
    const pos = this.pos;
    const leaving = this.window[pos]!;
    this.window[pos] = x;
    this.pos = pos + 1 === n ? 0 : pos + 1;
    const seen = ++this.seen;
    // Compensated window sum, the same operations as Sma.update.
    // TwoSum (Knuth): `s - (t - b) + (x - b)` is the exact rounding error of `t = s + x` whatever
    // the magnitudes; the errors are accumulated apart in `c`.
    let s = this.sum;
    let t = s + x;
    let b = t - s;
    let c = this.compensation + (s - (t - b) + (x - b));
    if (seen > n) {
      s = t;
      t = s - leaving;
      b = t - s;
      c += s - (t - b) + (-leaving - b);
    }
    this.sum = t;
    this.compensation = c;
    if (seen < n) return Number.NaN;
    const oldMean = this.avg;
    const mean = (t + c) / n;
    this.avg = mean;
    // The sliding update's rounding error is relative to the largest sum of squares since the last
    // exact pass, so the sum is recomputed exactly, two-pass, when the window first fills, each time
    // the ring wraps (amortized O(1)), and whenever it collapses below 1/1024 of that peak (an
    // outlier leaving the window, a series turning flat), which would magnify the error relative to it.
    let m2 = this.m2 + (x - leaving) * (x - mean + leaving - oldMean);
    if (m2 > this.m2Peak) this.m2Peak = m2;
    if (this.pos === 0 || m2 < this.m2Peak * COLLAPSE) m2 = this.refreshSumOfSquares();
    this.m2 = m2;
    // The sliding update can leave a tiny negative residue when the window is constant.
    const sd = Math.sqrt((m2 > 0 ? m2 : 0) / this.divisor);
    this.current = sd;
    return sd;
  }

  /**
   * Returns the sum of squared deviations from `avg` over the full window, oldest value first, and
   * makes it the new peak.
   */
  private refreshSumOfSquares(): number {
    const n = this.period;
    const mean = this.avg;
    let m2 = 0;
    for (let k = 0, i = this.pos; k < n; k++, i = i + 1 === n ? 0 : i + 1) {
      const d = this.window[i]! - mean;
      m2 += d * d;
    }
    this.m2Peak = m2;
    return m2;
  }

  reset(): void {
    this.window.fill(0);
    this.pos = 0;
    this.seen = 0;
    this.sum = 0;
    this.compensation = 0;
    this.avg = Number.NaN;
    this.m2 = 0;
    this.m2Peak = 0;
    this.current = Number.NaN;
  }
}
