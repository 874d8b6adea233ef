import { InvalidArgumentError } from '../core/index.js';
import { olsFit } from './ols.js';
import { fDistributionSf } from './special.js';

/** One lag's SSR F-test of {@link grangerTest}. */
export interface GrangerLagResult {
  /** The number of lags of both series in the regressions. */
  readonly lag: number;
  /** The F statistic: ((SSR_restricted - SSR_full) / lag) / (SSR_full / dfDen). */
  readonly F: number;
  /** P(F(dfNum, dfDen) > F). */
  readonly p: number;
  /** Numerator degrees of freedom (= lag). */
  readonly dfNum: number;
  /** Denominator degrees of freedom: nobs - lag - (2 lag + 1). */
  readonly dfDen: number;
}

/**
 * Granger-causality SSR F-tests of whether `cause` helps predict `effect`, for each lag 1..maxLag, as
 * statsmodels' `grangercausalitytests(np.column_stack([effect, cause]), maxLag)['ssr_ftest']` (0.13):
 * for lag L, on the rows t = L..n-1, the restricted regression of effect[t] on effect[t-1..t-L] and a
 * constant against the full one that adds cause[t-1..t-L]. Refused as statsmodels refuses: fewer than
 * 3 maxLag + 2 observations, or a full regression that fits perfectly.
 */
export function grangerTest(effect: ArrayLike<number>, cause: ArrayLike<number>, maxLag: number): GrangerLagResult[] {
  const n = effect.length;
  if (cause.length !== n) throw new InvalidArgumentError(`grangerTest: effect and cause differ in length (${n} and ${cause.length})`);
  if (!Number.isInteger(maxLag) || maxLag < 1) throw new InvalidArgumentError(`grangerTest: invalid 'maxLag': expected a positive integer, was ${maxLag}`);
  if (n <= 3 * maxLag + 1) {
    throw new InvalidArgumentError(`grangerTest: ${n} observations are too few for maxLag ${maxLag} (need more than ${3 * maxLag + 1})`);
  }
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(effect[i] as number) || !Number.isFinite(cause[i] as number)) {
      throw new InvalidArgumentError(`grangerTest: effect[${i}] or cause[${i}] is not finite`);
    }
  }
  const out: GrangerLagResult[] = [];
  for (let lag = 1; lag <= maxLag; lag++) {
    const nobs = n - lag;
    const y = new Float64Array(nobs);
    // Full design, column by column: effect lags 1..L, cause lags 1..L, constant. The restricted
    // design is the effect lags and the constant (its own matrix: the columns must be contiguous).
    const full = new Float64Array(nobs * (2 * lag + 1));
    const own = new Float64Array(nobs * (lag + 1));
    let mean = 0;
    for (let r = 0; r < nobs; r++) {
      const t = lag + r;
      y[r] = effect[t] as number;
      mean += y[r]!;
      for (let j = 1; j <= lag; j++) {
        const e = effect[t - j] as number;
        full[(j - 1) * nobs + r] = e;
        own[(j - 1) * nobs + r] = e;
        full[(lag + j - 1) * nobs + r] = cause[t - j] as number;
      }
      full[2 * lag * nobs + r] = 1;
      own[lag * nobs + r] = 1;
    }
    mean /= nobs;
    let tss = 0;
    for (let r = 0; r < nobs; r++) tss += (y[r]! - mean) * (y[r]! - mean);
    const joint = olsFit(full, y, nobs, 2 * lag + 1);
    const restricted = olsFit(own, y, nobs, lag + 1);
    if (tss === 0 || joint.ssr === 0 || joint.ssr / tss < 2.220446049250313e-16) {
      throw new InvalidArgumentError(`grangerTest: the full regression at lag ${lag} fits perfectly; the F-test is undefined`);
    }
    const dfDen = nobs - (2 * lag + 1);
    const F = ((restricted.ssr - joint.ssr) / joint.ssr / lag) * dfDen;
    out.push({ lag, F, p: fDistributionSf(F, lag, dfDen), dfNum: lag, dfDen });
  }
  return out;
}
