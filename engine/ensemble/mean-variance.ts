import { solveWithQuadprog } from './quadprog-fallback.js';
import { SimplexBoxQpSolver } from './qp-solver.js';
import { symmetricEigenvalues } from './symmetric-eigenvalues.js';

/**
 * The mean-variance optimizer over strategy (or asset) returns, as described in seed 000, with
 * seed 003's diversification bonus beta Div(w) = -beta sum w_i^2 (beta = 0 unless given):
 *
 *   maximise  w'mu - (lambda/2) w'Sigma w - eta ||w - w_prev||^2 - beta ||w||^2
 *   s.t.      sum(w) = 1,  0 <= w_i <= w_max,
 *
 * solved as the equivalent QP  min (1/2) w'(lambda Sigma + 2 (eta + beta) I) w - (mu + 2 eta w_prev)'w.
 * Bad input never throws and never yields NaN weights: it yields a status, a reason and documented
 * fallback weights.
 */

/**
 * How an optimization ended:
 * - 'optimal': the weights solve the program (KKT conditions hold to 1e-8).
 * - 'infeasible': w_max * n < 1, so no weights can sum to one; fallback weights.
 * - 'ill_conditioned': Q was singular to working precision, so a ridge was added (see `ridge`), or
 *   the active-set solver failed and quadprog or the fallback weights were used.
 * - 'invalid_input': NaN/infinite values, mismatched sizes, a non-symmetric or non-positive
 *   semi-definite Sigma, lambda <= 0, eta < 0 or w_max <= 0; fallback weights.
 */
export type OptimizationStatus = 'optimal' | 'infeasible' | 'ill_conditioned' | 'invalid_input';

/**
 * Where the weights came from: the dedicated solver, the quadprog fallback, the average of
 * bootstrap optima (resampled optimization), or the fallback weights.
 */
export type WeightsSource = 'active-set' | 'quadprog' | 'resampled' | 'previous-weights' | 'equal-weights';

/** Inputs of {@link optimizeWeights}. */
export interface OptimizeWeightsInput {
  /** Expected returns, one per strategy. */
  readonly mu: readonly number[];
  /** Covariance of returns, symmetric positive semi-definite, n x n. */
  readonly sigma: readonly (readonly number[])[];
  /** Risk aversion, > 0. */
  readonly lambda: number;
  /** Turnover penalty, >= 0. */
  readonly eta: number;
  /** The weights currently held (the turnover anchor), one per strategy. */
  readonly wPrev: readonly number[];
  /** Diversification weight beta >= 0 of seed 003's -beta sum w^2 (pulls toward equal weights); 0 when absent. */
  readonly diversification?: number;
  /** Cap per weight, > 0; feasible when n * wMax >= 1. Values above 1 act as 1. */
  readonly wMax: number;
  /** Number of return observations behind mu and Sigma; lowers `confidence` when small. */
  readonly nObservations?: number;
}

/** The result of an optimization. Metrics are NaN (sharpe null) when the inputs cannot be evaluated. */
export interface OptimizationResult {
  /** The weights: never NaN; they sum to 1 and lie in [0, w_max] except in the fallback documented on `status`. */
  readonly weights: number[];
  /** w'mu - (lambda/2) w'Sigma w - eta ||w - w_prev||^2 - beta ||w||^2 at `weights` (the maximised objective). */
  readonly objective: number;
  /** w'mu. */
  readonly expectedReturn: number;
  /** sqrt(w'Sigma w). */
  readonly volatility: number;
  /** expectedReturn / volatility, null when the volatility is zero or unknown. */
  readonly sharpe: number | null;
  /** sum |w - w_prev|. */
  readonly turnover: number;
  /** Largest over smallest eigenvalue of Sigma; Infinity when Sigma is singular. */
  readonly conditionNumber: number;
  /**
   * A score in [0, 1] of how far the weights can be trusted:
   * conditioning * sampling, where conditioning = clamp(1 - log10(conditionNumber) / 12, 0, 1)
   * (1 for a perfectly conditioned Sigma, 0.5 at 1e6, 0 at 1e12 or singular) and
   * sampling = T / (T + n) for T = nObservations (1 when T is not given: the caller vouches for the
   * estimates). 0 unless the status is 'optimal' or 'ill_conditioned'.
   */
  readonly confidence: number;
  readonly status: OptimizationStatus;
  /** Why the status is not 'optimal' (null when it is). */
  readonly reason: string | null;
  readonly source: WeightsSource;
  /** Ridge added to the diagonal of lambda Sigma + 2 eta I (0 when none was needed). */
  readonly ridge: number;
  /** Active-set iterations used (0 when the solver did not run). */
  readonly iterations: number;
}

/** Relative tolerances of the input checks. */
const SYMMETRY_TOLERANCE = 1e-10;
const PSD_TOLERANCE = 1e-10;
/** The solver's answer is accepted only when its KKT residual is below this (absolute). */
const KKT_ACCEPT = 1e-9;

const solver = new SimplexBoxQpSolver();

/** Returns the reason an input is invalid, or null. */
function validate(input: OptimizeWeightsInput): string | null {
  const { mu, sigma, lambda, eta, wPrev, wMax } = input;
  if (typeof lambda !== 'number' || !Number.isFinite(lambda) || !(lambda > 0)) return `lambda must be a finite number > 0, was ${lambda}`;
  if (typeof eta !== 'number' || !Number.isFinite(eta) || !(eta >= 0)) return `eta must be a finite number >= 0, was ${eta}`;
  if (typeof wMax !== 'number' || !Number.isFinite(wMax) || !(wMax > 0)) return `wMax must be a finite number > 0, was ${wMax}`;
  const beta = input.diversification;
  if (beta !== undefined && (typeof beta !== 'number' || !Number.isFinite(beta) || !(beta >= 0))) return `diversification must be a finite number >= 0, was ${beta}`;
  if (!Array.isArray(mu) || mu.length === 0) return 'mu must be a non-empty array';
  const n = mu.length;
  for (let i = 0; i < n; i++) if (!Number.isFinite(mu[i])) return `mu[${i}] is not a finite number, was ${mu[i]}`;
  if (!Array.isArray(sigma) || sigma.length !== n) return `sigma must have ${n} rows (the length of mu), had ${Array.isArray(sigma) ? sigma.length : typeof sigma}`;
  let maxAbs = 0;
  for (let i = 0; i < n; i++) {
    const row = sigma[i];
    if (!Array.isArray(row) || row.length !== n) return `sigma[${i}] must have ${n} columns`;
    for (let j = 0; j < n; j++) {
      const v = row[j];
      if (!Number.isFinite(v)) return `sigma[${i}][${j}] is not a finite number, was ${v}`;
      maxAbs = Math.max(maxAbs, Math.abs(v!));
    }
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const a = sigma[i]![j]!;
      const b = sigma[j]![i]!;
      if (Math.abs(a - b) > SYMMETRY_TOLERANCE * maxAbs) return `sigma is not symmetric: sigma[${i}][${j}] = ${a}, sigma[${j}][${i}] = ${b}`;
    }
  }
  if (!Array.isArray(wPrev) || wPrev.length !== n) return `wPrev must have ${n} entries (the length of mu), had ${Array.isArray(wPrev) ? wPrev.length : typeof wPrev}`;
  for (let i = 0; i < n; i++) if (!Number.isFinite(wPrev[i])) return `wPrev[${i}] is not a finite number, was ${wPrev[i]}`;
  if (input.nObservations !== undefined && !(Number.isSafeInteger(input.nObservations) && input.nObservations > 0)) {
    return `nObservations must be a positive integer, was ${input.nObservations}`;
  }
  return null;
}

/**
 * Returns the fallback weights: `wPrev` when it is a valid allocation (finite, in [0, wMax], summing
 * to 1 within 1e-9), otherwise equal weights clipped to wMax (they sum to min(1, n * wMax); when
 * the problem is infeasible the rest stays in cash).
 */
export function fallbackWeights(n: number, wPrev: readonly number[] | undefined, wMax: number): { weights: number[]; source: WeightsSource } {
  const cap = Number.isFinite(wMax) && wMax > 0 ? Math.min(1, wMax) : 1;
  if (Array.isArray(wPrev) && wPrev.length === n && n > 0) {
    let sum = 0;
    let ok = true;
    for (const w of wPrev) {
      if (!Number.isFinite(w) || w < 0 || w > cap) ok = false;
      sum += w;
    }
    if (ok && Math.abs(sum - 1) <= 1e-9) return { weights: wPrev.slice(), source: 'previous-weights' };
  }
  const w = Math.min(1 / n, cap);
  return { weights: new Array<number>(n).fill(w), source: 'equal-weights' };
}

/** Returns the confidence score documented on {@link OptimizationResult.confidence}. */
export function optimizationConfidence(conditionNumber: number, n: number, nObservations: number | undefined): number {
  if (!Number.isFinite(conditionNumber) || !(conditionNumber > 0)) return 0;
  const conditioning = Math.min(1, Math.max(0, 1 - Math.log10(Math.max(1, conditionNumber)) / 12));
  const sampling = nObservations === undefined ? 1 : nObservations / (nObservations + n);
  return conditioning * sampling;
}

/** The objective and risk/return figures of a weight vector. */
export interface PortfolioMetrics {
  objective: number;
  expectedReturn: number;
  volatility: number;
  sharpe: number | null;
  turnover: number;
}

/**
 * Returns the objective, expected return, volatility, Sharpe ratio and turnover of `w` under the
 * inputs; with `evaluable` false (inputs that failed validation) only the turnover is computed,
 * when wPrev allows it, and the rest is NaN (sharpe null).
 */
export function portfolioMetrics(w: readonly number[], input: OptimizeWeightsInput, evaluable = true): PortfolioMetrics {
  const n = w.length;
  let turnover = Number.NaN;
  if (Array.isArray(input.wPrev) && input.wPrev.length === n && input.wPrev.every(Number.isFinite)) {
    turnover = 0;
    for (let i = 0; i < n; i++) turnover += Math.abs(w[i]! - input.wPrev[i]!);
  }
  if (!evaluable) return { objective: Number.NaN, expectedReturn: Number.NaN, volatility: Number.NaN, sharpe: null, turnover };
  let expectedReturn = 0;
  let variance = 0;
  let drift = 0;
  let concentration = 0;
  for (let i = 0; i < n; i++) {
    expectedReturn += w[i]! * input.mu[i]!;
    const row = input.sigma[i]!;
    let s = 0;
    for (let j = 0; j < n; j++) s += row[j]! * w[j]!;
    variance += w[i]! * s;
    const d = w[i]! - input.wPrev[i]!;
    drift += d * d;
    concentration += w[i]! * w[i]!;
  }
  const volatility = Math.sqrt(Math.max(0, variance));
  const beta = input.diversification ?? 0;
  const objective = expectedReturn - (input.lambda / 2) * variance - input.eta * drift - (beta > 0 ? beta * concentration : 0);
  const sharpe = volatility > 0 ? expectedReturn / volatility : null;
  return { objective, expectedReturn, volatility, sharpe, turnover };
}

function failed(
  input: OptimizeWeightsInput,
  n: number,
  status: OptimizationStatus,
  reason: string,
  evaluable: boolean,
  conditionNumber: number,
): OptimizationResult {
  const { weights, source } = fallbackWeights(n, input.wPrev, input.wMax);
  return {
    weights,
    ...portfolioMetrics(weights, input, evaluable),
    conditionNumber,
    confidence: 0,
    status,
    reason: `${reason}; fallback: ${source}`,
    source,
    ridge: 0,
    iterations: 0,
  };
}

/**
 * Returns the largest violation of the KKT conditions of min (1/2) x'Qx - c'x s.t. sum(x) = 1,
 * 0 <= x <= upper at `x`: primal feasibility, and stationarity with the budget multiplier nu taken
 * from the free variables (their mean gradient; any nu in the admissible interval when none is
 * free) and the bound multipliers recovered from the active set and checked for sign.
 */
export function kktViolation(n: number, q: Float64Array, c: Float64Array, upper: number, x: ArrayLike<number>): number {
  const activeTolerance = 1e-12;
  const grad = new Float64Array(n);
  let sum = 0;
  let violation = 0;
  for (let i = 0; i < n; i++) {
    let g = -c[i]!;
    for (let j = 0; j < n; j++) g += q[i * n + j]! * x[j]!;
    grad[i] = g;
    sum += x[i]!;
    violation = Math.max(violation, -x[i]!, x[i]! - upper);
  }
  violation = Math.max(violation, Math.abs(sum - 1));
  let freeSum = 0;
  let freeCount = 0;
  let low = -Infinity;
  let high = Infinity;
  for (let i = 0; i < n; i++) {
    if (x[i]! <= activeTolerance) high = Math.min(high, grad[i]!);
    else if (x[i]! >= upper - activeTolerance) low = Math.max(low, grad[i]!);
    else {
      freeSum += grad[i]!;
      freeCount++;
    }
  }
  let nu: number;
  if (freeCount > 0) nu = freeSum / freeCount;
  else if (Number.isFinite(low) && Number.isFinite(high)) nu = (low + high) / 2;
  else nu = Number.isFinite(low) ? low : high;
  for (let i = 0; i < n; i++) {
    const g = grad[i]! - nu;
    if (x[i]! <= activeTolerance) violation = Math.max(violation, -g); // lower multiplier g >= 0
    else if (x[i]! >= upper - activeTolerance) violation = Math.max(violation, g); // upper multiplier -g >= 0
    else violation = Math.max(violation, Math.abs(g));
  }
  return violation;
}

/**
 * Returns the weights maximising w'mu - (lambda/2) w'Sigma w - eta ||w - w_prev||^2 - beta ||w||^2 subject to
 * sum(w) = 1 and 0 <= w <= w_max, with their metrics and a status. Never throws on bad numbers:
 * see {@link OptimizationStatus} for the outcomes and {@link fallbackWeights} for the fallback.
 */
export function optimizeWeights(input: OptimizeWeightsInput): OptimizationResult {
  const n = Array.isArray(input.mu) ? input.mu.length : 0;
  const invalid = validate(input);
  if (invalid !== null) return failed(input, n, 'invalid_input', invalid, false, Number.NaN);

  const { mu, sigma, lambda, eta, wPrev } = input;
  const beta = input.diversification ?? 0;
  const upper = Math.min(1, input.wMax);
  const sig = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) sig[i * n + j] = (sigma[i]![j]! + sigma[j]![i]!) / 2;
  }
  const eigenvalues = symmetricEigenvalues(sig, n);
  const minEig = eigenvalues[0]!;
  const maxEig = eigenvalues[n - 1]!;
  if (!(minEig >= -PSD_TOLERANCE * Math.max(Math.abs(maxEig), Number.MIN_VALUE))) {
    return failed(input, n, 'invalid_input', `sigma is not positive semi-definite: smallest eigenvalue ${minEig}`, false, Number.NaN);
  }
  const conditionNumber = minEig > 0 ? maxEig / minEig : Infinity;
  if (n * upper < 1 - 1e-12) {
    return failed(input, n, 'infeasible', `wMax * n = ${input.wMax * n} < 1: no weights within the cap sum to 1`, true, conditionNumber);
  }

  const q = new Float64Array(n * n);
  const c = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) q[i * n + j] = lambda * sig[i * n + j]!;
    q[i * n + i] = q[i * n + i]! + 2 * eta + 2 * beta;
    c[i] = mu[i]! + 2 * eta * wPrev[i]!;
  }
  const x = new Float64Array(n);
  const outcome = solver.solve(n, q, c, upper, x);
  let status: OptimizationStatus = 'optimal';
  let reason: string | null = null;
  let source: WeightsSource = 'active-set';
  let ridge = outcome.ridge;
  let weights: number[];
  const accepted = outcome.status === 'optimal' && kktViolation(n, q, c, upper, x) <= KKT_ACCEPT + 2 * ridge;
  if (accepted) {
    weights = Array.from(x);
    if (ridge > 0) {
      status = 'ill_conditioned';
      reason = `lambda * Sigma + 2 * eta * I is singular to working precision; a ridge of ${ridge} was added to its diagonal`;
    }
  } else {
    let maxDiag = 0;
    for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, q[i * n + i]!);
    ridge = 1e-10 * (maxDiag > 0 ? maxDiag : 1);
    const why = `active-set solver ended with '${outcome.status}' after ${outcome.iterations} iterations`;
    const fallback = solveWithQuadprog(n, q, c, upper, ridge);
    if (!('weights' in fallback)) return failed(input, n, 'ill_conditioned', `${why}; quadprog failed: ${fallback.message}`, true, conditionNumber);
    weights = fallback.weights.map((w) => Math.min(upper, Math.max(0, w)));
    status = 'ill_conditioned';
    reason = `${why}; solved by quadprog with a ridge of ${ridge}`;
    source = 'quadprog';
  }
  return {
    weights,
    ...portfolioMetrics(weights, input, true),
    conditionNumber,
    confidence: optimizationConfidence(conditionNumber, n, input.nObservations),
    status,
    reason,
    source,
    ridge,
    iterations: outcome.iterations,
  };
}
