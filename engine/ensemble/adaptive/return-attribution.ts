/**
 * Return attribution of one strategy's shadow ledger against buy and hold (seed 002's performance
 * decomposition: alpha, beta, timing and selection per strategy).
 *
 * From the per-sample simple returns r_t of the strategy's equity and b_t of the benchmark's value
 * (both series start at their base: the book's notional, and 1), with no risk-free rate:
 * - CAPM (Jensen): r = a + beta b + e by OLS; `alpha` = a x P (annualized, arithmetic as the tear
 *   sheet's), `beta` = beta.
 * - Treynor-Mazuy: r = s + m b + g b^2 + e by OLS. Because OLS residuals have mean 0, the mean return
 *   splits exactly: mean(r) = s + m mean(b) + g mean(b^2). Annualized by P these are `selection`
 *   (return not explained by the market: picking), `market` (exposure, m x mean(b) x P) and `timing`
 *   (g x mean(b^2) x P: more exposure before the market's larger moves; positive g means the
 *   strategy's return is convex in the market's), summing to `meanReturn` = mean(r) x P.
 * t-statistics use the classical OLS standard errors (statsmodels' OLS `tvalues`).
 * Null with fewer than 4 periods or a benchmark without variance; the Treynor-Mazuy parts are null
 * when b and b^2 are collinear (a benchmark taking only two distinct returns).
 */
export interface ReturnAttribution {
  /** Return periods regressed (samples after the first, up to the first non-positive equity or benchmark value). */
  readonly periods: number;
  /** mean(r) x P. */
  readonly meanReturn: number;
  /** Jensen's alpha, annualized. */
  readonly alpha: number;
  readonly beta: number;
  readonly alphaT: number | null;
  /** Treynor-Mazuy intercept x P. */
  readonly selection: number | null;
  /** Treynor-Mazuy market slope x mean(b) x P. */
  readonly market: number | null;
  /** Treynor-Mazuy g x mean(b^2) x P. */
  readonly timing: number | null;
  /** The Treynor-Mazuy coefficient g. */
  readonly timingCoefficient: number | null;
  readonly selectionT: number | null;
  readonly timingT: number | null;
  /** R^2 of the Treynor-Mazuy regression (of CAPM's when Treynor-Mazuy is null). */
  readonly rSquared: number;
}

/** Relative pivot size below which the normal equations count as singular. */
const SINGULAR = 1e-12;

function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/**
 * Solves the symmetric positive semi-definite system A x = y (n <= 3) by Gauss-Jordan elimination
 * with partial pivoting and returns x and A^-1, or null when a pivot falls under SINGULAR times the
 * largest diagonal entry.
 */
function solveSmall(a: number[][], y: number[]): { x: number[]; inv: number[][] } | null {
  const n = y.length;
  const scale = Math.max(...a.map((row, i) => Math.abs(row[i]!)));
  if (!(scale > 0)) return null;
  const m = a.map((row, i) => [...row, ...y.slice(i, i + 1), ...a.map((_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    if (Math.abs(m[p]![c]!) <= SINGULAR * scale) return null;
    [m[c], m[p]] = [m[p]!, m[c]!];
    const pivot = m[c]![c]!;
    for (let k = 0; k < m[c]!.length; k++) m[c]![k]! /= pivot;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r]![c]!;
      if (f === 0) continue;
      for (let k = 0; k < m[r]!.length; k++) m[r]![k] = m[r]![k]! - f * m[c]![k]!;
    }
  }
  return { x: m.map((row) => row[n]!), inv: m.map((row) => row.slice(n + 1)) };
}

/**
 * OLS of y on an intercept and the columns `xs` (centered sums for accuracy). Returns the slopes,
 * the intercept, their t-statistics (intercept first) and R^2, or null when singular.
 */
function ols(y: Float64Array, xs: readonly Float64Array[]): { intercept: number; slopes: number[]; t: (number | null)[]; rSquared: number } | null {
  const n = y.length;
  const p = xs.length;
  const mean = (v: Float64Array) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += v[i]!;
    return s / n;
  };
  const my = mean(y);
  const mx = xs.map(mean);
  const sxx = xs.map(() => new Array<number>(p).fill(0));
  const sxy = new Array<number>(p).fill(0);
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dy = y[i]! - my;
    syy += dy * dy;
    for (let j = 0; j < p; j++) {
      const dj = xs[j]![i]! - mx[j]!;
      sxy[j]! += dj * dy;
      for (let k = 0; k <= j; k++) sxx[j]![k]! += dj * (xs[k]![i]! - mx[k]!);
    }
  }
  for (let j = 0; j < p; j++) for (let k = j + 1; k < p; k++) sxx[j]![k] = sxx[k]![j]!;
  const solved = solveSmall(sxx, sxy);
  if (solved === null) return null;
  const slopes = solved.x;
  let intercept = my;
  for (let j = 0; j < p; j++) intercept -= slopes[j]! * mx[j]!;
  let sse = 0;
  for (let i = 0; i < n; i++) {
    let fit = intercept;
    for (let j = 0; j < p; j++) fit += slopes[j]! * xs[j]![i]!;
    const e = y[i]! - fit;
    sse += e * e;
  }
  const dof = n - p - 1;
  const s2 = dof > 0 ? sse / dof : Number.NaN;
  // Var(intercept) = s2 (1/n + mx' Sxx^-1 mx); Var(slope_j) = s2 (Sxx^-1)_jj.
  let q = 0;
  for (let j = 0; j < p; j++) for (let k = 0; k < p; k++) q += mx[j]! * solved.inv[j]![k]! * mx[k]!;
  const seIntercept = Math.sqrt(s2 * (1 / n + q));
  const t = [finiteOrNull(intercept / seIntercept), ...slopes.map((b, j) => finiteOrNull(b / Math.sqrt(s2 * solved.inv[j]![j]!)))];
  return { intercept, slopes, t, rSquared: syy > 0 ? Math.max(0, 1 - sse / syy) : 0 };
}

/**
 * Returns the attribution of the equity series `equity` against the benchmark values `benchmark`
 * (same samples, each starting at its base) with P = `periodsPerYear`; see {@link ReturnAttribution}.
 */
export function attributeReturns(equity: ArrayLike<number>, benchmark: ArrayLike<number>, periodsPerYear: number): ReturnAttribution | null {
  const len = Math.min(equity.length, benchmark.length);
  let end = len;
  for (let i = 0; i < len; i++) {
    if (!(equity[i]! > 0) || !(benchmark[i]! > 0)) {
      end = i;
      break;
    }
  }
  const n = end - 1;
  if (n < 4) return null;
  const r = new Float64Array(n);
  const b = new Float64Array(n);
  const b2 = new Float64Array(n);
  let sumR = 0;
  let sumB = 0;
  let sumB2 = 0;
  for (let i = 0; i < n; i++) {
    r[i] = equity[i + 1]! / equity[i]! - 1;
    b[i] = benchmark[i + 1]! / benchmark[i]! - 1;
    b2[i] = b[i]! * b[i]!;
    sumR += r[i]!;
    sumB += b[i]!;
    sumB2 += b2[i]!;
  }
  const capm = ols(r, [b]);
  if (capm === null) return null;
  const tm = ols(r, [b, b2]);
  const P = periodsPerYear;
  return {
    periods: n,
    meanReturn: (sumR / n) * P,
    alpha: capm.intercept * P,
    beta: capm.slopes[0]!,
    alphaT: capm.t[0]!,
    selection: tm === null ? null : tm.intercept * P,
    market: tm === null ? null : tm.slopes[0]! * (sumB / n) * P,
    timing: tm === null ? null : tm.slopes[1]! * (sumB2 / n) * P,
    timingCoefficient: tm === null ? null : tm.slopes[1]!,
    selectionT: tm === null ? null : tm.t[0]!,
    timingT: tm === null ? null : tm.t[2]!,
    rSquared: (tm ?? capm).rSquared,
  };
}
