import { InvalidArgumentError } from '../core/index.js';
import { nelderMead } from './nelder-mead.js';

/** The parameters of a GARCH(1,1) with a constant mean: r_t = mu + e_t, h_t = omega + alpha e_{t-1}^2 + beta h_{t-1}. */
export interface Garch11Params {
  readonly mu: number;
  readonly omega: number;
  readonly alpha: number;
  readonly beta: number;
}

/** A GARCH(1,1) fitted by {@link fitGarch11}. */
export interface Garch11Fit extends Garch11Params {
  /** The Gaussian log-likelihood at the estimate, summed over every observation (fGarch's `-fit@fit$llh`). */
  readonly logLikelihood: number;
  /** h_1..h_n, the conditional variance of each observation given the ones before it. */
  readonly conditionalVariance: Float64Array;
  /** alpha + beta (< 1). */
  readonly persistence: number;
  /** omega / (1 - alpha - beta), the level the forecasts converge to. */
  readonly unconditionalVariance: number;
  /** The number of observations fitted. */
  readonly n: number;
  /** False when the optimizer stopped on its evaluation budget rather than its tolerances. */
  readonly converged: boolean;
  /** Returns the variances of the next `h` observations after the sample, h_{n+1}..h_{n+h}. */
  forecast(h: number): Float64Array;
}

/** Settings of {@link fitGarch11}. */
export interface Garch11Options {
  /** Estimate the constant mean mu (default true); false fixes mu = 0 (fGarch's `include.mean = FALSE`). */
  readonly mean?: boolean;
}

/** The fewest observations {@link fitGarch11} fits: below this the likelihood is too flat to identify four parameters. */
export const GARCH11_MIN_OBSERVATIONS = 30;

/** mean((r_t - mu)^2) over the whole sample: fGarch's start of the variance recursion. */
function meanSquare(r: ArrayLike<number>, mu: number): number {
  const n = r.length;
  let v = 0;
  for (let t = 0; t < n; t++) {
    const e = (r[t] as number) - mu;
    v += e * e;
  }
  return v / n;
}

/**
 * Writes the conditional variances h_1..h_n of `r` under `params` into `out` (allocated when not given)
 * and returns it. The recursion starts as R's fGarch does (`init.rec = "mci"`, src/llhGarch.f and
 * `.aparchLLH.filter`): with e_t = r_t - mu and v = mean(e_t^2) over the whole sample,
 * h_1 = omega + (alpha + beta) v, then h_t = omega + alpha e_{t-1}^2 + beta h_{t-1}.
 */
export function garch11Variance(r: ArrayLike<number>, params: Garch11Params, out?: Float64Array): Float64Array {
  const n = r.length;
  const h = out ?? new Float64Array(n);
  const { mu, omega, alpha, beta } = params;
  const v = meanSquare(r, mu);
  let prev = omega + (alpha + beta) * v;
  if (n > 0) h[0] = prev;
  for (let t = 1; t < n; t++) {
    const e = (r[t - 1] as number) - mu;
    prev = omega + alpha * e * e + beta * prev;
    h[t] = prev;
  }
  return h;
}

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * The Gaussian log-likelihood of `r` under `params`, -1/2 sum(log 2pi + log h_t + e_t^2 / h_t) over every
 * observation, with the variances of {@link garch11Variance}: the value fGarch reports as its log-likelihood.
 * Allocation-free (the recursion runs inline).
 */
export function garch11LogLikelihood(r: ArrayLike<number>, params: Garch11Params): number {
  const n = r.length;
  const { mu, omega, alpha, beta } = params;
  const v = meanSquare(r, mu);
  let h = omega + (alpha + beta) * v;
  let ll = 0;
  let prevE2 = 0;
  for (let t = 0; t < n; t++) {
    if (t > 0) h = omega + alpha * prevE2 + beta * h;
    if (!(h > 0)) return Number.NEGATIVE_INFINITY;
    const e = (r[t] as number) - mu;
    prevE2 = e * e;
    ll -= HALF_LOG_2PI + 0.5 * (Math.log(h) + prevE2 / h);
  }
  return ll;
}

const logistic = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
const logit = (p: number): number => Math.log(p / (1 - p));

/**
 * Fits a GARCH(1,1) with normal errors by maximum likelihood, deterministic. The constraints
 * omega > 0, alpha >= 0, beta >= 0, alpha + beta < 1 hold by construction: the optimizer (Nelder-Mead,
 * {@link nelderMead}) moves over unconstrained coordinates (mu, log omega, logit(alpha + beta),
 * logit(alpha / (alpha + beta))), on the series divided by its standard deviation (as fGarch's
 * `xscale`), from three starting persistences, restarted from its best point until a restart no longer
 * improves the likelihood. The variance recursion and the likelihood are fGarch's (see
 * {@link garch11Variance}), so the estimate and `logLikelihood` compare with
 * `garchFit(~garch(1, 1), data = r, include.mean = mean, cond.dist = "norm")`; where fGarch's own
 * estimate has alpha + beta >= 1 (it does not impose stationarity) this fit stays on the stationary side.
 */
export function fitGarch11(r: ArrayLike<number>, options: Garch11Options = {}): Garch11Fit {
  const withMean = options.mean ?? true;
  const n = r.length;
  if (n < GARCH11_MIN_OBSERVATIONS) {
    throw new InvalidArgumentError(`fitGarch11: ${n} observations are too few (need at least ${GARCH11_MIN_OBSERVATIONS})`);
  }
  let mean = 0;
  for (let t = 0; t < n; t++) {
    const v = r[t] as number;
    if (!Number.isFinite(v)) throw new InvalidArgumentError(`fitGarch11: r[${t}] is not finite, was ${v}`);
    mean += v;
  }
  mean /= n;
  let constant = true;
  for (let t = 1; t < n && constant; t++) constant = r[t] === r[0];
  let ss = 0;
  for (let t = 0; t < n; t++) ss += ((r[t] as number) - mean) ** 2;
  const scale = Math.sqrt(ss / (n - 1));
  if (constant || !(scale > 0)) throw new InvalidArgumentError('fitGarch11: the series is constant; its variance process is undefined');
  const x = new Float64Array(n);
  for (let t = 0; t < n; t++) x[t] = (r[t] as number) / scale;
  const meanScaled = mean / scale;

  // Unconstrained coordinates -> parameters of the scaled series.
  const off = withMean ? 1 : 0;
  const decode = (theta: ArrayLike<number>): Garch11Params => {
    const p = logistic(theta[off + 1]!);
    const share = logistic(theta[off + 2]!);
    return { mu: withMean ? theta[0]! : 0, omega: Math.exp(theta[off]!), alpha: p * share, beta: p * (1 - share) };
  };
  const objective = (theta: Float64Array): number => -garch11LogLikelihood(x, decode(theta));
  const start = (alpha: number, beta: number): number[] => {
    // The sample variance of the scaled series is 1: omega starts where the unconditional variance is 1.
    const coords = [Math.log(1 - alpha - beta), logit(alpha + beta), logit(alpha / (alpha + beta))];
    return withMean ? [meanScaled, ...coords] : coords;
  };
  const step = withMean ? [0.1, 0.5, 0.5, 0.5] : [0.5, 0.5, 0.5];
  let best: { x: Float64Array; value: number } = { x: Float64Array.from(start(0.1, 0.8)), value: Number.POSITIVE_INFINITY };
  let converged = true;
  for (const [a, b] of [
    [0.1, 0.8],
    [0.05, 0.93],
    [0.2, 0.5],
  ] as const) {
    const fit = nelderMead(objective, start(a, b), { step });
    if (fit.value < best.value) best = fit;
  }
  for (let restart = 0; restart < 50; restart++) {
    const fit = nelderMead(objective, best.x, { step: step.map((s) => s / 10) });
    const gain = best.value - fit.value;
    if (fit.value < best.value) best = fit;
    converged = fit.converged;
    if (!(gain > 1e-12 * Math.abs(best.value))) break;
  }
  const s = decode(best.x);
  const params: Garch11Params = { mu: s.mu * scale, omega: s.omega * scale * scale, alpha: s.alpha, beta: s.beta };
  const conditionalVariance = garch11Variance(r, params);
  const persistence = params.alpha + params.beta;
  const lastE = (r[n - 1] as number) - params.mu;
  const next = params.omega + params.alpha * lastE * lastE + params.beta * conditionalVariance[n - 1]!;
  return {
    ...params,
    logLikelihood: garch11LogLikelihood(r, params),
    conditionalVariance,
    persistence,
    unconditionalVariance: params.omega / (1 - persistence),
    n,
    converged,
    forecast: (h: number): Float64Array => garch11Forecast(params, next, h),
  };
}

/**
 * Returns the variances of the next `h` observations of a GARCH(1,1) whose next variance is `next`:
 * h_{n+1} = next, h_{n+k} = omega + (alpha + beta) h_{n+k-1}, converging to omega / (1 - alpha - beta).
 */
export function garch11Forecast(params: Garch11Params, next: number, h: number): Float64Array {
  if (!Number.isSafeInteger(h) || h < 1) throw new InvalidArgumentError(`invalid forecast horizon 'h': not a positive integer, was ${h}`);
  const out = new Float64Array(h);
  const p = params.alpha + params.beta;
  let v = next;
  for (let k = 0; k < h; k++) {
    out[k] = v;
    v = params.omega + p * v;
  }
  return out;
}
