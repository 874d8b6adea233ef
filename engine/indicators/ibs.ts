import { notFinite, type BarIndicator } from './indicator.js';

/**
 * Returns the internal bar strength `(close - low) / (high - low)`: 0 when a bar closes at its low,
 * 1 at its high. A bar with `high === low` has no range to locate the close in and gets 0.5, the
 * neutral value, rather than NaN. The inputs are not checked for `low <= close <= high` (that is the
 * data validation's job); a close outside the range gives a value outside [0, 1].
 */
export function internalBarStrength(high: number, low: number, close: number): number {
  const range = high - low;
  return range !== 0 ? (close - low) / range : 0.5;
}

/**
 * Internal bar strength as a streaming indicator (see {@link internalBarStrength}). It has no
 * warm-up: every bar has a value.
 */
export class Ibs implements BarIndicator {
  readonly warmUp: number;
  private seen = 0;
  private current = Number.NaN;

  constructor() {
    this.warmUp = 0;
  }

  /** Returns the IBS of the last bar, NaN before the first. */
  get value(): number {
    return this.current;
  }

  get ready(): boolean {
    return this.seen > 0;
  }

  get count(): number {
    return this.seen;
  }

  update(high: number, low: number, close: number): number {
    if (high - high !== 0) notFinite('high', high);
    if (low - low !== 0) notFinite('low', low);
    if (close - close !== 0) notFinite('close', close);
    this.seen++;
    this.current = internalBarStrength(high, low, close);
    return this.current;
  }

  reset(): void {
    this.seen = 0;
    this.current = Number.NaN;
  }
}
