import { InvalidArgumentError } from '../core/index.js';
import { mackinnonCrit, mackinnonP, type CriticalValues, type DfRegression } from './mackinnon.js';
import { olsFit } from './ols.js';

/** Options of {@link adfTest}. */
export interface AdfOptions {
  /** Deterministic terms of the test regression: 'c' constant (default), 'ct' constant and trend, 'n' none. */
  readonly regression?: DfRegression;
  /**
   * The largest number of lagged differences. Default (Schwert's rule, as statsmodels):
   * min(ceil(12 (nobs / 100)^(1/4)), floor(nobs / 2) - ntrend - 1).
   */
  readonly maxLag?: number;
  /**
   * How the number of lags is chosen: 'aic' (default) or 'bic' pick the lag 0..maxLag minimizing the
   * criterion, all fitted on the same observations; null uses maxLag.
   */
  readonly autolag?: 'aic' | 'bic' | null;
}

/** The result of {@link adfTest}. */
export interface AdfResult {
  /** The test statistic: the t-value of the lagged level's coefficient. */
  readonly t: number;
  /** MacKinnon's (1994) approximate p-value. */
  readonly p: number;
  /** The number of lagged differences used. */
  readonly lags: number;
  /** The number of observations of the test regression. */
  readonly nobs: number;
  /** MacKinnon's (2010) critical values for `nobs`. */
  readonly criticalValues: CriticalValues;
  /** The best information criterion when the lag was chosen by one, else null. */
  readonly icBest: number | null;
}

const trendColumns = (regression: DfRegression): number => (regression === 'n' ? 0 : regression.length);

/**
 * Fills the columns of the ADF design for `lags` lagged differences: the level x[t] (t = lags .. n - 2,
 * predicting dx[t] = x[t + 1] - x[t]), then the lagged differences dx[t - 1] .. dx[t - lags], then the
 * deterministic terms (constant, then the trend 1..nobs). `trendFirst` puts the deterministic terms first
 * (the column order of statsmodels' lag search).
 */
function design(x: ArrayLike<number>, lags: number, usedLags: number, regression: DfRegression, trendFirst: boolean) {
  const n = x.length;
  const nobs = n - 1 - lags;
  const nt = trendColumns(regression);
  const k = 1 + usedLags + nt;
  const m = new Float64Array(nobs * k);
  const y = new Float64Array(nobs);
  const first = trendFirst ? nt : 0;
  const trendAt = trendFirst ? 0 : 1 + usedLags;
  for (let r = 0; r < nobs; r++) {
    const t = lags + r;
    y[r] = (x[t + 1] as number) - (x[t] as number);
    m[first * nobs + r] = x[t] as number;
    for (let j = 1; j <= usedLags; j++) m[(first + j) * nobs + r] = (x[t - j + 1] as number) - (x[t - j] as number);
    if (nt >= 1) m[trendAt * nobs + r] = 1;
    if (nt >= 2) m[(trendAt + 1) * nobs + r] = r + 1;
  }
  return { m, y, nobs, k, levelColumn: first };
}

/**
 * Augmented Dickey-Fuller unit-root test, as statsmodels' `adfuller(x, maxlag, regression, autolag)`
 * (0.13): regresses dx[t] on x[t-1], `lags` lagged differences and the deterministic terms; the statistic
 * is the t-value of x[t-1]; the lag search fits every lag on the observations of the longest one.
 * The p-value is MacKinnon's (1994) approximation and the critical values MacKinnon's (2010), both for
 * N = 1 (see ./mackinnon.ts). A constant series is refused.
 */
export function adfTest(x: ArrayLike<number>, options: AdfOptions = {}): AdfResult {
  const regression = options.regression ?? 'c';
  if (regression !== 'c' && regression !== 'ct' && regression !== 'n') {
    throw new InvalidArgumentError(`adfTest: invalid 'regression': expected 'c', 'ct' or 'n', was ${String(regression)}`);
  }
  const autolag = options.autolag === undefined ? 'aic' : options.autolag;
  if (autolag !== null && autolag !== 'aic' && autolag !== 'bic') {
    throw new InvalidArgumentError(`adfTest: invalid 'autolag': expected 'aic', 'bic' or null, was ${String(autolag)}`);
  }
  const n = x.length;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const v = x[i] as number;
    if (!Number.isFinite(v)) throw new InvalidArgumentError(`adfTest: x[${i}] is not finite (${v})`);
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (n > 0 && min === max) throw new InvalidArgumentError('adfTest: x is constant');
  const nt = trendColumns(regression);
  const limit = Math.floor(n / 2) - nt - 1;
  let maxLag: number;
  if (options.maxLag === undefined) {
    maxLag = Math.min(limit, Math.ceil(12 * Math.pow(n / 100, 1 / 4)));
    if (maxLag < 0) throw new InvalidArgumentError(`adfTest: ${n} observations are too few for regression '${regression}'`);
  } else {
    maxLag = options.maxLag;
    if (!Number.isInteger(maxLag) || maxLag < 0) throw new InvalidArgumentError(`adfTest: invalid 'maxLag': expected a non-negative integer, was ${maxLag}`);
    if (maxLag > limit) throw new InvalidArgumentError(`adfTest: invalid 'maxLag': ${maxLag} exceeds floor(nobs / 2) - 1 - ntrend = ${limit}`);
  }
  let usedLag = maxLag;
  let icBest: number | null = null;
  if (autolag !== null) {
    const full = design(x, maxLag, maxLag, regression, true);
    let best = Number.POSITIVE_INFINITY;
    for (let lag = 0; lag <= maxLag; lag++) {
      const k = nt + 1 + lag;
      const fit = olsFit(full.m, full.y, full.nobs, k);
      const penalty = autolag === 'aic' ? 2 * k : Math.log(full.nobs) * k;
      const ic = -2 * fit.logLikelihood + penalty;
      if (ic < best) {
        best = ic;
        usedLag = lag;
      }
    }
    icBest = best;
  }
  const d = design(x, usedLag, usedLag, regression, false);
  const fit = olsFit(d.m, d.y, d.nobs, d.k);
  const t = fit.beta[0]! / fit.standardErrors[0]!;
  return {
    t,
    p: mackinnonP(t, regression, 1),
    lags: usedLag,
    nobs: d.nobs,
    criticalValues: mackinnonCrit(regression, 1, d.nobs),
    icBest,
  };
}
