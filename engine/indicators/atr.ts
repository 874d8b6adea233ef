import { checkPeriod } from '../core/index.js';
import { Ema } from './ema.js';
import { notFinite, type BarIndicator, type BarRowSeries } from './indicator.js';

/**
 * Average true range, as TTR::ATR with its defaults (n = 14, maType EMA with wilder = TRUE).
 * The true range of a bar is `max(high, prevClose) - min(low, prevClose)`; the first bar has no
 * previous close, so its true range is NaN (as in TTR) and the average starts from the second bar,
 * seeded with the simple mean of the first `period` true ranges.
 *
 * Warm-up: `period` updates return NaN (TTR's ATR has `n` leading NAs).
 */
export class Atr implements BarIndicator {
  readonly period: number;
  readonly warmUp: number;
  private readonly average: Ema;
  private previousClose = Number.NaN;
  private range = Number.NaN;
  private seen = 0;
  /** update's high, low and close, passed to step as a three-slot column (rows 0, 1, 2). */
  private readonly input = new Float64Array(3);

  constructor(period = 14) {
    this.period = checkPeriod(period, 'period');
    this.warmUp = period;
    this.average = new Ema(period, { wilder: true });
  }

  /** Returns the average true range, or NaN while warming up. */
  get value(): number {
    return this.average.value;
  }

  /** Returns the true range of the last bar, NaN on the first bar. */
  get trueRange(): number {
    return this.range;
  }

  get ready(): boolean {
    return this.average.ready;
  }

  get count(): number {
    return this.seen;
  }

  update(high: number, low: number, close: number): number {
    this.input[0] = high;
    this.input[1] = low;
    this.input[2] = close;
    this.step(this.input, this.input, this.input, 0, 1, 2);
    return this.average.value;
  }

  /**
   * `update(series.high(0), series.low(0), series.close(0))`, the value left in `value`: the bar read
   * from the series' columns when it has them, so no double is passed or returned (see CloseSeries).
   */
  updateFrom(series: BarRowSeries): void {
    const row = series.lastRow ?? -1;
    if (row >= 0) this.step(series.highs!, series.lows!, series.closes!, row, row, row);
    else this.update(series.high(0), series.low(0), series.close(0));
  }

  /**
   * Consumes `highs[h]`, `lows[l]`, `closes[c]`: the arithmetic of update and updateFrom (typed arrays
   * and rows, no double).
   */
  private step(highs: Float64Array, lows: Float64Array, closes: Float64Array, h: number, l: number, c: number): void {
    const high = highs[h]!;
    const low = lows[l]!;
    const close = closes[c]!;
    if (high - high !== 0) notFinite('high', high);
    if (low - low !== 0) notFinite('low', low);
    if (close - close !== 0) notFinite('close', close);
    this.seen++;
    if (this.seen > 1) {
      const prev = this.previousClose;
      this.range = (high > prev ? high : prev) - (low < prev ? low : prev);
      this.average.update(this.range);
    }
    this.previousClose = close;
  }

  reset(): void {
    this.average.reset();
    this.previousClose = Number.NaN;
    this.range = Number.NaN;
    this.seen = 0;
  }
}
