import { InvalidArgumentError } from '../core/index.js';
import { adfTest } from './adf.js';
import { mackinnonCrit, mackinnonP, type CriticalValues } from './mackinnon.js';
import { olsFit } from './ols.js';

/** Options of {@link cointegrationTest}. */
export interface CointegrationOptions {
  /** Deterministic terms of the cointegrating regression: 'c' constant (default) or 'ct' constant and trend. */
  readonly trend?: 'c' | 'ct';
  /** The largest lag of the ADF test on the residuals (default as {@link adfTest}). */
  readonly maxLag?: number;
  /** Lag selection of the residual ADF test: 'aic' (default), 'bic' or null (use maxLag). */
  readonly autolag?: 'aic' | 'bic' | null;
}

/** The result of {@link cointegrationTest}. */
export interface CointegrationResult {
  /** The ADF t-statistic of the residuals (-Infinity when y and x are perfectly collinear). */
  readonly t: number;
  /** MacKinnon's (1994) approximate p-value for N = 2 (two variables). */
  readonly p: number;
  /** The coefficient of x in the cointegrating regression y = a + b x (+ c t) + e. */
  readonly hedgeRatio: number;
  /** The constant of the cointegrating regression. */
  readonly intercept: number;
  /** The number of lagged differences of the residual ADF test. */
  readonly lags: number;
  /** MacKinnon's (2010) critical values for N = 2 and nobs - 1 observations (as statsmodels). */
  readonly criticalValues: CriticalValues;
}

const SQRT_EPS = Math.sqrt(2.220446049250313e-16);

/**
 * Engle-Granger two-step cointegration test of y on one regressor x, as statsmodels'
 * `coint(y, x, trend, method='aeg', maxlag, autolag)` (0.13): OLS of y on x and the deterministic terms,
 * then an ADF test without deterministic terms on the residuals; the p-value and critical values are
 * MacKinnon's for two variables.
 */
export function cointegrationTest(y: ArrayLike<number>, x: ArrayLike<number>, options: CointegrationOptions = {}): CointegrationResult {
  const trend = options.trend ?? 'c';
  if (trend !== 'c' && trend !== 'ct') {
    throw new InvalidArgumentError(`cointegrationTest: invalid 'trend': expected 'c' or 'ct', was ${String(trend)}`);
  }
  const n = y.length;
  if (x.length !== n) throw new InvalidArgumentError(`cointegrationTest: y and x differ in length (${n} and ${x.length})`);
  const k = trend === 'c' ? 2 : 3;
  const m = new Float64Array(n * k);
  let mean = 0;
  for (let i = 0; i < n; i++) {
    const xi = x[i] as number;
    const yi = y[i] as number;
    if (!Number.isFinite(xi) || !Number.isFinite(yi)) throw new InvalidArgumentError(`cointegrationTest: y[${i}] or x[${i}] is not finite`);
    m[i] = xi;
    m[n + i] = 1;
    if (k === 3) m[2 * n + i] = i + 1;
    mean += yi;
  }
  mean /= n;
  const fit = olsFit(m, y, n, k);
  const resid = new Float64Array(n);
  let tss = 0;
  for (let i = 0; i < n; i++) {
    let fitted = 0;
    for (let j = 0; j < k; j++) fitted += m[j * n + i]! * fit.beta[j]!;
    resid[i] = (y[i] as number) - fitted;
    const d = (y[i] as number) - mean;
    tss += d * d;
  }
  const rsquared = 1 - fit.ssr / tss;
  let t = Number.NEGATIVE_INFINITY;
  let lags = 0;
  if (rsquared < 1 - 100 * SQRT_EPS) {
    const adf = adfTest(resid, {
      regression: 'n',
      autolag: options.autolag === undefined ? 'aic' : options.autolag,
      ...(options.maxLag === undefined ? {} : { maxLag: options.maxLag }),
    });
    t = adf.t;
    lags = adf.lags;
  }
  return {
    t,
    p: mackinnonP(t, trend, 2),
    hedgeRatio: fit.beta[0]!,
    intercept: fit.beta[1]!,
    lags,
    criticalValues: mackinnonCrit(trend, 2, n - 1),
  };
}
