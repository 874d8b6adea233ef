import { InvalidArgumentError, checkInRange, checkPositiveInteger } from '../core/index.js';
import { columnMeansFlat } from './covariance.js';
import { type RowMajorMatrix, toRowMajor } from './returns-matrix.js';

/**
 * Expected-return estimators over a returns matrix whose rows are observations (oldest first) and
 * whose columns are assets or strategies.
 */

/**
 * Writes the exponentially weighted mean of each column into `out`: row t of T gets weight
 * (1 - alpha)^(T-1-t), normalised. This is pandas' `df.ewm(alpha=alpha, adjust=True).mean()` at the
 * last row; alpha = 1 gives the last row.
 */
export function ewmaMeanFlat(x: RowMajorMatrix, alpha: number, out: Float64Array = new Float64Array(x.cols)): Float64Array {
  checkInRange(alpha, 0, 1, 'alpha');
  if (alpha === 0) throw new InvalidArgumentError(`invalid 'alpha': not in (0, 1], was 0`);
  const { rows, cols, data } = x;
  out.fill(0, 0, cols);
  const decay = 1 - alpha;
  let w = 1;
  let total = 0;
  for (let t = rows - 1; t >= 0; t--) {
    for (let j = 0; j < cols; j++) out[j] = out[j]! + w * data[t * cols + j]!;
    total += w;
    w *= decay;
  }
  for (let j = 0; j < cols; j++) out[j] = out[j]! / total;
  return out;
}

/** Returns the exponentially weighted mean of each column of `x` (smoothing factor `alpha` in (0, 1]). */
export function ewmaMean(x: readonly (readonly number[])[], alpha: number): number[] {
  return Array.from(ewmaMeanFlat(toRowMajor(x), alpha));
}

/** Writes the mean of the last `window` rows of each column into `out`; needs at least `window` rows. */
export function rollingMeanFlat(x: RowMajorMatrix, window: number, out: Float64Array = new Float64Array(x.cols)): Float64Array {
  checkPositiveInteger(window, 'window');
  const { rows, cols, data } = x;
  if (rows < window) throw new InvalidArgumentError(`invalid 'window': larger than the ${rows} rows available, was ${window}`);
  out.fill(0, 0, cols);
  for (let t = rows - window; t < rows; t++) for (let j = 0; j < cols; j++) out[j] = out[j]! + data[t * cols + j]!;
  for (let j = 0; j < cols; j++) out[j] = out[j]! / window;
  return out;
}

/** Returns the mean of the last `window` rows of each column of `x`. */
export function rollingMean(x: readonly (readonly number[])[], window: number): number[] {
  return Array.from(rollingMeanFlat(toRowMajor(x), window));
}

/** A shrunk mean vector and the weight `shrinkage` in [0, 1] put on the grand mean. */
export interface ShrunkMean {
  mean: number[];
  shrinkage: number;
}

/**
 * Writes the James-Stein mean into `out` and returns the shrinkage intensity. Each sample mean m_i
 * is pulled toward the grand mean g = avg(m_i):
 *   m_i^JS = g + (1 - s) (m_i - g),  s = min(1, (p - 3) * sigma2 / sum_i (m_i - g)^2),
 * where sigma2 = avg_i(var_i) / T is the average sampling variance of a column mean (unbiased
 * variances). The (p - 3) factor is the James-Stein constant for a target estimated from the same
 * data; with p <= 3 columns, or fewer than 2 rows, no shrinkage applies (s = 0).
 */
export function shrunkMeanFlat(x: RowMajorMatrix, out: Float64Array = new Float64Array(x.cols)): number {
  const { rows, cols: p, data } = x;
  columnMeansFlat(x, out);
  if (p <= 3 || rows < 2) return 0;
  let grand = 0;
  for (let j = 0; j < p; j++) grand += out[j]!;
  grand /= p;
  let variances = 0;
  for (let t = 0; t < rows; t++) {
    for (let j = 0; j < p; j++) {
      const d = data[t * p + j]! - out[j]!;
      variances += d * d;
    }
  }
  const sigma2 = variances / (rows - 1) / p / rows;
  let spread = 0;
  for (let j = 0; j < p; j++) spread += (out[j]! - grand) * (out[j]! - grand);
  const shrinkage = spread === 0 ? 1 : Math.min(1, ((p - 3) * sigma2) / spread);
  for (let j = 0; j < p; j++) out[j] = grand + (1 - shrinkage) * (out[j]! - grand);
  return shrinkage;
}

/** Returns the James-Stein mean of the columns of `x`, shrunk toward their grand mean. */
export function shrunkMean(x: readonly (readonly number[])[]): ShrunkMean {
  const m = toRowMajor(x);
  const out = new Float64Array(m.cols);
  const shrinkage = shrunkMeanFlat(m, out);
  return { mean: Array.from(out), shrinkage };
}
