import { notFinite, type BarRowSeries, type Indicator } from './indicator.js';
import { RollingMax, RollingMin } from './rolling-extreme.js';

/**
 * Donchian channel, as TTR::DonchianChannel(HL, n) with include.lag = FALSE: the upper band is the
 * highest high of the last `period` bars (the current one included), the lower band the lowest low,
 * and the middle their average.
 *
 * Warm-up: `period - 1` updates return NaN. `value` is the middle band. Amortized O(1) per update.
 */
export class DonchianChannel implements Indicator {
  readonly period: number;
  readonly warmUp: number;
  private readonly highs: RollingMax;
  private readonly lows: RollingMin;
  private mid = Number.NaN;
  private readonly input = new Float64Array(2);

  constructor(period = 10) {
    this.highs = new RollingMax(period);
    this.lows = new RollingMin(period);
    this.period = period;
    this.warmUp = period - 1;
  }

  /** Returns the middle band, or NaN while warming up. */
  get value(): number {
    return this.mid;
  }

  /** Returns the highest high of the window, or NaN while warming up. */
  get upper(): number {
    return this.highs.value;
  }

  /** Returns the middle band, or NaN while warming up. */
  get middle(): number {
    return this.mid;
  }

  /** Returns the lowest low of the window, or NaN while warming up. */
  get lower(): number {
    return this.lows.value;
  }

  get ready(): boolean {
    return this.highs.ready;
  }

  get count(): number {
    return this.highs.count;
  }

  /** Consumes one bar's high and low and returns the middle band, or NaN while warming up. */
  update(high: number, low: number): number {
    this.input[0] = high;
    this.input[1] = low;
    this.step(this.input, this.input, 0, 1);
    return this.mid;
  }

  /**
   * `update(series.high(0), series.low(0))`, the bands left in `upper`, `lower` and `value`: the high and
   * low read from the series' columns when it has them (see CloseSeries), so that a caller V8 compiles
   * apart from this boxes no number.
   */
  updateFrom(series: BarRowSeries): void {
    const row = series.lastRow ?? -1;
    if (row >= 0 && series.highs !== undefined && series.lows !== undefined) this.step(series.highs, series.lows, row, row);
    else this.update(series.high(0), series.low(0));
  }

  /** Consumes `highs[h]` and `lows[l]`: the arithmetic of update and updateFrom. */
  private step(highs: Float64Array, lows: Float64Array, h: number, l: number): void {
    const high = highs[h]!;
    const low = lows[l]!;
    if (high - high !== 0) notFinite('high', high);
    if (low - low !== 0) notFinite('low', low);
    this.highs.stepAt(highs, h);
    this.lows.stepAt(lows, l);
    if (this.highs.ready) this.mid = (this.highs.value + this.lows.value) / 2;
  }

  reset(): void {
    this.highs.reset();
    this.lows.reset();
    this.mid = Number.NaN;
  }
}
