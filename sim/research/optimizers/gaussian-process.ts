import { assertNever } from '../../../engine/core/index.js';

/** Covariance function of the Gaussian process, isotropic in the unit cube. */
export type KernelKind = 'matern52' | 'rbf';

/** Hyperparameters of a fitted process (on standardised outputs, so the signal variance is 1). */
export interface GpHyperparameters {
  readonly lengthScale: number;
  /** Noise variance relative to the standardised signal variance. */
  readonly noise: number;
}

/** Returns k(r) for unit signal variance. */
export function kernelValue(kind: KernelKind, distance: number, lengthScale: number): number {
  switch (kind) {
    case 'matern52': {
      const s = (Math.sqrt(5) * distance) / lengthScale;
      return (1 + s + (s * s) / 3) * Math.exp(-s);
    }
    case 'rbf':
      return Math.exp((-0.5 * distance * distance) / (lengthScale * lengthScale));
    default:
      return assertNever(kind, 'kernel');
  }
}

function distance(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += (a[j]! - b[j]!) ** 2;
  return Math.sqrt(s);
}

/**
 * Returns the lower Cholesky factor of the n x n symmetric matrix `a` (row-major), or null when it
 * is not positive definite to working precision.
 */
export function cholesky(a: Float64Array, n: number): Float64Array | null {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j]!;
      for (let k = 0; k < j; k++) s -= l[i * n + k]! * l[j * n + k]!;
      if (i === j) {
        if (!(s > 0)) return null;
        l[i * n + i] = Math.sqrt(s);
      } else {
        l[i * n + j] = s / l[j * n + j]!;
      }
    }
  }
  return l;
}

/** Solves L z = b (forward substitution) for lower-triangular L. */
function forward(l: Float64Array, n: number, b: ArrayLike<number>): Float64Array {
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= l[i * n + k]! * z[k]!;
    z[i] = s / l[i * n + i]!;
  }
  return z;
}

/** Solves L' z = b (back substitution) for lower-triangular L. */
function backward(l: Float64Array, n: number, b: ArrayLike<number>): Float64Array {
  const z = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let k = i + 1; k < n; k++) s -= l[k * n + i]! * z[k]!;
    z[i] = s / l[i * n + i]!;
  }
  return z;
}

/**
 * A Gaussian process regression fitted to points in [0, 1]^d. Outputs are standardised (mean 0,
 * standard deviation 1) before fitting and predictions are returned in the original units.
 */
export class GaussianProcess {
  private readonly n: number;
  private readonly chol: Float64Array;
  private readonly alpha: Float64Array;
  private readonly yMean: number;
  private readonly yStd: number;
  /** Log marginal likelihood of the standardised outputs. */
  readonly logMarginalLikelihood: number;

  private constructor(
    readonly kernel: KernelKind,
    readonly hyper: GpHyperparameters,
    private readonly xs: readonly (readonly number[])[],
    fit: { chol: Float64Array; alpha: Float64Array; yMean: number; yStd: number; lml: number },
  ) {
    this.n = xs.length;
    this.chol = fit.chol;
    this.alpha = fit.alpha;
    this.yMean = fit.yMean;
    this.yStd = fit.yStd;
    this.logMarginalLikelihood = fit.lml;
  }

  /** Returns the process fitted with the given hyperparameters, or null when the covariance is not positive definite. */
  static fit(kernel: KernelKind, hyper: GpHyperparameters, xs: readonly (readonly number[])[], ys: readonly number[]): GaussianProcess | null {
    const n = xs.length;
    let yMean = 0;
    for (const y of ys) yMean += y;
    yMean /= n;
    let ss = 0;
    for (const y of ys) ss += (y - yMean) ** 2;
    const yStd = n > 1 && ss > 0 ? Math.sqrt(ss / n) : 1;
    const z = ys.map((y) => (y - yMean) / yStd);
    const k = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        const v = kernelValue(kernel, distance(xs[i]!, xs[j]!), hyper.lengthScale);
        k[i * n + j] = v;
        k[j * n + i] = v;
      }
      k[i * n + i] = k[i * n + i]! + hyper.noise;
    }
    const chol = cholesky(k, n);
    if (chol === null) return null;
    const alpha = backward(chol, n, forward(chol, n, z));
    let lml = 0;
    for (let i = 0; i < n; i++) lml += -0.5 * z[i]! * alpha[i]! - Math.log(chol[i * n + i]!);
    lml -= 0.5 * n * Math.log(2 * Math.PI);
    return new GaussianProcess(kernel, hyper, xs, { chol, alpha, yMean, yStd, lml });
  }

  /**
   * Returns the fit with the highest log marginal likelihood over the candidate length scales and
   * noise levels (a small grid search: cheap, deterministic and robust for the few dozen to few
   * hundred points a sweep evaluates), or null when none is positive definite.
   */
  static fitBest(
    kernel: KernelKind,
    xs: readonly (readonly number[])[],
    ys: readonly number[],
    lengthScales: readonly number[],
    noises: readonly number[],
  ): GaussianProcess | null {
    let best: GaussianProcess | null = null;
    for (const lengthScale of lengthScales) {
      for (const noise of noises) {
        const gp = GaussianProcess.fit(kernel, { lengthScale, noise }, xs, ys);
        if (gp !== null && (best === null || gp.logMarginalLikelihood > best.logMarginalLikelihood)) best = gp;
      }
    }
    return best;
  }

  /** Returns the posterior mean and standard deviation of the latent function at `x`, in output units. */
  predict(x: readonly number[]): { mean: number; std: number } {
    const n = this.n;
    const ks = new Float64Array(n);
    let mean = 0;
    for (let i = 0; i < n; i++) {
      ks[i] = kernelValue(this.kernel, distance(x, this.xs[i]!), this.hyper.lengthScale);
      mean += ks[i]! * this.alpha[i]!;
    }
    const v = forward(this.chol, n, ks);
    let vv = 0;
    for (let i = 0; i < n; i++) vv += v[i]! * v[i]!;
    const variance = Math.max(1 - vv, 1e-12);
    return { mean: this.yMean + this.yStd * mean, std: this.yStd * Math.sqrt(variance) };
  }

  /** Returns the standard deviation used to standardise the outputs. */
  get outputScale(): number {
    return this.yStd;
  }
}

/** Returns the standard normal density. */
export function normalPdf(z: number): number {
  return Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
}

/** Returns the standard normal distribution function (Numerical Recipes erfc, relative error < 1.2e-7). */
export function normalCdf(z: number): number {
  const x = -z / Math.SQRT2;
  const t = 1 / (1 + 0.5 * Math.abs(x));
  const erfc =
    t *
    Math.exp(
      -x * x -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return 0.5 * (x >= 0 ? erfc : 2 - erfc);
}

/** Returns the expected improvement over `best` (maximisation) of a normal prediction, with exploration margin `xi`. */
export function expectedImprovement(mean: number, std: number, best: number, xi: number): number {
  const improvement = mean - best - xi;
  if (std <= 0) return Math.max(improvement, 0);
  const z = improvement / std;
  return improvement * normalCdf(z) + std * normalPdf(z);
}

/**
 * Returns the standard normal quantile (Acklam's rational approximation, relative error < 1.2e-9),
 * for p in (0, 1).
 */
export function normalQuantile(p: number): number {
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - low) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return -(((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}

/**
 * Returns the normal scores of `values`: each value replaced by the standard normal quantile of its
 * mid-rank, (rank + 0.5) / n, ties sharing their average rank. The transform is monotone (the best
 * point stays the best) and makes the model indifferent to the scale and outliers of the fitness.
 */
export function normalScores(values: readonly number[]): number[] {
  const n = values.length;
  const order = values.map((v, i) => ({ v, i })).sort((x, y) => (x.v === y.v ? x.i - y.i : x.v - y.v));
  const out = new Array<number>(n);
  for (let start = 0; start < n; ) {
    let end = start;
    while (end + 1 < n && order[end + 1]!.v === order[start]!.v) end++;
    const rank = (start + end) / 2;
    const score = normalQuantile((rank + 0.5) / n);
    for (let k = start; k <= end; k++) out[order[k]!.i] = score;
    start = end + 1;
  }
  return out;
}
