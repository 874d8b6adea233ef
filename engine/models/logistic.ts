import { InvalidArgumentError } from '../core/index.js';

/** Options of {@link fitLogistic}. */
export interface LogisticOptions {
  /** Inverse L2 strength, as scikit-learn's `C` (> 0, finite). Default 1. */
  readonly C?: number;
  /** Most Newton iterations. Default 100. */
  readonly maxIter?: number;
  /** Stops when the largest gradient component is below this (or the Newton step is below rounding). Default 1e-10. */
  readonly tol?: number;
}

/** A fitted logistic regression. */
export interface LogisticFit {
  readonly intercept: number;
  readonly coefficients: Float64Array;
  readonly iterations: number;
  /** The objective C * sum(log loss) + ||w||^2 / 2 at the solution. */
  readonly objective: number;
}

/** Returns log(1 + exp(z)) without overflow. */
function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

/** Returns 1 / (1 + exp(-z)) without overflow. */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** Solves `a x = b` for a symmetric positive-definite `a` (m x m, row-major; overwritten) by Cholesky; b is overwritten with x. */
function choleskySolve(a: Float64Array, b: Float64Array, m: number): void {
  for (let j = 0; j < m; j++) {
    let d = a[j * m + j]!;
    for (let k = 0; k < j; k++) d -= a[j * m + k]! * a[j * m + k]!;
    if (!(d > 0)) throw new InvalidArgumentError('fitLogistic: the Hessian is not positive definite (collinear or constant features with a vanishing penalty)');
    const l = Math.sqrt(d);
    a[j * m + j] = l;
    for (let i = j + 1; i < m; i++) {
      let s = a[i * m + j]!;
      for (let k = 0; k < j; k++) s -= a[i * m + k]! * a[j * m + k]!;
      a[i * m + j] = s / l;
    }
  }
  for (let i = 0; i < m; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= a[i * m + k]! * b[k]!;
    b[i] = s / a[i * m + i]!;
  }
  for (let i = m - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let k = i + 1; k < m; k++) s -= a[k * m + i]! * b[k]!;
    b[i] = s / a[i * m + i]!;
  }
}

/**
 * Fits an L2-penalized logistic regression with an unpenalized intercept, the model of
 * scikit-learn's `LogisticRegression(penalty='l2', C=C, fit_intercept=True)`: it minimizes
 * `C * sum_i [log(1 + e^{z_i}) - y_i z_i] + ||w||^2 / 2` with `z = b + x.w`. The objective is
 * strictly convex, so Newton's method (IRLS) with step halving finds its unique minimum; the result
 * is deterministic (the same operations in the same order). `x` is row-major `n x k`, `y` holds 0/1.
 */
export function fitLogistic(x: ArrayLike<number>, y: ArrayLike<number>, n: number, k: number, options: LogisticOptions = {}): LogisticFit {
  const C = options.C ?? 1;
  if (!(C > 0) || !Number.isFinite(C)) throw new InvalidArgumentError(`fitLogistic: invalid 'C': expected a finite number > 0, was ${C}`);
  if (x.length !== n * k) throw new InvalidArgumentError(`fitLogistic: x has ${x.length} values, expected n x k = ${n * k}`);
  if (y.length !== n) throw new InvalidArgumentError(`fitLogistic: y has ${y.length} labels, expected ${n}`);
  for (let i = 0; i < n; i++) if (y[i] !== 0 && y[i] !== 1) throw new InvalidArgumentError(`fitLogistic: y[${i}] is not 0 or 1, was ${y[i]}`);
  for (let i = 0; i < n * k; i++) if (!Number.isFinite(x[i]!)) throw new InvalidArgumentError(`fitLogistic: x[${Math.floor(i / k)}][${i % k}] is not finite, was ${x[i]}`);
  const maxIter = options.maxIter ?? 100;
  const tol = options.tol ?? 1e-10;
  const m = k + 1;
  const beta = new Float64Array(m);
  const grad = new Float64Array(m);
  const hess = new Float64Array(m * m);
  const trial = new Float64Array(m);
  const z = new Float64Array(n);
  const objective = (b: Float64Array): number => {
    let f = 0;
    for (let i = 0; i < n; i++) {
      let zi = b[0]!;
      for (let j = 0; j < k; j++) zi += x[i * k + j]! * b[j + 1]!;
      z[i] = zi;
      f += softplus(zi) - y[i]! * zi;
    }
    let pen = 0;
    for (let j = 1; j < m; j++) pen += b[j]! * b[j]!;
    return C * f + pen / 2;
  };
  let f = objective(beta);
  let iterations = 0;
  for (; iterations < maxIter; iterations++) {
    grad.fill(0);
    hess.fill(0);
    for (let i = 0; i < n; i++) {
      const p = sigmoid(z[i]!);
      const r = C * (p - y[i]!);
      const w = C * p * (1 - p);
      grad[0]! += r;
      hess[0]! += w;
      for (let a = 0; a < k; a++) {
        const xa = x[i * k + a]!;
        grad[a + 1]! += r * xa;
        hess[a + 1]! += w * xa;
        for (let c = 0; c <= a; c++) hess[(a + 1) * m + c + 1]! += w * xa * x[i * k + c]!;
      }
    }
    for (let a = 1; a < m; a++) {
      grad[a]! += beta[a]!;
      hess[a * m + a]! += 1;
      hess[a * m]! = hess[a]!;
      for (let c = 1; c < a; c++) hess[c * m + a] = hess[a * m + c]!;
    }
    let gmax = 0;
    for (let a = 0; a < m; a++) gmax = Math.max(gmax, Math.abs(grad[a]!));
    if (gmax < tol) break;
    const step = Float64Array.from(grad);
    choleskySolve(hess, step, m);
    // Converged when the Newton step no longer moves the coefficients beyond rounding.
    let smax = 0;
    let bmax = 1;
    for (let a = 0; a < m; a++) {
      smax = Math.max(smax, Math.abs(step[a]!));
      bmax = Math.max(bmax, Math.abs(beta[a]!));
    }
    if (smax <= 1e-14 * bmax) break;
    let t = 1;
    let accepted = false;
    for (let h = 0; h < 60; h++) {
      for (let a = 0; a < m; a++) trial[a] = beta[a]! - t * step[a]!;
      const ft = objective(trial);
      if (ft <= f) {
        beta.set(trial);
        f = ft;
        accepted = true;
        break;
      }
      t /= 2;
    }
    if (!accepted) {
      objective(beta);
      break;
    }
  }
  return { intercept: beta[0]!, coefficients: beta.slice(1), iterations, objective: f };
}
