import { TapedeckError } from '../core/index.js';
import { type OptimizationResult, fallbackWeights, optimizationConfidence, optimizeWeights, portfolioMetrics } from './mean-variance.js';
import { type CovarianceEstimator, type MeanEstimator, estimateMoments, regularizeCovariance } from './moment-estimation.js';
import { regimeParameters, type RegimeName } from './regime-table.js';
import { type ResamplingOptions, type ResamplingSummary, resampleWeights } from './resampling.js';
import { type RowMajorMatrix, toNested, toRowMajor } from './returns-matrix.js';

/**
 * Options of {@link optimizeFromReturns}. lambda, eta and wMax come from `regime` (seed-000 table,
 * at `regimePosition` along its ranges) unless given explicitly; one of the two is required.
 */
export interface OptimizeFromReturnsOptions {
  /** Expected-return estimator; the sample mean by default. */
  readonly mean?: MeanEstimator;
  /** Covariance estimator; Ledoit-Wolf by default (always positive definite for non-constant data). */
  readonly covariance?: CovarianceEstimator;
  readonly regime?: RegimeName;
  readonly regimePosition?: number;
  readonly lambda?: number;
  readonly eta?: number;
  readonly wMax?: number;
  /** The weights held now; equal weights by default. */
  readonly wPrev?: readonly number[];
  /** When given, the weights are the resampled (bootstrap-averaged) optimum. */
  readonly resampling?: ResamplingOptions;
  /** Seed 000's `gamma_reg`: added to Sigma's diagonal after estimation (Sigma + gamma I), >= 0; 0 by default. */
  readonly gammaReg?: number;
  /** Seed 003's diversification weight beta of -beta sum w^2, >= 0; 0 by default. */
  readonly diversification?: number;
}

/** An optimization result with the estimates and parameters behind it. */
export interface ReturnsOptimizationResult extends OptimizationResult {
  /** Estimated expected returns ([] when the returns were invalid). */
  readonly mu: number[];
  /** Estimated covariance ([] when the returns were invalid). */
  readonly sigma: number[][];
  readonly meanShrinkage: number | null;
  readonly covarianceShrinkage: number | null;
  readonly parameters: { readonly lambda: number; readonly eta: number; readonly wMax: number };
  /** Present when resampling ran. */
  readonly resampling: ResamplingSummary | null;
}

function invalid(n: number, options: OptimizeFromReturnsOptions, parameters: ReturnsOptimizationResult['parameters'], reason: string): ReturnsOptimizationResult {
  const { weights, source } = fallbackWeights(n, options.wPrev, parameters.wMax);
  return {
    weights,
    objective: Number.NaN,
    expectedReturn: Number.NaN,
    volatility: Number.NaN,
    sharpe: null,
    turnover: Number.NaN,
    conditionNumber: Number.NaN,
    confidence: 0,
    status: 'invalid_input',
    reason: `${reason}; fallback: ${source}`,
    source,
    ridge: 0,
    iterations: 0,
    mu: [],
    sigma: [],
    meanShrinkage: null,
    covarianceShrinkage: null,
    parameters,
    resampling: null,
  };
}

/**
 * Estimates mu and Sigma from `returns` (rows are observations, oldest first; columns are
 * strategies) and returns the optimal weights with their metrics, optionally resampled. Like
 * {@link optimizeWeights} it never throws on bad data: invalid returns or options give status
 * 'invalid_input' with a reason and fallback weights.
 */
export function optimizeFromReturns(returns: readonly (readonly number[])[], options: OptimizeFromReturnsOptions = {}): ReturnsOptimizationResult {
  const n = Array.isArray(returns) && Array.isArray(returns[0]) ? returns[0].length : 0;
  let parameters = { lambda: Number.NaN, eta: Number.NaN, wMax: Number.NaN };
  let x: RowMajorMatrix;
  try {
    const fromRegime = options.regime !== undefined ? regimeParameters(options.regime, options.regimePosition) : null;
    parameters = {
      lambda: options.lambda ?? fromRegime?.lambda ?? Number.NaN,
      eta: options.eta ?? fromRegime?.eta ?? Number.NaN,
      wMax: options.wMax ?? fromRegime?.wMax ?? Number.NaN,
    };
    x = toRowMajor(returns, 'returns');
  } catch (error) {
    if (error instanceof TapedeckError) return invalid(n, options, parameters, error.message);
    throw error;
  }
  if (Number.isNaN(parameters.lambda) || Number.isNaN(parameters.eta) || Number.isNaN(parameters.wMax)) {
    return invalid(n, options, parameters, 'lambda, eta and wMax must be given, or a regime to take them from');
  }
  const mean = options.mean ?? { kind: 'sample' };
  const covariance = options.covariance ?? { kind: 'ledoit-wolf' };
  const wPrev = options.wPrev ?? new Array<number>(x.cols).fill(1 / x.cols);
  let estimates;
  try {
    estimates = estimateMoments(x, mean, covariance);
  } catch (error) {
    if (error instanceof TapedeckError) return invalid(n, options, parameters, error.message);
    throw error;
  }
  const gammaReg = options.gammaReg ?? 0;
  if (!(Number.isFinite(gammaReg) && gammaReg >= 0)) return invalid(n, options, parameters, `gammaReg must be a finite number >= 0, was ${gammaReg}`);
  if (gammaReg > 0) regularizeCovariance(estimates.sigma, x.cols, gammaReg);
  const mu = Array.from(estimates.mu);
  const sigma = toNested(estimates.sigma, x.cols);
  const diversification = options.diversification !== undefined ? { diversification: options.diversification } : {};
  const input = { mu, sigma, ...parameters, wPrev, nObservations: x.rows, ...diversification };
  const base = optimizeWeights(input);
  const extras = { mu, sigma, meanShrinkage: estimates.meanShrinkage, covarianceShrinkage: estimates.covarianceShrinkage, parameters };
  if (options.resampling === undefined || base.status === 'invalid_input' || base.status === 'infeasible') {
    return { ...base, ...extras, resampling: null };
  }
  let resampled;
  try {
    resampled = resampleWeights(x, { mean, covariance, ...parameters, wPrev, gammaReg, ...diversification }, options.resampling);
  } catch (error) {
    if (error instanceof TapedeckError) return invalid(n, options, parameters, error.message);
    throw error;
  }
  const { weights, summary } = resampled;
  if (weights === null) {
    return {
      ...base,
      ...extras,
      status: 'ill_conditioned',
      reason: `no resample produced weights (${summary.firstFailure}); the full-sample optimum is used`,
      resampling: summary,
    };
  }
  return {
    ...base,
    weights,
    ...portfolioMetrics(weights, input),
    // Weight dispersion across samples discounts the full-sample confidence.
    confidence: base.source === 'active-set' || base.source === 'quadprog'
      ? optimizationConfidence(base.conditionNumber, x.cols, x.rows) * Math.max(0, 1 - summary.dispersion)
      : 0,
    source: 'resampled',
    ...extras,
    resampling: summary,
  };
}
