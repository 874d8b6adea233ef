import { assertNever } from '../core/index.js';
import { type CovarianceNormalization, type EwmaDecay, columnMeansFlat, ewmaCovarianceFlat, ledoitWolfFlat, sampleCovarianceFlat } from './covariance.js';
import { ewmaMeanFlat, rollingMeanFlat, shrunkMeanFlat } from './mean-estimators.js';
import type { RowMajorMatrix } from './returns-matrix.js';

/** How expected returns are estimated from a returns matrix. */
export type MeanEstimator =
  | { readonly kind: 'sample' }
  | { readonly kind: 'ewma'; readonly alpha: number }
  | { readonly kind: 'rolling'; readonly window: number }
  | { readonly kind: 'shrunk' };

/** How the covariance is estimated from a returns matrix. */
export type CovarianceEstimator =
  | { readonly kind: 'sample'; readonly normalization?: CovarianceNormalization }
  | { readonly kind: 'ledoit-wolf' }
  | { readonly kind: 'ewma'; readonly decay: EwmaDecay };

/** Estimated moments, row-major, plus the shrinkage intensities of the shrinking estimators (null otherwise). */
export interface MomentEstimates {
  readonly mu: Float64Array;
  readonly sigma: Float64Array;
  readonly meanShrinkage: number | null;
  readonly covarianceShrinkage: number | null;
}

/**
 * Returns mu and Sigma of `x` (rows are observations, oldest first) with the given estimators.
 * Throws InvalidArgumentError when the data does not suit an estimator (e.g. fewer rows than the
 * rolling window).
 */
export function estimateMoments(x: RowMajorMatrix, mean: MeanEstimator, covariance: CovarianceEstimator): MomentEstimates {
  const mu = new Float64Array(x.cols);
  let meanShrinkage: number | null = null;
  switch (mean.kind) {
    case 'sample':
      columnMeansFlat(x, mu);
      break;
    case 'ewma':
      ewmaMeanFlat(x, mean.alpha, mu);
      break;
    case 'rolling':
      rollingMeanFlat(x, mean.window, mu);
      break;
    case 'shrunk':
      meanShrinkage = shrunkMeanFlat(x, mu);
      break;
    default:
      return assertNever(mean, 'mean estimator');
  }
  const sigma = new Float64Array(x.cols * x.cols);
  let covarianceShrinkage: number | null = null;
  switch (covariance.kind) {
    case 'sample':
      sampleCovarianceFlat(x, covariance.normalization ?? 'unbiased', sigma);
      break;
    case 'ledoit-wolf':
      covarianceShrinkage = ledoitWolfFlat(x, sigma);
      break;
    case 'ewma':
      ewmaCovarianceFlat(x, covariance.decay, sigma);
      break;
    default:
      return assertNever(covariance, 'covariance estimator');
  }
  return { mu, sigma, meanShrinkage, covarianceShrinkage };
}

/**
 * Adds `gamma` to the diagonal of the row-major `n x n` covariance in place: seed 000's `gamma_reg`
 * ("covariance regularization", Sigma + gamma I), which bounds the condition number away from
 * singular and shrinks the optimizer's bets on the smallest-variance directions.
 */
export function regularizeCovariance(sigma: Float64Array, n: number, gamma: number): void {
  for (let i = 0; i < n; i++) sigma[i * n + i] = sigma[i * n + i]! + gamma;
}
