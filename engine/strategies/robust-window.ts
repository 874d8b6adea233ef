import { lowerBound, SortedWindow } from './microstructure.js';

/** The factor that makes the MAD a consistent estimator of a normal distribution's standard deviation. */
export const MAD_TO_SD = 1.4826;

/**
 * The last `capacity` values with their median and median absolute deviation (MAD) in O(capacity)
 * per query and no allocation: the window is kept sorted (SortedWindow), the median is a lookup and
 * the MAD walks the deviations outward from the median, two already-sorted runs, merged.
 */
export class RobustWindow {
  private readonly window: SortedWindow;

  constructor(capacity: number) {
    this.window = new SortedWindow(capacity);
  }

  /** Number of values in the window. */
  get length(): number {
    return this.window.length;
  }

  /** Adds `x` (finite), dropping the oldest value once the window is full. */
  push(x: number): void {
    this.window.push(x);
  }

  /** Returns the median of the window (the mean of the two middle values for an even count); NaN when empty. */
  median(): number {
    return this.window.percentile(50);
  }

  /** Returns the median of |x - median| over the window (unscaled); NaN when empty. */
  mad(): number {
    const n = this.window.length;
    if (n === 0) return Number.NaN;
    const s = this.window.sorted;
    const m = this.median();
    // Deviations below the median grow leftwards from `i`, those at or above it rightwards from `j`.
    let i = lowerBound(s, n, m) - 1;
    let j = i + 1;
    const hi = n >> 1;
    const lo = (n - 1) >> 1;
    let low = Number.NaN;
    let d = Number.NaN;
    for (let k = 0; k <= hi; k++) {
      const left = i >= 0 ? m - s[i]! : Number.POSITIVE_INFINITY;
      const right = j < n ? s[j]! - m : Number.POSITIVE_INFINITY;
      if (left <= right) {
        d = left;
        i--;
      } else {
        d = right;
        j++;
      }
      if (k === lo) low = d;
    }
    return (low + d) / 2;
  }

  /**
   * Returns the robust z-score of `x` against the window: (x - median) / (1.4826 x MAD); NaN when
   * the window is empty or its MAD is 0 (more than half the values equal: no scale to measure by).
   */
  robustZ(x: number): number {
    const mad = this.mad();
    return mad > 0 ? (x - this.median()) / (MAD_TO_SD * mad) : Number.NaN;
  }
}
