import { checkPeriod } from '../core/index.js';
import { Ema } from './ema.js';
import { ColumnIndicator, notFinite, type SeriesIndicator } from './indicator.js';

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
export class Rsi extends ColumnIndicator implements SeriesIndicator {
  readonly period: number;
  readonly warmUp: number;
  private readonly gains: Ema;
  private readonly losses: Ema;
  private previous = Number.NaN;
  private seen = 0;
  /** This step's up-move and down-move, as the averages read them (updateAt: no double passed). */
  private readonly moves = new Float64Array(2);

  constructor(period = 14) {
    super();
    this.period = checkPeriod(period, 'period');
    this.warmUp = period;
    this.gains = new Ema(period, { wilder: true });
    this.losses = new Ema(period, { wilder: true });
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

  /** Consumes `column[row]`: the arithmetic of update and updateFrom (see ColumnIndicator). */
  protected step(column: Float64Array, row: number): void {
    const x = column[row]!;
    if (x - x !== 0) notFinite('x', x);
    this.seen++;
    if (this.seen > 1) {
      const move = x - this.previous;
      const moves = this.moves;
      moves[0] = move > 0 ? move : 0;
      moves[1] = move < 0 ? -move : 0;
      this.gains.updateAt(moves, 0);
      this.losses.updateAt(moves, 1);
      if (this.gains.ready) {
        const up = this.gains.value;
        const down = this.losses.value;
        const total = up + down;
        this.current = total > 0 ? (100 * up) / total : 50;
      }
    }
    this.previous = x;
  }

  reset(): void {
    this.gains.reset();
    this.losses.reset();
    this.previous = Number.NaN;
    this.seen = 0;
    this.current = Number.NaN;
  }
}
