import { checkPeriod } from '../core/index.js';
import { Ema } from './ema.js';
import { notFinite, type BarIndicator } from './indicator.js';

/**
 * Average directional index with the directional indicators, as TTR::ADX with its defaults
 * (n = 14, maType EMA with wilder = TRUE).
 *
 * From the second bar on: `dH = high - prevHigh`, `dL = prevLow - low`; +DM is dH when dH > dL and
 * not both are negative, else 0; -DM is dL when dL > dH and not both are negative, else 0. +DM, -DM
 * and the true range are each accumulated by Wilder's running sum as TTR's `wilderSum` computes it:
 * the plain sum of the first `n - 1` inputs, then `s = x + s * (n - 1) / n` from the `n`-th input
 * on (so the first defined sum weights the first `n - 1` inputs by `(n - 1) / n`);
 * `+DI = 100 * sum(+DM) / sum(TR)`, `-DI` likewise, `DX = 100 * |+DI - -DI| / (+DI + -DI)`, and the
 * ADX is a Wilder EMA of DX seeded with the mean of the first `period` DX values.
 *
 * Warm-up: +DI, -DI and DX are NaN for `period` updates (`diWarmUp`); the ADX (`value`) for
 * `2 * period - 1` updates, matching TTR's leading NAs. Degenerate cases, where TTR divides zero by
 * zero: on a window whose true ranges are all 0, +DI and -DI are 0; when +DI + -DI is 0, DX is 0
 * (no directional movement).
 */
export class Adx implements BarIndicator {
  readonly period: number;
  readonly warmUp: number;
  /** Returns the number of updates whose +DI, -DI and DX are NaN. */
  readonly diWarmUp: number;
  private readonly decayNumerator: number;
  private readonly smoothed: Ema;
  private previousHigh = Number.NaN;
  private previousLow = Number.NaN;
  private previousClose = Number.NaN;
  private plusSum = 0;
  private minusSum = 0;
  private rangeSum = 0;
  private seen = 0;
  private plus = Number.NaN;
  private minus = Number.NaN;
  private directional = Number.NaN;

  constructor(period = 14) {
    this.period = checkPeriod(period, 'period');
    this.warmUp = 2 * period - 1;
    this.diWarmUp = period;
    this.decayNumerator = period - 1;
    this.smoothed = new Ema(period, { wilder: true });
  }

  /** Returns the ADX, or NaN while warming up. */
  get value(): number {
    return this.smoothed.value;
  }

  /** Returns the ADX, or NaN while warming up. */
  get adx(): number {
    return this.smoothed.value;
  }

  /** Returns +DI, or NaN for the first `period` updates. */
  get plusDI(): number {
    return this.plus;
  }

  /** Returns -DI, or NaN for the first `period` updates. */
  get minusDI(): number {
    return this.minus;
  }

  /** Returns DX, or NaN for the first `period` updates. */
  get dx(): number {
    return this.directional;
  }

  get ready(): boolean {
    return this.smoothed.ready;
  }

  get count(): number {
    return this.seen;
  }

  update(high: number, low: number, close: number): number {
    if (high - high !== 0) notFinite('high', high);
    if (low - low !== 0) notFinite('low', low);
    if (close - close !== 0) notFinite('close', close);
    const seen = ++this.seen;
    if (seen > 1) {
      const dH = high - this.previousHigh;
      const dL = this.previousLow - low;
      const neither = dH === dL || (dH < 0 && dL < 0);
      const plusDM = neither ? 0 : dH > dL ? dH : 0;
      const minusDM = neither ? 0 : dH < dL ? dL : 0;
      const prev = this.previousClose;
      const range = (high > prev ? high : prev) - (low < prev ? low : prev);
      const n = this.period;
      if (seen <= n) {
        // Seed: the plain sum of the first n - 1 inputs, accumulated left to right as TTR does.
        this.plusSum += plusDM;
        this.minusSum += minusDM;
        this.rangeSum += range;
      } else {
        // Same operation order as TTR's wilderSum: (s * (n - 1)) / n, not s * ((n - 1) / n).
        const k = this.decayNumerator;
        this.plusSum = plusDM + (this.plusSum * k) / n;
        this.minusSum = minusDM + (this.minusSum * k) / n;
        this.rangeSum = range + (this.rangeSum * k) / n;
        this.updateDirectional();
      }
    }
    this.previousHigh = high;
    this.previousLow = low;
    this.previousClose = close;
    return this.smoothed.value;
  }

  /**
   * Derives +DI, -DI and DX from the running sums and feeds DX to the ADX average. Kept apart and
   * argument-free so that `update` stays small enough for V8 to inline into its caller.
   */
  private updateDirectional(): void {
    const total = this.rangeSum;
    const plus = total > 0 ? (100 * this.plusSum) / total : 0;
    const minus = total > 0 ? (100 * this.minusSum) / total : 0;
    const both = plus + minus;
    this.plus = plus;
    this.minus = minus;
    this.directional = both > 0 ? 100 * (Math.abs(plus - minus) / both) : 0;
    this.smoothed.update(this.directional);
  }

  reset(): void {
    this.smoothed.reset();
    this.previousHigh = Number.NaN;
    this.previousLow = Number.NaN;
    this.previousClose = Number.NaN;
    this.plusSum = 0;
    this.minusSum = 0;
    this.rangeSum = 0;
    this.seen = 0;
    this.plus = Number.NaN;
    this.minus = Number.NaN;
    this.directional = Number.NaN;
  }
}
