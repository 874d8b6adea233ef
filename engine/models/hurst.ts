import { InvalidArgumentError } from '../core/index.js';

/** Options of {@link hurstExponent} and {@link RollingHurst}. */
export interface HurstOptions {
  /** The smallest block length (default 8). */
  readonly minWindow?: number;
  /** The largest block length (default, and at most, half the series length). */
  readonly maxWindow?: number;
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
function rescaledRangeSlope(x: ArrayLike<number>, n: number, blocks: Int32Array): number {
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
    const v = Math.log10(total / (n / d));
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
 * pracma::hurstexp(x, d = minWindow)$He gives the same value when x.length is even and no length in
 * [0.99 x.length, x.length) has more divisors >= minWindow (pracma first trims x to that length).
 * NaN when a block is constant.
 */
export function hurstExponent(x: ArrayLike<number>, options: HurstOptions = {}): number {
  const n = x.length;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(x[i] as number)) throw new InvalidArgumentError(`hurstExponent: x[${i}] is not finite`);
  }
  return rescaledRangeSlope(x, n, blockLengths(n, options, 'hurstExponent'));
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
  private pos = 0;
  private seen = 0;
  private current = Number.NaN;

  constructor(window: number, options: HurstOptions = {}) {
    if (!Number.isInteger(window) || window < 4) {
      throw new InvalidArgumentError(`RollingHurst: invalid 'window': expected an integer >= 4, was ${window}`);
    }
    this.window = window;
    this.blocks = blockLengths(window, options, 'RollingHurst');
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
    this.current = rescaledRangeSlope(this.ordered, w, this.blocks);
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
