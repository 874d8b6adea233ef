import { checkInteger, checkCondition } from '../core/index.js';
import { requireFinite, type ScalarIndicator } from './indicator.js';

/** Options of {@link RollingStd}. */
export interface RollingStdOptions {
  /**
   * Divides the sum of squared deviations by `period - 1` (sample) when true, by `period`
   * (population) when false. Default true, as TTR::runSD.
   */
  readonly sample?: boolean;
}

/**
 * Rolling standard deviation over the last `period` values, as TTR::runSD(x, n, sample).
 *
 * Warm-up: `period - 1` updates return NaN. The window mean uses the same compensated sum as
 * {@link Sma} (so `mean` equals `Sma.value` bit for bit); the sum of squared deviations follows
 * Welford's sliding-window update and is recomputed exactly, two-pass, each time the ring buffer
 * wraps (every `period` updates: amortized O(1)) and when it collapses by more than 1024x since the
 * last exact pass (rare: an outlier leaving the window), which bounds its drift on long series.
 */
const COLLAPSE = 1 / 1024;

export class RollingStd implements ScalarIndicator {
  /** Returns the window length. */
  readonly period: number;
  /** Returns whether the variance divides by `period - 1`. */
  readonly sample: boolean;
  readonly warmUp: number;
  private readonly window: Float64Array;
  private readonly divisor: number;
  private pos: number;
  private seen: number;
  private sum: number;
  private compensation: number;
  private avg: number;
  private m2: number;
  private m2Peak: number;
  private current: number;

  constructor(period: number, options: RollingStdOptions = {}) {
    checkInteger(period, 'period');
    checkCondition(period >= 2, `invalid 'period': less than 2, was ${period}`);
    this.period = period;
    this.sample = options.sample ?? true;
    this.divisor = this.sample ? period - 1 : period;
    this.warmUp = period - 1;
    this.window = new Float64Array(period);
    this.pos = 0;
    this.seen = 0;
    this.sum = 0;
    this.compensation = 0;
    this.avg = Number.NaN;
    this.m2 = 0;
    this.m2Peak = 0;
    this.current = Number.NaN;
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
    requireFinite(x, 'x');
    const n = this.period;
    const leaving = this.window[this.pos]!;
    this.window[this.pos] = x;
    this.pos = this.pos + 1 === n ? 0 : this.pos + 1;
    this.seen++;
    const full = this.seen > n;
    // Compensated window sum, the same operations as Sma.update.
    let s = this.sum;
    let t = s + x;
    let c = this.compensation + (Math.abs(s) >= Math.abs(x) ? s - t + x : x - t + s);
    if (full) {
      s = t;
      t = s - leaving;
      c += Math.abs(s) >= Math.abs(leaving) ? s - t - leaving : -leaving - t + s;
    }
    this.sum = t;
    this.compensation = c;
    const oldMean = this.avg;
    const newMean = (t + c) / (full ? n : this.seen);
    this.avg = newMean;
    if (full) this.m2 += (x - leaving) * (x - newMean + leaving - oldMean);
    else if (this.seen > 1) this.m2 += (x - oldMean) * (x - newMean);
    if (this.m2 > this.m2Peak) this.m2Peak = this.m2;
    // The sliding update's rounding error is relative to the largest sum of squares since the last
    // exact pass, so it is refreshed exactly, two-pass, each time the ring wraps (amortized O(1))
    // and whenever the sum of squares collapses below 1/1024 of that peak (an outlier leaving the
    // window, a series turning flat), which would otherwise magnify the error relative to it.
    if (this.pos === 0 || (this.m2 < this.m2Peak * COLLAPSE && this.seen > 1)) {
      const count = full ? n : this.seen;
      let m2 = 0;
      for (let k = 0, i = this.pos - count; k < count; k++, i++) {
        const d = this.window[i < 0 ? i + n : i]! - newMean;
        m2 += d * d;
      }
      this.m2 = m2;
      this.m2Peak = m2;
    }
    if (this.seen < n) return this.current;
    // The sliding update can leave a tiny negative residue when the window is constant.
    const m2 = this.m2 > 0 ? this.m2 : 0;
    this.current = Math.sqrt(m2 / this.divisor);
    return this.current;
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
