import { checkPositive } from '../core/index.js';
import { notFinite, type ScalarIndicator } from './indicator.js';
import { RollingStd } from './rolling-std.js';

/** Options of {@link BollingerBands}. */
export interface BollingerBandsOptions {
  /** The window length. Default 20, as TTR::BBands. */
  readonly period?: number;
  /** The band half-width in standard deviations. Default 2, as TTR::BBands. */
  readonly k?: number;
}

/**
 * Bollinger bands, as TTR::BBands with its defaults (n = 20, sd = 2, maType SMA): the middle band
 * is the simple mean of the window and the bands are `middle +/- k * sd` with the POPULATION
 * standard deviation (TTR calls `runSD(price, n, sample = FALSE)`). `percentB` is
 * `(x - lower) / (upper - lower)`; on a constant window the bands coincide and `percentB` is 0.5
 * (the value sits in the middle of a zero-width band), where TTR gives NaN.
 *
 * The input is one price per update; TTR::BBands given an HLC matrix averages the three
 * (`(high + low + close) / 3`), so feed that to reproduce it.
 *
 * Warm-up: `period - 1` updates return NaN. `value` is the middle band.
 */
export class BollingerBands implements ScalarIndicator {
  readonly period: number;
  readonly k: number = Number.NaN;
  readonly warmUp: number;
  private readonly std: RollingStd;
  private mid = Number.NaN;
  private up = Number.NaN;
  private down = Number.NaN;
  private pctB = Number.NaN;

  constructor(options: BollingerBandsOptions = {}) {
    this.std = new RollingStd(options.period ?? 20, { sample: false });
    this.period = this.std.period;
    this.k = checkPositive(options.k ?? 2, 'k');
    this.warmUp = this.std.warmUp;
  }

  /** Returns the middle band (the window mean), or NaN while warming up. */
  get value(): number {
    return this.mid;
  }

  /** Returns the middle band (the window mean), or NaN while warming up. */
  get middle(): number {
    return this.mid;
  }

  /** Returns the upper band, or NaN while warming up. */
  get upper(): number {
    return this.up;
  }

  /** Returns the lower band, or NaN while warming up. */
  get lower(): number {
    return this.down;
  }

  /** Returns where the last input sits between the bands (0 at lower, 1 at upper). */
  get percentB(): number {
    return this.pctB;
  }

  get ready(): boolean {
    return this.std.ready;
  }

  get count(): number {
    return this.std.count;
  }

  update(x: number): number {
    if (x - x !== 0) notFinite('x', x);
    const sd = this.std.update(x);
    if (!this.std.ready) return this.mid;
    const mid = this.std.mean;
    this.mid = mid;
    this.up = mid + this.k * sd;
    this.down = mid - this.k * sd;
    const width = this.up - this.down;
    this.pctB = width > 0 ? (x - this.down) / width : 0.5;
    return mid;
  }

  reset(): void {
    this.std.reset();
    this.mid = Number.NaN;
    this.up = Number.NaN;
    this.down = Number.NaN;
    this.pctB = Number.NaN;
  }
}
