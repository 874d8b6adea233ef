import { InvalidArgumentError } from '../core/index.js';

/** The result of an ordinary least-squares fit, {@link olsFit}. */
export interface OlsFit {
  /** The coefficients, one per column of the design matrix. */
  readonly beta: Float64Array;
  /** The sum of squared residuals, computed from the residuals `y - X beta` (as statsmodels). */
  readonly ssr: number;
  /** The standard errors of the coefficients: sqrt(ssr / (n - p) * diag((X'X)^-1)). */
  readonly standardErrors: Float64Array;
  /** The number of observations. */
  readonly nobs: number;
  /** The number of columns (the rank: a rank-deficient design is refused). */
  readonly k: number;
  /** The Gaussian log-likelihood at the estimate, -n/2 (log(2 pi) + log(ssr / n) + 1), as statsmodels' OLS llf. */
  readonly logLikelihood: number;
}

/**
 * Fits y = X beta by least squares with Householder QR (backward stable; statsmodels solves the same
 * problem with a pseudo-inverse, and the two agree to rounding on a well-conditioned design).
 *
 * `x` holds the design matrix column by column: column j is `x[j * n .. (j + 1) * n)`.
 * A column that is (numerically) a combination of the others is refused.
 */
export function olsFit(x: Float64Array, y: ArrayLike<number>, n: number, k: number): OlsFit {
  if (n <= k) throw new InvalidArgumentError(`least squares needs more observations (${n}) than regressors (${k})`);
  const a = Float64Array.from(x.subarray(0, n * k));
  const qty = Float64Array.from(y as ArrayLike<number>);
  const diag = new Float64Array(k);
  let maxDiag = 0;
  for (let j = 0; j < k; j++) {
    const cj = j * n;
    let norm2 = 0;
    for (let i = j; i < n; i++) norm2 += a[cj + i]! * a[cj + i]!;
    const norm = Math.sqrt(norm2);
    const head = a[cj + j]!;
    const alpha = head > 0 ? -norm : norm;
    diag[j] = alpha;
    if (norm > maxDiag) maxDiag = norm;
    if (norm === 0) throw new InvalidArgumentError(`least squares: column ${j} is linearly dependent on the others`);
    // v = column below the diagonal with v0 = head - alpha; H = I - 2 v v' / (v'v).
    a[cj + j] = head - alpha;
    const vv = norm2 - head * head + (head - alpha) * (head - alpha);
    for (let m = j + 1; m < k; m++) {
      const cm = m * n;
      let s = 0;
      for (let i = j; i < n; i++) s += a[cj + i]! * a[cm + i]!;
      const f = (2 * s) / vv;
      for (let i = j; i < n; i++) a[cm + i] = a[cm + i]! - f * a[cj + i]!;
    }
    let s = 0;
    for (let i = j; i < n; i++) s += a[cj + i]! * qty[i]!;
    const f = (2 * s) / vv;
    for (let i = j; i < n; i++) qty[i] = qty[i]! - f * a[cj + i]!;
  }
  const tolerance = maxDiag * n * 2.220446049250313e-16;
  for (let j = 0; j < k; j++) {
    if (Math.abs(diag[j]!) <= tolerance) {
      throw new InvalidArgumentError(`least squares: column ${j} is linearly dependent on the others`);
    }
  }
  // R is upper triangular: R[i][j] (i < j) is a[j * n + i], R[j][j] is diag[j].
  const beta = new Float64Array(k);
  for (let i = k - 1; i >= 0; i--) {
    let s = qty[i]!;
    for (let j = i + 1; j < k; j++) s -= a[j * n + i]! * beta[j]!;
    beta[i] = s / diag[i]!;
  }
  let ssr = 0;
  for (let i = 0; i < n; i++) {
    let fitted = 0;
    for (let j = 0; j < k; j++) fitted += x[j * n + i]! * beta[j]!;
    const e = (y[i] as number) - fitted;
    ssr += e * e;
  }
  // diag((X'X)^-1) = row sums of squares of R^-1 (R^-1 upper triangular, built column by column).
  const rinv = new Float64Array(k * k); // row-major
  for (let c = 0; c < k; c++) {
    rinv[c * k + c] = 1 / diag[c]!;
    for (let i = c - 1; i >= 0; i--) {
      let s = 0;
      for (let j = i + 1; j <= c; j++) s += a[j * n + i]! * rinv[j * k + c]!;
      rinv[i * k + c] = -s / diag[i]!;
    }
  }
  const sigma2 = ssr / (n - k);
  const standardErrors = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    let s = 0;
    for (let c = i; c < k; c++) s += rinv[i * k + c]! * rinv[i * k + c]!;
    standardErrors[i] = Math.sqrt(sigma2 * s);
  }
  const logLikelihood = (-n / 2) * (Math.log(2 * Math.PI) + Math.log(ssr / n) + 1);
  return { beta, ssr, standardErrors, nobs: n, k, logLikelihood };
}
