import { InvalidArgumentError, checkInRange, checkPositive } from '../core/index.js';
import { type RowMajorMatrix, toNested, toRowMajor } from './returns-matrix.js';

/**
 * Covariance estimators over a returns matrix whose rows are observations and whose columns are
 * assets (or strategies). All of them return a symmetric `cols x cols` matrix as nested arrays;
 * the `*Flat` variants work on a RowMajorMatrix and write a row-major Float64Array so the optimizer
 * and the resampler can skip the conversions.
 */

/** How the sample covariance is normalised: by `T - 1` (unbiased) or by `T` (maximum likelihood). */
export type CovarianceNormalization = 'unbiased' | 'mle';

/** A shrunk covariance and the shrinkage intensity used, in [0, 1]. */
export interface ShrunkCovariance {
  covariance: number[][];
  shrinkage: number;
}

/** Writes the column means of `x` into `out`. */
export function columnMeansFlat(x: RowMajorMatrix, out: Float64Array): Float64Array {
  const { rows, cols, data } = x;
  out.fill(0, 0, cols);
  for (let t = 0; t < rows; t++) {
    const base = t * cols;
    for (let j = 0; j < cols; j++) out[j] = out[j]! + data[base + j]!;
  }
  for (let j = 0; j < cols; j++) out[j] = out[j]! / rows;
  return out;
}

/**
 * Writes X_c' X_c / divisor into `out` (row-major `cols x cols`), where X_c is `x` minus its column
 * means. Only the lower triangle is accumulated; the upper is mirrored so the result is exactly
 * symmetric.
 */
function centeredCrossProduct(x: RowMajorMatrix, divisor: number, out: Float64Array, means: Float64Array): void {
  const { rows, cols, data } = x;
  columnMeansFlat(x, means);
  // Centred columns laid out contiguously, so each entry of the product is one stride-1 dot product.
  const centered = scratch(rows * cols);
  for (let t = 0; t < rows; t++) {
    const base = t * cols;
    for (let j = 0; j < cols; j++) centered[j * rows + t] = data[base + j]! - means[j]!;
  }
  for (let i = 0; i < cols; i++) {
    const ci = i * rows;
    for (let j = 0; j <= i; j++) {
      const cj = j * rows;
      let s = 0;
      for (let t = 0; t < rows; t++) s += centered[ci + t]! * centered[cj + t]!;
      const v = s / divisor;
      out[i * cols + j] = v;
      out[j * cols + i] = v;
    }
  }
}

let scratchBuffer = new Float64Array(0);

/** Returns a reusable buffer of at least `size` doubles (estimators run synchronously, one at a time). */
function scratch(size: number): Float64Array {
  if (scratchBuffer.length < size) scratchBuffer = new Float64Array(size);
  return scratchBuffer;
}

/** Writes the sample covariance of `x` into `out` (a new array when omitted) and returns it. */
export function sampleCovarianceFlat(
  x: RowMajorMatrix,
  normalization: CovarianceNormalization = 'unbiased',
  out: Float64Array = new Float64Array(x.cols * x.cols),
): Float64Array {
  const divisor = normalization === 'unbiased' ? x.rows - 1 : x.rows;
  if (divisor <= 0) {
    throw new InvalidArgumentError(`invalid 'X': the unbiased sample covariance needs at least 2 rows, was ${x.rows}`);
  }
  centeredCrossProduct(x, divisor, out, new Float64Array(x.cols));
  return out;
}

/**
 * Returns the sample covariance of `x` (rows are observations), divided by `T - 1` ('unbiased',
 * the default) or by `T` ('mle').
 */
export function sampleCovariance(x: readonly (readonly number[])[], normalization: CovarianceNormalization = 'unbiased'): number[][] {
  const m = toRowMajor(x);
  return toNested(sampleCovarianceFlat(m, normalization), m.cols);
}

/**
 * Writes the Ledoit-Wolf covariance of `x` into `out` and returns the shrinkage intensity. Follows
 * scikit-learn's `sklearn.covariance.ledoit_wolf` (assume_centered=False): the data is centred, S is
 * the maximum-likelihood covariance, the target is mu * I with mu = trace(S) / p, and
 * shrinkage = min(beta, delta) / delta with
 *   delta = ||S - mu I||_F^2 / p,
 *   beta  = (sum_t ||x_t||^4 / T - ||S||_F^2) / (p T)
 * (sklearn's `beta_` term sum(X2' X2) equals sum_t ||x_t||^4, computed here in O(T p)).
 * One variable gives S itself and shrinkage 0, as in scikit-learn.
 */
export function ledoitWolfFlat(x: RowMajorMatrix, out: Float64Array = new Float64Array(x.cols * x.cols)): number {
  const { rows, cols: p, data } = x;
  const means = new Float64Array(p);
  centeredCrossProduct(x, rows, out, means);
  if (p === 1) return 0;
  let trace = 0;
  for (let i = 0; i < p; i++) trace += out[i * p + i]!;
  const mu = trace / p;
  let sumFourth = 0;
  for (let t = 0; t < rows; t++) {
    const base = t * p;
    let sq = 0;
    for (let j = 0; j < p; j++) {
      const c = data[base + j]! - means[j]!;
      sq += c * c;
    }
    sumFourth += sq * sq;
  }
  let frobenius2 = 0;
  for (let k = 0; k < p * p; k++) frobenius2 += out[k]! * out[k]!;
  // sklearn: delta_ = sum((X'X)^2) / T^2 = ||S||_F^2; delta = (delta_ - 2 mu tr(S) + p mu^2) / p.
  const delta = (frobenius2 - 2 * mu * trace + p * mu * mu) / p;
  const beta = Math.min((sumFourth / rows - frobenius2) / (p * rows), delta);
  const shrinkage = beta === 0 ? 0 : beta / delta;
  const keep = 1 - shrinkage;
  for (let k = 0; k < p * p; k++) out[k] = keep * out[k]!;
  for (let i = 0; i < p; i++) out[i * p + i] = out[i * p + i]! + shrinkage * mu;
  return shrinkage;
}

/**
 * Returns the Ledoit-Wolf shrunk covariance of `x` (rows are observations) and the shrinkage
 * intensity, matching scikit-learn's `sklearn.covariance.ledoit_wolf(X)`.
 */
export function ledoitWolf(x: readonly (readonly number[])[]): ShrunkCovariance {
  const m = toRowMajor(x);
  const out = new Float64Array(m.cols * m.cols);
  const shrinkage = ledoitWolfFlat(m, out);
  return { covariance: toNested(out, m.cols), shrinkage };
}

/**
 * Decay of an exponentially weighted estimator: either the per-observation decay factor `lambda`
 * in (0, 1) (RiskMetrics uses 0.94 for daily data) or a `halflife` in observations, which means
 * lambda = 0.5^(1 / halflife).
 */
export type EwmaDecay = { readonly lambda: number } | { readonly halflife: number };

/** Returns the decay factor lambda of an EwmaDecay, checking its range. */
export function ewmaDecayFactor(decay: EwmaDecay): number {
  if ('lambda' in decay) {
    checkInRange(decay.lambda, 0, 1, 'lambda');
    if (decay.lambda === 0 || decay.lambda === 1) {
      throw new InvalidArgumentError(`invalid 'lambda': not strictly between 0 and 1, was ${decay.lambda}`);
    }
    return decay.lambda;
  }
  checkPositive(decay.halflife, 'halflife');
  return Math.pow(0.5, 1 / decay.halflife);
}

/**
 * Writes the exponentially weighted covariance of `x` into `out`. Row t of T gets weight
 * lambda^(T-1-t), normalised to sum to one; the data is centred on the mean taken with the same
 * weights. This is pandas' `df.ewm(alpha=1-lambda, adjust=True).cov(bias=True)` at the last row.
 */
export function ewmaCovarianceFlat(x: RowMajorMatrix, decay: EwmaDecay, out: Float64Array = new Float64Array(x.cols * x.cols)): Float64Array {
  const lambda = ewmaDecayFactor(decay);
  const { rows, cols, data } = x;
  const weights = new Float64Array(rows);
  let w = 1;
  let total = 0;
  for (let t = rows - 1; t >= 0; t--) {
    weights[t] = w;
    total += w;
    w *= lambda;
  }
  const mean = new Float64Array(cols);
  for (let t = 0; t < rows; t++) {
    const wt = weights[t]! / total;
    weights[t] = wt;
    for (let j = 0; j < cols; j++) mean[j] = mean[j]! + wt * data[t * cols + j]!;
  }
  out.fill(0, 0, cols * cols);
  const centered = new Float64Array(cols);
  for (let t = 0; t < rows; t++) {
    const wt = weights[t]!;
    for (let j = 0; j < cols; j++) centered[j] = data[t * cols + j]! - mean[j]!;
    for (let i = 0; i < cols; i++) {
      const ci = wt * centered[i]!;
      for (let j = 0; j <= i; j++) out[i * cols + j] = out[i * cols + j]! + ci * centered[j]!;
    }
  }
  for (let i = 0; i < cols; i++) for (let j = 0; j < i; j++) out[j * cols + i] = out[i * cols + j]!;
  return out;
}

/** Returns the exponentially weighted covariance of `x` (rows are observations, oldest first). */
export function ewmaCovariance(x: readonly (readonly number[])[], decay: EwmaDecay): number[][] {
  const m = toRowMajor(x);
  return toNested(ewmaCovarianceFlat(m, decay), m.cols);
}
