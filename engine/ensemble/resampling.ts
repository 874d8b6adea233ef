import { type RandomStream, checkInRange, checkPositiveInteger } from '../core/index.js';
import { optimizeWeights } from './mean-variance.js';
import { type CovarianceEstimator, type MeanEstimator, estimateMoments, regularizeCovariance } from './moment-estimation.js';
import { type RowMajorMatrix, toNested } from './returns-matrix.js';

/**
 * Resampled (Michaud-style) robust optimization: draw bootstrap samples of the return rows,
 * re-estimate mu and Sigma on each, optimize each, and average the optimal weights. The average of
 * feasible weight vectors is feasible (the constraint set is convex), and it is far less sensitive
 * to estimation noise than a single optimum.
 */

/** How to resample: `samples` bootstrap draws of round(fraction * T) rows each, from `stream`. */
export interface ResamplingOptions {
  readonly samples: number;
  /** Fraction of the T rows drawn (with replacement) per sample, in (0, 1]. */
  readonly fraction: number;
  /** The seeded stream, e.g. `randomStream(seed, runKey, 'resampling')`; draws advance it. */
  readonly stream: RandomStream;
}

/** The optimization problem solved on every sample. */
export interface ResampledProblem {
  readonly mean: MeanEstimator;
  readonly covariance: CovarianceEstimator;
  readonly lambda: number;
  readonly eta: number;
  readonly wPrev: readonly number[];
  readonly wMax: number;
  /** Added to Sigma's diagonal after each estimate (seed 000's gamma_reg); 0 when absent. */
  readonly gammaReg?: number;
  /** Seed 003's diversification weight beta (see OptimizeWeightsInput); 0 when absent. */
  readonly diversification?: number;
}

/** What the resampling did. */
export interface ResamplingSummary {
  readonly samples: number;
  /** Rows per sample. */
  readonly sampleRows: number;
  /** Samples whose optimization produced solver weights (status optimal or ill_conditioned). */
  readonly succeeded: number;
  readonly failed: number;
  /** The first failure's status and reason, for the audit trail (null when none failed). */
  readonly firstFailure: string | null;
  /** Standard deviation of each weight across the successful samples. */
  readonly weightStd: number[];
  /** sqrt(sum of the weight variances): 0 when every sample agrees. */
  readonly dispersion: number;
}

/**
 * Returns the average of the per-sample optimal weights (null when no sample succeeded) and a
 * summary. Sampled rows are sorted back into time order so that order-sensitive estimators (EWMA,
 * rolling) still see the oldest rows first. Deterministic for a given stream state.
 */
export function resampleWeights(
  x: RowMajorMatrix,
  problem: ResampledProblem,
  options: ResamplingOptions,
): { weights: number[] | null; summary: ResamplingSummary } {
  checkPositiveInteger(options.samples, 'samples');
  checkInRange(options.fraction, 0, 1, 'fraction');
  const { rows, cols, data } = x;
  const sampleRows = Math.max(2, Math.round(options.fraction * rows));
  const indices = new Int32Array(sampleRows);
  const sample: RowMajorMatrix = { rows: sampleRows, cols, data: new Float64Array(sampleRows * cols) };
  const sum = new Float64Array(cols);
  const sumSquares = new Float64Array(cols);
  let succeeded = 0;
  let firstFailure: string | null = null;
  for (let s = 0; s < options.samples; s++) {
    for (let k = 0; k < sampleRows; k++) indices[k] = options.stream.int(0, rows - 1);
    indices.sort();
    for (let k = 0; k < sampleRows; k++) sample.data.set(data.subarray(indices[k]! * cols, (indices[k]! + 1) * cols), k * cols);
    let outcome: string | null = null;
    try {
      const est = estimateMoments(sample, problem.mean, problem.covariance);
      if (problem.gammaReg !== undefined && problem.gammaReg > 0) regularizeCovariance(est.sigma, cols, problem.gammaReg);
      const result = optimizeWeights({
        mu: Array.from(est.mu),
        sigma: toNested(est.sigma, cols),
        lambda: problem.lambda,
        eta: problem.eta,
        wPrev: problem.wPrev,
        wMax: problem.wMax,
        ...(problem.diversification !== undefined ? { diversification: problem.diversification } : {}),
      });
      if (result.source === 'active-set' || result.source === 'quadprog') {
        for (let j = 0; j < cols; j++) {
          const w = result.weights[j]!;
          sum[j] = sum[j]! + w;
          sumSquares[j] = sumSquares[j]! + w * w;
        }
        succeeded++;
      } else {
        outcome = `sample ${s}: ${result.status}: ${result.reason}`;
      }
    } catch (error) {
      outcome = `sample ${s}: ${error instanceof Error ? error.message : String(error)}`;
    }
    if (outcome !== null && firstFailure === null) firstFailure = outcome;
  }
  const weightStd = new Array<number>(cols).fill(0);
  let weights: number[] | null = null;
  let dispersion = 0;
  if (succeeded > 0) {
    const upper = Math.min(1, problem.wMax);
    weights = new Array<number>(cols);
    for (let j = 0; j < cols; j++) {
      const mean = sum[j]! / succeeded;
      // An average of values in [0, upper] lies there too; the clip only absorbs rounding.
      weights[j] = Math.min(upper, Math.max(0, mean));
      const variance = Math.max(0, sumSquares[j]! / succeeded - mean * mean);
      weightStd[j] = Math.sqrt(variance);
      dispersion += variance;
    }
    dispersion = Math.sqrt(dispersion);
  }
  return {
    weights,
    summary: { samples: options.samples, sampleRows, succeeded, failed: options.samples - succeeded, firstFailure, weightStd, dispersion },
  };
}
