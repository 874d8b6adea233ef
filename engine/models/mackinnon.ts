import { InvalidArgumentError } from '../core/index.js';
import { normalCdf } from '../model/option-pricing.js';

/**
 * MacKinnon's approximate p-values and critical values of the Dickey-Fuller tau statistic, for unit-root
 * tests (N = 1) and Engle-Granger cointegration tests (N = 2: one regressor).
 *
 * The coefficients are ported from statsmodels 0.13.5, statsmodels/tsa/adfvalues.py (BSD-3-Clause), which
 * takes them from:
 * - p-values: MacKinnon, J.G. (1994), "Approximate Asymptotic Distribution Functions for Unit-Root and
 *   Cointegration Tests", Journal of Business & Economic Statistics 12(2), 167-176, Tables 3 (tau_star,
 *   tau_min, tau_max), 4 (small-p) and 5 (large-p) — the `*_smallp` and `*_largep` arrays, with the same
 *   scaling factors statsmodels multiplies them by (applied here in the same floating-point operations);
 * - critical values: MacKinnon, J.G. (2010), "Critical Values for Cointegration Tests", Queen's
 *   University Economics Working Paper 1227, Table 2 (the `tau_*_2010` response surfaces
 *   tau(T) = b0 + b1 / T + b2 / T^2 + b3 / T^3).
 * `mackinnonP` and `mackinnonCrit` follow statsmodels' `mackinnonp` and `mackinnoncrit`.
 */

/** A deterministic-term specification of a Dickey-Fuller regression: none, constant, constant and trend. */
export type DfRegression = 'n' | 'c' | 'ct';

const TAU_STAR: Record<DfRegression, readonly number[]> = {
  n: [-1.04, -1.53],
  c: [-1.61, -2.62],
  ct: [-2.89, -3.19],
};
const TAU_MIN: Record<DfRegression, readonly number[]> = {
  n: [-19.04, -19.62],
  c: [-18.83, -18.86],
  ct: [-16.18, -21.15],
};
const TAU_MAX: Record<DfRegression, readonly number[]> = {
  n: [Number.POSITIVE_INFINITY, 1.51],
  c: [2.74, 0.92],
  ct: [0.7, 0.63],
};

const SMALL_SCALING = [1, 1, 1e-2];
const LARGE_SCALING = [1, 1e-1, 1e-1, 1e-2];
const scaled = (rows: number[][], scaling: number[]): number[][] => rows.map((r) => r.map((v, i) => v * scaling[i]!));

const TAU_SMALLP: Record<DfRegression, number[][]> = {
  n: scaled([[0.6344, 1.2378, 3.2496], [1.9129, 1.3857, 3.5322]], SMALL_SCALING),
  c: scaled([[2.1659, 1.4412, 3.8269], [2.92, 1.5012, 3.9796]], SMALL_SCALING),
  ct: scaled([[3.2512, 1.6047, 4.9588], [3.6646, 1.5419, 3.6448]], SMALL_SCALING),
};
const TAU_LARGEP: Record<DfRegression, number[][]> = {
  n: scaled([[0.4797, 9.3557, -0.6999, 3.3066], [1.5578, 8.558, -2.083, -3.3549]], LARGE_SCALING),
  c: scaled([[1.7339, 9.3202, -1.2745, -1.0368], [2.1945, 6.4695, -2.9198, -4.2377]], LARGE_SCALING),
  ct: scaled([[2.5261, 6.1654, -3.7956, -6.0285], [2.85, 5.272, -3.6622, -5.1695]], LARGE_SCALING),
};

/** MacKinnon (2010) response-surface coefficients: [N - 1][1%, 5%, 10%][b0, b1, b2, b3]. */
const TAU_2010: Record<DfRegression, readonly (readonly (readonly number[])[])[]> = {
  n: [
    [
      [-2.56574, -2.2358, -3.627, 0],
      [-1.941, -0.2686, -3.365, 31.223],
      [-1.61682, 0.2656, -2.714, 25.364],
    ],
  ],
  c: [
    [
      [-3.43035, -6.5393, -16.786, -79.433],
      [-2.86154, -2.8903, -4.234, -40.04],
      [-2.56677, -1.5384, -2.809, 0],
    ],
    [
      [-3.89644, -10.9519, -33.527, 0],
      [-3.33613, -6.1101, -6.823, 0],
      [-3.04445, -4.2412, -2.72, 0],
    ],
  ],
  ct: [
    [
      [-3.95877, -9.0531, -28.428, -134.155],
      [-3.41049, -4.3904, -9.036, -45.374],
      [-3.12705, -2.5856, -3.925, -22.38],
    ],
    [
      [-4.32762, -15.4387, -35.679, 0],
      [-3.78057, -9.5106, -12.074, 0],
      [-3.49631, -7.0815, -7.538, 21.892],
    ],
  ],
};

/** Evaluates c[0] + c[1] x + ... by Horner's rule, in numpy.polyval's order of operations. */
function polyval(c: readonly number[], x: number): number {
  let y = 0;
  for (let i = c.length - 1; i >= 0; i--) y = y * x + c[i]!;
  return y;
}

function checkN(n: number): void {
  if (n !== 1 && n !== 2) throw new InvalidArgumentError(`MacKinnon tables: N must be 1 or 2, was ${n}`);
}

/**
 * Returns MacKinnon's (1994) approximate asymptotic p-value of a Dickey-Fuller tau statistic, as
 * statsmodels' `mackinnonp(teststat, regression, N)`: N = 1 for a unit-root test, N = 2 for an
 * Engle-Granger test with one regressor.
 */
export function mackinnonP(tau: number, regression: DfRegression, n = 1): number {
  checkN(n);
  if (Number.isNaN(tau)) return Number.NaN;
  if (tau > TAU_MAX[regression][n - 1]!) return 1;
  if (tau < TAU_MIN[regression][n - 1]!) return 0;
  const coef = tau <= TAU_STAR[regression][n - 1]! ? TAU_SMALLP[regression][n - 1]! : TAU_LARGEP[regression][n - 1]!;
  return normalCdf(polyval(coef, tau));
}

/** The 1%, 5% and 10% critical values of a Dickey-Fuller test. */
export interface CriticalValues {
  readonly '1%': number;
  readonly '5%': number;
  readonly '10%': number;
}

/**
 * Returns MacKinnon's (2010) finite-sample critical values for `nobs` observations (the asymptotic ones
 * when `nobs` is infinite), as statsmodels' `mackinnoncrit(N, regression, nobs)`.
 */
export function mackinnonCrit(regression: DfRegression, n = 1, nobs = Number.POSITIVE_INFINITY): CriticalValues {
  checkN(n);
  const table = TAU_2010[regression][n - 1];
  if (table === undefined) {
    return { '1%': Number.NaN, '5%': Number.NaN, '10%': Number.NaN };
  }
  const at = (row: readonly number[]): number => (nobs === Number.POSITIVE_INFINITY ? row[0]! : polyval(row, 1 / nobs));
  return { '1%': at(table[0]!), '5%': at(table[1]!), '10%': at(table[2]!) };
}
