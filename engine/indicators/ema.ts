import { checkPeriod } from '../core/index.js';
import { ColumnIndicator, notFinite, type SeriesIndicator } from './indicator.js';

/** Options of {@link Ema}. */
export interface EmaOptions {
  /** Uses Wilder's smoothing factor 1/period instead of 2/(period+1). Default false. */
  readonly wilder?: boolean;
}

/**
 * Exponential moving average, as TTR::EMA with its defaults: the first value is the simple mean of
 * the first `period` inputs (accumulated as TTR does, `seed += x / period`), after which
 * `ema = x * ratio + ema * (1 - ratio)` with ratio 2/(period+1), or 1/period when `wilder` is set.
 *
 * Warm-up: `period - 1` updates return NaN.
 */
export class Ema extends ColumnIndicator implements SeriesIndicator {
  /** Returns the number of inputs averaged into the seed (and that sets the ratio). */
  readonly period: number;
  /** Returns the smoothing factor applied to each new input. */
  readonly ratio: number = Number.NaN;
  readonly warmUp: number;
  private readonly keep: number = Number.NaN;
  private seen = 0;
  private seed = 0;

  constructor(period: number, options: EmaOptions = {}) {
    super();
    this.period = checkPeriod(period, 'period');
    this.ratio = options.wilder === true ? 1.0 / period : 2.0 / (period + 1);
    this.keep = 1 - this.ratio;
    this.warmUp = period - 1;
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
    this.seen++;
    if (this.seen > this.period) {
      this.current = x * this.ratio + this.current * this.keep;
    } else {
      this.seed += x / this.period;
      if (this.seen === this.period) this.current = this.seed;
    }
  }

  reset(): void {
    this.seen = 0;
    this.seed = 0;
    this.current = Number.NaN;
  }
}
