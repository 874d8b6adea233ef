import { notFinite, type Indicator } from './indicator.js';
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
    if (high - high !== 0) notFinite('high', high);
    if (low - low !== 0) notFinite('low', low);
    const up = this.highs.update(high);
    const down = this.lows.update(low);
    if (this.highs.ready) this.mid = (up + down) / 2;
    return this.mid;
  }

  reset(): void {
    this.highs.reset();
    this.lows.reset();
    this.mid = Number.NaN;
  }
}
