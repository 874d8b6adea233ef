import { checkInteger } from '../core/checks.js';
import { randomStream } from '../core/rng.js';

/**
 * Gaussian hidden Markov model: one normal emission per state, a row-stochastic transition matrix
 * (transition[i][j] = P(S_t = j | S_{t-1} = i)) and the distribution of the first state
 * (initial[j] = P(S_0 = j)). Fitted by Baum-Welch on scaled forward-backward passes; the likelihood
 * is the exact Gaussian likelihood sum_t log f(x_t | x_0..x_{t-1}), as statsmodels' MarkovRegression
 * reports it (same constants), so the two compare directly.
 */
export interface GaussianHmmParams {
  readonly means: readonly number[];
  readonly variances: readonly number[];
  /** Row-stochastic, states x states: transition[i][j] = P(S_t = j | S_{t-1} = i). */
  readonly transition: readonly (readonly number[])[];
  /** P(S_0 = j). */
  readonly initial: readonly number[];
}

/** What `fitGaussianHmm` returns: the fitted parameters (states ordered by mean, ascending) and the posteriors. */
export interface GaussianHmmFit extends GaussianHmmParams {
  readonly logLikelihood: number;
  /** T x states: P(S_t = j | x_0..x_{T-1}). */
  readonly smoothed: Float64Array[];
  /** The most likely state path (Viterbi), state indices in the mean order. */
  readonly viterbi: Int32Array;
  /** Baum-Welch iterations of the winning restart. */
  readonly iterations: number;
  /** Whether the winning restart stopped on `tol` rather than on `maxIter`. */
  readonly converged: boolean;
}

/**
 * How the first state's distribution is treated: `estimate` fits it (classic Baum-Welch, it ends on the
 * first smoothed posterior); `stationary` ties it to the ergodic distribution of the transition matrix
 * (statsmodels' default "steady-state" initialization).
 */
export type HmmInitial = 'estimate' | 'stationary';

export interface GaussianHmmOptions {
  readonly states: number;
  /** Seed of the restarts' starting points (engine/core randomStream, component `hmm`). */
  readonly seed: number;
  /** Starting points tried; the best likelihood wins (default 5; the first is a deterministic quantile start). */
  readonly restarts?: number;
  /** Baum-Welch iterations per restart (default 1000). */
  readonly maxIter?: number;
  /** Stop when one iteration raises the log-likelihood by less than this (default 1e-9). */
  readonly tol?: number;
  /** Default `estimate`. */
  readonly initial?: HmmInitial;
}

const LOG_2PI = Math.log(2 * Math.PI);

function checkSeries(x: ArrayLike<number>, what: string): void {
  for (let t = 0; t < x.length; t++) {
    if (!Number.isFinite(x[t]!)) throw new Error(`invalid ${what}: value ${t} is not finite, was ${x[t]}`);
  }
}

function checkParams(p: GaussianHmmParams): number {
  const k = p.means.length;
  if (k < 1) throw new Error('invalid HMM parameters: no states');
  if (p.variances.length !== k || p.initial.length !== k || p.transition.length !== k) {
    throw new Error(`invalid HMM parameters: means, variances, initial and transition rows must all have ${k} entries`);
  }
  for (let i = 0; i < k; i++) {
    if (!(p.variances[i]! > 0)) throw new Error(`invalid HMM parameters 'variances[${i}]': not positive, was ${p.variances[i]}`);
    const row = p.transition[i]!;
    if (row.length !== k) throw new Error(`invalid HMM parameters 'transition[${i}]': ${row.length} entries, expected ${k}`);
    let s = 0;
    for (const v of row) {
      if (!(v >= 0)) throw new Error(`invalid HMM parameters 'transition[${i}]': negative or NaN entry ${v}`);
      s += v;
    }
    if (Math.abs(s - 1) > 1e-8) throw new Error(`invalid HMM parameters 'transition[${i}]': sums to ${s}, not 1`);
  }
  return k;
}

/** Flat working copy of the parameters: a[i*k+j], and the log-density constants. */
class Work {
  readonly k: number;
  readonly mean: Float64Array;
  readonly variance: Float64Array;
  readonly a: Float64Array;
  readonly init: Float64Array;
  constructor(k: number) {
    this.k = k;
    this.mean = new Float64Array(k);
    this.variance = new Float64Array(k);
    this.a = new Float64Array(k * k);
    this.init = new Float64Array(k);
  }
  static of(p: GaussianHmmParams): Work {
    const k = checkParams(p);
    const w = new Work(k);
    for (let i = 0; i < k; i++) {
      w.mean[i] = p.means[i]!;
      w.variance[i] = p.variances[i]!;
      w.init[i] = p.initial[i]!;
      for (let j = 0; j < k; j++) w.a[i * k + j] = p.transition[i]![j]!;
    }
    return w;
  }
}

/**
 * Fills b[t*k+j] with exp(log f_j(x_t) - m_t) and returns the shifts m_t in `shift`: the emission
 * densities rescaled per observation so that an outlier far from every state never underflows to 0.
 */
function emissions(x: ArrayLike<number>, w: Work, b: Float64Array, shift: Float64Array): void {
  const k = w.k;
  for (let t = 0; t < x.length; t++) {
    let m = -Infinity;
    for (let j = 0; j < k; j++) {
      const d = x[t]! - w.mean[j]!;
      const l = -0.5 * (LOG_2PI + Math.log(w.variance[j]!) + (d * d) / w.variance[j]!);
      b[t * k + j] = l;
      if (l > m) m = l;
    }
    for (let j = 0; j < k; j++) b[t * k + j] = Math.exp(b[t * k + j]! - m);
    shift[t] = m;
  }
}

/** Scaled forward pass: alpha[t*k+j] = P(S_t = j | x_0..x_t); returns the log-likelihood. */
function forward(n: number, w: Work, b: Float64Array, shift: Float64Array, alpha: Float64Array, scale: Float64Array): number {
  const k = w.k;
  let ll = 0;
  for (let t = 0; t < n; t++) {
    let c = 0;
    for (let j = 0; j < k; j++) {
      let p: number;
      if (t === 0) p = w.init[j]!;
      else {
        p = 0;
        for (let i = 0; i < k; i++) p += alpha[(t - 1) * k + i]! * w.a[i * k + j]!;
      }
      const v = p * b[t * k + j]!;
      alpha[t * k + j] = v;
      c += v;
    }
    if (!(c > 0)) throw new Error(`HMM forward pass: observation ${t} has zero probability under every state`);
    for (let j = 0; j < k; j++) alpha[t * k + j] = alpha[t * k + j]! / c;
    scale[t] = c;
    ll += Math.log(c) + shift[t]!;
  }
  return ll;
}

/** Scaled backward pass with the forward scales; beta[t*k+i] * alpha[t*k+i] is the smoothed posterior. */
function backward(n: number, w: Work, b: Float64Array, scale: Float64Array, beta: Float64Array): void {
  const k = w.k;
  for (let i = 0; i < k; i++) beta[(n - 1) * k + i] = 1;
  for (let t = n - 2; t >= 0; t--) {
    for (let i = 0; i < k; i++) {
      let s = 0;
      for (let j = 0; j < k; j++) s += w.a[i * k + j]! * b[(t + 1) * k + j]! * beta[(t + 1) * k + j]!;
      beta[t * k + i] = s / scale[t + 1]!;
    }
  }
}

/** Returns the stationary distribution pi = pi A of a row-stochastic k x k matrix (flat), by Gaussian elimination. */
export function stationaryDistribution(a: ArrayLike<number>, k: number): Float64Array {
  // Solve (A' - I) pi = 0 with the last equation replaced by sum(pi) = 1.
  const m = new Float64Array(k * (k + 1));
  for (let r = 0; r < k; r++) {
    for (let c = 0; c < k; c++) m[r * (k + 1) + c] = r === k - 1 ? 1 : a[c * k + r]! - (r === c ? 1 : 0);
    m[r * (k + 1) + k] = r === k - 1 ? 1 : 0;
  }
  for (let c = 0; c < k; c++) {
    let piv = c;
    for (let r = c + 1; r < k; r++) if (Math.abs(m[r * (k + 1) + c]!) > Math.abs(m[piv * (k + 1) + c]!)) piv = r;
    if (Math.abs(m[piv * (k + 1) + c]!) < 1e-14) throw new Error('HMM transition matrix has no unique stationary distribution (reducible chain)');
    if (piv !== c) {
      for (let q = 0; q <= k; q++) {
        const tmp = m[c * (k + 1) + q]!;
        m[c * (k + 1) + q] = m[piv * (k + 1) + q]!;
        m[piv * (k + 1) + q] = tmp;
      }
    }
    for (let r = 0; r < k; r++) {
      if (r === c) continue;
      const f = m[r * (k + 1) + c]! / m[c * (k + 1) + c]!;
      if (f === 0) continue;
      for (let q = c; q <= k; q++) m[r * (k + 1) + q] = m[r * (k + 1) + q]! - f * m[c * (k + 1) + q]!;
    }
  }
  const pi = new Float64Array(k);
  for (let r = 0; r < k; r++) pi[r] = Math.max(0, m[r * (k + 1) + k]! / m[r * (k + 1) + r]!);
  let s = 0;
  for (let r = 0; r < k; r++) s += pi[r]!;
  for (let r = 0; r < k; r++) pi[r] = pi[r]! / s;
  return pi;
}

function toRows(flat: Float64Array, n: number, k: number): Float64Array[] {
  const out: Float64Array[] = [];
  for (let t = 0; t < n; t++) out.push(flat.slice(t * k, t * k + k));
  return out;
}

/** Returns the exact log-likelihood of `x` under fixed parameters (scaled forward pass). */
export function hmmLogLikelihood(x: ArrayLike<number>, params: GaussianHmmParams): number {
  return hmmFilter(x, params).logLikelihood;
}

/** Returns the filtered posteriors P(S_t = j | x_0..x_t), T x states, and the log-likelihood, under fixed parameters. */
export function hmmFilter(x: ArrayLike<number>, params: GaussianHmmParams): { logLikelihood: number; filtered: Float64Array[] } {
  checkSeries(x, 'HMM series');
  const w = Work.of(params);
  const n = x.length;
  const b = new Float64Array(n * w.k);
  const shift = new Float64Array(n);
  const alpha = new Float64Array(n * w.k);
  emissions(x, w, b, shift);
  const ll = forward(n, w, b, shift, alpha, new Float64Array(n));
  return { logLikelihood: ll, filtered: toRows(alpha, n, w.k) };
}

/** Returns the smoothed posteriors P(S_t = j | x_0..x_{T-1}), T x states, and the log-likelihood, under fixed parameters. */
export function hmmSmooth(x: ArrayLike<number>, params: GaussianHmmParams): { logLikelihood: number; smoothed: Float64Array[] } {
  checkSeries(x, 'HMM series');
  const w = Work.of(params);
  const n = x.length;
  const k = w.k;
  const b = new Float64Array(n * k);
  const shift = new Float64Array(n);
  const alpha = new Float64Array(n * k);
  const scale = new Float64Array(n);
  const beta = new Float64Array(n * k);
  emissions(x, w, b, shift);
  const ll = n > 0 ? forward(n, w, b, shift, alpha, scale) : 0;
  if (n > 0) backward(n, w, b, scale, beta);
  for (let q = 0; q < n * k; q++) alpha[q] = alpha[q]! * beta[q]!;
  return { logLikelihood: ll, smoothed: toRows(alpha, n, k) };
}

/** Returns the most likely state path under fixed parameters (Viterbi, in log space; ties go to the lower state). */
export function viterbiPath(x: ArrayLike<number>, params: GaussianHmmParams): Int32Array {
  checkSeries(x, 'HMM series');
  const w = Work.of(params);
  const k = w.k;
  const n = x.length;
  const path = new Int32Array(n);
  if (n === 0) return path;
  const logA = new Float64Array(k * k);
  for (let q = 0; q < k * k; q++) logA[q] = Math.log(w.a[q]!);
  const back = new Int32Array(n * k);
  let delta = new Float64Array(k);
  let next = new Float64Array(k);
  const logB = (t: number, j: number): number => {
    const d = x[t]! - w.mean[j]!;
    return -0.5 * (LOG_2PI + Math.log(w.variance[j]!) + (d * d) / w.variance[j]!);
  };
  for (let j = 0; j < k; j++) delta[j] = Math.log(w.init[j]!) + logB(0, j);
  for (let t = 1; t < n; t++) {
    for (let j = 0; j < k; j++) {
      let best = -Infinity;
      let arg = 0;
      for (let i = 0; i < k; i++) {
        const v = delta[i]! + logA[i * k + j]!;
        if (v > best) {
          best = v;
          arg = i;
        }
      }
      next[j] = best + logB(t, j);
      back[t * k + j] = arg;
    }
    const tmp = delta;
    delta = next;
    next = tmp;
  }
  let arg = 0;
  for (let j = 1; j < k; j++) if (delta[j]! > delta[arg]!) arg = j;
  path[n - 1] = arg;
  for (let t = n - 1; t > 0; t--) path[t - 1] = back[t * k + path[t]!]!;
  return path;
}

/**
 * Online forward filter under fixed parameters: feed observations one at a time and read the current
 * state's posterior P(S_t = j | x_0..x_t). O(states^2) per update, no allocation after construction.
 */
export class HmmForwardFilter {
  private readonly w: Work;
  private readonly prior: Float64Array;
  private readonly post: Float64Array;
  private started = false;
  private ll = 0;
  constructor(params: GaussianHmmParams) {
    this.w = Work.of(params);
    this.prior = new Float64Array(this.w.k);
    this.post = new Float64Array(this.w.k);
  }
  /** Adds the next observation and returns the posterior of the current state (a view, overwritten by the next update). */
  update(x: number): Float64Array {
    if (!Number.isFinite(x)) throw new Error(`invalid HMM observation: not finite, was ${x}`);
    const { k, a, init, mean, variance } = this.w;
    for (let j = 0; j < k; j++) {
      if (!this.started) this.prior[j] = init[j]!;
      else {
        let p = 0;
        for (let i = 0; i < k; i++) p += this.post[i]! * a[i * k + j]!;
        this.prior[j] = p;
      }
    }
    let m = -Infinity;
    for (let j = 0; j < k; j++) {
      const d = x - mean[j]!;
      const l = -0.5 * (LOG_2PI + Math.log(variance[j]!) + (d * d) / variance[j]!);
      this.post[j] = l;
      if (l > m) m = l;
    }
    let c = 0;
    for (let j = 0; j < k; j++) {
      const v = this.prior[j]! * Math.exp(this.post[j]! - m);
      this.post[j] = v;
      c += v;
    }
    if (!(c > 0)) throw new Error('HMM forward filter: observation has zero probability under every state');
    for (let j = 0; j < k; j++) this.post[j] = this.post[j]! / c;
    this.ll += Math.log(c) + m;
    this.started = true;
    return this.post;
  }
  /** The most probable current state (ties to the lower index); -1 before the first update. */
  get state(): number {
    if (!this.started) return -1;
    let arg = 0;
    for (let j = 1; j < this.w.k; j++) if (this.post[j]! > this.post[arg]!) arg = j;
    return arg;
  }
  /** The current state's posterior (a view), null before the first update. */
  get posterior(): Float64Array | null {
    return this.started ? this.post : null;
  }
  /** Log-likelihood of the observations fed so far. */
  get logLikelihood(): number {
    return this.ll;
  }
  /** Forgets every observation. */
  reset(): void {
    this.started = false;
    this.ll = 0;
  }
}

interface Buffers {
  b: Float64Array;
  shift: Float64Array;
  alpha: Float64Array;
  beta: Float64Array;
  scale: Float64Array;
}

/** One Baum-Welch run from `w` (updated in place); returns the final log-likelihood and iteration count. */
function baumWelch(
  x: ArrayLike<number>,
  w: Work,
  buf: Buffers,
  maxIter: number,
  tol: number,
  initialMode: HmmInitial,
  varFloor: number,
): { ll: number; iterations: number; converged: boolean } {
  const n = x.length;
  const k = w.k;
  const xi = new Float64Array(k * k);
  const gSum = new Float64Array(k);
  const gx = new Float64Array(k);
  let prev = -Infinity;
  let ll = -Infinity;
  for (let it = 1; it <= maxIter; it++) {
    emissions(x, w, buf.b, buf.shift);
    ll = forward(n, w, buf.b, buf.shift, buf.alpha, buf.scale);
    if (it > 1 && ll - prev < tol) return { ll, iterations: it - 1, converged: true };
    prev = ll;
    backward(n, w, buf.b, buf.scale, buf.beta);
    xi.fill(0);
    gSum.fill(0);
    gx.fill(0);
    for (let t = 0; t < n; t++) {
      for (let i = 0; i < k; i++) {
        const g = buf.alpha[t * k + i]! * buf.beta[t * k + i]!;
        gSum[i] = gSum[i]! + g;
        gx[i] = gx[i]! + g * x[t]!;
        if (t === n - 1) continue;
        const ai = buf.alpha[t * k + i]! / buf.scale[t + 1]!;
        for (let j = 0; j < k; j++) {
          xi[i * k + j] = xi[i * k + j]! + ai * w.a[i * k + j]! * buf.b[(t + 1) * k + j]! * buf.beta[(t + 1) * k + j]!;
        }
      }
    }
    for (let i = 0; i < k; i++) {
      const g0 = buf.alpha[i]! * buf.beta[i]!;
      const mu = gSum[i]! > 0 ? gx[i]! / gSum[i]! : w.mean[i]!;
      let v = 0;
      for (let t = 0; t < n; t++) {
        const d = x[t]! - mu;
        v += buf.alpha[t * k + i]! * buf.beta[t * k + i]! * d * d;
      }
      w.mean[i] = mu;
      w.variance[i] = gSum[i]! > 0 ? Math.max(v / gSum[i]!, varFloor) : w.variance[i]!;
      let row = 0;
      for (let j = 0; j < k; j++) row += xi[i * k + j]!;
      // An exact 0 would make a later observation impossible under every path (the forward pass's scale 0):
      // entries stay at least 1e-300, far below anything the likelihood can tell apart.
      if (row > 0) for (let j = 0; j < k; j++) w.a[i * k + j] = Math.max(xi[i * k + j]! / row, 1e-300);
      if (initialMode === 'estimate') w.init[i] = g0;
    }
    if (initialMode === 'stationary') {
      const g0 = new Float64Array(k);
      for (let i = 0; i < k; i++) g0[i] = buf.alpha[i]! * buf.beta[i]!;
      stationaryTransitionStep(xi, g0, k, w.a);
      w.init.set(stationaryDistribution(w.a, k));
    }
  }
  emissions(x, w, buf.b, buf.shift);
  ll = forward(n, w, buf.b, buf.shift, buf.alpha, buf.scale);
  return { ll, iterations: maxIter, converged: ll - prev < tol };
}

/**
 * The transition M-step when the first state is tied to the stationary distribution: maximizes
 * Q(A) = sum_ij xi_ij log a_ij + sum_i g0_i log pi_i(A) over row-stochastic A (rows as softmax logits,
 * the last fixed at 0), by Newton steps that use the exact Hessian of the first term (the initial term
 * is O(1) against O(T)) and a central-difference gradient of the whole, with backtracking. Starts from
 * the classic step xi_ij / sum_j xi_ij, which it writes into `a` and then improves.
 */
function stationaryTransitionStep(xi: Float64Array, g0: Float64Array, k: number, a: Float64Array): void {
  if (k === 1) return;
  const rows = new Float64Array(k);
  const z = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) rows[i] = rows[i]! + xi[i * k + j]!;
    if (!(rows[i]! > 0)) return;
    const last = Math.max(xi[i * k + k - 1]! / rows[i]!, 1e-300);
    for (let j = 0; j < k; j++) z[i * k + j] = Math.log(Math.max(xi[i * k + j]! / rows[i]!, 1e-300) / last);
  }
  const trial = new Float64Array(k * k);
  const fill = (zz: Float64Array, out: Float64Array): void => {
    for (let i = 0; i < k; i++) {
      let m = -Infinity;
      for (let j = 0; j < k; j++) m = Math.max(m, zz[i * k + j]!);
      let s = 0;
      for (let j = 0; j < k; j++) s += Math.exp(zz[i * k + j]! - m);
      for (let j = 0; j < k; j++) out[i * k + j] = Math.exp(zz[i * k + j]! - m) / s;
    }
  };
  const q = (zz: Float64Array): number => {
    fill(zz, trial);
    let v = 0;
    for (let c = 0; c < k * k; c++) if (xi[c]! > 0) v += xi[c]! * Math.log(trial[c]!);
    let pi: Float64Array;
    try {
      pi = stationaryDistribution(trial, k);
    } catch {
      return -Infinity;
    }
    for (let i = 0; i < k; i++) if (g0[i]! > 0) v += g0[i]! * Math.log(pi[i]!);
    return v;
  };
  const grad = new Float64Array(k * k);
  const step = new Float64Array(k * k);
  const next = new Float64Array(k * k);
  let cur = q(z);
  if (!Number.isFinite(cur)) {
    fill(z, a);
    return;
  }
  for (let it = 0; it < 50; it++) {
    for (let c = 0; c < k * k; c++) {
      if (c % k === k - 1) {
        grad[c] = 0;
        continue;
      }
      const h = 1e-5;
      const z0 = z[c]!;
      z[c] = z0 + h;
      const up = q(z);
      z[c] = z0 - h;
      const down = q(z);
      z[c] = z0;
      grad[c] = (up - down) / (2 * h);
    }
    fill(z, trial);
    let size = 0;
    for (let i = 0; i < k; i++) {
      // (diag(p) - p p')^{-1} = diag(1/p) + 1 1' / p_last (Sherman-Morrison), p the first k-1 probabilities.
      let sum = 0;
      for (let j = 0; j < k - 1; j++) sum += grad[i * k + j]!;
      const pl = Math.max(trial[i * k + k - 1]!, 1e-300);
      for (let j = 0; j < k - 1; j++) {
        const d = (grad[i * k + j]! / Math.max(trial[i * k + j]!, 1e-300) + sum / pl) / rows[i]!;
        step[i * k + j] = d;
        size = Math.max(size, Math.abs(d));
      }
      step[i * k + k - 1] = 0;
    }
    if (size < 1e-10) break;
    let t = 1;
    let improved = false;
    for (let bt = 0; bt < 30; bt++) {
      for (let c = 0; c < k * k; c++) next[c] = z[c]! + t * step[c]!;
      const v = q(next);
      if (v > cur) {
        z.set(next);
        cur = v;
        improved = true;
        break;
      }
      t /= 2;
    }
    if (!improved) break;
  }
  fill(z, a);
}

function startingPoint(x: ArrayLike<number>, k: number, restart: number, seed: number, mode: HmmInitial): Work {
  const n = x.length;
  const sorted = Float64Array.from(x).sort();
  let mean = 0;
  for (let t = 0; t < n; t++) mean += x[t]!;
  mean /= n;
  let variance = 0;
  for (let t = 0; t < n; t++) variance += (x[t]! - mean) ** 2;
  variance /= n;
  const w = new Work(k);
  const rng = randomStream(seed, 'fitGaussianHmm', `restart-${restart}`);
  for (let j = 0; j < k; j++) {
    if (restart === 0) {
      // Deterministic start: means at the (j+0.5)/k quantiles, the sample variance, sticky states.
      w.mean[j] = sorted[Math.min(n - 1, Math.floor(((j + 0.5) / k) * n))]!;
      w.variance[j] = variance;
      for (let i = 0; i < k; i++) w.a[j * k + i] = k === 1 ? 1 : j === i ? 0.9 : 0.1 / (k - 1);
    } else {
      w.mean[j] = sorted[rng.int(0, n - 1)]!;
      w.variance[j] = variance * rng.uniform(0.1, 2);
      const stay = k === 1 ? 1 : rng.uniform(0.5, 0.99);
      for (let i = 0; i < k; i++) w.a[j * k + i] = j === i ? stay : (1 - stay) / (k - 1);
    }
    w.init[j] = 1 / k;
  }
  if (mode === 'stationary') w.init.set(stationaryDistribution(w.a, k));
  return w;
}

/**
 * Fits a Gaussian HMM to `x` by Baum-Welch (scaled forward-backward) from `restarts` starting points
 * (the first deterministic, the rest drawn from the seeded stream) and returns the best fit, with the
 * states ordered by mean, ascending, its smoothed posteriors and its Viterbi path.
 */
export function fitGaussianHmm(x: ArrayLike<number>, options: GaussianHmmOptions): GaussianHmmFit {
  const { states: k, seed } = options;
  const restarts = options.restarts ?? 5;
  const maxIter = options.maxIter ?? 1000;
  const tol = options.tol ?? 1e-9;
  const mode = options.initial ?? 'estimate';
  checkInteger(k, 'states');
  checkInteger(seed, 'seed');
  checkInteger(restarts, 'restarts');
  checkInteger(maxIter, 'maxIter');
  if (k < 1) throw new Error(`invalid 'states': must be at least 1, was ${k}`);
  if (restarts < 1) throw new Error(`invalid 'restarts': must be at least 1, was ${restarts}`);
  if (maxIter < 1) throw new Error(`invalid 'maxIter': must be at least 1, was ${maxIter}`);
  if (!(tol > 0)) throw new Error(`invalid 'tol': not positive, was ${tol}`);
  if (mode !== 'estimate' && mode !== 'stationary') throw new Error(`invalid 'initial': expected estimate or stationary, was ${String(mode)}`);
  checkSeries(x, 'HMM series');
  const n = x.length;
  if (n < 2 * k + 1) throw new Error(`HMM series too short: ${n} observations for ${k} states (need at least ${2 * k + 1})`);
  let lo = Infinity;
  let hi = -Infinity;
  for (let t = 0; t < n; t++) {
    lo = Math.min(lo, x[t]!);
    hi = Math.max(hi, x[t]!);
  }
  if (!(hi > lo)) throw new Error('HMM series is constant: the variances are not identified');
  const buf: Buffers = {
    b: new Float64Array(n * k),
    shift: new Float64Array(n),
    alpha: new Float64Array(n * k),
    beta: new Float64Array(n * k),
    scale: new Float64Array(n),
  };
  // A state collapsing onto one observation sends the likelihood to infinity; the floor (a millionth of
  // the sample range squared) keeps every fit finite without touching a real regime's variance.
  const varFloor = 1e-6 * (hi - lo) * (hi - lo);
  let best: { w: Work; ll: number; iterations: number; converged: boolean } | undefined;
  for (let r = 0; r < restarts; r++) {
    const w = startingPoint(x, k, r, seed, mode);
    const res = baumWelch(x, w, buf, maxIter, tol, mode, varFloor);
    if (Number.isFinite(res.ll) && (!best || res.ll > best.ll)) best = { w, ...res };
  }
  if (!best) throw new Error('HMM fit failed: no restart reached a finite likelihood');
  const order = Array.from({ length: k }, (_, j) => j).sort((p, q) => best!.w.mean[p]! - best!.w.mean[q]! || p - q);
  const params: GaussianHmmParams = {
    means: order.map((j) => best!.w.mean[j]!),
    variances: order.map((j) => best!.w.variance[j]!),
    transition: order.map((i) => order.map((j) => best!.w.a[i * k + j]!)),
    initial: order.map((j) => best!.w.init[j]!),
  };
  const { logLikelihood, smoothed } = hmmSmooth(x, params);
  return {
    ...params,
    logLikelihood,
    smoothed,
    viterbi: viterbiPath(x, params),
    iterations: best.iterations,
    converged: best.converged,
  };
}
