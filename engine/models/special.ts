import { InvalidArgumentError } from '../core/index.js';

/** Lanczos coefficients, g = 7, n = 9 (Godfrey's set; relative error about 1e-15). */
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];
const HALF_LOG_2PI = 0.9189385332046727;

/** Returns log(Gamma(x)) for x > 0 (Lanczos approximation, g = 7; reflection below 0.5). */
export function logGamma(x: number): number {
  if (!(x > 0)) throw new InvalidArgumentError(`logGamma: x must be positive, was ${x}`);
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let s = LANCZOS[0]!;
  for (let i = 1; i < 9; i++) s += LANCZOS[i]! / (z + i);
  const t = z + 7.5;
  return HALF_LOG_2PI + (z + 0.5) * Math.log(t) - t + Math.log(s);
}

const FPMIN = 1e-300;
const EPS = 1e-16;
const MAX_ITERATIONS = 100_000;

/**
 * Returns the continued fraction of the incomplete beta function by the modified Lentz method
 * (Numerical Recipes, 3rd ed., 6.4, `betacf`).
 */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < FPMIN) d = FPMIN;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= MAX_ITERATIONS; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < FPMIN) d = FPMIN;
    c = 1 + aa / c;
    if (Math.abs(c) < FPMIN) c = FPMIN;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < FPMIN) d = FPMIN;
    c = 1 + aa / c;
    if (Math.abs(c) < FPMIN) c = FPMIN;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) <= EPS) return h;
  }
  throw new InvalidArgumentError(`incomplete beta: no convergence for a=${a}, b=${b}, x=${x}`);
}

/**
 * Returns the regularized incomplete beta function I_x(a, b) for a, b > 0 and x in [0, 1]
 * (Numerical Recipes' continued fraction, evaluated on the side where it converges fast:
 * I_x(a, b) = 1 - I_{1-x}(b, a)).
 */
export function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (!(a > 0) || !(b > 0)) throw new InvalidArgumentError(`incomplete beta: a and b must be positive, were ${a}, ${b}`);
  if (!(x >= 0 && x <= 1)) throw new InvalidArgumentError(`incomplete beta: x must be in [0, 1], was ${x}`);
  if (x === 0 || x === 1) return x;
  const logFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x);
  const front = Math.exp(logFront);
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(a, b, x)) / a;
  return 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b;
}

/**
 * Returns P(F > f) for an F distribution with `d1` and `d2` degrees of freedom (scipy.stats.f.sf):
 * I_{d2 / (d2 + d1 f)}(d2 / 2, d1 / 2), computed directly (not as 1 - cdf) so small p-values keep
 * their relative precision.
 */
export function fDistributionSf(f: number, d1: number, d2: number): number {
  if (!(d1 > 0) || !(d2 > 0)) throw new InvalidArgumentError(`F distribution: degrees of freedom must be positive, were ${d1}, ${d2}`);
  if (Number.isNaN(f)) return Number.NaN;
  if (f <= 0) return 1;
  if (f === Number.POSITIVE_INFINITY) return 0;
  // x = d2 / (d2 + d1 f); 1 - x = d1 f / (d2 + d1 f), formed without cancellation.
  const denom = d2 + d1 * f;
  const x = d2 / denom;
  const a = d2 / 2;
  const b = d1 / 2;
  if (x < (a + 1) / (a + b + 2)) return regularizedIncompleteBeta(x, a, b);
  // Evaluate the complement on the side of 1 - x, which is exact here.
  const y = (d1 * f) / denom;
  return 1 - regularizedIncompleteBeta(y, b, a);
}
