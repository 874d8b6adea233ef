import { checkPeriod } from '../core/index.js';
import { Ema } from './ema.js';
import { notFinite, type ScalarIndicator } from './indicator.js';

/**
 * Relative strength index, as TTR::RSI with its defaults (n = 14, maType EMA with wilder = TRUE):
 * the up-moves and down-moves of consecutive inputs are each smoothed by a Wilder EMA (ratio
 * 1/period) seeded with the simple mean of the first `period` moves, and
 * `rsi = 100 * up / (up + down)`.
 *
 * Warm-up: `period` updates return NaN (the first input has no move; TTR's RSI has `n` leading
 * NAs). When both averages are 0 (no move at all in the seed window) the RSI is 50, where TTR gives
 * NaN; once any move has occurred the averages stay positive.
 */
export class Rsi implements ScalarIndicator {
  readonly period: number;
  readonly warmUp: number;
  private readonly gains: Ema;
  private readonly losses: Ema;
  private previous = Number.NaN;
  private seen = 0;
  private current = Number.NaN;

  constructor(period = 14) {
    this.period = checkPeriod(period, 'period');
    this.warmUp = period;
    this.gains = new Ema(period, { wilder: true });
    this.losses = new Ema(period, { wilder: true });
  }

  get value(): number {
    return this.current;
  }

  /** Returns the smoothed average gain, or NaN while warming up. */
  get averageGain(): number {
    return this.gains.value;
  }

  /** Returns the smoothed average loss (a positive number), or NaN while warming up. */
  get averageLoss(): number {
    return this.losses.value;
  }

  get ready(): boolean {
    return this.seen > this.period;
  }

  get count(): number {
    return this.seen;
  }

  update(x: number): number {
    if (x - x !== 0) notFinite('x', x);
    this.seen++;
    if (this.seen > 1) {
      const move = x - this.previous;
      const up = this.gains.update(move > 0 ? move : 0);
      const down = this.losses.update(move < 0 ? -move : 0);
      if (this.gains.ready) {
        const total = up + down;
        this.current = total > 0 ? (100 * up) / total : 50;
      }
    }
    this.previous = x;
    return this.current;
  }

  reset(): void {
    this.gains.reset();
    this.losses.reset();
    this.previous = Number.NaN;
    this.seen = 0;
    this.current = Number.NaN;
  }
}
