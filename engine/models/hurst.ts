import { InvalidArgumentError } from '../core/index.js';
import { logGamma } from './special.js';

/** Options of {@link hurstExponent} and {@link RollingHurst}. */
export interface HurstOptions {
  /** The smallest block length (default 8). */
  readonly minWindow?: number;
  /** The largest block length (default, and at most, half the series length). */
  readonly maxWindow?: number;
  /**
   * 'none' (default): the empirical exponent, pracma's He (biased upward in small blocks: about 0.55-0.6
   * for independent increments with blocks of 8-64). 'anis-lloyd': pracma's Hal, the slope of
   * log(R/S - E[R/S] + sqrt(pi d / 2)), E[R/S] the Anis-Lloyd/Peters expected R/S of independent
   * normal increments, which removes that bias (about 0.5 for independent increments).
   */
  readonly correction?: 'none' | 'anis-lloyd';
}

/**
 * Returns the Anis-Lloyd/Peters corrected expected R/S of `d` independent normal values, as
 * pracma::hurstexp's ERS: ((d - 0.5) / d) sum_{i=1}^{d-1} sqrt((d - i) / i), times
 * Gamma((d - 1) / 2) / (Gamma(d / 2) sqrt(pi)) for d <= 340 and 1 / sqrt(pi d / 2) above.
 */
function expectedRescaledRange(d: number): number {
  let sum = 0;
  for (let i = 1; i < d; i++) sum += Math.sqrt((d - i) / i);
  const ratio = ((d - 0.5) / d) * sum;
  if (d > 340) return ratio / Math.sqrt(0.5 * Math.PI * d);
  return (Math.exp(logGamma(0.5 * (d - 1)) - logGamma(0.5 * d)) * ratio) / Math.sqrt(Math.PI);
}

/** Returns, per block length, what is added to the empirical R/S before the fit (0 without a correction). */
function corrections(blocks: Int32Array, options: HurstOptions, who: string): Float64Array {
  const correction = options.correction ?? 'none';
  if (correction !== 'none' && correction !== 'anis-lloyd') {
    throw new InvalidArgumentError(`${who}: invalid 'correction': expected 'none' or 'anis-lloyd', was ${String(correction)}`);
  }
  const out = new Float64Array(blocks.length);
  if (correction === 'anis-lloyd') {
    for (let b = 0; b < blocks.length; b++) out[b] = Math.sqrt(0.5 * Math.PI * blocks[b]!) - expectedRescaledRange(blocks[b]!);
  }
  return out;
}

/**
 * Returns the block lengths of an R/S analysis of `n` values: the divisors d of n with
 * minWindow <= d <= min(maxWindow, n / 2), ascending. At least two are needed for a slope.
 */
function blockLengths(n: number, options: HurstOptions, who: string): Int32Array {
  const minWindow = options.minWindow ?? 8;
  const maxWindow = Math.min(options.maxWindow ?? Math.floor(n / 2), Math.floor(n / 2));
  if (!Number.isInteger(minWindow) || minWindow < 2) {
    throw new InvalidArgumentError(`${who}: invalid 'minWindow': expected an integer >= 2, was ${minWindow}`);
  }
  if (options.maxWindow !== undefined && (!Number.isInteger(options.maxWindow) || options.maxWindow < minWindow)) {
    throw new InvalidArgumentError(`${who}: invalid 'maxWindow': expected an integer >= minWindow (${minWindow}), was ${options.maxWindow}`);
  }
  const found: number[] = [];
  for (let d = minWindow; d <= maxWindow; d++) if (n % d === 0) found.push(d);
  if (found.length < 2) {
    throw new InvalidArgumentError(
      `${who}: ${n} values have ${found.length} block length(s) between ${minWindow} and ${maxWindow} dividing ${n}; at least 2 are needed`,
    );
  }
  return Int32Array.from(found);
}

/**
 * The R/S core: for each block length d, the mean over the n / d consecutive blocks of
 * (max - min of the cumulative sums of the block's deviations from its mean) / (the block's sample
 * standard deviation); the slope of log(mean R/S) on log(d) by least squares. Reads `x[0..n)`;
 * allocates nothing. NaN if a block is constant.
 */
function rescaledRangeSlope(x: ArrayLike<number>, n: number, blocks: Int32Array, shift: Float64Array): number {
  let su = 0;
  let sv = 0;
  let suu = 0;
  let suv = 0;
  const m = blocks.length;
  for (let b = 0; b < m; b++) {
    const d = blocks[b]!;
    let total = 0;
    for (let start = 0; start < n; start += d) {
      let mean = 0;
      for (let i = start; i < start + d; i++) mean += x[i] as number;
      mean /= d;
      let cum = 0;
      let hi = Number.NEGATIVE_INFINITY;
      let lo = Number.POSITIVE_INFINITY;
      let ss = 0;
      for (let i = start; i < start + d; i++) {
        const dev = (x[i] as number) - mean;
        ss += dev * dev;
        cum += dev;
        if (cum > hi) hi = cum;
        if (cum < lo) lo = cum;
      }
      const sd = Math.sqrt(ss / (d - 1));
      if (!(sd > 0)) return Number.NaN;
      total += (hi - lo) / sd;
    }
    const u = Math.log10(d);
    const v = Math.log10(total / (n / d) + shift[b]!);
    su += u;
    sv += v;
    suu += u * u;
    suv += u * v;
  }
  return (suv - (su * sv) / m) / (suu - (su * su) / m);
}

/**
 * Returns the Hurst exponent of `x` by rescaled-range (R/S) analysis: the empirical exponent `He` of
 * R's pracma::hurstexp (Anis-Lloyd uncorrected), on the block lengths that divide the series length.
 *
 * `x` is a series of increments (returns, not prices). For each block length d (the divisors of
 * x.length between minWindow and min(maxWindow, x.length / 2)), the series is cut into x.length / d
 * consecutive blocks; a block's R/S is the range (max - min) of the cumulative sums of its deviations
 * from its mean over its sample standard deviation (divisor d - 1); the exponent is the least-squares
 * slope of log(mean R/S) on log(d). About 0.5 for independent increments (higher in small samples: R/S
 * is biased upward), above for persistent (trending), below for anti-persistent (mean-reverting) ones.
 *
 * With `correction: 'anis-lloyd'`, pracma's corrected exponent Hal instead (see HurstOptions).
 * pracma::hurstexp(x, d = minWindow)$He (and $Hal) gives the same value when x.length is even and no length in
 * [0.99 x.length, x.length) has more divisors >= minWindow (pracma first trims x to that length).
 * NaN when a block is constant.
 */
export function hurstExponent(x: ArrayLike<number>, options: HurstOptions = {}): number {
  const n = x.length;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(x[i] as number)) throw new InvalidArgumentError(`hurstExponent: x[${i}] is not finite`);
  }
  const blocks = blockLengths(n, options, 'hurstExponent');
  return rescaledRangeSlope(x, n, blocks, corrections(blocks, options, 'hurstExponent'));
}

/**
 * {@link hurstExponent} over the last `window` values of a stream: each `update` adds one increment and
 * returns the exponent of the window (NaN until it is full, or while a block is constant). Costs
 * O(window x number of block lengths) per update and allocates nothing after construction.
 */
export class RollingHurst {
  /** The number of values the exponent is computed over. */
  readonly window: number;
  /** The block lengths used (the divisors of `window` in [minWindow, maxWindow]). */
  readonly blocks: Int32Array;
  private readonly ring: Float64Array;
  private readonly ordered: Float64Array;
  private readonly shift: Float64Array;
  private pos = 0;
  private seen = 0;
  private current = Number.NaN;

  constructor(window: number, options: HurstOptions = {}) {
    if (!Number.isInteger(window) || window < 4) {
      throw new InvalidArgumentError(`RollingHurst: invalid 'window': expected an integer >= 4, was ${window}`);
    }
    this.window = window;
    this.blocks = blockLengths(window, options, 'RollingHurst');
    this.shift = corrections(this.blocks, options, 'RollingHurst');
    this.ring = new Float64Array(window);
    this.ordered = new Float64Array(window);
  }

  /** Returns the latest exponent (NaN while warming up). */
  get value(): number {
    return this.current;
  }

  /** Returns whether the window is full. */
  get ready(): boolean {
    return this.seen >= this.window;
  }

  /** Adds one increment and returns the exponent of the last `window` increments. */
  update(x: number): number {
    if (!Number.isFinite(x)) throw new InvalidArgumentError(`RollingHurst: update value is not finite (${x})`);
    const w = this.window;
    this.ring[this.pos] = x;
    this.pos = this.pos + 1 === w ? 0 : this.pos + 1;
    this.seen++;
    if (this.seen < w) return Number.NaN;
    for (let k = 0, i = this.pos; k < w; k++, i = i + 1 === w ? 0 : i + 1) this.ordered[k] = this.ring[i]!;
    this.current = rescaledRangeSlope(this.ordered, w, this.blocks, this.shift);
    return this.current;
  }

  /** Forgets every value. */
  reset(): void {
    this.ring.fill(0);
    this.pos = 0;
    this.seen = 0;
    this.current = Number.NaN;
  }
}
