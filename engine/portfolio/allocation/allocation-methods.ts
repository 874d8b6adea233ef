import { InvalidArgumentError, assertNever, checkFinite, checkPositive } from '../../core/index.js';
import { optimizeWeights } from '../../ensemble/mean-variance.js';

/**
 * Capital allocation across assets (seed 001's allocators): every method returns weights that are
 * non-negative and sum to 1 over the assets it is given.
 *
 * - `equal_weight`: 1/n each.
 * - `inverse_volatility`: w_i proportional to 1/sigma_i (the "naive risk parity"; equal risk
 *   contributions only when the assets are uncorrelated).
 * - `equal_risk_contribution`: the exact risk-parity weights: RC_i = w_i (Sigma w)_i is the same
 *   for every asset (see {@link equalRiskContribution}).
 * - `momentum`: w_i proportional to max(0, momentum_i); equal weights when no momentum is positive.
 * - `minimum_variance`: argmin w'Sigma w over the simplex (long-only, fully invested), solved with the
 *   ensemble's QP (mu = 0, eta = 0, no cap).
 */
export type AllocationMethod = 'equal_weight' | 'inverse_volatility' | 'equal_risk_contribution' | 'momentum' | 'minimum_variance';

export const ALLOCATION_METHODS = [
  'equal_weight',
  'inverse_volatility',
  'equal_risk_contribution',
  'momentum',
  'minimum_variance',
] as const satisfies readonly AllocationMethod[];

/** What the methods may need: a covariance (risk methods) and momentum scores (momentum). */
export interface AllocationInput {
  readonly n: number;
  readonly covariance?: readonly (readonly number[])[];
  readonly momentum?: readonly number[];
}

/** Returns 1/n weights. */
export function equalWeights(n: number): number[] {
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`invalid 'n': not a positive integer, was ${n}`);
  return new Array<number>(n).fill(1 / n);
}

function checkCovariance(sigma: readonly (readonly number[])[] | undefined, n: number, method: string): readonly (readonly number[])[] {
  if (sigma === undefined) throw new InvalidArgumentError(`${method} needs a covariance matrix`);
  if (sigma.length !== n) throw new InvalidArgumentError(`invalid 'covariance': expected ${n} rows, was ${sigma.length}`);
  for (let i = 0; i < n; i++) {
    const row = sigma[i]!;
    if (row.length !== n) throw new InvalidArgumentError(`invalid 'covariance[${i}]': expected ${n} columns, was ${row.length}`);
    for (let j = 0; j < n; j++) checkFinite(row[j]!, `covariance[${i}][${j}]`);
    checkPositive(row[i]!, `covariance[${i}][${i}]`);
  }
  return sigma;
}

/** Returns weights proportional to 1/sigma_i (sigma_i = sqrt(Sigma_ii)). */
export function inverseVolatilityWeights(sigma: readonly (readonly number[])[]): number[] {
  const n = sigma.length;
  checkCovariance(sigma, n, 'inverse_volatility');
  const inv = sigma.map((row, i) => 1 / Math.sqrt(row[i]!));
  const s = inv.reduce((a, b) => a + b, 0);
  return inv.map((x) => x / s);
}

/** Risk contributions RC_i = w_i (Sigma w)_i; they sum to w'Sigma w. */
export function riskContributions(w: readonly number[], sigma: readonly (readonly number[])[]): number[] {
  return w.map((wi, i) => {
    let s = 0;
    const row = sigma[i]!;
    for (let j = 0; j < w.length; j++) s += row[j]! * w[j]!;
    return wi * s;
  });
}

/** Result of the ERC solve. */
export interface ErcResult {
  readonly weights: number[];
  readonly iterations: number;
  /** max_i |RC_i - mean RC| / mean RC at the solution. */
  readonly relativeSpread: number;
}

/**
 * Returns the equal-risk-contribution weights for a positive-definite `sigma`: w >= 0, sum w = 1,
 * w_i (Sigma w)_i equal for all i. Solved exactly (to machine precision) by Newton's method on the
 * strictly convex problem min (1/2) y'Sigma y - sum log y_i, whose unique minimiser satisfies
 * y_i (Sigma y)_i = 1 for every i (Spinu 2013); w = y / sum y. Newton steps are damped to keep
 * y > 0, and iteration stops when the Newton decrement is below 1e-15 (or after 100 steps).
 */
export function equalRiskContribution(sigma: readonly (readonly number[])[], tolerance = 1e-14): ErcResult {
  const n = sigma.length;
  checkCovariance(sigma, n, 'equal_risk_contribution');
  // Start from inverse volatility scaled so that y'Sigma y = n (the optimum's value).
  let y = inverseVolatilityWeights(sigma);
  const quad = (v: readonly number[]): number => riskContributions(v, sigma).reduce((a, b) => a + b, 0);
  const scale = Math.sqrt(n / quad(y));
  y = y.map((v) => v * scale);
  let it = 0;
  for (; it < 100; it++) {
    const sy = y.map((_, i) => sigma[i]!.reduce((a, s, j) => a + s * y[j]!, 0));
    const g = y.map((yi, i) => sy[i]! - 1 / yi);
    // Hessian H = Sigma + diag(1 / y^2); solve H d = -g by Cholesky.
    const h = sigma.map((row, i) => row.map((v, j) => (i === j ? v + 1 / (y[i]! * y[i]!) : v)));
    const d = solveSpd(h, g.map((v) => -v));
    const decrement = -g.reduce((a, gi, i) => a + gi * d[i]!, 0);
    // Damped step keeps y strictly positive.
    let step = 1;
    for (let i = 0; i < n; i++) if (d[i]! < 0) step = Math.min(step, (-0.9 * y[i]!) / d[i]!);
    y = y.map((yi, i) => yi + step * d[i]!);
    if (decrement / 2 < tolerance && step === 1) {
      it++;
      break;
    }
  }
  const total = y.reduce((a, b) => a + b, 0);
  const weights = y.map((v) => v / total);
  const rc = riskContributions(weights, sigma);
  const mean = rc.reduce((a, b) => a + b, 0) / n;
  const relativeSpread = Math.max(...rc.map((r) => Math.abs(r - mean))) / mean;
  return { weights, iterations: it, relativeSpread };
}

/** Solves A x = b for a symmetric positive-definite A (Cholesky). */
function solveSpd(a: readonly (readonly number[])[], b: readonly number[]): number[] {
  const n = b.length;
  const l = a.map(() => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i]![j]!;
      for (let k = 0; k < j; k++) s -= l[i]![k]! * l[j]![k]!;
      if (i === j) {
        if (!(s > 0)) throw new InvalidArgumentError('equal_risk_contribution needs a positive-definite covariance');
        l[i]![i] = Math.sqrt(s);
      } else l[i]![j] = s / l[j]![j]!;
    }
  }
  const z = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= l[i]![k]! * z[k]!;
    z[i] = s / l[i]![i]!;
  }
  const x = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let s = z[i]!;
    for (let k = i + 1; k < n; k++) s -= l[k]![i]! * x[k]!;
    x[i] = s / l[i]![i]!;
  }
  return x;
}

/** Returns weights proportional to max(0, momentum_i); equal weights when none is positive. */
export function momentumWeights(momentum: readonly number[]): number[] {
  const pos = momentum.map((m, i) => Math.max(0, checkFinite(m, `momentum[${i}]`)));
  const s = pos.reduce((a, b) => a + b, 0);
  return s > 0 ? pos.map((p) => p / s) : equalWeights(momentum.length);
}

/** Returns the long-only, fully invested minimum-variance weights (the ensemble QP with mu = 0). */
export function minimumVarianceWeights(sigma: readonly (readonly number[])[]): number[] {
  const n = sigma.length;
  checkCovariance(sigma, n, 'minimum_variance');
  const r = optimizeWeights({ mu: new Array<number>(n).fill(0), sigma, lambda: 1, eta: 0, wPrev: equalWeights(n), wMax: 1 });
  if (r.status === 'invalid_input' || r.status === 'infeasible') throw new InvalidArgumentError(`minimum_variance: ${r.reason ?? r.status}`);
  return r.weights;
}

/** Returns the weights of `method` for `input` (throws InvalidArgumentError when an input it needs is missing). */
export function allocate(method: AllocationMethod, input: AllocationInput): number[] {
  switch (method) {
    case 'equal_weight':
      return equalWeights(input.n);
    case 'inverse_volatility':
      return inverseVolatilityWeights(checkCovariance(input.covariance, input.n, method));
    case 'equal_risk_contribution':
      return equalRiskContribution(checkCovariance(input.covariance, input.n, method)).weights;
    case 'momentum': {
      if (input.momentum === undefined || input.momentum.length !== input.n) throw new InvalidArgumentError(`momentum needs ${input.n} momentum scores`);
      return momentumWeights(input.momentum);
    }
    case 'minimum_variance':
      return minimumVarianceWeights(checkCovariance(input.covariance, input.n, method));
    default:
      return assertNever(method, 'allocation method');
  }
}
