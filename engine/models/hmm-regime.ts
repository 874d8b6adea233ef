import { checkInteger } from '../core/checks.js';
import { fitGaussianHmm, HmmForwardFilter, type GaussianHmmFit } from './hmm.js';

/** Settings of {@link HmmRegimeDetector}. */
export interface HmmRegimeConfig {
  /** Hidden states (2 or more). */
  readonly states: number;
  /** Trailing observations each fit reads. */
  readonly window: number;
  /** Observations between refits (the first fit when `window` observations are in). */
  readonly refitEvery: number;
  /**
   * One label per state, states in ascending order of `orderBy`: e.g. ['bear', 'sideways', 'bull'] by
   * mean, ['sideways', 'bull', 'bear'] by volatility.
   */
  readonly labels: readonly string[];
  /**
   * How the fitted states are matched to `labels`: by mean return (fitGaussianHmm's order, the
   * default) or by volatility. Regimes that differ mostly in volatility label more stably by it: the
   * mean of a volatile state is estimated with a large error.
   */
  readonly orderBy?: 'mean' | 'volatility';
  /** Seed of the fits' restarts. */
  readonly seed: number;
  /** Restarts per fit (default 3). */
  readonly restarts?: number;
  /** Baum-Welch iterations per restart (default 200). */
  readonly maxIter?: number;
}

/**
 * Seed 003's HMMRegimeDetector, online and without look-ahead: observations (returns) arrive one at
 * a time; every `refitEvery` observations, once `window` are in, a Gaussian HMM is fitted
 * (fitGaussianHmm, Baum-Welch) on the trailing `window` only; between refits the fitted model's
 * forward filter (its transitions mixed with uniform ones at weight 1/window, so that a state the
 * window never left can still be left) carries the current state's posterior, and the regime is the label of the most
 * probable state (states ordered by mean, or by volatility with `orderBy`: labels[0] is the lowest). Nothing after an
 * observation ever moves the label given at it: a detector fed a prefix gives the same labels on it.
 */
export class HmmRegimeDetector {
  private readonly buffer: Float64Array;
  private count = 0;
  private sinceFit = 0;
  private filter: HmmForwardFilter | null = null;
  private fitted: GaussianHmmFit | null = null;
  private fits = 0;
  private current: string | null = null;

  constructor(readonly config: HmmRegimeConfig) {
    checkInteger(config.states, 'states');
    checkInteger(config.window, 'window');
    checkInteger(config.refitEvery, 'refitEvery');
    if (config.states < 2) throw new Error(`invalid 'states': at least 2, was ${config.states}`);
    if (config.window < 2 * config.states + 1) throw new Error(`invalid 'window': at least ${2 * config.states + 1} for ${config.states} states, was ${config.window}`);
    if (config.refitEvery < 1) throw new Error(`invalid 'refitEvery': at least 1, was ${config.refitEvery}`);
    if (config.labels.length !== config.states) throw new Error(`invalid 'labels': ${config.labels.length} labels for ${config.states} states`);
    if (config.orderBy !== undefined && config.orderBy !== 'mean' && config.orderBy !== 'volatility') throw new Error(`invalid 'orderBy': expected mean or volatility, was ${String(config.orderBy)}`);
    this.buffer = new Float64Array(config.window);
    this.rank = Int32Array.from({ length: config.states }, (_, j) => j);
  }
  /** The label index of each fitted state (identity by mean; the volatility rank by volatility). */
  private readonly rank: Int32Array;

  /** Adds the next observation and returns the regime label now (null before the first fit). */
  update(x: number): string | null {
    if (!Number.isFinite(x)) throw new Error(`invalid HMM regime observation: not finite, was ${x}`);
    const w = this.config.window;
    this.buffer[this.count % w] = x;
    this.count++;
    this.sinceFit++;
    if (this.count >= w && (this.fitted === null || this.sinceFit >= this.config.refitEvery)) {
      this.refit();
    } else if (this.filter !== null) {
      this.filter.update(x);
    }
    if (this.filter !== null) this.current = this.config.labels[this.rank[this.filter.state]!]!;
    return this.current;
  }

  private refit(): void {
    const w = this.config.window;
    const window = new Float64Array(w);
    for (let i = 0; i < w; i++) window[i] = this.buffer[(this.count - w + i) % w]!;
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of window) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    this.sinceFit = 0;
    if (!(hi > lo)) {
      // A constant window identifies no variance: keep the previous model, if any, and filter on.
      this.filter?.update(window[w - 1]!);
      return;
    }
    const fit = fitGaussianHmm(window, {
      states: this.config.states,
      seed: this.config.seed + this.fits,
      restarts: this.config.restarts ?? 3,
      maxIter: this.config.maxIter ?? 200,
      tol: 1e-7,
    });
    this.fitted = fit;
    this.fits++;
    if (this.config.orderBy === 'volatility') {
      const byVariance = Array.from({ length: fit.variances.length }, (_, j) => j).sort((p, q) => fit.variances[p]! - fit.variances[q]! || p - q);
      byVariance.forEach((state, r) => (this.rank[state] = r));
    }
    // A state the window never left has an estimated exit probability of 0 and would absorb the filter
    // until the next refit: the filter mixes the fitted transitions with uniform ones at weight 1/window
    // (about one pseudo-transition per window).
    const k = this.config.states;
    const eps = 1 / w;
    const transition = fit.transition.map((row) => row.map((p) => (1 - eps) * p + eps / k));
    // The current posterior is the filtered one at the window's end: replay the window through the new model.
    const filter = new HmmForwardFilter({ ...fit, transition });
    for (let i = 0; i < w; i++) filter.update(window[i]!);
    this.filter = filter;
  }

  /** The regime label now (null before the first fit). */
  get regime(): string | null {
    return this.current;
  }
  /** The current state's posterior (states by mean, as `model`), null before the first fit; a view. */
  get posterior(): Float64Array | null {
    return this.filter?.posterior ?? null;
  }
  /** The last fit (null before the first). */
  get model(): GaussianHmmFit | null {
    return this.fitted;
  }
  /** Fits so far. */
  get fitCount(): number {
    return this.fits;
  }
  /** Observations so far. */
  get observations(): number {
    return this.count;
  }
}
