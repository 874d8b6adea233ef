import { checkCondition, checkPeriod } from '../core/index.js';
import { Ema } from './ema.js';
import { notFinite, type ScalarIndicator } from './indicator.js';

/** Options of {@link Macd}. */
export interface MacdOptions {
  /** The fast EMA period. Default 12. */
  readonly fast?: number;
  /** The slow EMA period. Default 26. */
  readonly slow?: number;
  /** The signal EMA period. Default 9. */
  readonly signal?: number;
  /**
   * Computes the MACD line as `100 * (fastEma / slowEma - 1)` when true, as `fastEma - slowEma`
   * (price units) when false. Default false: the classic price-difference MACD. Note that
   * TTR::MACD defaults to percent = TRUE; call it with percent = FALSE to compare.
   */
  readonly percent?: boolean;
}

/**
 * Moving average convergence/divergence, as TTR::MACD(x, nFast, nSlow, nSig, percent) with EMAs
 * (each seeded by the simple mean of its first inputs); the signal line is an EMA of the MACD line,
 * fed from the first defined MACD value on, and the histogram is `macd - signal`.
 *
 * Warm-up: the MACD line (`value`) is NaN for `slow - 1` updates; the signal line and the
 * histogram for `slow + signal - 2` updates (`signalWarmUp`), matching TTR's leading NAs.
 */
export class Macd implements ScalarIndicator {
  readonly fast: number;
  readonly slow: number;
  readonly signalPeriod: number;
  readonly percent: boolean;
  readonly warmUp: number;
  /** Returns the number of updates whose signal line (and histogram) is NaN. */
  readonly signalWarmUp: number;
  private readonly fastEma: Ema;
  private readonly slowEma: Ema;
  private readonly signalEma: Ema;
  private line = Number.NaN;
  private hist = Number.NaN;

  constructor(options: MacdOptions = {}) {
    this.fast = checkPeriod(options.fast ?? 12, 'fast');
    this.slow = checkPeriod(options.slow ?? 26, 'slow');
    this.signalPeriod = checkPeriod(options.signal ?? 9, 'signal');
    checkCondition(
      this.fast < this.slow,
      `invalid 'fast': not less than 'slow' (${this.slow}), was ${this.fast}`,
    );
    this.percent = options.percent ?? false;
    this.warmUp = this.slow - 1;
    this.signalWarmUp = this.slow + this.signalPeriod - 2;
    this.fastEma = new Ema(this.fast);
    this.slowEma = new Ema(this.slow);
    this.signalEma = new Ema(this.signalPeriod);
  }

  /** Returns the MACD line, or NaN while warming up. */
  get value(): number {
    return this.line;
  }

  /** Returns the MACD line, or NaN while warming up. */
  get macd(): number {
    return this.line;
  }

  /** Returns the signal line (EMA of the MACD line), or NaN while warming up. */
  get signal(): number {
    return this.signalEma.value;
  }

  /** Returns `macd - signal`, or NaN while the signal line warms up. */
  get histogram(): number {
    return this.hist;
  }

  get ready(): boolean {
    return this.slowEma.ready;
  }

  /** Returns true once the signal line and the histogram are defined. */
  get signalReady(): boolean {
    return this.signalEma.ready;
  }

  get count(): number {
    return this.slowEma.count;
  }

  update(x: number): number {
    if (x - x !== 0) notFinite('x', x);
    const f = this.fastEma.update(x);
    const s = this.slowEma.update(x);
    if (!this.slowEma.ready) return this.line;
    this.line = this.percent ? 100 * (f / s - 1) : f - s;
    const sig = this.signalEma.update(this.line);
    if (this.signalEma.ready) this.hist = this.line - sig;
    return this.line;
  }

  reset(): void {
    this.fastEma.reset();
    this.slowEma.reset();
    this.signalEma.reset();
    this.line = Number.NaN;
    this.hist = Number.NaN;
  }
}
