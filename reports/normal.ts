/**
 * The standard normal distribution: cumulative distribution function (W. J. Cody's rational Chebyshev
 * approximations, ACM TOMS 715, the algorithm behind R's `pnorm`) and its inverse (M. J. Wichura's
 * AS241 `PPND16`, the algorithm behind R's `qnorm` and Python's `statistics.NormalDist.inv_cdf`).
 * Both are accurate to about 1e-16 relative over the double range, which the overfitting statistics need
 * (their published vectors are checked to 1e-9).
 */

const M_SQRT_32 = 5.656854249492380195206754896838;
const M_1_SQRT_2PI = 0.398942280401432677939946059934;
const HALF_EPSILON = Number.EPSILON * 0.5;

const A = [2.2352520354606839287, 161.02823106855587881, 1067.6894854603709582, 18154.981253343561249, 0.065682337918207449113] as const;
const B = [47.20258190468824187, 976.09855173777669322, 10260.932208618978205, 45507.789335026729956] as const;
const C = [
  0.39894151208813466764, 8.8831497943883759412, 93.506656132177855979, 597.27027639480026226, 2494.5375852903726711,
  6848.1904505362823326, 11602.651437647350124, 9842.7148383839780218, 1.0765576773720192317e-8,
] as const;
const D = [
  22.266688044328115691, 235.38790178262499861, 1519.377599407554805, 6485.558298266760755, 18615.571640885098091,
  34900.952721145977266, 38912.003286093271411, 19685.429676859990727,
] as const;
const P = [0.21589853405795699, 0.1274011611602473639, 0.022235277870649807, 0.001421619193227893466, 2.9112874951168792e-5, 0.02307344176494017303] as const;
const Q = [1.28426009614491121, 0.468238212480865118, 0.0659881378689285515, 0.00378239633202758244, 7.29751555083966205e-5] as const;

/**
 * Returns exp(-x^2/2) * temp computed as R does: x^2 is split into an exactly representable part
 * (x rounded down to 1/16) and a small remainder, so the exponential loses no accuracy for large |x|.
 */
function gaussianTail(x: number, temp: number): number {
  const xsq = Math.trunc(x * 16) / 16;
  const del = (x - xsq) * (x + xsq);
  return Math.exp(-xsq * xsq * 0.5) * Math.exp(-del * 0.5) * temp;
}

/**
 * Returns P[Z <= x] for a standard normal Z. Accurate in relative terms in the lower tail (down to
 * x = -37.5, below which the result is 0); returns 1 above x = 8.29 where 1 - P is below half an ulp.
 * NaN gives NaN.
 */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const y = Math.abs(x);
  if (y <= 0.67448975) {
    let xnum = 0;
    let xden = 0;
    if (y > HALF_EPSILON) {
      const xsq = x * x;
      xnum = A[4] * xsq;
      xden = xsq;
      for (let i = 0; i < 3; i++) {
        xnum = (xnum + A[i]!) * xsq;
        xden = (xden + B[i]!) * xsq;
      }
    }
    return 0.5 + (x * (xnum + A[3])) / (xden + B[3]);
  }
  let lowerTailOfY: number;
  if (y <= M_SQRT_32) {
    let xnum = C[8] * y;
    let xden = y;
    for (let i = 0; i < 7; i++) {
      xnum = (xnum + C[i]!) * y;
      xden = (xden + D[i]!) * y;
    }
    lowerTailOfY = gaussianTail(y, (xnum + C[7]) / (xden + D[7]));
  } else if (y < 37.5193) {
    const xsq = 1 / (x * x);
    let xnum = P[5] * xsq;
    let xden = xsq;
    for (let i = 0; i < 4; i++) {
      xnum = (xnum + P[i]!) * xsq;
      xden = (xden + Q[i]!) * xsq;
    }
    const temp = (M_1_SQRT_2PI - (xsq * (xnum + P[4])) / (xden + Q[4])) / y;
    lowerTailOfY = gaussianTail(y, temp);
  } else {
    lowerTailOfY = 0;
  }
  // lowerTailOfY is P[Z <= -|x|]; the upper half follows by symmetry.
  return x > 0 ? 1 - lowerTailOfY : lowerTailOfY;
}

/** Returns the standard normal density exp(-x^2/2) / sqrt(2 pi). */
export function normalPdf(x: number): number {
  return M_1_SQRT_2PI * Math.exp(-0.5 * x * x);
}

/**
 * Returns the p-quantile of the standard normal distribution (Phi^-1(p)) by Wichura's AS241 (PPND16),
 * about 1e-16 relative accuracy. p = 0 gives -Infinity and p = 1 gives +Infinity, the limits of the
 * quantile; p outside [0, 1] or NaN gives NaN.
 */
export function inverseNormalCdf(p: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1) return Number.NaN;
  if (p === 0) return Number.NEGATIVE_INFINITY;
  if (p === 1) return Number.POSITIVE_INFINITY;
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    const num =
      (((((((2.5090809287301226727e3 * r + 3.3430575583588128105e4) * r + 6.7265770927008700853e4) * r +
        4.5921953931549871457e4) * r + 1.3731693765509461125e4) * r + 1.9715909503065514427e3) * r +
        1.3314166789178437745e2) * r + 3.387132872796366608) * q;
    const den =
      ((((((5.2264952788528545610e3 * r + 2.8729085735721942674e4) * r + 3.9307895800092710610e4) * r +
        2.1213794301586595867e4) * r + 5.3941960214247511077e3) * r + 6.8718700749205790830e2) * r +
        4.2313330701600911252e1) * r + 1;
    return num / den;
  }
  let r = Math.sqrt(-Math.log(q < 0 ? p : 1 - p));
  let x: number;
  if (r <= 5) {
    r -= 1.6;
    const num =
      ((((((7.7454501427834140764e-4 * r + 2.27238449892691845833e-2) * r + 2.4178072517745061177e-1) * r +
        1.27045825245236838258) * r + 3.64784832476320460504) * r + 5.7694972214606914055) * r +
        4.6303378461565452959) * r + 1.42343711074968357734;
    const den =
      ((((((1.05075007164441684324e-9 * r + 5.475938084995344946e-4) * r + 1.51986665636164571966e-2) * r +
        1.4810397642748007459e-1) * r + 6.8976733498510000455e-1) * r + 1.6763848301838038494) * r +
        2.05319162663775882187) * r + 1;
    x = num / den;
  } else {
    r -= 5;
    const num =
      ((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r + 1.2426609473880784386e-3) * r +
        2.65321895265761230930e-2) * r + 2.9656057182850489123e-1) * r + 1.7848265399172913358) * r +
        5.4637849111641143699) * r + 6.6579046435011037772;
    const den =
      ((((((2.04426310338993978564e-15 * r + 1.4215117583164458887e-7) * r + 1.8463183175100546818e-5) * r +
        7.868691311456132591e-4) * r + 1.48753612908506148525e-2) * r + 1.3692988092273580531e-1) * r +
        5.9983220655588793769e-1) * r + 1;
    x = num / den;
  }
  return q < 0 ? -x : x;
}
